"""The release endpoints and the device-facing update check, on both stores: scopes, the life
of a release through the API, precise 422s and 409s, nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store

RELEASE = {
    "product": "phone",
    "build": "1.3",
    "previous_build": "1.2",
    "channel": "beta",
    "plan": "10,100@1d",
    "regions": ["nl"],
}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def _headers(client: TestClient, *scopes: TokenScope, name: str = "t") -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    issued = services.tokens.create(name, frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


def _check(
    client: TestClient, headers: dict[str, str], device: str, build: str
) -> dict[str, object]:
    params = {
        "device": device,
        "model": "x1",
        "build": build,
        "channel": "beta",
        "region": "NL",
        "product": "phone",
    }
    r = client.get("/api/v1/updates", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_a_release_through_the_api(client: TestClient) -> None:
    staff = _headers(client, TokenScope.RELEASE, TokenScope.READ, name="release-bot")
    device = _headers(client, TokenScope.INGEST)
    r = client.post("/api/v1/releases", json=RELEASE, headers=staff)
    assert r.status_code == 201, r.text
    created = r.json()
    rid = created["id"]
    assert created["state"] == "draft" and created["regions"] == ["NL"]
    assert [s["percent"] for s in created["plan"]["stages"]] == [10, 100]
    assert _check(client, device, "d1", "1.2")["action"] == "none"

    r = client.post(f"/api/v1/releases/{rid}/start", json={"reason": "go"}, headers=staff)
    assert r.status_code == 200 and r.json()["state"] == "rolling_out"
    assert r.json()["stage"] == 1 and r.json()["percent"] == 10
    answers = [_check(client, device, f"d{i}", "1.2") for i in range(300)]
    offered = {i for i, a in enumerate(answers) if a["action"] == "update"}
    assert 10 < len(offered) < 60
    assert all(answers[i]["build"] == "1.3" for i in offered)
    again = [_check(client, device, f"d{i}", "1.2") for i in range(300)]
    assert again == answers  # deterministic

    r = client.post(f"/api/v1/releases/{rid}/advance", headers=staff)
    assert r.status_code == 409 and "lasts at least until" in r.json()["error"]["message"]
    r = client.post(f"/api/v1/releases/{rid}/advance", json={"force": True}, headers=staff)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {"field": "reason", "message": "a forced advance needs a reason"}
    ]
    r = client.post(
        f"/api/v1/releases/{rid}/advance",
        json={"force": True, "reason": "pilot went well"},
        headers=staff,
    )
    assert r.status_code == 200 and r.json()["percent"] == 100
    r = client.post(f"/api/v1/releases/{rid}/pause", headers=staff)
    assert r.json()["state"] == "paused"
    assert _check(client, device, "d1", "1.2")["reason"] == "paused"
    assert client.post(f"/api/v1/releases/{rid}/resume", headers=staff).status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/rollback", json={"reason": "bad"}, headers=staff)
    assert r.json()["state"] == "rolled_back"
    back = _check(client, device, "d1", "1.3")
    assert (back["action"], back["build"], back["release_id"]) == ("rollback", "1.2", rid)
    r = client.post(f"/api/v1/releases/{rid}/start", headers=staff)
    assert r.status_code == 409 and "only a draft starts" in r.json()["error"]["message"]

    detail = client.get(f"/api/v1/releases/{rid}", headers=staff).json()
    assert [e["action"] for e in detail["events"]] == [
        "create",
        "start",
        "advance",
        "pause",
        "resume",
        "rollback",
    ]
    token_actor = detail["events"][2]["actor"]
    assert token_actor.startswith("token:") and token_actor.endswith("(release-bot)")
    assert detail["events"][2]["reason"] == "pilot went well"
    listed = client.get("/api/v1/releases", params={"state": "rolled_back"}, headers=staff)
    assert [r["id"] for r in listed.json()["data"]] == [rid]


def test_scopes(client: TestClient) -> None:
    reader = _headers(client, TokenScope.READ)
    r = client.post("/api/v1/releases", json=RELEASE, headers=reader)
    assert r.status_code == 403 and "'release'" in r.json()["error"]["message"]
    params = {"device": "d", "model": "m", "build": "1", "channel": "beta"}
    assert client.get("/api/v1/updates", params=params, headers=reader).status_code == 403
    assert client.get("/api/v1/updates", params=params).status_code == 401
    ingest = _headers(client, TokenScope.INGEST)
    assert client.get("/api/v1/releases", headers=ingest).status_code == 403


def test_bad_input_is_refused_precisely_and_never_half_written(client: TestClient) -> None:
    staff = _headers(client, TokenScope.RELEASE, TokenScope.READ)
    r = client.post("/api/v1/releases", json={**RELEASE, "plan": "1,5,5,100"}, headers=staff)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "plan"
    assert "stage 3 (5%) is not above stage 2 (5%)" in r.json()["error"]["message"]
    r = client.post("/api/v1/releases", json={**RELEASE, "regions": ["NLD"]}, headers=staff)
    assert r.status_code == 422 and "'NLD' is not a two-letter region" in r.text
    r = client.post("/api/v1/releases", json={**RELEASE, "channel": "nightly"}, headers=staff)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "channel"
    r = client.post("/api/v1/releases", json={**RELEASE, "colour": "red"}, headers=staff)
    assert r.status_code == 422
    assert client.get("/api/v1/releases", headers=staff).json()["data"] == []
    assert client.post("/api/v1/releases", json=RELEASE, headers=staff).status_code == 201
    r = client.post("/api/v1/releases", json=RELEASE, headers=staff)
    assert r.status_code == 409 and "exists already" in r.json()["error"]["message"]
    assert len(client.get("/api/v1/releases", headers=staff).json()["data"]) == 1
    assert client.get("/api/v1/releases/999", headers=staff).status_code == 404
    assert client.post("/api/v1/releases/999/pause", headers=staff).status_code == 404
    device = _headers(client, TokenScope.INGEST)
    params = {"device": "d", "model": "m", "build": "1", "channel": "nightly"}
    r = client.get("/api/v1/updates", params=params, headers=device)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "query.channel"
    missing = client.get("/api/v1/updates", params={"device": "d"}, headers=device)
    assert missing.status_code == 422
    assert {d["field"] for d in missing.json()["error"]["details"]} == {
        "query.model",
        "query.build",
        "query.channel",
    }


def test_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/updates"]
    assert {"get", "post"} <= set(paths["/api/v1/releases"])
    for action in ("start", "pause", "resume", "advance", "rollback"):
        assert "post" in paths[f"/api/v1/releases/{{release_id}}/{action}"]
