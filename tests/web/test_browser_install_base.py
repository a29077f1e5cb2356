"""The install base page in a real browser (Debian's Chromium via Playwright): a viewer reaches
it from the nav and sees its charts drawn, a filter narrows it, it fits a phone and passes the
basic accessibility checks (its screenshots for the docs come from the demo: test_browser.py).

The live server runs on the small hand-made install base of tests/install_base_world.py (no
feedback, no models needed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
from tests.install_base_world import add_install_base
from userloop.container import Services

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

PATH = "/console/install-base"


@dataclass
class World:
    server: LiveServer
    services: Services

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    def fill(services: Services) -> None:
        add_install_base(services.store, services.settings)

    folder = tmp_path_factory.mktemp("install-base")
    with staff_world(folder, fill) as (server, services, _):
        yield World(server, services)


def test_a_viewer_sees_the_charts_and_filters_them(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "vera")
    page.click(f"nav a[href='{PATH}']")
    page.wait_for_url(f"{world.url}{PATH}")
    charts = page.locator("svg.chart")
    assert charts.count() == 5
    for i in range(5):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
    # Drawn, not empty: a line per build, a bar per model and region, a dot per build.
    assert charts.nth(0).locator("polyline.series").count() == 2
    assert charts.nth(1).locator("rect.bar").count() == 2
    assert charts.nth(2).locator("rect.bar").count() == 3
    assert charts.nth(3).locator("g.interval circle").count() == 2
    assert charts.nth(4).locator("g.interval circle").count() == 2
    assert page.locator("#build-table tbody tr").count() == 2
    # The model name with markup is text, nothing ran.
    assert page.locator("main i").count() == 0
    assert page.get_by_text("X2 <i>lite</i>", exact=False).count() >= 1

    page.select_option("#f-channel", "beta")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/console/install-base?*channel=beta*")
    assert page.locator("#build-table tbody tr").count() == 1
    assert page.input_value("#f-channel") == "beta"
    assert not log.errors, log.errors
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_fits_and_passes_basic_accessibility(
    world: World, browser: Browser, width: int
) -> None:
    context, page = new_page(browser, width=width)
    log = watch(page)
    sign_in(page, world.url, "vera")
    for path in (PATH, PATH + "?model=X9"):  # with numbers, and with none matching
        page.goto(world.url + path)
        page.wait_for_load_state("load")
        overflow = page.evaluate(OVERFLOW_JS)
        assert overflow <= 0, f"{path}: {overflow}px wider than the viewport"
        problems = page.evaluate(A11Y_JS)
        assert not problems, (width, path, problems)
    assert not log.errors, log.errors
    context.close()
