"""Staff sessions live on the server: a cookie copied before sign-out, a password change, a role
change or disabling no longer signs anyone in. Runs on SQLite, and on PostgreSQL too when
USERLOOP_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.triage_fakes import fake_triage
from tests.web_helpers import PASSWORD, csrf, sign_in_as, web_client
from userloop.cli.main import app
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.store.tables import staff_sessions

SESSION_COOKIE = "ul_session"


def copy_of(client: TestClient) -> TestClient:
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    return TestClient(client.app, base_url="https://testserver", cookies={SESSION_COOKIE: cookie})


def signed_in(client: TestClient) -> bool:
    return bool(client.get("/console/", follow_redirects=False).status_code == 200)


def rows(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(staff_sessions)).scalar_one())


def test_cookie_copied_before_sign_out_no_longer_works(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sign_in_as(client, "ann", Role.TRIAGER)
        thief = copy_of(client)
        assert signed_in(thief)
        token = csrf(client.get("/console/").text)
        assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 200
        assert not signed_in(client)
        assert not signed_in(thief)
        assert rows(store) == 0


@pytest.mark.parametrize("change", ["password", "role", "disable"])
def test_account_changes_end_every_session(settings: Settings, store: Store, change: str) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        users = client.app.state.services.users  # type: ignore[attr-defined]
        sign_in_as(client, "bea", Role.ADMIN)
        other = copy_of(client)
        assert signed_in(other)
        if change == "password":
            users.set_password("bea", "a brand new password")
        elif change == "role":
            users.set_role("bea", Role.VIEWER)
        else:
            users.set_disabled("bea", True)
            users.set_disabled("bea", False)  # enabling again does not revive old sessions
        assert not signed_in(client)
        assert not signed_in(other)
        assert rows(store) == 0
        # Signing in again works (with the new password after a password change).
        page = client.get("/console/sign-in")
        password = "a brand new password" if change == "password" else PASSWORD
        response = client.post(
            "/console/sign-in",
            data={"username": "bea", "password": password, "csrf_token": csrf(page.text)},
        )
        assert response.url.path == "/console/" and signed_in(client)


def test_cli_password_change_ends_sessions(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sign_in_as(client, "cid", Role.VIEWER)
        result = CliRunner().invoke(
            app,
            ["--database-url", settings.database_url, "user", "set-password", "cid"],
            input="another fine password\n" * 2,
        )
        assert result.exit_code == 0, result.stderr
        assert not signed_in(client)


def test_sessions_expire_and_expired_rows_are_purged(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sessions = client.app.state.services.sessions  # type: ignore[attr-defined]
        start = datetime.now(UTC)
        sessions.clock = lambda: start
        sign_in_as(client, "dee", Role.VIEWER)
        assert signed_in(client)
        later = start + timedelta(hours=settings.session_hours, seconds=1)
        sessions.clock = lambda: later
        assert not signed_in(client)
        assert rows(store) == 1
        # The next sign-in (anyone's) removes the expired row.
        page = client.get("/console/sign-in")
        client.post(
            "/console/sign-in",
            data={"username": "dee", "password": PASSWORD, "csrf_token": csrf(page.text)},
        )
        assert signed_in(client)
        assert rows(store) == 1


def test_a_forged_session_token_signs_no_one_in(settings: Settings, store: Store) -> None:
    with web_client(settings, store, fake_triage(store, settings)) as client:
        sign_in_as(client, "eli", Role.ADMIN)
        sessions = client.app.state.services.sessions  # type: ignore[attr-defined]
        assert sessions.user("not a real token") is None
        assert sessions.user("") is None
