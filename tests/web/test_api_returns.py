"""POST /api/v1/returns and GET /api/v1/returns/summary on both stores: per-item results,
scopes, the batch limit, the summary with its flagged batch, bad queries; both in OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.returns_world import BAD_BATCH, add_install_base, records, today, x1_returns
from tests.triage_fakes import fake_triage
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def _headers(client: TestClient, *scopes: TokenScope) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    issued = services.tokens.create("t", frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


def test_submit_per_item_results(client: TestClient) -> None:
    ingest = _headers(client, TokenScope.INGEST)
    good = {"external_id": "RMA-1", "day": today().isoformat(), "model": "X1", "reason": "Dead"}
    body = {"records": [good, {**good, "external_id": "RMA-2", "region": "QQ"}, "x"]}
    r = client.post("/api/v1/returns", json=body, headers=ingest)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["status"] for x in out["results"]] == ["created", "invalid", "invalid"]
    assert out["results"][1]["errors"][0]["field"] == "region"
    assert out["counts"] == {"created": 1, "duplicate": 0, "conflict": 0, "invalid": 2}
    again = client.post(
        "/api/v1/returns", json={"records": [good, {**good, "batch": "L2"}]}, headers=ingest
    ).json()
    assert [x["status"] for x in again["results"]] == ["duplicate", "conflict"]
    assert again["results"][0]["id"] == out["results"][0]["id"]

    read = _headers(client, TokenScope.READ)
    assert client.post("/api/v1/returns", json=body, headers=read).status_code == 403
    assert client.post("/api/v1/returns", json=body).status_code == 401
    assert client.post("/api/v1/returns", json={"records": 3}, headers=ingest).status_code == 422
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    limit = services.settings.api_batch_limit
    big = client.post("/api/v1/returns", json={"records": [good] * (limit + 1)}, headers=ingest)
    assert big.status_code == 413 and big.json()["error"]["code"] == "batch_too_large"


def test_summary(client: TestClient, store: Store, settings: Settings) -> None:
    ingest = _headers(client, TokenScope.INGEST)
    r = client.post("/api/v1/returns", json={"records": records()}, headers=ingest)
    assert r.json()["counts"]["created"] == len(records())
    fake_triage(store, settings).drain()
    add_install_base(store, settings)
    read = _headers(client, TokenScope.READ)
    r = client.get("/api/v1/returns/summary", headers=read)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["product"] == settings.default_product and body["per"] == 1000
    x1 = next(m for m in body["per_model"] if m["value"] == "X1")
    assert x1["returns"] == x1_returns() and x1["low"] < x1["rate"] < x1["high"]
    assert [(f["model"], f["batch"]) for f in body["flagged"]] == [("X1", BAD_BATCH)]
    assert body["flagged"][0]["evidence"]["p_adjusted"] <= 0.05

    day = (today() - timedelta(days=1)).isoformat()
    one = client.get(
        "/api/v1/returns/summary", params={"since": day, "until": day}, headers=read
    ).json()
    assert one["since"] == day and 0 < one["returns"] < body["returns"]
    bad = client.get(
        "/api/v1/returns/summary", params={"since": day, "until": "2000-01-01"}, headers=read
    )
    assert bad.status_code == 422 and "is after until" in bad.json()["error"]["message"]
    missing = client.get("/api/v1/returns/summary", params={"product": "watch"}, headers=read)
    assert missing.status_code == 404
    assert client.get("/api/v1/returns/summary", headers=ingest).status_code == 403


def test_in_openapi(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/returns"]
    assert "get" in schema["paths"]["/api/v1/returns/summary"]
    components = schema["components"]["schemas"]
    assert components["ReturnsBatchIn"]["properties"]["records"]["items"] == {
        "$ref": "#/components/schemas/ReturnRecord"
    }
    assert set(components["ReturnRecord"]["required"]) == {"external_id", "day", "model"}
    assert components["ReturnRecord"]["properties"]["reason"]["anyOf"][0]["maxLength"] == 20_000
