"""The staff console: sign-in, roles, topic list and detail, staff changes, inbox, overview.

Runs on SQLite, and on PostgreSQL too when USERLOOP_TEST_POSTGRES_URL is set. Triage uses the
fast stand-in models of tests/triage_fakes (cross-lingual concepts, "please add" = feature)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.triage_fakes import fake_triage
from tests.web_helpers import PASSWORD, add_user, csrf, sign_in_as, web_client
from userloop.config import Settings
from userloop.domain.entities import AuditEvent, Topic
from userloop.domain.enums import Role, TopicStatus
from userloop.store import Store
from userloop.store.tables import kind_corrections
from userloop.triage.service import Triage
from userloop.web.i18n import BY_TAG

REPORTS: list[dict[str, Any]] = [
    # battery: 4 reports in 4 languages, builds 2.0 and 2.1
    {
        "k": "b1",
        "text": "Battery drains overnight since the update",
        "build": "2.0",
        "model": "Phone X",
        "channel": "stable",
        "rating": 1,
    },
    {
        "k": "b2",
        "text": "Батарея садится за ночь после обновления",
        "build": "2.1",
        "model": "Phone X",
        "channel": "stable",
        "rating": 2,
    },
    {
        "k": "b3",
        "text": "更新后电池耗电很快,一晚上就没电",
        "build": "2.1",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 2,
    },
    {
        "k": "b4",
        "text": "Accu is 's nachts leeg sinds de update",
        "language": "nl",
        "build": "2.1",
        "model": "Phone X",
        "channel": "stable",
        "rating": 3,
    },
    # camera: 3 reports, one with markup in it
    {
        "k": "c1",
        "text": "Camera app crashes in night mode <script>alert('pwn')</script>",
        "build": "1.9",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 1,
    },
    {
        "k": "c2",
        "text": "Камера вылетает в ночном режиме",
        "build": "1.9",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 2,
    },
    {
        "k": "c3",
        "text": "夜景模式相机崩溃",
        "build": "2.0",
        "model": "Phone Y",
        "channel": "dev",
        "rating": 2,
    },
    # dark theme wishes: feature requests
    {
        "k": "d1",
        "text": "Please add a dark theme schedule",
        "build": "2.1",
        "model": "Phone Z",
        "channel": "stable",
        "rating": 4,
    },
    {
        "k": "d2",
        "text": "Добавьте тёмную тему по расписанию",
        "build": "2.1",
        "model": "Phone Z",
        "channel": "stable",
        "rating": 5,
    },
]


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return fake_triage(store, settings)


@pytest.fixture
def client(settings: Settings, store: Store, triage: Triage) -> Iterator[TestClient]:
    with web_client(settings, store, triage) as c:
        yield c


@pytest.fixture
def world(client: TestClient, triage: Triage) -> dict[str, int]:
    """Report keys and topic names ("battery", "camera", "dark") to their ids."""
    ids = submit(client, REPORTS)
    triage.drain()
    out = dict(ids)
    for name, key in (("battery", "b1"), ("camera", "c1"), ("dark", "d1")):
        out[name] = topic_of(triage, ids[key])
    assert len({out["battery"], out["camera"], out["dark"]}) == 3
    return out


def submit(client: TestClient, rows: list[dict[str, Any]]) -> dict[str, int]:
    intake = client.app.state.services.intake  # type: ignore[attr-defined]
    results = intake.submit_batch(
        [
            {"source": "t", "external_id": r["k"], **{k: v for k, v in r.items() if k != "k"}}
            for r in rows
        ]
    )
    assert all(r.id is not None for r in results), results
    return {rows[i]["k"]: r.id for i, r in enumerate(results)}


def topic_of(triage: Triage, feedback_id: int) -> int:
    with triage.store.read() as conn:
        result = triage.store.triage.get(conn, feedback_id)
    assert result is not None and result.topic_id is not None
    return result.topic_id


def topic(triage: Triage, topic_id: int) -> Topic:
    found = triage.topics.get(topic_id)
    assert found is not None
    return found


def audit(store: Store) -> list[AuditEvent]:
    with store.read() as conn:
        return store.audit.recent(conn, 1000)


def staff_events(store: Store) -> list[AuditEvent]:
    return [e for e in audit(store) if not e.action.startswith("user.create")]


def token(client: TestClient, path: str = "/console/") -> str:
    return csrf(client.get(path).text)


def post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """A console form POST with the session's CSRF token, not following the redirect."""
    body = {"csrf_token": token(client), **(data or {})}
    return client.post(path, data=body, follow_redirects=False)


