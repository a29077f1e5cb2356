"""Merge suggestions in the console (`/console/suggestions`): pairs of topics that probably
describe one problem, with the evidence to decide in one click.

Every staff member sees the list; editors (admin or triager) accept (merge) or reject (keep
apart) a suggestion, then come back to the same order and page with a notice, or see the page
again with the reason (409) and nothing changed. The merge suggestion service checks the rules
and writes the audit log; this module reads forms and chooses messages."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from userloop.domain.entities import User
from userloop.topics.lifecycle import TopicError
from userloop.topics.merge_suggestions import SuggestionOrder
from userloop.web.console.common import done_notice, make_router
from userloop.web.context import translator, web_context
from userloop.web.i18n import N_
from userloop.web.params import Id
from userloop.web.render import render
from userloop.web.security import EditorUser, StaffUser

router = make_router()

PAGE_SIZE = 10  # each suggestion is a card with several reports: a short page
PATH = "/console/suggestions"
# The order selector's choices, in the order shown.
ORDER_LABELS: dict[str, str] = {
    SuggestionOrder.NEWEST.value: N_("Newest reports first"),
    SuggestionOrder.LARGEST.value: N_("Largest first"),
    SuggestionOrder.SIMILARITY.value: N_("Most similar first"),
}

Text = Annotated[str, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=20)]
TopicField = Annotated[Id, Form()]


def _order(raw: str) -> str:
    # From links and a select: an unknown value is the default, not an error page.
    return raw if raw in ORDER_LABELS else SuggestionOrder.NEWEST.value


def _page(raw: str) -> int:
    # Past 8 digits it is no page of ours; isascii: int() refuses digits like "²".
    if raw.isascii() and raw.isdigit() and len(raw) < 9:
        return max(1, int(raw))
    return 1


def list_url(order: str, page: int = 1, done: str = "") -> str:
    params = {
        "order": order if order != SuggestionOrder.NEWEST.value else "",
        "page": str(page) if page > 1 else "",
        "done": done,
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return PATH + ("?" + query if query else "")


@router.get("/suggestions", response_class=HTMLResponse)
def suggestions(
    request: Request, user: StaffUser, order: Text = "", page: Text = "1", done: Text = ""
) -> Response:
    notice = done_notice(translator(request), done)
    return _page_response(request, user, _order(order), _page(page), notice=notice)


def _page_response(
    request: Request,
    user: User,
    order: str,
    page: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    merges = web_context(request).services.merges
    found, total = merges.suggestions(order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:  # a page that emptied (decisions since) shows the last one there is
        page = pages
        found, total = merges.suggestions(
            order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        pages = max(1, math.ceil(total / PAGE_SIZE))
    context: dict[str, Any] = {
        "suggestions": found,
        "total": total,
        "order": order,
        "order_labels": ORDER_LABELS,
        "page": page,
        "pages": pages,
        "url": lambda p: list_url(order, p),
        "can_edit": user.role.can_edit,
        "notice": notice,
        "error": error,
    }
    return render(
        request, "console/suggestions.html", context, status_code=status_code, area="console"
    )


@router.post("/suggestions/accept", response_class=HTMLResponse)
def accept(
    request: Request,
    user: EditorUser,
    topic_a: TopicField,
    topic_b: TopicField,
    order: FormText = "",
    page: FormText = "1",
) -> Response:
    """Merge the pair: the survivor is the service's choice (a status, else the larger)."""
    try:
        web_context(request).services.merges.accept(topic_a, topic_b, user.username)
    except TopicError as exc:
        message = N_("The topics could not be merged: %(reason)s")
        return _refused(request, user, order, page, message, exc)
    return RedirectResponse(list_url(_order(order), _page(page), "suggestion_accepted"), 303)


@router.post("/suggestions/reject", response_class=HTMLResponse)
def reject(
    request: Request,
    user: EditorUser,
    topic_a: TopicField,
    topic_b: TopicField,
    order: FormText = "",
    page: FormText = "1",
) -> Response:
    """Keep the pair apart: neither suggested again nor merged by re-clustering."""
    try:
        web_context(request).services.merges.reject(topic_a, topic_b, user.username)
    except TopicError as exc:
        message = N_("The topics could not be kept apart: %(reason)s")
        return _refused(request, user, order, page, message, exc)
    return RedirectResponse(list_url(_order(order), _page(page), "suggestion_rejected"), 303)


def _refused(
    request: Request, user: User, order: str, page: str, message: str, exc: TopicError
) -> Response:
    """The page again, in the order and at the page the decision was made on, with the
    service's reason (in English, like the other topic refusals)."""
    error = translator(request).gettext(message, reason=str(exc))
    return _page_response(request, user, _order(order), _page(page), error=error, status_code=409)
