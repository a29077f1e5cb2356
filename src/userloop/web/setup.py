"""Mounts the HTML side (portal at ``/``, console at ``/console/``) on the FastAPI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from userloop.config import Settings
from userloop.container import Services
from userloop.web.context import STATIC_DIR, WebContext, WebError, render
from userloop.web.i18n import N_, match_tag, negotiate
from userloop.web.security import SignInRequired

LANG_COOKIE = "ul_lang"
SESSION_COOKIE = "ul_session"

Handler = Callable[[Request], Awaitable[Response]]


def install_web(app: FastAPI, settings: Settings, services: Services) -> WebContext:
    web = WebContext.build(settings, services)
    app.state.web = web

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next: Handler) -> Response:
        path = request.url.path
        if path.startswith(("/api", "/static")):
            return await call_next(request)
        asked = request.query_params.get("lang")
        chosen = match_tag(asked) if asked else None
        language = (
            chosen
            or match_tag(request.cookies.get(LANG_COOKIE, ""))
            or negotiate(request.headers.get("accept-language"))
        )
        request.state.translator = web.catalogues.translator(language)
        if _too_large(request, settings):
            response = error_page(request, 413, N_("This form is too large to send."), "too_large")
        else:
            response = await call_next(request)
        if chosen is not None:
            response.set_cookie(
                LANG_COOKIE,
                chosen.tag,
                max_age=365 * 24 * 3600,
                samesite="lax",
                secure=settings.secure_cookies,
                httponly=True,
            )
        # Security headers are added for every path by the edge (web/edge.py).
        response.headers["Content-Language"] = language.tag
        response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=services.keys.signing,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_page(request, exc.status, exc.message, exc.code, **exc.values)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/console/sign-in?next={quote(exc.next_path)}", 303)

    from userloop.web.console.routes import install as install_console
    from userloop.web.portal.routes import install as install_portal

    install_portal(app, web)
    install_console(app, web)
    return web


def _too_large(request: Request, settings: Settings) -> bool:
    """Forms are small: refuse a huge body before anything parses it (4 bytes per character of
    the longest text, plus room for the other fields)."""
    length = request.headers.get("content-length")
    limit = settings.max_text_chars * 4 + 64 * 1024
    return length is not None and length.isdigit() and int(length) > limit


async def web_exception(request: Request, exc: Exception) -> Response:
    """HTML pages for errors raised outside our own handlers (404, 405, bad form input)."""
    if isinstance(exc, RequestValidationError):
        fields = sorted(
            {".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "form"))}
            for e in exc.errors()
        )
        names = ", ".join(f for group in fields for f in group if f)
        return error_page(
            request,
            422,
            N_("Some fields are missing or invalid: %(fields)s"),
            "validation",
            fields=names,
        )
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return error_page(request, 404, N_("This page does not exist."), "not_found")
        if exc.status_code == 405:
            return error_page(request, 405, N_("This action is not allowed here."), "method")
        return error_page(request, exc.status_code, N_("Something went wrong."), "http")
    return error_page(request, 500, N_("Something went wrong."), "error")


def error_page(
    request: Request, status: int, message: str, code: str, **values: object
) -> Response:
    from userloop.web.context import translator

    t = translator(request)
    area = "console" if request.url.path.startswith("/console") else "portal"
    return render(
        request,
        "error.html",
        {"status": status, "message": t.gettext(message, **values), "code": code},
        status_code=status,
        area=area,
    )
