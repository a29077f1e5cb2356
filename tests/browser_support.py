"""A live userloop server with the demo data, and Debian's Chromium driven by Playwright.

Browser tests are skipped on a machine without Chromium, unless USERLOOP_REQUIRE_BROWSER=1
(set by `.ci/run`, which installs it): there a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from fastapi import FastAPI

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from userloop.config import Settings
    from userloop.container import Services
    from userloop.store import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        _unavailable("browser tests need " + " and ".join(missing))
    if shutil.which("fc-list") and not _has_cjk_font():
        _unavailable("no CJK font: apt-get install fonts-noto-cjk")


def _unavailable(message: str) -> None:
    """Skip on a user's machine without a browser (the message names the package to install);
    fail in CI, which sets USERLOOP_REQUIRE_BROWSER=1 and must run these tests."""
    if os.environ.get("USERLOOP_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _has_cjk_font() -> bool:
    import subprocess

    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    thread: threading.Thread
    server: object
    extra: dict[str, object] = field(default_factory=dict)

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=10)


def start_server(app: FastAPI) -> LiveServer:
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", thread, server)


@dataclass
class PageLog:
    """Console errors and uncaught exceptions seen by a page."""

    errors: list[str] = field(default_factory=list)


def watch(page: object) -> PageLog:
    log = PageLog()
    page.on(  # type: ignore[attr-defined]
        "console", lambda msg: log.errors.append(msg.text) if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: log.errors.append(str(exc)))  # type: ignore[attr-defined]
    return log


def launch_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Basic accessibility, checked in the page: labels, headings, names, contrast (WCAG AA).
A11Y_JS = "\n".join(
    line
    for line in (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")
)

# Horizontal overflow at the current viewport: the page must fit a 390-pixel phone.
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"

# The staff password the browser tests' worlds give their users.
PASSWORD = "correct horse battery"


def new_page(
    browser: Browser, locale: str = "en-US", width: int = 1280, height: int = 900
) -> tuple[BrowserContext, Page]:
    """A page in a fresh context (no cookies) of the given locale and size."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/console/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/console/sign-in'] button[type=submit]")
    page.wait_for_url(f"{url}/console/")


# The staff the browser tests' worlds sign in as.
STAFF = (("tina", "triager"), ("vera", "viewer"))

T = TypeVar("T")


@contextmanager
def staff_world(
    folder: Path,
    fill: Callable[[Services], T],
    services_for: Callable[[Settings, Store], Services] | None = None,
) -> Iterator[tuple[LiveServer, Services, T]]:
    """A live server on a fresh SQLite store in `folder`: `fill` puts the test's data in (its
    result comes back third), the staff of `STAFF` get `PASSWORD`, and everything is stopped
    and closed afterwards. `services_for` builds services of the test's own (fake models)."""
    require_browser()
    from userloop.app import create_app
    from userloop.config import Settings
    from userloop.container import Services
    from userloop.domain.enums import Role
    from userloop.store import Store

    settings = Settings(
        database_url=f"sqlite:///{folder / 'world.db'}",
        secure_cookies=False,  # plain HTTP on 127.0.0.1
    )
    store = Store.from_url(settings.database_url)
    store.upgrade()
    services = (services_for or Services.build)(settings, store)
    made = fill(services)
    for name, role in STAFF:
        services.users.create(name, PASSWORD, Role(role))
    server = start_server(create_app(services.settings, services=services))
    try:
        yield server, services, made
    finally:
        server.stop()
        store.close()
