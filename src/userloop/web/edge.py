"""The outermost layer of the app, around everything FastAPI and Starlette add:

- security headers on every response: pages, the API, its docs, static files and errors;
- the API's body limit, and its token check *before* a body is read, so an anonymous client
  cannot make the server read and parse megabytes only to be told 401;
- no exception escapes to the server: the error response has already been sent (with its
  headers), the exception is logged here, and the connection stays usable.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from userloop.web.api.auth import TokenCheck, authenticate
from userloop.web.api.errors import ApiError, error_body

log = logging.getLogger(__name__)

# Pages load nothing from elsewhere and run no inline script or style.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# JSON is never a document to render.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# Swagger UI sets inline styles on its elements; its script is a file like ours.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    # "My reports" links carry a token: never leak it in a Referer.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
STATIC_CACHE = "public, max-age=3600"
# Methods that read nothing from a body; every other API method needs a token.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


def _headers_for(path: str) -> dict[str, str]:
    headers = dict(COMMON_HEADERS)
    if path.startswith("/api/docs"):
        headers["content-security-policy"] = DOCS_CSP
    elif path.startswith("/api"):
        headers["content-security-policy"] = API_CSP
    else:
        headers["content-security-policy"] = PAGE_CSP
    headers["cache-control"] = (
        STATIC_CACHE if path.startswith(("/static/", "/api/docs/assets/")) else "no-store"
    )
    return headers


class Edge:
    def __init__(self, app: ASGIApp, *, body_limit: int, verify_token: TokenCheck) -> None:
        self.app = app
        self.body_limit = body_limit
        self.verify_token = verify_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = _headers_for(path)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                for name, value in extra.items():
                    if name.encode() not in present:
                        raw.append((name.encode(), value.encode()))
                message = {**message, "headers": raw}
            await send(message)

        try:
            if path.startswith("/api/"):
                refusal = await self._refuse_api(scope)
                if refusal is None and "content-length" not in Headers(scope=scope):
                    buffered = await self._buffered(receive)
                    if buffered is None:
                        refusal = self._too_large()
                    else:
                        receive = buffered
                if refusal is not None:
                    await refusal(scope, receive, send_with_headers)
                    return
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette has already answered 500 through our handlers when it could; what is
            # left is to log, and to answer if nothing was sent yet.
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if not started:
                body = error_body("internal_error", "the server failed; the error is logged")
                await JSONResponse(body, 500)(scope, receive, send_with_headers)

    def _too_large(self) -> JSONResponse:
        message = f"request bodies under /api are limited to {self.body_limit} bytes"
        return JSONResponse(error_body("too_large", message), 413)

    async def _refuse_api(self, scope: Scope) -> JSONResponse | None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.body_limit):
            return self._too_large()
        if scope["method"] in _BODILESS:
            return None
        header = headers.get("authorization", "")
        try:
            info = await anyio.to_thread.run_sync(authenticate, header, self.verify_token)
        except ApiError as exc:
            return JSONResponse(error_body(exc.code, exc.message), exc.status, headers=exc.headers)
        scope.setdefault("state", {})["api_token"] = info
        return None

    async def _buffered(self, receive: Receive) -> Receive | None:
        """A body sent without Content-Length (chunked) is read here, up to the limit, and
        handed on whole; None when it runs past the limit. Only a request whose token was
        accepted gets this far."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.body_limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


def install_edge(app: FastAPI, *, body_limit: int, verify_token: TokenCheck) -> None:
    """Wrap the app's whole middleware stack (Starlette builds it on the first request), so
    the headers reach even the responses of its outermost error middleware."""
    build = app.build_middleware_stack

    def build_with_edge() -> ASGIApp:
        return Edge(build(), body_limit=body_limit, verify_token=verify_token)

    app.build_middleware_stack = build_with_edge  # type: ignore[method-assign]
