"""The priorities page in a real browser (Debian's Chromium via Playwright): a viewer reaches it
from the nav and sees the ranked list with its sentences and the first topic's chart drawn, a
segment filter re-ranks it, it fits a phone and passes the basic accessibility checks (its
screenshots for the docs come from the demo: test_browser.py).

The live server runs on the synthetic fleet (`userloop.demo.fleet`) loaded through intake,
the fake triage models and the vote service, with the priorities computed once."""

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
from tests.priority_world import fleet_triage, load_fleet
from userloop.config import Settings
from userloop.container import Services
from userloop.store import Store

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

PATH = "/console/priorities"


@dataclass
class World:
    server: LiveServer
    services: Services
    topics: dict[str, int]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    def fleet_services(settings: Settings, store: Store) -> Services:
        return Services.build(settings, store, fleet_triage(store, settings))

    def fill(services: Services) -> dict[str, int]:
        _fleet, topics = load_fleet(services.store, services.settings, services.triage)
        services.priorities.recompute()
        return topics

    folder = tmp_path_factory.mktemp("priorities")
    with staff_world(folder, fill, fleet_services) as (server, services, topics):
        yield World(server, services, topics)


def test_a_viewer_sees_the_ranking_and_filters_it(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "vera")
    page.click(f"nav a[href='{PATH}']")
    page.wait_for_url(f"{world.url}{PATH}")
    cards = page.locator("li.priority")
    assert cards.count() >= 3
    first = cards.first
    assert first.get_attribute("id") == f"priority-{world.topics['crash']}"
    sentence = first.locator(".sentence").inner_text()
    assert sentence.startswith("about 2.0% of Lumo 12") and "bug, very negative" in sentence
    # The first topic's reasons are open: its chart is drawn, a bar per segment it hits.
    chart = first.locator("svg.chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert chart.locator("rect.bar").count() == 1  # novices only
    assert first.locator("table.parts tbody tr").count() == 7
    # The others' reasons open on demand.
    second = cards.nth(1)
    assert not second.locator("svg.chart").is_visible()
    second.locator("summary").click()
    assert second.locator("svg.chart").is_visible()

    page.select_option("#f-segment", "pro")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/console/priorities?*segment=pro*")
    ids = [cards.nth(i).get_attribute("id") for i in range(cards.count())]
    assert f"priority-{world.topics['wish']}" in ids
    assert f"priority-{world.topics['crash']}" not in ids
    assert page.input_value("#f-segment") == "pro"
    assert not log.errors, log.errors
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_fits_and_passes_basic_accessibility(
    world: World, browser: Browser, width: int
) -> None:
    context, page = new_page(browser, width=width)
    log = watch(page)
    sign_in(page, world.url, "vera")
    for path in (PATH, PATH + "?model=Nope"):  # with topics, and with none in the slice
        page.goto(world.url + path)
        page.wait_for_load_state("load")
        overflow = page.evaluate(OVERFLOW_JS)
        assert overflow <= 0, f"{path}: {overflow}px wider than the viewport"
        problems = page.evaluate(A11Y_JS)
        assert not problems, (width, path, problems)
    assert not log.errors, log.errors
    context.close()
