"""The JSON API: auth and scopes, single and batch submission, reads, install base."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def _token(store: Store, settings: Settings, *scopes: TokenScope) -> dict[str, str]:
    issued = Services.build(settings, store).tokens.create("t", frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture
def ingest(store: Store, settings: Settings) -> dict[str, str]:
    return _token(store, settings, TokenScope.INGEST)


@pytest.fixture
def reader(store: Store, settings: Settings) -> dict[str, str]:
    return _token(store, settings, TokenScope.READ)


def test_health_needs_no_token(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == "ok"


def test_openapi_is_served_and_documents_feedback(client: TestClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Every asset of the docs page is served by userloop itself: no CDN.
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/api/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/feedback:batch" in schema["paths"]
    assert "text" in schema["components"]["schemas"]["FeedbackIn"]["properties"]


def test_no_token_is_401(client: TestClient) -> None:
    r = client.post("/api/v1/feedback", json={"text": "hello"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/feedback").status_code == 401


def test_unknown_or_revoked_token_is_401(
    client: TestClient, store: Store, settings: Settings
) -> None:
    r = client.post(
        "/api/v1/feedback", json={"text": "x"}, headers={"Authorization": "Bearer ul_nope"}
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"
    services = Services.build(settings, store)
    issued = services.tokens.create("gone", frozenset({TokenScope.INGEST}))
    services.tokens.revoke(issued.info.id)
    r = client.post(
        "/api/v1/feedback", json={"text": "x"}, headers={"Authorization": f"Bearer {issued.token}"}
    )
    assert r.status_code == 401


def test_wrong_scope_is_403(
    client: TestClient, ingest: dict[str, str], reader: dict[str, str]
) -> None:
    r = client.post("/api/v1/feedback", json={"text": "hello"}, headers=reader)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "insufficient_scope"
    assert "'ingest'" in r.json()["error"]["message"]
    assert client.get("/api/v1/feedback", headers=ingest).status_code == 403
    assert (
        client.post("/api/v1/install-base", json={"samples": []}, headers=reader).status_code == 403
    )


def test_submit_then_resend_then_conflict(
    client: TestClient, ingest: dict[str, str], reader: dict[str, str]
) -> None:
    body = {
        "text": "Camera crashes in night mode, call me at +31 6 12345678",
        "source": "app",
        "external_id": "a-1",
        "rating": 2,
        "model": "Lumo 12",
        "build": "3.4.2401",
        "channel": "beta",
        "region": "nl",
        "language": "en",
    }
    r = client.post("/api/v1/feedback", json=body, headers=ingest)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert r.json()["status"] == "created"
    again = client.post("/api/v1/feedback", json=body, headers=ingest)
    assert again.status_code == 200
    assert again.json() == {"id": fid, "status": "duplicate"}
    clash = client.post("/api/v1/feedback", json={**body, "text": "something else"}, headers=ingest)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "conflict"
    assert clash.json()["error"]["details"]["existing_id"] == fid
    stored = client.get(f"/api/v1/feedback/{fid}", headers=reader).json()
    assert stored["text"] == "Camera crashes in night mode, call me at [phone]"
    assert stored["redacted"] == ["phone"]
    assert stored["region"] == "NL"
    assert stored["channel"] == "beta"


def test_invalid_item_is_422_with_field_messages(
    client: TestClient, ingest: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/feedback", json={"text": "  ", "rating": 7, "channel": "nightly"}, headers=ingest
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    fields = {d["field"]: d["message"] for d in err["details"]}
    assert fields["text"] == "text is empty after normalisation"
    assert "less than or equal to 5" in fields["rating"]
    assert "channel must be one of dev, beta, stable" in fields["channel"]


def test_non_object_and_broken_json_bodies(client: TestClient, ingest: dict[str, str]) -> None:
    r = client.post("/api/v1/feedback", json=["text"], headers=ingest)
    assert r.status_code == 422
    r = client.post(
        "/api/v1/feedback",
        content=b'{"text": ',
        headers={**ingest, "content-type": "application/json"},
    )
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["error"]["message"]


def test_batch_partial_failure_stores_the_valid_items(
    client: TestClient, ingest: dict[str, str], reader: dict[str, str]
) -> None:
    items = [
        {"text": "GPS is off by 200 metres", "source": "app", "external_id": "b-1"},
        {"text": "", "source": "app", "external_id": "b-2"},
        "not an object",
        {"text": "GPS is off by 200 metres", "source": "app", "external_id": "b-1"},
        {"text": "GPS is wrong", "source": "app", "external_id": "b-1"},
        {"text": "Добавьте тёмную тему по расписанию", "source": "app", "external_id": "b-3"},
    ]
    r = client.post("/api/v1/feedback:batch", json={"items": items}, headers=ingest)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [
        "created",
        "invalid",
        "invalid",
        "duplicate",
        "conflict",
        "created",
    ]
    assert results[3]["id"] == results[0]["id"]
    assert results[1]["errors"] == [
        {"field": "text", "message": "text is empty after normalisation"}
    ]
    assert r.json()["counts"] == {"created": 2, "duplicate": 1, "conflict": 1, "invalid": 2}
    listed = client.get("/api/v1/feedback", headers=reader).json()
    assert listed["count"] == 2


def test_batch_too_large_is_refused_whole(
    client: TestClient, ingest: dict[str, str], reader: dict[str, str], settings: Settings
) -> None:
    items = [{"text": f"t{i}", "external_id": str(i)} for i in range(settings.api_batch_limit + 1)]
    r = client.post("/api/v1/feedback:batch", json={"items": items}, headers=ingest)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "batch_too_large"
    assert client.get("/api/v1/feedback", headers=reader).json()["count"] == 0


def test_list_filters_and_cursor_pagination(
    client: TestClient, ingest: dict[str, str], reader: dict[str, str]
) -> None:
    items = [
        {
            "text": f"report {i}",
            "source": "app",
            "external_id": f"p-{i}",
            "channel": "beta" if i % 2 else "stable",
            "region": "CN" if i < 5 else "RU",
        }
        for i in range(12)
    ]
    client.post("/api/v1/feedback:batch", json={"items": items}, headers=ingest)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/feedback", params=params, headers=reader).json()
        seen += [x["id"] for x in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 12 == len(set(seen))
    assert seen == sorted(seen)
    beta = client.get("/api/v1/feedback", params={"channel": "beta"}, headers=reader).json()
    assert beta["count"] == 6
    ru = client.get("/api/v1/feedback", params={"region": "ru"}, headers=reader).json()
    assert ru["count"] == 7
    bad = client.get("/api/v1/feedback", params={"cursor": "!!"}, headers=reader)
    assert bad.status_code == 400
    assert (
        client.get("/api/v1/feedback", params={"region": "ZZ"}, headers=reader).status_code == 422
    )
    assert client.get("/api/v1/feedback/999999", headers=reader).status_code == 404


def test_install_base_upsert_and_all_or_nothing(
    client: TestClient, ingest: dict[str, str], store: Store
) -> None:
    sample = {
        "day": "2026-10-01",
        "model": "Lumo 12",
        "build": "3.4.2401",
        "channel": "stable",
        "region": "CN",
        "segment": "novice",
        "active_devices": 1000,
        "crashes": 7,
        "returns": 1,
    }
    r = client.post("/api/v1/install-base", json={"samples": [sample]}, headers=ingest)
    assert r.json() == {"upserted": 1}
    r = client.post(
        "/api/v1/install-base",
        json={"samples": [{**sample, "active_devices": 1500}, {**sample, "day": "2026-10-02"}]},
        headers=ingest,
    )
    assert r.status_code == 200
    with store.read() as conn:
        rows = store.install_base.list(conn, "default")
    assert [(s.day.isoformat(), s.active_devices) for s in rows] == [
        ("2026-10-01", 1500),
        ("2026-10-02", 1000),
    ]
    bad = client.post(
        "/api/v1/install-base",
        json={"samples": [{**sample, "day": "2026-10-03"}, {**sample, "active_devices": -1}]},
        headers=ingest,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["index"] == 1
    with store.read() as conn:
        assert store.install_base.count(conn) == 2


def test_similar_returns_topics_in_the_askers_language(settings: Settings, store: Store) -> None:
    from tests.triage_fakes import fake_triage

    triage = fake_triage(store, settings)
    services = Services.build(settings, store, triage)
    services.intake.submit_batch(
        [
            {"text": "Battery drains overnight", "external_id": "1"},
            {"text": "Батарея садится за ночь", "external_id": "2"},
        ]
    )
    triage.drain()
    token = services.tokens.create("r", frozenset({TokenScope.READ})).token
    with TestClient(create_app(settings, store, triage)) as client:
        r = client.post(
            "/api/v1/similar",
            json={"text": "батарея", "language": "ru", "k": 3},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        top = r.json()["data"][0]
        assert top["representative_language"] == "ru"
        assert top["representative_text"] == "Батарея садится за ночь"
        assert top["size"] == 2
        bad = client.post(
            "/api/v1/similar", json={"text": ""}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bad.status_code == 422
