"""What every HTML page shares: the web context built in ``create_app``, the request's
translator, and the error pages' exception (pages are drawn by ``web.render``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.templating import Jinja2Templates

from userloop.config import Settings
from userloop.container import Services
from userloop.web.i18n import DEFAULT, Catalogues, Translator
from userloop.web.ratelimit import RateLimiter

STATIC_DIR = Path(__file__).parent / "static"


class WebError(Exception):
    """An HTML error page: `message` is an English msgid, translated when shown."""

    def __init__(self, status: int, message: str, *, code: str = "error", **values: object):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    path: str
    label: str  # English msgid


@dataclass(slots=True)
class Limits:
    submissions_ip: RateLimiter
    submissions_reporter: RateLimiter
    votes_ip: RateLimiter
    suggestions_ip: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The portal's limits, counted in this process: they guard this process's time (the
        sign-in throttle, which must hold across processes, is ``services.sign_in_throttle``)."""
        hour = 3600.0
        return cls(
            submissions_ip=RateLimiter(settings.portal_submissions_per_hour, hour),
            submissions_reporter=RateLimiter(settings.portal_submissions_per_hour, hour),
            votes_ip=RateLimiter(settings.portal_votes_per_hour, hour),
            suggestions_ip=RateLimiter(settings.portal_suggestions_per_minute, 60.0),
        )


@dataclass(slots=True)
class WebContext:
    settings: Settings
    services: Services
    templates: Jinja2Templates
    catalogues: Catalogues
    limits: Limits
    # Later features add their pages here (priorities, emerging issues, releases).
    portal_nav: list[NavItem] = field(default_factory=list)
    console_nav: list[NavItem] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, services: Services) -> WebContext:
        env = Environment(
            loader=PackageLoader("userloop.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return cls(
            settings=settings,
            services=services,
            templates=Jinja2Templates(env=env),
            catalogues=Catalogues(),
            limits=Limits.from_settings(settings),
        )


def web_context(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def translator(request: Request) -> Translator:
    t = getattr(request.state, "translator", None)
    if t is None:
        t = web_context(request).catalogues.translator(DEFAULT)
    assert isinstance(t, Translator)
    return t


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
