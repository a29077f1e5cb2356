"""The console's sign-in, sign-out, roles and CSRF checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.triage_fakes import topics_of
from tests.web.console.support import (
    main_html,
    post,
    ru,
    staff_events,
    topic,
)
from tests.web_helpers import PASSWORD, add_user, csrf, sign_in_as
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.triage.service import Triage

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

    members_before = topics_of(triage).members(battery)
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
    assert topics_of(triage).members(battery) == members_before
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
