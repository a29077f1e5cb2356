"""The inbox: topics created since the staff member last marked it as seen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from userloop.web.console.common import done_notice, make_router
from userloop.web.context import translator, web_context
from userloop.web.render import render
from userloop.web.security import StaffUser

router = make_router()


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request, user: StaffUser, done: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    box = web_context(request).services.console.inbox(user)
    return render(
        request,
        "console/inbox.html",
        {
            "inbox": box,
            "notice": done_notice(translator(request), done),
            "as_of": box.as_of.isoformat(),
        },
        area="console",
    )


@router.post("/inbox/seen")
def inbox_seen(
    request: Request,
    user: StaffUser,
    until: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Every role may do this: it moves only the user's own mark (still CSRF-protected).
    `until` is when the inbox page was built, so topics that arrived after it stay new."""
    try:
        mark: datetime | None = datetime.fromisoformat(until) if until else None
    except ValueError:
        mark = None
    if mark is not None and mark.tzinfo is None:
        mark = mark.replace(tzinfo=UTC)
    web_context(request).services.users.mark_inbox_seen(user, mark)
    return RedirectResponse("/console/inbox?done=seen", 303)
