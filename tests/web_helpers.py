"""Builders for tests of the HTML pages (portal and console)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from userloop.app import create_app
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.triage.service import Triage

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def web_client(
    settings: Settings, store: Store, triage: Triage | None = None, **accept: str
) -> Iterator[TestClient]:
    """A test client over HTTPS (the session cookie is Secure) on a migrated store."""
    store.upgrade()
    app = create_app(settings, store, triage)
    headers = {"accept-language": accept.get("language", "en")}
    with TestClient(app, base_url="https://testserver", headers=headers) as client:
        yield client


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def add_user(client: TestClient, username: str, role: Role) -> None:
    client.app.state.services.users.create(username, PASSWORD, role)  # type: ignore[attr-defined]


def sign_in_as(client: TestClient, username: str, role: Role) -> None:
    add_user(client, username, role)
    page = client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    assert response.status_code == 200, response.text
    assert response.url.path == "/console/"
