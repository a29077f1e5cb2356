"""Sessions, CSRF and staff roles for the HTML pages.

Sessions are Starlette's signed cookie (``ul_session``): it holds the visitor's pseudonymous id,
the CSRF token and, once signed in, the token of a staff session kept on the server
(``SessionService``). Every request needs that session to exist and be unexpired, so signing out,
a changed password or role, or a disabled account ends it at once, even for a copied cookie."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request

from userloop.domain.entities import User
from userloop.web.context import WebError, web_context
from userloop.web.i18n import N_

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Session key of the staff session token (its SHA-256 is the row id in ``staff_sessions``).
SESSION_KEY = "sid"


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
    token = web_context(request).services.sessions.start(user)
    request.session.update({SESSION_KEY: token, "csrf": secrets.token_urlsafe(32)})
    if lang:
        request.session["lang"] = lang
    request.state.user = user


def sign_out(request: Request) -> None:
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        web_context(request).services.sessions.end(token)
    request.session.clear()
    request.state.user = None


def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    token = request.session.get(SESSION_KEY)
    user = None
    if isinstance(token, str):
        user = web_context(request).services.sessions.user(token)
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
