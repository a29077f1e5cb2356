"""The merge suggestions page in a real browser (Debian's Chromium via Playwright): a triager
accepts one suggestion and rejects another, a viewer sees no buttons, and re-clustering then
keeps the rejected pair apart.

The live server runs on the small world of tests/merge_world.py with the fake models (no
model files needed), plus a bluetooth pair; re-clustering merges topics from a mean similarity
of 0.75, so it would merge the closest pair (battery-and-camera with the three-problem report,
about 0.8) had the triager not rejected it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.browser_support import (
    A11Y_JS,
    OVERFLOW_JS,
    LiveServer,
    sign_in,
    staff_world,
    watch,
)
from tests.browser_support import new_page as shared_new_page
from tests.merge_world import build_world, seed, suggestion_services
from userloop.config import Settings
from userloop.container import Services
from userloop.store import Store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

MERGE = 0.75  # re-clustering's merge threshold in this world
# A second, separate pair: bluetooth alone, and bluetooth with the dark theme.
BLUETOOTH = {
    "n1": ("Bluetooth disconnects in the car", 8),
    "n2": ("Bluetooth disconnects when the dark theme is on", 8),
}


@dataclass
class World:
    server: LiveServer
    services: Services
    topics: dict[str, int]  # topic name or report key -> topic id

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    def services_for(settings: Settings, store: Store) -> Services:
        return suggestion_services(settings, store, merge=MERGE)

    def fill(services: Services) -> dict[str, int]:
        topics = build_world(services)
        topics.update(seed(services, BLUETOOTH))
        assert topics["n1"] != topics["n2"]
        return topics

    # No worker: nothing re-clusters behind the test's back.
    folder = tmp_path_factory.mktemp("suggestions")
    with staff_world(folder, fill, services_for) as (server, services, topics):
        yield World(server, services, topics)


def new_page(browser: Browser, width: int = 1280) -> tuple[BrowserContext, Page]:
    context, page = shared_new_page(browser, width=width)
    page.on("dialog", lambda dialog: dialog.accept())  # accept and reject ask first
    return context, page


def _card_id(world: World, x: str, y: str) -> str:
    """The element id of the suggestion of topics x and y (the survivor's id comes first)."""
    ids = {world.topics[x], world.topics[y]}
    for a, b, _similarity in world.services.merges.pairs():
        if {a.id, b.id} == ids:
            return f"suggestion-{a.id}-{b.id}"
    raise AssertionError(f"no suggestion of {x} and {y}")


def test_a_viewer_sees_the_suggestions_without_buttons(world: World, browser: Browser) -> None:
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "vera")
    page.click("nav a[href='/console/suggestions']")
    page.wait_for_url(f"{world.url}/console/suggestions")
    cards = page.locator("li.merge-suggestion")
    assert cards.count() >= 2
    assert page.locator("li.merge-suggestion button").count() == 0
    assert page.locator("form[action^='/console/suggestions/']").count() == 0
    assert page.locator("li.merge-suggestion .quote[lang=ru]").count() >= 1
    # The report with markup in it is text on the page, nothing ran.
    assert page.locator("li.merge-suggestion script").count() == 0
    assert page.get_by_text("<script>alert('pwn')</script>", exact=False).count() >= 1
    assert not log.errors, log.errors
    context.close()


def test_a_triager_accepts_one_and_rejects_another_then_reclustering_keeps_them_apart(
    world: World, browser: Browser
) -> None:
    rejected = _card_id(world, "b", "e")  # the closest pair: re-clustering would merge it
    accepted = _card_id(world, "n1", "n2")
    survivor, absorbed = (int(i) for i in accepted.split("-")[1:])
    context, page = new_page(browser)
    log = watch(page)
    sign_in(page, world.url, "tina")
    page.goto(f"{world.url}/console/suggestions?order=similarity")
    assert page.locator(f"#{rejected}").count() == 1

    page.locator(f"#{rejected} button", has_text="Reject").click()
    page.wait_for_url("**/console/suggestions?order=similarity&done=suggestion_rejected")
    page.get_by_role("status").filter(has_text="The suggestion was rejected").wait_for()
    assert page.locator(f"#{rejected}").count() == 0
    assert page.input_value("#order") == "similarity"  # the same view again

    page.locator(f"#{accepted} button", has_text="Accept").click()
    page.wait_for_url("**/console/suggestions?order=similarity&done=suggestion_accepted")
    page.get_by_role("status").filter(has_text="The suggestion was accepted").wait_for()
    assert page.locator(f"#{accepted}").count() == 0
    assert not log.errors, log.errors
    context.close()

    services = world.services
    merged = services.topics.get(absorbed)
    assert merged is not None and merged.merged_into == survivor
    b, e = world.topics["b"], world.topics["e"]
    with services.store.read() as conn:
        assert (min(b, e), max(b, e)) in services.store.topics.cannot_merge(conn)
        events = {(ev.actor, ev.action) for ev in services.store.audit.recent(conn)}
    assert {("tina", "suggestion.accept"), ("tina", "suggestion.reject")} <= events

    services.triage.recluster()
    for topic_id in (b, e):
        topic = services.topics.get(topic_id)
        assert topic is not None and topic.merged_into is None, topic
    assert services.topics.members(b) and services.topics.members(e)
    assert all({x.id, y.id} != {b, e} for x, y, _ in services.merges.pairs())


def test_the_page_fits_a_phone_and_passes_basic_accessibility(
    world: World, browser: Browser
) -> None:
    for width in (390, 1280):
        context, page = new_page(browser, width)
        log = watch(page)
        sign_in(page, world.url, "tina")
        page.goto(f"{world.url}/console/suggestions")
        page.wait_for_load_state("load")
        assert page.locator("li.merge-suggestion button").count() >= 2
        assert page.evaluate(OVERFLOW_JS) <= 0, width
        problems = page.evaluate(A11Y_JS)
        assert not problems, (width, problems)
        assert not log.errors, log.errors
        context.close()
