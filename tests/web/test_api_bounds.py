"""Input at the edge: integers too large for the database, booleans read as numbers, numbers
read as dates, implausible days, a published schema as strict as the validator, and 405s that
say which methods a path has. On SQLite and PostgreSQL where the store is involved."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web_helpers import csrf, sign_in_as, web_client
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import Role, TokenScope
from userloop.store import Store

TOO_BIG = 2**63  # one more than PostgreSQL's bigint and SQLite's INTEGER hold


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def both(store: Store, settings: Settings) -> dict[str, str]:
    scopes = frozenset({TokenScope.INGEST, TokenScope.READ})
    issued = Services.build(settings, store).tokens.create("t", scopes)
    return {"Authorization": f"Bearer {issued.token}"}


def _sample(**changes: Any) -> dict[str, Any]:
    sample = {
        "day": "2026-01-05",
        "model": "Lumo 12",
        "build": "3.4.2401",
        "channel": "stable",
        "region": "NL",
        "active_devices": 1000,
    }
    return {**sample, **changes}


def _messages(response: Any) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return str(error["message"])


# -- item 4: integers larger than the database holds ------------------------------------------


@pytest.mark.postgres
def test_api_ids_and_cursors_beyond_64_bits_are_refused(
    client: TestClient, both: dict[str, str]
) -> None:
    r = client.get(f"/api/v1/feedback/{TOO_BIG}", headers=both)
    assert "feedback_id" in _messages(r) and str(TOO_BIG - 1) in _messages(r)
    assert client.get(f"/api/v1/feedback/{TOO_BIG - 1}", headers=both).status_code == 404
    assert client.get("/api/v1/feedback/0", headers=both).status_code == 422
    for value in (TOO_BIG, 0, -5):
        cursor = base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")
        r = client.get("/api/v1/feedback", params={"cursor": cursor}, headers=both)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "bad_cursor"


@pytest.mark.postgres
def test_install_base_counts_are_bounded(client: TestClient, both: dict[str, str]) -> None:
    for field in ("active_devices", "crashes", "returns"):
        r = client.post(
            "/api/v1/install-base",
            json={"samples": [_sample(**{field: TOO_BIG})]},
            headers=both,
        )
        assert f"{field}: Input should be less than or equal to 2147483647" in _messages(r)
    ok = _sample(active_devices=2**31 - 1, crashes=2**31 - 1, returns=5)
    r = client.post("/api/v1/install-base", json={"samples": [ok]}, headers=both)
    assert r.status_code == 200, r.text


@pytest.mark.postgres
def test_portal_topic_ids_beyond_64_bits_are_refused(settings: Settings, store: Store) -> None:
    with web_client(settings, store) as client:
        client.app.router.raise_server_exceptions = False  # type: ignore[attr-defined]
        page = client.get(f"/topics/{TOO_BIG}")
        assert page.status_code == 422 and "topic_id" in page.text
        token = csrf(client.get("/").text)
        voted = client.post(
            f"/topics/{TOO_BIG}/vote",
            headers={"x-csrf-token": token, "accept": "application/json"},
        )
        assert voted.status_code == 422
        assert client.get(f"/topics/{TOO_BIG - 1}").status_code == 404


@pytest.mark.postgres
def test_console_topic_ids_beyond_64_bits_are_refused(settings: Settings, store: Store) -> None:
    with web_client(settings, store) as client:
        sign_in_as(client, "ana", Role.ADMIN)
        assert client.get(f"/console/topics/{TOO_BIG}").status_code == 422
        assert client.get(f"/console/topics/{TOO_BIG - 1}").status_code == 404
        token = csrf(client.get("/console/").text)
        r = client.post(
            "/console/topics/1/kind",
            data={"csrf_token": token, "feedback_id": str(TOO_BIG), "kind": "bug"},
        )
        assert r.status_code == 422


# -- item 10: validation gaps -------------------------------------------------------------------


@pytest.mark.postgres
def test_booleans_are_no_numbers(client: TestClient, both: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/feedback", json={"text": "Flash never fires", "rating": True}, headers=both
    )
    assert _messages(r) == "rating: must be a whole number, not true"
    r = client.post(
        "/api/v1/install-base", json={"samples": [_sample(returns=False)]}, headers=both
    )
    assert "returns: must be a whole number, not false" in _messages(r)
    r = client.post("/api/v1/similar", json={"text": "flash", "k": True}, headers=both)
    assert _messages(r) == "k: must be a whole number, not true"
    with client.app.state.services.store.read() as conn:  # type: ignore[attr-defined]
        assert client.app.state.services.store.feedback.count(conn) == 0  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_since_and_until_must_be_iso_date_times(client: TestClient, both: dict[str, str]) -> None:
    for value in ("0.5", "1700000000", "tomorrow"):
        r = client.get("/api/v1/feedback", params={"until": value}, headers=both)
        assert "must be an ISO 8601 date-time" in _messages(r)
        assert repr(value) in _messages(r)
    for value in ("2026-01-05", "2026-01-05T08:30:00Z", "2026-01-05T08:30:00", "2026-01-05 08:30"):
        r = client.get("/api/v1/feedback", params={"since": value, "until": value}, headers=both)
        assert r.status_code == 200, (value, r.text)
    r = client.get("/api/v1/feedback", params={"since": "0001-01-01T00:00:00+01:00"}, headers=both)
    assert "since: is out of range" in _messages(r)


@pytest.mark.postgres
def test_install_base_days_must_be_plausible(client: TestClient, both: dict[str, str]) -> None:
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    for day in ("9999-12-31", "1999-12-31", (tomorrow + timedelta(days=1)).isoformat()):
        r = client.post("/api/v1/install-base", json={"samples": [_sample(day=day)]}, headers=both)
        assert f"day: day must be between 2000-01-01 and {tomorrow.isoformat()}" in _messages(r)
    for day in ("2000-01-01", tomorrow.isoformat()):
        r = client.post("/api/v1/install-base", json={"samples": [_sample(day=day)]}, headers=both)
        assert r.status_code == 200, r.text


def test_published_feedback_schema_is_as_strict_as_the_validator(
    client: TestClient, both: dict[str, str], settings: Settings
) -> None:
    schema = client.get("/api/openapi.json").json()
    feedback = schema["components"]["schemas"]["FeedbackIn"]
    assert feedback["additionalProperties"] is False
    assert feedback["required"] == ["text"]
    text = feedback["properties"]["text"]
    assert text["minLength"] == 1 and text["pattern"] == r"\S"
    assert text["maxLength"] == settings.max_text_chars
    assert feedback["properties"]["rating"]["anyOf"][0] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
    }
    assert "pattern" in feedback["properties"]["source"]
    # ... which is what the server refuses.
    for body in ({"text": ""}, {"text": "ok", "extra": 1}, {"text": "ok", "source": "Bad Name!"}):
        assert client.post("/api/v1/feedback", json=body, headers=both).status_code == 422
    samples = schema["components"]["schemas"]["InstallBaseBatchIn"]["properties"]["samples"]
    assert samples["items"] == {"$ref": "#/components/schemas/InstallBaseIn"}
    counts = schema["components"]["schemas"]["InstallBaseIn"]["properties"]["active_devices"]
    assert counts["maximum"] == 2**31 - 1
    path = schema["paths"]["/api/v1/feedback/{feedback_id}"]["get"]
    assert path["parameters"][0]["schema"]["maximum"] == 2**63 - 1
    assert path["security"] == [{"token": []}]
    assert set(path["responses"]) == {"200", "401", "403", "404", "422"}
    error = path["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]


def test_every_405_names_the_methods_of_its_path(client: TestClient, both: dict[str, str]) -> None:
    r = client.options("/api/v1/feedback")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert client.options("/api/v1/feedback:batch").headers["allow"] == "POST"
    # Methods that may carry a body show their token first (the edge checks it before reading).
    r = client.delete("/api/v1/feedback/3", headers=both)
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert client.put("/api/v1/health", headers=both).headers["allow"] == "GET"
    page = client.delete("/topics/1")
    assert page.status_code == 405 and page.headers["allow"] == "GET"
    assert "text/html" in page.headers["content-type"]
    assert client.get("/topics/1/vote").headers["allow"] == "POST"
