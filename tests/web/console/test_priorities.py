"""The priorities page: the fleet's crash on silent novices ranks first with its sentence, chart
and parts for any staff member; the sentence in all five languages; filters re-rank; user text
is escaped; the counts-only notice; nothing stored yet; a bad filter."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.priority_world import fleet_triage, load_fleet
from tests.web.console.support import main_html
from tests.web_helpers import sign_in_as
from userloop.config import Settings
from userloop.container import priority_config
from userloop.domain.enums import Role
from userloop.insight.priority_service import PriorityService
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.triage.service import Triage

PATH = "/console/priorities"

# The crash's sentence in each UI language (the fleet: 3% of novices on Lumo 12 hit).
SENTENCES = {
    "en": "about 2.0% of Lumo 12 in CN and RU",
    "nl": "ongeveer 2,0% van Lumo 12 in CN en RU",
    "ru": "около 2,0% устройств Lumo 12 в регионах CN и RU",
    "zh-Hans": "Lumo 12 中约 2.0%（地区：CN和RU）",
    "zh-Hant": "Lumo 12 中約 2.0%（地區：CN和RU）",
}
KIND = {
    "en": "bug, very negative",
    "nl": "bug, zeer negatief",
    "ru": "ошибка, резко негативно",
    "zh-Hans": "缺陷，非常负面",
    "zh-Hant": "缺陷，非常負面",
}


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return fleet_triage(store, settings)


def _cards(page: str) -> list[str]:
    return re.findall(r'<li class="card priority".*?</details>\s*</li>', page, re.S)


def _recompute(store: Store, settings: Settings) -> None:
    PriorityService(store, priority_config(settings)).recompute()


def test_a_viewer_sees_the_ranking_with_sentence_chart_and_parts(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    _fleet, topics = load_fleet(store, settings, triage)
    _recompute(store, settings)
    sign_in_as(client, "vera", Role.VIEWER)
    response = client.get(PATH + "?lang=en")
    assert response.status_code == 200
    assert f'<a href="{PATH}" aria-current="page">Priorities</a>' in response.text
    page = main_html(response.text)
    cards = _cards(page)
    assert cards and f'id="priority-{topics["crash"]}"' in cards[0]
    first = cards[0]
    assert SENTENCES["en"] in first and "mostly novice users" in first and KIND["en"] in first
    assert '<svg class="chart"' in first and "Estimated affected devices per segment" in first
    assert "Reach" in first and "Votes" in first and "10 votes, worth" in first
    assert 'id="counts-only"' not in page
    wish = next(c for c in cards if f'id="priority-{topics["wish"]}"' in c)
    assert "mostly pro users" in wish and "feature request" in wish
    assert cards.index(wish) > 0


@pytest.mark.parametrize("lang", list(SENTENCES))
def test_the_sentence_is_in_every_ui_language(
    client: TestClient, store: Store, settings: Settings, triage: Triage, lang: str
) -> None:
    load_fleet(store, settings, triage)
    _recompute(store, settings)
    sign_in_as(client, "vera", Role.VIEWER)
    first = _cards(main_html(client.get(f"{PATH}?lang={lang}").text))[0]
    assert SENTENCES[lang] in first, first
    assert KIND[lang] in first


def test_filters_rerank_and_an_empty_slice_says_so(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    _fleet, topics = load_fleet(store, settings, triage)
    _recompute(store, settings)
    sign_in_as(client, "vera", Role.VIEWER)
    pros = main_html(client.get(f"{PATH}?lang=en&segment=pro").text)
    ids = [int(i) for i in re.findall(r'id="priority-(\d+)"', pros)]
    assert topics["wish"] in ids and topics["crash"] not in ids
    assert '<option value="pro" selected>Pro</option>' in pros
    assert "within the chosen filters" in pros
    nine = main_html(client.get(f"{PATH}?lang=en&model=Lumo+9").text)
    assert f'id="priority-{topics["crash"]}"' not in nine
    nothing = client.get(f"{PATH}?lang=en&model=Nope")
    assert nothing.status_code == 200 and "No topic has reports in this slice." in nothing.text
    bad = client.get(f"{PATH}?lang=en&segment=guru")
    assert bad.status_code == 422 and "segment must be one of" in bad.text
    unknown = client.get(f"{PATH}?lang=en&product=nope")
    assert unknown.status_code == 404


def test_user_text_is_escaped_and_counts_only_is_said(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    IntakeService(store, settings).submit_batch(
        [
            {
                "text": f"Camera crash <b>bold</b> {i}",
                "external_id": f"x{i}",
                "model": "<i>Phone</i>",
                "region": "NL",
                "reporter": {"id": f"p{i}", "experience": "novice"},
            }
            for i in range(3)
        ]
        # another model, so naming the first one says something
        + [{"text": "Battery drains overnight", "external_id": "y", "model": "X2"}],
        default_source="app",
    )
    triage.drain()
    sign_in_as(client, "vera", Role.VIEWER)
    empty = main_html(client.get(PATH + "?lang=en").text)
    assert "No priorities yet" in empty
    _recompute(store, settings)
    page = main_html(client.get(PATH + "?lang=en").text)
    assert 'id="counts-only"' in page
    assert "<i>Phone</i>" not in page and "&lt;i&gt;Phone&lt;/i&gt;" in page
    assert "<b>bold</b>" not in page
    assert "3 reporters on &lt;i&gt;Phone&lt;/i&gt;" in page


def test_the_topic_list_sorts_by_priority(
    client: TestClient, store: Store, settings: Settings, triage: Triage
) -> None:
    _fleet, topics = load_fleet(store, settings, triage, devices=40_000)
    sign_in_as(client, "vera", Role.VIEWER)
    before = main_html(client.get("/console/topics?lang=en&sort=priority").text)
    assert "not computed" in before
    _recompute(store, settings)
    page = main_html(client.get("/console/topics?lang=en&sort=priority").text)
    assert 'aria-sort="descending"' in page and "not computed" not in page
    ids = [int(i) for i in re.findall(r'<a href="/console/topics/(\d+)"', page)]
    assert ids[0] == topics["crash"]
    rising = main_html(client.get("/console/topics?lang=en&sort=priority&dir=asc").text)
    assert [int(i) for i in re.findall(r'<a href="/console/topics/(\d+)"', rising)][-1] == topics[
        "crash"
    ]
