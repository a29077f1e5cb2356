"""The Releases page in a real browser (Debian's Chromium via Playwright): a triager opens a
rolling-out release from the nav, pauses it (after the confirm dialog), sees it paused with the
log line, and resumes it; a viewer sees no buttons; the page fits a phone and passes the basic
accessibility checks; screenshots in English and Chinese for the docs.

The live server runs on a hand-made release with two gate checks (tests/release_world.py; no
feedback, no models needed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser_support import (
    A11Y_JS,
    OVERFLOW_JS,
    LiveServer,
    new_page,
    sign_in,
    staff_world,
    watch,
)
from tests.release_world import gate_checks, rolling
from userloop.container import Services
from userloop.domain.release import ReleaseState

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PATH = "/console/releases"


@dataclass
class World:
    server: LiveServer
    services: Services
    release_id: int

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    def fill(services: Services) -> int:
        releases = services.releases
        done = releases.create("phone", "2.0", "stable", "app-store-7-day", actor="ops")
        releases.start(done.id, "ops")
        for _ in done.plan.stages:
            releases.advance(done.id, "ops", "seen enough", force=True)
        release = rolling(releases)
        gate_checks(releases, release.id)
        return release.id

    folder = tmp_path_factory.mktemp("releases")
    with staff_world(folder, fill) as (server, services, release_id):
        yield World(server, services, release_id)


def test_a_triager_pauses_and_resumes_a_rollout(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    log = watch(page)
    questions: list[str] = []

    def answer(dialog: object) -> None:
        questions.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", answer)
    sign_in(page, world.url, "tina")
    page.click(f"nav a[href='{PATH}']")
    page.wait_for_url(f"{world.url}{PATH}")
    page.click(f"#release-{world.release_id} a")
    detail = f"{world.url}{PATH}/{world.release_id}"
    page.wait_for_url(detail)
    assert page.inner_text("#release-state") == "Rolling out"
    assert page.locator("svg.chart").count() == 5  # a chart per gate metric
    assert page.locator("button", has_text="Resume").count() == 0

    page.fill("#reason-pause", "waiting for the <b>camera</b> fix")
    page.locator("button", has_text="Pause").click()
    page.wait_for_url(f"{detail}?done=pause")
    assert questions and questions[0].startswith("Pause release 2.1?")
    page.get_by_role("status").filter(has_text="The release was paused").wait_for()
    assert page.inner_text("#release-state") == "Paused"
    first = page.locator("table.release-log tbody tr").first
    assert "tina" in first.inner_text() and "Rolling out → Paused" in first.inner_text()
    assert "waiting for the <b>camera</b> fix" in first.inner_text()  # text, not markup
    assert world.services.releases.get(world.release_id).state is ReleaseState.PAUSED

    page.locator("button", has_text="Resume").click()
    page.wait_for_url(f"{detail}?done=resume")
    assert page.inner_text("#release-state") == "Rolling out"
    first = page.locator("table.release-log tbody tr").first
    assert "tina" in first.inner_text() and "Paused → Rolling out" in first.inner_text()
    assert world.services.releases.get(world.release_id).state is ReleaseState.ROLLING_OUT
    assert not log.errors, log.errors
    context.close()


def test_a_viewer_sees_no_buttons(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "vera")
    page.goto(f"{world.url}{PATH}/{world.release_id}")
    assert page.inner_text("#release-state") == "Rolling out"
    assert page.locator("form[action^='/console/releases/']").count() == 0
    assert page.locator("main button").count() == 0
    assert page.locator("table.release-log tbody tr").count() >= 4
    assert not log.errors, log.errors
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_pages_fit_and_pass_basic_accessibility(
    world: World, browser: Browser, width: int
) -> None:
    context, page = new_page(browser, width=width)
    log = watch(page)
    sign_in(page, world.url, "tina")
    for path in (PATH, f"{PATH}/{world.release_id}", f"{PATH}?state=halted"):
        page.goto(world.url + path)
        page.wait_for_load_state("load")
        overflow = page.evaluate(OVERFLOW_JS)
        assert overflow <= 0, f"{path}: {overflow}px wider than the viewport"
        problems = page.evaluate(A11Y_JS)
        assert not problems, (width, path, problems)
    assert not log.errors, log.errors
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_screenshots(world: World, browser: Browser, locale: str) -> None:
    context, page = new_page(browser, locale=locale)
    suffix = "en" if locale.startswith("en") else "zh-Hans"
    sign_in(page, world.url, "tina")
    page.goto(f"{world.url}{PATH}/{world.release_id}")
    page.locator("svg.chart").first.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-releases-{suffix}.png"), full_page=True)
    context.close()