def ru(client: TestClient, message: str, **values: object) -> str:
    t = client.app.state.web.catalogues.translator(BY_TAG["ru"])  # type: ignore[attr-defined]
    text = str(t.gettext(message, **values))
    english = message % values if values else message
    assert text != english, f"no Russian translation of {message!r}"
    return text


def main_html(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found
    return found.group(0)


def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr>\s*<td class="num">(\d+)</td>', page)]


# -- sign-in ----------------------------------------------------------------------------------


def test_wrong_password_is_refused_in_the_visitors_language(client: TestClient) -> None:
    add_user(client, "alice", Role.TRIAGER)
    page = client.get("/console/sign-in", headers={"accept-language": "ru"})
    response = client.post(
        "/console/sign-in",
        data={"username": "alice", "password": "wrong password!", "csrf_token": csrf(page.text)},
        headers={"accept-language": "ru"},
    )
    assert response.status_code == 401
    assert ru(client, "The username or password is not correct.") in response.text
    assert 'lang="ru"' in response.text
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sign_in_attempts_are_slowed(client: TestClient, settings: Settings) -> None:
    # More in tests/accounts/test_throttle.py; here the clock stands still.
    now = datetime.now(UTC)
    client.app.state.services.sign_in_throttle.clock = lambda: now  # type: ignore[attr-defined]
    add_user(client, "bob", Role.TRIAGER)
    page = client.get("/console/sign-in")
    data = {"username": "bob", "password": "not it at all", "csrf_token": csrf(page.text)}
    for _ in range(settings.sign_in_free_failures + 1):
        assert client.post("/console/sign-in", data=data).status_code == 401
    # Now even the right password waits a second before it is checked.
    response = client.post("/console/sign-in", data={**data, "password": PASSWORD})
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert "Too many failed sign-ins. Please wait 1 second" in response.text
    assert client.get("/console/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/topics?sort=votes", "/console/topics?sort=votes"),
        ("https://evil.example/console/", "/console/"),
        ("//evil.example/", "/console/"),
        ("/\\evil.example/", "/console/"),
        ("javascript:alert(1)", "/console/"),
        ("console/topics", "/console/"),
    ],
)
def test_next_only_leads_to_this_site(client: TestClient, target: str, expected: str) -> None:
    add_user(client, "carol", Role.VIEWER)
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={
            "username": "carol",
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == expected


def test_disabled_user_cannot_sign_in_or_stay_signed_in(client: TestClient) -> None:
    users = client.app.state.services.users  # type: ignore[attr-defined]
    sign_in_as(client, "dave", Role.TRIAGER)
    assert client.get("/console/").status_code == 200
    users.set_disabled("dave", True)
    # The session no longer counts...
    assert client.get("/console/", follow_redirects=False).status_code == 303
    # ...and a new sign-in is refused like a wrong password.
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"username": "dave", "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path", ["/console/", "/console/topics?sort=votes", "/console/topics/1", "/console/inbox"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/console/sign-in?next=")
    assert client.get(location).url.path == "/console/sign-in"


def test_anonymous_change_is_not_made(
    client: TestClient, world: dict[str, int], triage: Triage
) -> None:
    page = client.get("/console/sign-in")
    response = client.post(
        f"/console/topics/{world['battery']}/status",
        data={"status": "confirmed", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in")
    assert topic(triage, world["battery"]).status == "new"


def test_sign_out(client: TestClient) -> None:
    sign_in_as(client, "erin", Role.VIEWER)
    response = post(client, "/console/sign-out")
    assert response.status_code == 303
    assert client.get("/console/", follow_redirects=False).status_code == 303


# -- roles and CSRF ---------------------------------------------------------------------------


def test_viewer_sees_no_change_forms_and_every_change_is_refused(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    battery, camera = world["battery"], world["camera"]
    page = main_html(client.get(f"/console/topics/{battery}").text)
    assert "Battery drains overnight" in page
    assert "<form" not in page and 'name="member"' not in page and "<select" not in page
    assert "/merge" not in page and "/split" not in page

    members_before = triage.topics.members(battery)
    attempts: list[tuple[str, dict[str, Any]]] = [
        (f"/console/topics/{battery}/status", {"status": "confirmed", "fixed_build": "9.9"}),
        (f"/console/topics/{battery}/merge-into", {"target": str(camera)}),
        (f"/console/topics/{battery}/merge-from", {"sources": str(camera)}),
        (f"/console/topics/{battery}/split", {"member": [world["b1"]]}),
        (f"/console/topics/{battery}/kind", {"feedback_id": world["b1"], "kind": "praise"}),
    ]
    for path, data in attempts:
        response = post(client, path, data)
        assert response.status_code == 403, path
        assert "Your role can view the console but not change anything." in response.text
    assert topic(triage, battery).status == "new"
    assert topic(triage, battery).fixed_build is None
    assert topic(triage, camera).merged_into is None
    assert triage.topics.members(battery) == members_before
    with store.read() as conn:
        result = store.triage.get(conn, world["b1"])
    assert result is not None and result.kind == "bug"
    assert staff_events(store) == []
    # Marking one's own inbox as seen is allowed for every role.
    assert post(client, "/console/inbox/seen").status_code == 303


def test_post_without_csrf_token_is_refused(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    path = f"/console/topics/{world['battery']}/status"
    response = client.post(path, data={"status": "confirmed"}, follow_redirects=False)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    response = client.post(
        path, data={"status": "confirmed", "csrf_token": "forged"}, follow_redirects=False
    )
    assert response.status_code == 403
    response = client.post("/console/inbox/seen", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert topic(triage, world["battery"]).status == "new"
    assert staff_events(store) == []


# -- staff changes ----------------------------------------------------------------------------


def test_triager_changes_status_and_a_refused_transition_changes_nothing(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    page = client.get(f"/console/topics/{battery}").text
    options = re.search(r'<select id="new-status".*?</select>', page, re.S)
    assert options
    offered = re.findall(r'<option value="(\w*)"', options.group(0))
    # Only the allowed transitions from "new", and never "duplicate" (that is a merge).
    assert offered == ["", "confirmed", "planned", "declined"]

    response = post(client, f"/console/topics/{battery}/status", {"status": "confirmed"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/topics/{battery}?done=status"
    assert "The status was changed." in client.get(response.headers["location"]).text
    assert topic(triage, battery).status == "confirmed"
    (event,) = [e for e in audit(store) if e.action == "topic.status"]
    assert (event.actor, event.subject) == ("tom", f"topic:{battery}")
    assert event.details == {"from": "new", "to": "confirmed"}
    assert event.at > datetime.now(UTC) - timedelta(minutes=5)

    # confirmed -> shipped is not allowed: a clear error and nothing changes.
    response = post(client, f"/console/topics/{battery}/status", {"status": "shipped"})
    assert response.status_code == 409
    assert "The status could not be changed" in response.text
    assert "cannot go from confirmed to shipped" in response.text
    response = post(client, f"/console/topics/{battery}/status", {"status": "duplicate"})
    assert response.status_code == 409 and "merging" in response.text
    response = post(client, f"/console/topics/{battery}/status", {"status": "bogus"})
    assert response.status_code == 400 and "Choose a status from the list." in response.text
    assert topic(triage, battery).status == "confirmed"
    assert len([e for e in audit(store) if e.action == "topic.status"]) == 1

    # The history shows the step; the staff log says who made it.
    page = client.get(f"/console/topics/{battery}").text
    assert "Status changed from New to Confirmed." in page and "tom" in page


def test_error_messages_are_localised(client: TestClient, world: dict[str, int]) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    response = client.post(
        f"/console/topics/{world['battery']}/status?lang=ru",
        data={"status": "shipped", "csrf_token": token(client)},
    )
    assert response.status_code == 409
    reason = "topic status cannot go from new to shipped"
    expected = ru(client, "The status could not be changed: %(reason)s", reason="§")
    before = expected.split("§")[0]
    assert before.strip() in response.text and reason in response.text


def test_fixed_build(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    path = f"/console/topics/{battery}/status"
    response = post(client, path, {"status": "", "fixed_build": " 2.2.1 "})
    assert response.headers["location"].endswith("?done=build")
    assert topic(triage, battery).fixed_build == "2.2.1"
    assert topic(triage, battery).status == "new"
    # Status and build in one go.
    response = post(client, path, {"status": "confirmed", "fixed_build": "2.2.2"})
    assert response.headers["location"].endswith("?done=status_build")
    # Too long: refused before anything changes, the status included.
    response = post(client, path, {"status": "planned", "fixed_build": "9" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.text
    assert (topic(triage, battery).status, topic(triage, battery).fixed_build) == (
        "confirmed",
        "2.2.2",
    )
    # The same value again changes nothing and logs nothing.
    response = post(client, path, {"status": "", "fixed_build": "2.2.2"})
    assert response.headers["location"].endswith("?done=unchanged")
    builds = [e for e in audit(store) if e.action == "topic.fixed_build"]
    assert [(e.actor, e.details["to"]) for e in reversed(builds)] == [
        ("tom", "2.2.1"),
        ("tom", "2.2.2"),
    ]
    assert "Fixed build set to 2.2.2." in client.get(f"/console/topics/{battery}").text


def test_merge_this_topic_into_another(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery, camera = world["battery"], world["camera"]
    response = post(client, f"/console/topics/{camera}/merge-into", {"target": f"#{battery}"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/topics/{battery}?done=merged"
    assert topic(triage, camera).merged_into == battery
    assert topic(triage, battery).size == 7
    (event,) = [e for e in audit(store) if e.action == "topic.merge"]
    assert (event.actor, event.subject, event.details) == (
        "tom",
        f"topic:{battery}",
        {"sources": [camera]},
    )
    # The merged topic's page says where it went, and offers no changes.
    page = main_html(client.get(f"/console/topics/{camera}").text)
    assert f'href="/console/topics/{battery}"' in page
    assert "was merged into another one" in page
    assert "<form" not in page
    # Merged topics are hidden from the list unless asked for.
    assert camera not in listed_ids(client.get("/console/topics").text)
    assert camera in listed_ids(client.get("/console/topics?merged=1").text)


def test_merge_other_topics_into_this_one_and_refusals(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]
    path = f"/console/topics/{battery}/merge-from"
    response = post(client, path, {"sources": "twelve"})
    assert response.status_code == 400 and "Enter topic numbers" in response.text
    response = post(client, path, {"sources": str(battery)})
    assert response.status_code == 409
    assert "The topics could not be merged" in response.text
    response = post(client, path, {"sources": "999999"})
    assert response.status_code == 409 and "no topic 999999" in response.text
    assert [e for e in audit(store) if e.action == "topic.merge"] == []

    response = post(client, path, {"sources": f"{camera}, #{dark}"})
    assert response.headers["location"] == f"/console/topics/{battery}?done=merged"
    assert topic(triage, camera).merged_into == battery
    assert topic(triage, dark).merged_into == battery
    assert topic(triage, battery).size == 9
    # A merged topic cannot be merged again.
    response = post(client, f"/console/topics/{camera}/merge-into", {"target": str(dark)})
    assert response.status_code == 409 and "was merged into topic" in response.text


def test_split_selected_reports_into_a_new_topic(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    page = client.get(f"/console/topics/{battery}").text
    assert 'form="split-form"' in page and 'id="split-form"' in page
    path = f"/console/topics/{battery}/split"
    response = post(client, path, {})
    assert response.status_code == 400 and "Select at least one report" in response.text
    everything = triage.topics.members(battery)
    response = post(client, path, {"member": everything})
    assert response.status_code == 409 and "at least one member on each side" in response.text
    response = post(client, path, {"member": [world["c1"]]})
    assert response.status_code == 409 and "is not in topic" in response.text
    response = post(client, path, {"member": ["99999999999999999999"]})
    assert response.status_code == 422

    response = post(client, path, {"member": [world["b3"], world["b4"]]})
    assert response.status_code == 303
    new_id = int(re.findall(r"/console/topics/(\d+)\?done=split", response.headers["location"])[0])
    assert new_id != battery
    assert triage.topics.members(new_id) == sorted([world["b3"], world["b4"]])
    assert triage.topics.members(battery) == sorted([world["b1"], world["b2"]])
    (event,) = [e for e in audit(store) if e.action == "topic.split"]
    assert event.actor == "tom" and event.details["new_topic"] == new_id
    page = client.get(response.headers["location"]).text
    assert "The selected reports were moved to this new topic." in page
    assert "更新后电池耗电很快" in page
    assert "2 reports were split off into topic" in client.get(f"/console/topics/{battery}").text


def test_correct_the_kind_of_a_report(
    client: TestClient, world: dict[str, int], triage: Triage, store: Store
) -> None:
    sign_in_as(client, "tom", Role.TRIAGER)
    battery = world["battery"]
    path = f"/console/topics/{battery}/kind"
    response = post(client, path, {"feedback_id": world["b2"], "kind": "praise"})
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/console/topics/{battery}?done=kind#report-{world['b2']}"
    )
    with store.read() as conn:
        result = store.triage.get(conn, world["b2"])
        corrected = conn.execute(
            select(kind_corrections.c.kind, kind_corrections.c.corrected_by).where(
                kind_corrections.c.feedback_id == world["b2"]
            )
        ).one()
    assert result is not None and result.kind == "praise"
    assert tuple(corrected) == ("praise", "tom")
    (event,) = [e for e in audit(store) if e.action == "feedback.kind"]
    assert (event.actor, event.subject) == ("tom", f"feedback:{world['b2']}")
    page = client.get(f"/console/topics/{battery}").text
    assert "corrected by tom" in page
    # Refusals: an unknown kind, a report of another topic.
    response = post(client, path, {"feedback_id": world["b1"], "kind": "rant"})
    assert response.status_code == 400 and "Choose a kind from the list." in response.text
    response = post(client, path, {"feedback_id": world["c1"], "kind": "praise"})
    assert response.status_code == 409 and "is not in this topic" in response.text
    with store.read() as conn:
        other = store.triage.get(conn, world["c1"])
    assert other is not None and other.kind == "bug"
    assert len([e for e in audit(store) if e.action == "feedback.kind"]) == 1


# -- topic list -------------------------------------------------------------------------------


def test_list_sorts(client: TestClient, world: dict[str, int], store: Store) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]
    page = client.get("/console/topics").text
    assert listed_ids(page) == [battery, camera, dark]  # most reports first
    assert re.search(r'aria-sort="descending">\s*<a href="[^"]*sort=size&amp;dir=asc"', page)
    assert listed_ids(client.get("/console/topics?sort=size&dir=asc").text) == [
        dark,
        camera,
        battery,
    ]
    with store.write() as conn:
        for voter in ("a", "b", "c"):
            store.votes.add(conn, dark, voter)
        store.votes.add(conn, camera, "a")
    page = client.get("/console/topics?sort=votes").text
    assert listed_ids(page) == [dark, camera, battery]
    assert 'aria-sort="descending"' in page
    assert listed_ids(client.get("/console/topics?sort=id&dir=asc").text) == sorted(
        [battery, camera, dark]
    )
    assert listed_ids(client.get("/console/topics?sort=id&dir=desc").text) == sorted(
        [battery, camera, dark], reverse=True
    )
    assert len(listed_ids(client.get("/console/topics?sort=last_seen").text)) == 3
    # Nonsense parameters fall back to the defaults instead of failing.
    assert client.get("/console/topics?sort=drop&dir=sideways&page=x").status_code == 200


def test_list_filters_and_search(client: TestClient, world: dict[str, int], triage: Triage) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    battery, camera, dark = world["battery"], world["camera"], world["dark"]

    def ids(query: str) -> set[int]:
        return set(listed_ids(client.get(f"/console/topics?{query}").text))

    assert ids("kind=feature") == {dark}
    assert ids("kind=bug") == {battery, camera}
    assert ids("language=nl") == {battery}
    assert ids("language=ru") == {battery, camera, dark}
    assert ids("build=1.9") == {camera}
    assert ids("build=2.1") == {battery, dark}
    assert ids("model=Phone+Z") == {dark}
    assert ids("channel=dev") == {camera}
    assert ids("channel=beta") == {battery, camera}
    # Report filters combine on one report: no beta report was made on Phone X.
    assert ids("channel=beta&model=Phone+X") == set()
    assert ids("q=night+mode") == {camera}
    assert ids("q=%D1%82%D1%91%D0%BC%D0%BD%D1%83%D1%8E") == {dark}  # "тёмную", report text
    assert ids("q=BATTERY") == {battery}
    assert ids(f"q=%23{camera}") == {camera}
    assert ids("q=100%25") == set()  # LIKE wildcards are taken literally
    triage.topics.set_status(camera, TopicStatus.CONFIRMED, "test")
    assert ids("status=confirmed") == {camera}
    assert ids("status=new&kind=bug") == {battery}
    # The selects offer the values present.
    page = client.get("/console/topics").text
    for value in ("Phone Y", "1.9", '"nl"', '"dev"', '"feature"'):
        assert value in page
    assert "No topic matches these filters." in client.get("/console/topics?q=zzzz").text


def test_list_pages_by_fifty(client: TestClient, store: Store, settings: Settings) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    product = store.dimensions.product_id(settings.default_product)
    with store.write() as conn:
        made = [store.topics.create(conn, product, None, None) for _ in range(53)]
    page = client.get("/console/topics?sort=id&dir=asc").text
    assert listed_ids(page) == made[:50]
    assert "53 topics" in page and "page 1 of 2" in page
    assert 'href="/console/topics?sort=id&amp;dir=asc&amp;page=2"' in page
    page = client.get("/console/topics?sort=id&dir=asc&page=2").text
    assert listed_ids(page) == made[50:]
    assert 'rel="prev"' in page and 'rel="next"' not in page
    # Past the end: the last page.
    assert listed_ids(client.get("/console/topics?sort=id&dir=asc&page=99").text) == made[50:]


def test_report_markup_is_shown_inert(client: TestClient, world: dict[str, int]) -> None:
    sign_in_as(client, "vera", Role.VIEWER)
    for path in (
        "/console/topics",
        "/console/topics?q=pwn",
        f"/console/topics/{world['camera']}",
        "/console/inbox",
    ):
        page = client.get(path).text
        assert "<script>alert" not in page, path
    detail = client.get(f"/console/topics/{world['camera']}").text
    assert "&lt;script&gt;alert(&#39;pwn&#39;)&lt;/script&gt;" in detail
    # Report text carries its language; so does a title, by its script.
    for topic_id in (world["battery"], world["camera"], world["dark"]):
        page = client.get(f"/console/topics/{topic_id}").text
        found = re.search(r'<h1><span lang="([^"]+)">([^<]+)</span></h1>', page)
        assert found, topic_id
        tag, title = found.groups()
        if re.search(r"[\u4e00-\u9fff]", title):
            assert tag == "zh-Hans", title
        elif re.search(r"[а-яё]", title.lower()):
            assert tag == "ru", title
        else:
            assert tag in ("en", "nl"), title
    assert re.search(r'<p class="quote" lang="ru">Камера вылетает', detail)
    assert '<p class="quote" lang="nl">' in client.get(f"/console/topics/{world['battery']}").text


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
