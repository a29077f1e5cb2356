"""GET /api/v1/priorities on both stores: the stored ranking with parts and sentence, filters,
paging, the read scope, bad input refused; the route is in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.priority_world import fleet_triage, load_fleet
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services, priority_config
from userloop.domain.enums import TokenScope
from userloop.insight.priority_service import PriorityService
from userloop.store import Store

PATH = "/api/v1/priorities"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, fleet_triage(store, settings))) as c:
        yield c


def _headers(client: TestClient, *scopes: TokenScope) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    issued = services.tokens.create("t", frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


def test_lists_the_stored_ranking_with_parts_and_sentence(
    client: TestClient, store: Store, settings: Settings
) -> None:
    _fleet, topics = load_fleet(store, settings)
    headers = _headers(client, TokenScope.READ)
    nothing = client.get(PATH, headers=headers)
    assert nothing.status_code == 200 and nothing.json()["data"] == []  # never computed here
    PriorityService(store, priority_config(settings)).recompute()
    r = client.get(PATH, params={"limit": 3}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["data"]) == 3 and body["total"] >= 3 and body["counts_only"] is False
    first = body["data"][0]
    assert first["topic_id"] == topics["crash"] and first["mode"] == "devices"
    assert first["sentence"].startswith("about 2.0% of Lumo 12")
    assert set(first["parts"]["factors"]) == {
        "reach",
        "severity",
        "sentiment",
        "segment",
        "votes",
        "trend",
        "recency",
    }
    second = client.get(PATH, params={"limit": 1, "offset": 1}, headers=headers).json()
    assert second["data"][0]["topic_id"] == body["data"][1]["topic_id"]
    pros = client.get(PATH, params={"segment": "pro"}, headers=headers).json()["data"]
    ids = [row["topic_id"] for row in pros]
    assert topics["wish"] in ids and topics["crash"] not in ids
    lumo9 = client.get(PATH, params={"model": "Lumo 9"}, headers=headers).json()["data"]
    assert topics["crash"] not in [row["topic_id"] for row in lumo9]


def test_bad_requests_and_scope(client: TestClient) -> None:
    assert client.get(PATH).status_code == 401
    headers = _headers(client, TokenScope.READ)
    for params in ({"segment": "guru"}, {"limit": 0}, {"offset": -1}, {"product": "Bad Slug"}):
        r = client.get(PATH, params=params, headers=headers)
        assert r.status_code == 422, params
    assert client.get(PATH, params={"product": "nope"}, headers=headers).status_code == 404


def test_the_route_is_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"][PATH]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "product",
        "model",
        "build",
        "region",
        "segment",
        "limit",
        "offset",
    }
    assert "PriorityPage" in schema["components"]["schemas"]
