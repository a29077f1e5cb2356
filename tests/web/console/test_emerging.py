"""The emerging issues page: a planted regression and a topic new on the latest build, with
their evidence and charts, for any staff member; the empty state; an unknown build."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.emerging_world import add_install_base, build_world
from tests.web.console.support import main_html
from tests.web_helpers import sign_in_as
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.insight.service import EmergingService
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.console.emerging import ALL_BUILDS, reader_terms

PATH = "/console/emerging"


def _cards(page: str) -> dict[str, str]:
    """Each flagged topic's card by its reason ("new", "rise")."""
    found = re.findall(r'<li class="card emerging-issue".*?</details>\s*</li>', page, re.S)
    out = {}
    for card in found:
        reason = re.search(r'class="pill reason-(\w+)"', card)
        assert reason
        out[reason.group(1)] = card
    return out


def test_a_viewer_sees_the_regression_with_its_evidence_and_chart(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    build_world(store, settings, triage)
    add_install_base(store, settings)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    assert f'<a href="{PATH}" aria-current="page">Emerging</a>' in response.text
    page = main_html(response.text)
    assert "2 flagged topics" in page
    assert f"{settings.default_product}, build 1.3" in page
    cards = _cards(page)
    assert set(cards) == {"rise", "new"}
    rise, new = cards["rise"], cards["new"]
    topic_id = int(re.search(r'href="/console/topics/(\d+)"', rise).group(1))  # type: ignore[union-attr]
    assert f'<a href="/console/topics/{topic_id}"><span lang="en">' in rise
    assert "Rose on this build" in rise and "New on this build" in new
    # the evidence in words
    assert "12 reporters on 1.3 against 3 on earlier builds" in rise
    assert "0.12% against 0.01% of active devices" in rise
    assert "12.0× the earlier rate" in rise
    assert re.search(r"p = [0-9.E-]+ after Benjamini–Hochberg over \d+ topics", rise)
    assert "6 reporters on 1.3 and none on earlier builds" in new
    assert "0.06% of active devices" in new
    # the first reports, escaped, without a guessed language
    assert '<p class="quote">Camera crash when opening &lt;b&gt;now&lt;/b&gt; 0</p>' in rise
    assert "<b>now</b>" not in page
    # the chart: one bar per build, the flagged build last
    assert rise.count('<rect class="bar"') == 4
    bars = re.findall(r'<rect class="bar"[^>]*><title>([^<]*)</title>', rise)
    assert bars[-1] == "1.3: 12 reporters, 0.12%" and bars[0] == "1.0: 1 reporter, 0.01%"
    assert (
        'role="img" aria-label="Share of active devices reporting it, per build, 4 builds' in rise
    )
    assert '<th scope="row">1.3</th><td class="num">12</td><td class="num">10,000</td>' in rise

    assert "First flagged" not in page  # the job has not run yet

    # the same in Chinese: translated words, localised numbers
    page = main_html(client.get(PATH + "?lang=zh-Hans").text)
    assert "12.0×" in page and "Rose on this build" not in page

    # once the job after triage has run, each card says when it first flagged the topic
    EmergingService(store).record(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    cards = _cards(main_html(client.get(PATH + "?lang=en").text))
    assert all("First flagged by the job after triage on 12/1/26" in c for c in cards.values())


def test_without_install_base_the_rate_is_the_share_of_feedback(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    build_world(store, settings, triage)
    sign_in_as(client, "tina", Role.TRIAGER)
    page = main_html(client.get(PATH + "?lang=en&build=1.3").text)
    rise = _cards(page)["rise"]
    assert "of the feedback" in rise and "Share of the feedback, per build" in rise
    assert "Fisher" in rise


def test_nothing_flagged_says_so(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    build_world(store, settings, triage)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH, params={"build": "1.2", "lang": "en"})
    assert response.status_code == 200
    page = main_html(response.text)
    assert "0 flagged topics" in page and "emerging-issue" not in page
    assert "No topic rose or appeared on build 1.2: nothing is flagged." in page
    assert "share of its build&#39;s feedback" in page
    assert '<option value="1.2" selected>1.2</option>' in page
    # every build: the regression is flagged on 1.3 only
    page = main_html(client.get(PATH, params={"build": ALL_BUILDS, "lang": "en"}).text)
    assert "build 1.3" in page and "build 1.2" not in page
    assert f'<option value="{ALL_BUILDS}" selected>' in page


def test_an_empty_store_and_an_unknown_build(client: TestClient) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    assert "No topic rose or appeared on the latest build" in main_html(response.text)
    response = client.get(PATH, params={"build": "9.9", "lang": "en"})
    assert response.status_code == 404
    page = main_html(response.text)
    assert "no feedback names build &#39;9.9&#39;" in page and 'role="alert"' in page
    response = client.get(PATH, params={"product": "nope", "lang": "en"})
    assert response.status_code == 404 and "nope" in main_html(response.text)


def test_only_staff_see_the_page(client: TestClient) -> None:
    response = client.get(PATH, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in")


def test_keywords_in_the_readers_language_come_first() -> None:
    from userloop.domain.entities import Topic
    from userloop.domain.enums import TopicStatus

    topic = Topic(
        id=1,
        product="p",
        status=TopicStatus.NEW,
        title="相机夜景闪退",
        merged_into=None,
        size=5,
        first_seen=None,
        last_seen=None,
        keywords={"zh-Hans": ["夜景", "闪退"], "en": ["night", "camera"]},
        representatives={},
        languages={"zh-Hans": 3, "en": 2},
        builds={},
        models={},
    )
    terms = ["夜景", "闪退", "night", "camera"]
    assert reader_terms(topic, terms, "en") == ["night", "camera", "夜景", "闪退"]
    assert reader_terms(topic, terms, "zh-Hant") == terms  # same language, other script
    assert reader_terms(topic, terms, "ru") == terms
    assert reader_terms(None, terms, "en") == terms
