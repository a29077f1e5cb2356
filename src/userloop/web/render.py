"""``render``: a page in the request's language with the shared layout's context."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from userloop.views.titles import reader_title
from userloop.web.context import translator, web_context
from userloop.web.i18n import LANGUAGES
from userloop.web.labels import (
    CHANNEL_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    language_display_name,
    language_name,
)
from userloop.web.security import csrf_token, current_user


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    area: str = "portal",
) -> HTMLResponse:
    """Render a page in the request's language, with the shared layout's context."""
    web = web_context(request)
    t = translator(request)
    user = current_user(request) if area == "console" else None
    base: dict[str, Any] = {
        "t": t,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "lang": t.tag,
        "languages": LANGUAGES,
        "csrf_token": csrf_token(request),
        "area": area,
        "user": user,
        "nav": web.console_nav if area == "console" else web.portal_nav,
        "current_path": request.url.path,
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "role_labels": ROLE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "language_name": language_name,
        # A language's name in the reader's language, for any tag (Babel's where the
        # catalogues name none).
        "language_display_name": lambda tag: language_display_name(tag, t),
        # The title (a views.titles.ReaderTitle) of a topic or topic row for this reader:
        # portal and console choose titles, and fallbacks, with the same helper.
        "reader_title": lambda topic: reader_title(topic, t.tag),
    }
    base.update(context or {})
    response = web.templates.TemplateResponse(request, template, base, status_code=status_code)
    assert isinstance(response, HTMLResponse)
    return response
