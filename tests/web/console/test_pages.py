"""The topic page, inbox, overview and the chosen language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.console.support import (
    REPORTS,
    audit,
    listed_ids,
    main_html,
    post,
    ru,
    submit,
    topic_of,
)
from tests.web_helpers import sign_in_as
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.triage.service import Triage


def test_topic_page_shows_counts_mixes_and_charts(
    client: TestClient, world: dict[str, int]
) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    page = main_html(client.get(f"/console/topics/{world['battery']}").text)
    assert page.count("<h1") == 1
    assert page.count('role="img"') == 2
    assert 'aria-label="Reports per day from' in page
    assert 'aria-label="Reports per build: 2 builds shown' in page
    # Sentiment of ratings 1, 2, 2, 3: three negative, one neutral.
    sentiment = re.search(r"<caption>Sentiment</caption>.*?</table>", page, re.S)
    assert sentiment
    counts = re.findall(r'<td class="num">(\d+)</td>', sentiment.group(0))
    assert counts == ["3", "1", "0"]
    assert "Negative" in page and "Phone Y" in page and "Beta" in page
    assert client.get("/console/topics/424242").status_code == 404
    # Numbers past any database id are refused as input, not sent to the database.
    assert client.get("/console/topics/99999999999999999999").status_code == 422


def test_topic_page_notes_when_reports_are_cut(
    client: TestClient, triage: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import userloop.views.console as console_service

    monkeypatch.setattr(console_service, "MEMBER_LIMIT", 2)
    ids = submit(client, REPORTS[:4])
    triage.drain()
    battery = topic_of(triage, ids["b1"])
    sign_in_as(client, "vera", Role.VIEWER)
    page = client.get(f"/console/topics/{battery}").text
    assert "Showing the newest 2 of 4 reports." in page
    assert page.count('class="quote"') == 2


# -- inbox and overview -----------------------------------------------------------------------


def test_inbox_lists_new_topics_until_marked_seen(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    page = client.get("/console/inbox").text
    assert "you have not marked your inbox as seen yet" in page
    assert listed_ids(page) == sorted(
        [world["battery"], world["camera"], world["dark"]], reverse=True
    )  # newest first
    until = re.search(r'name="until" value="([^"]+)"', page)
    assert until

    # A topic that arrives after the page was built stays new after "mark all as seen".
    ids = submit(client, [{"k": "x1", "text": "Bluetooth disconnects from my car", "rating": 2}])
    triage.drain()
    newer = topic_of(triage, ids["x1"])
    response = post(client, "/console/inbox/seen", {"until": until.group(1)})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/inbox?done=seen"
    page = client.get(response.headers["location"]).text
    assert "Your inbox was marked as seen." in page
    assert listed_ids(page) == [newer]
    assert "Topics created since you last marked your inbox as seen" in page

    post(client, "/console/inbox/seen")
    page = client.get("/console/inbox").text
    assert listed_ids(page) == [] and "Nothing new since your last visit." in page
    user = client.app.state.services.users.list()  # type: ignore[attr-defined]
    assert user[0].inbox_seen_at is not None
    seen = [e for e in audit(store) if e.action == "user.inbox_seen"]
    assert len(seen) == 2 and {e.actor for e in seen} == {"tom"}

    # The next new topic shows up.
    ids = submit(client, [{"k": "y1", "text": "Wifi keeps dropping every hour", "rating": 2}])
    triage.drain()
    assert listed_ids(client.get("/console/inbox").text) == [topic_of(triage, ids["y1"])]


def test_overview(client: TestClient, world: dict[str, int], triage: Triage) -> None:
    submit(client, [{"k": "late", "text": "Screen flickers at low brightness", "rating": 2}])
    sign_in_as(client, "vera", Role.VIEWER)
    page = main_html(client.get("/console/").text)
    assert "3 new topics in your inbox" in page
    assert re.search(r"<a href=\"/console/topics\">3 topics</a>", page)
    assert "10 reports received in the last 7 days" in page
    assert "1 report waiting for triage" in page
    assert re.search(
        r'href="/console/topics\?status=new">New</a></th>\s*<td class="num">3</td>', page
    )
    assert page.count('role="img"') == 1
    assert 'aria-label="Reports per day from' in page
    nav = client.get("/console/").text
    for link in ('href="/console/"', 'href="/console/topics"', 'href="/console/inbox"'):
        assert link in nav


def test_pages_speak_the_chosen_language(client: TestClient, world: dict[str, int]) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    for path, message in (
        ("/console/topics", "Show merged topics"),
        (f"/console/topics/{world['battery']}", "Kinds and sentiment"),
        ("/console/inbox", "Mark all as seen"),
        ("/console/", "Topics by status"),
    ):
        page = client.get(path + ("&" if "?" in path else "?") + "lang=ru").text
        assert ru(client, message) in page, path
