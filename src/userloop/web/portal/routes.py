"""The public portal at ``/``: report a problem, "already reported?" suggestions, votes, topic
pages, roadmap, changelog and the reporter's private "my reports" page.

Handlers stay thin: validate, one service call, render (or 303 after a POST)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from userloop.views.portal_models import Moved, PortalNotFound, SubmissionRejected
from userloop.web.context import (
    NavItem,
    WebContext,
    WebError,
    client_ip,
    translator,
    web_context,
)
from userloop.web.errors import error_page
from userloop.web.i18n import N_
from userloop.web.params import PathId
from userloop.web.portal.forms import CHANNELS, SubmitForm
from userloop.web.ratelimit import RateLimiter
from userloop.web.render import render
from userloop.web.security import csrf_protect, visitor_id

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

# Session key of the one-time thank-you: the "my reports" token ("" after a honeypot hit).
THANKS_KEY = "thanks"


def install(app: FastAPI, web: WebContext) -> None:
    web.portal_nav.extend(
        [
            NavItem("submit", "/", N_("Report a problem")),
            NavItem("roadmap", "/roadmap", N_("Roadmap")),
            NavItem("changelog", "/changelog", N_("Changelog")),
            NavItem("my", "/my", N_("My reports")),
        ]
    )
    app.add_exception_handler(PortalNotFound, _not_found)
    app.include_router(router)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_page(
        request,
        404,
        N_("We could not find this page. The link may be incomplete or out of date."),
        "not_found",
    )


# -- submitting -----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    form = SubmitForm.prefill(request.query_params)
    return _form_page(request, form, {})


@router.post("/submit", response_class=HTMLResponse)
def submit(
    request: Request,
    text: Annotated[str, Form()] = "",
    model: Annotated[str, Form()] = "",
    build: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
    submission_id: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",  # the honeypot: people never see it
) -> Response:
    web = web_context(request)
    t = translator(request)
    visitor = visitor_id(request)
    limits = (
        (web.limits.submissions_ip, client_ip(request)),
        (web.limits.submissions_reporter, visitor),
    )
    if any(limiter.blocked(key) for limiter, key in limits):
        raise WebError(
            429,
            N_("You have sent many reports in a short time. Please try again in an hour."),
            code="rate_limited",
        )
    if website.strip():
        # A bot filled the hidden field: it sees the usual success, nothing is stored.
        _count(limits)
        request.session[THANKS_KEY] = ""
        return RedirectResponse("/thanks", 303)
    form = SubmitForm(text, model, build, channel, email, bool(consent), submission_id)
    errors = form.errors(t, web.settings.max_text_chars)
    if errors:
        return _form_page(request, form, errors, status_code=422)
    _count(limits)
    try:
        outcome = web.services.portal.submit(form.submission(visitor, t.tag))
    except SubmissionRejected:
        error = t.gettext(N_("We could not accept this report. Please check it and try again."))
        return _form_page(request, form, {"form": error}, status_code=422)
    request.session[THANKS_KEY] = outcome.token
    return RedirectResponse("/thanks", 303)


def _count(limits: tuple[tuple[RateLimiter, str], ...]) -> None:
    # Only attempts that would store something count: a typo fixed after a refusal does not.
    for limiter, key in limits:
        limiter.allow(key)


def _form_page(
    request: Request, form: SubmitForm, errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "portal/submit.html",
        {
            "form": form,
            "errors": errors,
            "channels": CHANNELS,
            "max_chars": web_context(request).settings.max_text_chars,
        },
        status_code=status_code,
    )


@router.get("/thanks", response_class=HTMLResponse)
def thanks(request: Request) -> Response:
    # Shown once: a reload (or a shared screen later) no longer shows the private link.
    token = request.session.pop(THANKS_KEY, None)
    my_url = f"{str(request.base_url).rstrip('/')}/my/{token}" if token else None
    return render(request, "portal/thanks.html", {"my_url": my_url, "fresh": token is not None})


@router.get("/suggestions", response_class=HTMLResponse)
def suggestions(request: Request, text: str = "") -> Response:
    web = web_context(request)
    if not web.limits.suggestions_ip.allow(client_ip(request)):
        # Each answer embeds text: past the limit, no suggestions (the script shows none).
        response = render(request, "portal/_suggestions.html", {"suggestions": []}, status_code=429)
        response.headers["Retry-After"] = "60"
        return response
    found = web.services.portal.suggestions(
        text, language=translator(request).tag, visitor=visitor_id(request)
    )
    return render(request, "portal/_suggestions.html", {"suggestions": found})


# -- topics ---------------------------------------------------------------------------------


@router.post("/topics/{topic_id:int}/vote", response_model=None)
def vote(request: Request, topic_id: PathId) -> Response:
    web = web_context(request)
    if not web.limits.votes_ip.allow(client_ip(request)):
        raise WebError(
            429,
            N_("There were many votes from your network just now. Please try again later."),
            code="rate_limited",
        )
    outcome = web.services.portal.vote(topic_id, visitor_id(request))
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"topic_id": outcome.topic_id, "votes": outcome.votes, "voted": outcome.voted}
        )
    return RedirectResponse(f"/topics/{outcome.topic_id}", 303)


@router.get("/topics/{topic_id:int}", response_class=HTMLResponse)
def topic(request: Request, topic_id: PathId) -> Response:
    web = web_context(request)
    view = web.services.portal.topic(topic_id, visitor_id(request), translator(request).tag)
    if isinstance(view, Moved):
        return RedirectResponse(f"/topics/{view.topic_id}", 301)
    return render(request, "portal/topic.html", {"topic": view})


@router.get("/roadmap", response_class=HTMLResponse)
def roadmap(request: Request) -> Response:
    columns = web_context(request).services.portal.roadmap(translator(request).tag)
    return render(request, "portal/roadmap.html", {"columns": columns})


@router.get("/changelog", response_class=HTMLResponse)
def changelog(request: Request) -> Response:
    builds = web_context(request).services.portal.changelog(translator(request).tag)
    return render(request, "portal/changelog.html", {"builds": builds})


# -- my reports -----------------------------------------------------------------------------


@router.get("/my", response_class=HTMLResponse)
def my_start(request: Request) -> Response:
    token = web_context(request).services.portal.token_for_visitor(visitor_id(request))
    if token is not None:
        return RedirectResponse(f"/my/{token}", 303)
    return render(request, "portal/my_none.html")


@router.get("/my/{token}", response_class=HTMLResponse)
def my_reports(request: Request, token: str) -> Response:
    reports = web_context(request).services.portal.my_reports(token, translator(request).tag)
    return render(request, "portal/my_reports.html", {"reports": reports})
