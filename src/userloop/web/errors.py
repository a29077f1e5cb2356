"""Error pages of the HTML side: our own errors (``WebError``) and those raised outside our
handlers (404, 405, bad form input), in the request's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from userloop.web.context import translator
from userloop.web.i18n import N_
from userloop.web.render import render


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
    t = translator(request)
    area = "console" if request.url.path.startswith("/console") else "portal"
    return render(
        request,
        "error.html",
        {"status": status, "message": t.gettext(message, **values), "code": code},
        status_code=status,
        area=area,
    )
