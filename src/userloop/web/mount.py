"""Mounts everything on the FastAPI app: the JSON API at ``/api/v1`` with its docs, the HTML
side (portal at ``/``, console at ``/console/``, static files), and the edge around both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from userloop.config import Settings
from userloop.container import Services
from userloop.web.api import errors as api_errors
from userloop.web.api.docs import document_request_bodies, offline_api_docs
from userloop.web.api.routes import router as api_router
from userloop.web.console.routes import install as install_console
from userloop.web.context import STATIC_DIR, WebContext, WebError
from userloop.web.edge import install_edge
from userloop.web.errors import error_page, web_exception
from userloop.web.i18n import N_, match_tag, negotiate
from userloop.web.portal.routes import install as install_portal
from userloop.web.security import SignInRequired

LANG_COOKIE = "ul_lang"
SESSION_COOKIE = "ul_session"

Handler = Callable[[Request], Awaitable[Response]]


def mount(app: FastAPI, settings: Settings, services: Services) -> None:
    """Everything in order: error handlers first, the edge last (outermost middleware)."""
    api_errors.install(app, web=web_exception)
    app.include_router(api_router)
    install_web(app, settings, services)
    document_request_bodies(app, settings.max_text_chars)
    offline_api_docs(app)
    install_edge(app, body_limit=settings.api_body_limit, verify_token=services.tokens.verify)


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

    install_portal(app, web)
    install_console(app, web)
    return web


def _too_large(request: Request, settings: Settings) -> bool:
    """Forms are small: refuse a huge body before anything parses it (4 bytes per character of
    the longest text, plus room for the other fields)."""
    length = request.headers.get("content-length")
    limit = settings.max_text_chars * 4 + 64 * 1024
    return length is not None and length.isdigit() and int(length) > limit
