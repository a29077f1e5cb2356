"""Sessions, CSRF and staff roles for the HTML pages.

Sessions are Starlette's signed cookie (``ul_session``): it holds the visitor's pseudonymous id,
the CSRF token and, once signed in, the staff user id and sign-in time. The user is re-read from
the store on every request, so a disabled account or a changed role takes effect at once."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, Request

from userloop.domain.entities import User
from userloop.web.context import WebError, web_context
from userloop.web.i18n import N_

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def visitor_id(request: Request) -> str:
    """The portal visitor's pseudonymous id (random, kept in the session cookie)."""
    vid = request.session.get("visitor")
    if not isinstance(vid, str):
        vid = secrets.token_urlsafe(18)
        request.session["visitor"] = vid
    return vid


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request whose token (form field or header) is not the session's."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise WebError(
            403,
            N_(
                "This form has expired or did not come from this site. "
                "Reload the page and try again."
            ),
            code="csrf",
        )


def sign_in(request: Request, user: User) -> None:
    # A fresh session on sign-in: nothing from before (a planted session id) carries over.
    lang = request.session.get("lang")
    request.session.clear()
    request.session.update(
        {"uid": user.id, "auth_at": int(time.time()), "csrf": secrets.token_urlsafe(32)}
    )
    if lang:
        request.session["lang"] = lang


def sign_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user = None
    uid = request.session.get("uid")
    auth_at = request.session.get("auth_at")
    web = web_context(request)
    if isinstance(uid, int) and isinstance(auth_at, int):
        fresh = time.time() - auth_at < web.settings.session_hours * 3600
        found = web.services.users.get(uid) if fresh else None
        if found is not None and not found.disabled:
            user = found
    request.state.user = user
    return user


def require_staff(request: Request) -> User:
    user = current_user(request)
    if user is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise SignInRequired(target if request.method == "GET" else "/console/")
    return user


def require_editor(user: Annotated[User, Depends(require_staff)]) -> User:
    if not user.role.can_edit:
        raise WebError(
            403, N_("Your role can view the console but not change anything."), code="role"
        )
    return user


def require_admin(user: Annotated[User, Depends(require_staff)]) -> User:
    if not user.role.can_admin:
        raise WebError(403, N_("Only an administrator can do this."), code="role")
    return user


StaffUser = Annotated[User, Depends(require_staff)]
EditorUser = Annotated[User, Depends(require_editor)]
AdminUser = Annotated[User, Depends(require_admin)]
