"""The merge suggestions page: what every staff member sees, what only editors may do, the
errors, the order and the pages. The world is tests/merge_world.py (five suggestions)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.merge_world import MARKUP, REPORTS, SUGGESTIONS, build_world, floor_settings
from tests.merge_world import suggestion_triage as make_triage
from tests.web.console.support import audit, main_html, post, ru, token
from tests.web_helpers import sign_in_as
from userloop.config import Settings, load_settings
from userloop.container import Services
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.console import suggestions as page_module

PATH = "/console/suggestions"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return floor_settings(load_settings(database_url=database_url))


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return make_triage(store, settings)


@pytest.fixture
def services(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


@pytest.fixture
def world(services: Services) -> dict[str, int]:
    return build_world(services)


CARD = re.compile(r'<li class="card merge-suggestion" id="suggestion-(\d+)-(\d+)"')


def listed(page: str) -> list[frozenset[int]]:
    return [frozenset((int(a), int(b))) for a, b in CARD.findall(page)]


def card(page: str, a: int, b: int) -> str:
    found = re.search(rf'id="suggestion-{a}-{b}".*?</li>\s*(?=<li class="card|</ol>)', page, re.S)
    assert found, (a, b)
    return found.group(0)


def merged_into(services: Services, topic_id: int) -> int | None:
    topic = services.topics.get(topic_id)
    assert topic is not None
    return topic.merged_into


def test_a_viewer_sees_the_evidence_and_no_buttons(
    client: TestClient, world: dict[str, int], services: Services
) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH)
    assert response.status_code == 200
    page = main_html(response.text)
    assert len(listed(page)) == SUGGESTIONS and f"{SUGGESTIONS} suggestions" in page
    a, b, e = world["a"], world["b"], world["e"]
    # The survivor comes first: equal sizes, so the older topic.
    one = card(page, min(a, b), max(a, b))
    for topic_id in (a, b):
        topic = services.topics.get(topic_id)
        assert topic is not None
        assert (
            f'<a href="/console/topics/{topic_id}"><span lang="en">{topic.title}</span></a>' in one
        )
    assert one.count('class="pill status-new"') == 2 and one.count("2 reports") == 2
    assert re.search(r"\d+(\.\d)?% similar", one)
    assert '<span lang="ru">батарея, садится</span>' in one  # shared keywords per language
    assert f'<p class="quote" lang="ru">{REPORTS["a2"][0]}</p>' in one
    assert f'<p class="quote" lang="ru">{REPORTS["b2"][0]}</p>' in one
    # User text is escaped, never markup.
    three = card(page, b, e)
    assert "&lt;script&gt;" in three and MARKUP not in response.text
    # A viewer gets no forms, and the server refuses one all the same.
    assert f"{PATH}/accept" not in page and f"{PATH}/reject" not in page
    assert "<button" not in page.split("</form>", 1)[1]  # only the order form has one
    for action in ("accept", "reject"):
        refused = post(client, f"{PATH}/{action}", {"topic_a": a, "topic_b": b})
        assert refused.status_code == 403
        assert "Your role can view the console but not change anything." in refused.text
    assert merged_into(services, a) is None and merged_into(services, b) is None
    with services.store.read() as conn:
        assert services.store.topics.cannot_merge(conn) == set()
    assert not [ev for ev in audit(services.store) if ev.action.startswith("suggestion.")]
    assert 'href="/console/suggestions" aria-current="page"' in response.text  # in the nav


def test_a_triager_accepts_and_rejects_and_comes_back_with_a_notice(
    client: TestClient, world: dict[str, int], services: Services
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    b, c, a = world["b"], world["c"], world["a"]
    page = client.get(PATH, params={"order": "largest"}).text
    accept_form = re.search(
        r'<form method="post" action="/console/suggestions/accept".*?</form>',
        card(page, c, b),
        re.S,
    )
    assert accept_form and f'name="topic_a" value="{c}"' in accept_form.group(0)
    assert 'name="csrf_token"' in accept_form.group(0)
    assert 'name="order" value="largest"' in accept_form.group(0)

    response = post(
        client, f"{PATH}/accept", {"topic_a": c, "topic_b": b, "order": "largest", "page": "1"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{PATH}?order=largest&done=suggestion_accepted"
    shown = client.get(response.headers["location"]).text
    assert "The suggestion was accepted: the topics were merged." in shown
    assert merged_into(services, b) == c
    assert all(b not in pair for pair in listed(shown))

    response = post(client, f"{PATH}/reject", {"topic_a": a, "topic_b": world["e"]})
    assert response.status_code == 303
    assert response.headers["location"] == f"{PATH}?done=suggestion_rejected"
    shown = client.get(response.headers["location"]).text
    assert "The suggestion was rejected: the topics are kept apart" in shown
    assert frozenset((a, world["e"])) not in listed(shown)
    with services.store.read() as conn:
        assert services.store.topics.cannot_merge(conn) == {tuple(sorted((a, world["e"])))}
    events = [(ev.action, ev.actor) for ev in audit(services.store)]
    assert ("suggestion.accept", "tom") in events and ("suggestion.reject", "tom") in events


def test_a_refused_decision_shows_the_reason_and_changes_nothing(
    client: TestClient, world: dict[str, int], services: Services
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    a, b, c = world["a"], world["b"], world["c"]
    services.merges.accept(b, c, "ana")
    response = post(client, f"{PATH}/accept", {"topic_a": b, "topic_b": a, "order": "similarity"})
    assert response.status_code == 409
    assert "The topics could not be merged: topic" in response.text
    assert f"topic {b} was merged into topic {c}" in response.text
    assert '<option value="similarity" selected>' in response.text  # the same view again
    response = post(client, f"{PATH}/reject", {"topic_a": a, "topic_b": a})
    assert response.status_code == 409
    assert "The topics could not be kept apart: a suggestion joins two different topics" in (
        response.text
    )
    assert merged_into(services, a) is None
    for bad in ("0", "x", str(2**63)):
        assert post(client, f"{PATH}/accept", {"topic_a": bad, "topic_b": a}).status_code == 422
    no_token = client.post(f"{PATH}/accept", data={"topic_a": a, "topic_b": c})
    assert no_token.status_code == 403 and merged_into(services, a) is None


def test_order_and_pages(
    client: TestClient, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    a, b, c, e = (world[n] for n in "abce")
    assert listed(client.get(PATH).text)[0] == {a, b}
    assert listed(client.get(PATH, params={"order": "largest"}).text)[0] == {b, c}
    similar = client.get(PATH, params={"order": "similarity"}).text
    assert listed(similar)[0] == {b, e}
    assert '<option value="similarity" selected>' in similar
    assert listed(client.get(PATH, params={"order": "nonsense"}).text)[0] == {a, b}

    monkeypatch.setattr(page_module, "PAGE_SIZE", 2)
    first = client.get(PATH, params={"order": "largest"}).text
    assert len(listed(first)) == 2 and "page 1 of 3" in first
    assert 'href="/console/suggestions?order=largest&amp;page=2" rel="next"' in first
    second = client.get(PATH, params={"order": "largest", "page": "2"}).text
    assert "page 2 of 3" in second and 'rel="prev"' in second
    assert not set(listed(first)) & set(listed(second))
    beyond = client.get(PATH, params={"order": "largest", "page": "99"}).text
    assert "page 3 of 3" in beyond and len(listed(beyond)) == 1
    assert "page 1 of 3" in client.get(PATH, params={"order": "largest", "page": "²"}).text


def test_the_page_in_russian_and_without_suggestions(
    client: TestClient, services: Services
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    page = client.get(PATH, params={"lang": "ru"}).text
    assert ru(client, "Merge suggestions") in page
    assert ru(client, "There are no merge suggestions: no two topics are alike enough.") in page
    build_world(services)
    page = client.get(PATH).text
    assert ru(client, "Accept: merge") in page and ru(client, "Reject: keep apart") in page
    assert ru(client, "Closest reports") in page
    assert token(client, PATH)
