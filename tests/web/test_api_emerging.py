"""GET /api/v1/emerging: the flagged topics of a build with their evidence and rate per build;
unknown builds and contradictory questions refused; on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.emerging_world import add_install_base, build_world
from tests.triage_fakes import fake_triage
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store

PATH = "/api/v1/emerging"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, fake_triage(store, settings))) as c:
        yield c


def _headers(client: TestClient, *scopes: TokenScope) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    issued = services.tokens.create("t", frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


def test_lists_the_flags_of_a_build_with_their_rates(
    client: TestClient, store: Store, settings: Settings
) -> None:
    build_world(store, settings, fake_triage(store, settings))
    add_install_base(store, settings)
    headers = _headers(client, TokenScope.READ)
    r = client.get(PATH, params={"build": "1.3"}, headers=headers)
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert {row["reason"] for row in rows} == {"rise", "new"}
    rise = next(row for row in rows if row["reason"] == "rise")
    assert rise["build"] == "1.3" and rise["evidence"]["exposure"] == "active_devices"
    assert [b["build"] for b in rise["by_build"]] == ["1.0", "1.1", "1.2", "1.3"]
    assert [b["reporters"] for b in rise["by_build"]] == [1, 1, 1, 12]
    assert rise["by_build"][-1]["rate"] == pytest.approx(12 / 10_000)
    assert client.get(PATH, params={"build": "1.2"}, headers=headers).json()["data"] == []
    everything = client.get(PATH, params={"all_builds": "true"}, headers=headers).json()["data"]
    assert {row["build"] for row in everything} == {"1.3"}
    latest = client.get(PATH, headers=headers).json()["data"]
    assert {row["topic_id"] for row in latest} == {row["topic_id"] for row in rows}


def test_refuses_unknown_builds_and_contradictions(
    client: TestClient, store: Store, settings: Settings
) -> None:
    build_world(store, settings, fake_triage(store, settings))
    headers = _headers(client, TokenScope.READ)
    r = client.get(PATH, params={"build": "9.9"}, headers=headers)
    assert r.status_code == 404 and "9.9" in r.json()["error"]["message"]
    r = client.get(PATH, params={"build": "1.3", "all_builds": "true"}, headers=headers)
    assert r.status_code == 422 and "not both" in r.json()["error"]["message"]
    r = client.get(PATH, params={"product": "Not A Slug"}, headers=headers)
    assert r.status_code == 422
    assert client.get(PATH).status_code == 401
    assert client.get(PATH, headers=_headers(client, TokenScope.INGEST)).status_code == 403
