"""The staff console at ``/console/``: sign-in, the overview, and the nav of every page.

Pages live in their own modules (``topics``, ``inbox``, ``suggestions``, ``emerging``), each with
a router made by ``common.make_router`` (prefix and CSRF check); ``install`` mounts them all."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from userloop.domain.enums import TopicStatus
from userloop.web.console import (
    emerging,
    inbox,
    install_base,
    priorities,
    releases,
    suggestions,
    topics,
)
from userloop.web.console.common import day_chart, make_router
from userloop.web.context import NavItem, WebContext, client_ip, translator, web_context
from userloop.web.i18n import N_
from userloop.web.render import render
from userloop.web.security import StaffUser, current_user, sign_in, sign_out

router = make_router()


def install(app: FastAPI, web: WebContext) -> None:
    # Later pages (priorities, releases) append their own NavItem here
    # once they exist; the nav never links to a page that is not there.
    web.console_nav.extend(
        [
            NavItem("home", "/console/", N_("Overview")),
            NavItem("topics", "/console/topics", N_("Topics")),
            NavItem("inbox", "/console/inbox", N_("Inbox")),
            NavItem("suggestions", suggestions.PATH, N_("Merge suggestions")),
            NavItem("emerging", emerging.PATH, N_("Emerging")),
            NavItem("priorities", priorities.PATH, N_("Priorities")),
            NavItem("install-base", install_base.PATH, N_("Install base")),
            NavItem("releases", releases.PATH, N_("Releases")),
        ]
    )
    app.include_router(router)
    app.include_router(topics.router)
    app.include_router(inbox.router)
    app.include_router(suggestions.router)
    app.include_router(emerging.router)
    app.include_router(priorities.router)
    app.include_router(install_base.router)
    app.include_router(releases.router)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may follow a sign-in."""
    if not target:
        return "/console/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/console/"
    # Browsers read "/\\host" as "//host", and drop tabs and newlines inside URLs.
    if "\\" in target or any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return "/console/"
    return target


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(_safe_next(next), 303)
    return render(
        request, "console/sign_in.html", {"next": _safe_next(next), "error": None}, area="console"
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/console/",
) -> Response:
    web = web_context(request)
    t = translator(request)
    throttle = web.services.sign_in_throttle
    ip = client_ip(request)
    wait = math.ceil(throttle.wait_seconds(username, ip))
    if wait > 0:
        # Not even checked: a guess made now tells nothing, and counts for nothing.
        if wait < 60:
            error = t.ngettext(
                "Too many failed sign-ins. Please wait %(num)s second before trying again.",
                "Too many failed sign-ins. Please wait %(num)s seconds before trying again.",
                wait,
            )
        else:
            minutes = math.ceil(wait / 60)
            error = t.ngettext(
                "Too many failed sign-ins. Please wait %(num)s minute before trying again.",
                "Too many failed sign-ins. Please wait %(num)s minutes before trying again.",
                minutes,
            )
        response = render(
            request,
            "console/sign_in.html",
            {"next": _safe_next(next), "error": error, "username": username},
            status_code=429,
            area="console",
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = web.services.users.authenticate(username, password) if username else None
    if user is None:
        throttle.failed(username, ip)
        error = t.gettext(N_("The username or password is not correct."))
        return render(
            request,
            "console/sign_in.html",
            {"next": _safe_next(next), "error": error, "username": username},
            status_code=401,
            area="console",
        )
    throttle.succeeded(username, ip)
    sign_in(request, user)
    return RedirectResponse(_safe_next(next), 303)


@router.post("/sign-out")
def sign_out_submit(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/console/sign-in", 303)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: StaffUser) -> Response:
    t = translator(request)
    data = web_context(request).services.console.overview(user)
    chart, buckets, _size = day_chart(t, data.per_day, data.start, data.end)
    statuses = [
        (s.value, data.status_counts.get(s.value, 0))
        for s in TopicStatus
        if s is not TopicStatus.DUPLICATE  # merged topics are not open work
    ]
    return render(
        request,
        "console/overview.html",
        {
            "data": data,
            "statuses": statuses,
            "live_topics": sum(n for _, n in statuses),
            "day_chart": chart,
            "day_buckets": buckets,
        },
        area="console",
    )
