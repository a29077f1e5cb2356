"""GET /api/v1/install-base: the hand-made install base's numbers under filters, a product
without install base, bad filters (422 with the reason) and unknown products (404); in the
OpenAPI schema; on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.install_base_world import MARKUP_MODEL, TOTALS, add_install_base, days
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store

PATH = "/api/v1/install-base"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def _headers(client: TestClient, *scopes: TokenScope) -> dict[str, str]:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    issued = services.tokens.create("t", frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


def test_the_numbers_and_the_filters(client: TestClient, store: Store, settings: Settings) -> None:
    add_install_base(store, settings)
    headers = _headers(client, TokenScope.READ)
    r = client.get(PATH, params={"product": settings.default_product}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    d0, d1, d2 = (d.isoformat() for d in days())
    assert body["has_install_base"] and body["hint"] is None and body["level"] == 0.95
    assert body["days"] == [d0, d1, d2] and body["latest_day"] == d2
    assert body["builds"] == ["2.0", "2.1"]
    shares = {(p["day"], p["build"]): p["share"] for p in body["adoption"]}
    assert shares[(d2, "2.1")] == pytest.approx(0.625) and shares[(d0, "2.0")] == 1.0
    models = [(m["value"], m["latest"]) for m in body["models"]]
    assert models == [("X1", 1100), (MARKUP_MODEL, 500)]
    assert [r["value"] for r in body["regions"]] == ["NL", "FR", "DE"]
    for b in body["per_build"]:
        device_days, crashes, returns = TOTALS[b["build"]]
        assert (b["device_days"], b["crashes"]["count"], b["returns"]["count"]) == (
            device_days,
            crashes,
            returns,
        )
        assert b["crashes"]["low"] < crashes / device_days < b["crashes"]["high"]
    assert body["options"]["channels"] == ["beta", "stable"]

    beta = client.get(
        PATH, params={"channel": "beta", "region": "nl", "since": d2}, headers=headers
    ).json()
    assert beta["filters"]["region"] == "NL" and beta["filters"]["channel"] == "beta"
    assert beta["days"] == [d2]
    assert [(b["build"], b["device_days"]) for b in beta["per_build"]] == [("2.1", 700)]


def test_no_install_base_says_so(client: TestClient) -> None:
    r = client.get(PATH, headers=_headers(client, TokenScope.READ))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["has_install_base"] is False and body["per_build"] == []
    assert "userloop import --install-base" in body["hint"]


def test_bad_input_unknown_products_and_scopes(
    client: TestClient, store: Store, settings: Settings
) -> None:
    add_install_base(store, settings)
    headers = _headers(client, TokenScope.READ)
    r = client.get(PATH, params={"product": "watch"}, headers=headers)
    assert r.status_code == 404 and "'watch'" in r.json()["error"]["message"]
    d0, _d1, d2 = (d.isoformat() for d in days())
    r = client.get(PATH, params={"since": d2, "until": d0}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["message"] == f"since ({d2}) is after until ({d0})"
    for params in (
        {"channel": "nightly"},
        {"segment": "vip"},
        {"region": "NLD"},
        {"since": "yesterday"},
        {"product": "Not A Slug"},
    ):
        r = client.get(PATH, params=params, headers=headers)
        assert r.status_code == 422, params
        assert r.json()["error"]["code"] == "validation_error"
        assert next(iter(params)) in str(r.json()["error"]), params
    assert client.get(PATH).status_code == 401
    assert client.get(PATH, headers=_headers(client, TokenScope.INGEST)).status_code == 403


def test_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    operation = schema.json()["paths"]["/api/v1/install-base"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"product", "model", "build", "region", "channel", "segment", "since", "until"} <= names
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
