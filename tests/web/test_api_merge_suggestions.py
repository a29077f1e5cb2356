"""The merge suggestions API: the list (scope read), accept and reject (scope triage), the
errors; on SQLite and, when configured, PostgreSQL. The world is tests/merge_world.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.merge_world import MARKUP, REPORTS, SUGGESTIONS, build_world, floor_settings
from tests.merge_world import suggestion_triage as make_triage
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store

PATH = "/api/v1/merge-suggestions"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    settings = floor_settings(settings)
    with TestClient(create_app(settings, store, make_triage(store, settings))) as c:
        yield c


@pytest.fixture
def services(client: TestClient) -> Services:
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


@pytest.fixture
def world(services: Services) -> dict[str, int]:
    return build_world(services)


def _headers(services: Services, *scopes: TokenScope, name: str = "t") -> dict[str, str]:
    issued = services.tokens.create(name, frozenset(scopes))
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture
def reader(services: Services) -> dict[str, str]:
    return _headers(services, TokenScope.READ)


@pytest.fixture
def triager(services: Services) -> dict[str, str]:
    return _headers(services, TokenScope.TRIAGE, name="bot")


def _pair(body: dict[str, Any]) -> set[int]:
    return {body["a"]["id"], body["b"]["id"]}


def test_the_list_shows_both_topics_and_the_evidence(
    client: TestClient, world: dict[str, int], reader: dict[str, str]
) -> None:
    r = client.get(PATH, params={"order": "similarity", "limit": 50}, headers=reader)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["data"]) == SUGGESTIONS
    assert _pair(body["data"][0]) == {world["b"], world["e"]}  # the closest pair first
    (ab,) = [s for s in body["data"] if _pair(s) == {world["a"], world["b"]}]
    assert set(ab["a"]) == {"id", "title", "status", "size", "languages"}
    assert ab["a"]["status"] == "new" and ab["a"]["size"] == 2
    assert ab["a"]["languages"] == {"en": 1, "ru": 1}
    assert 0.3 <= ab["similarity"] <= 1
    assert ab["shared_keywords"]["ru"]
    (ru,) = [p for p in ab["closest"] if p["a_language"] == "ru"]
    assert {ru["a_text"], ru["b_text"]} == {REPORTS["a2"][0], REPORTS["b2"][0]}
    assert set(ru) == {"similarity", "a_id", "a_language", "a_text"} | {
        "b_id",
        "b_language",
        "b_text",
    }
    # JSON carries the text as stored; escaping is the reader's business.
    (be,) = [s for s in body["data"] if _pair(s) == {world["b"], world["e"]}]
    assert any(MARKUP in p["a_text"] + p["b_text"] for p in be["closest"])

    page = client.get(PATH, params={"order": "largest", "limit": 2, "offset": 1}, headers=reader)
    largest = client.get(PATH, params={"order": "largest", "limit": 50}, headers=reader)
    assert page.json()["total"] == SUGGESTIONS
    assert [_pair(s) for s in page.json()["data"]] == [
        _pair(s) for s in largest.json()["data"][1:3]
    ]
    newest = client.get(PATH, headers=reader).json()  # newest first by default
    assert _pair(newest["data"][0]) == {world["a"], world["b"]}
    assert client.get(PATH, params={"product": "watch"}, headers=reader).json() == {
        "data": [],
        "total": 0,
    }


def test_scopes(client: TestClient, world: dict[str, int], services: Services) -> None:
    body = {"topic_a": world["a"], "topic_b": world["b"]}
    ingest = _headers(services, TokenScope.INGEST)
    reader = _headers(services, TokenScope.READ)
    assert client.get(PATH).status_code == 401
    assert client.post(f"{PATH}/accept", json=body).status_code == 401
    r = client.get(PATH, headers=ingest)
    assert r.status_code == 403 and "'read'" in r.json()["error"]["message"]
    for action in ("accept", "reject"):
        r = client.post(f"{PATH}/{action}", json=body, headers=reader)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "insufficient_scope"
        assert "scope 'triage'" in r.json()["error"]["message"]
    # A triage token alone does not read the list.
    assert client.get(PATH, headers=_headers(services, TokenScope.TRIAGE)).status_code == 403
    assert services.topics.get(world["b"]).merged_into is None  # type: ignore[union-attr]


def test_accept_then_the_merged_topic_is_refused(
    client: TestClient,
    world: dict[str, int],
    services: Services,
    reader: dict[str, str],
    triager: dict[str, str],
) -> None:
    b, c = world["b"], world["c"]
    r = client.post(f"{PATH}/accept", json={"topic_a": b, "topic_b": c}, headers=triager)
    assert r.status_code == 200, r.text
    assert r.json()["absorbed"] == b
    assert r.json()["survivor"]["id"] == c and r.json()["survivor"]["size"] == 6
    assert services.topics.get(b).merged_into == c  # type: ignore[union-attr]
    with services.store.read() as conn:
        (event,) = [
            e for e in services.store.audit.recent(conn, 100) if e.action == "suggestion.accept"
        ]
    assert event.actor.startswith("token:") and event.actor.endswith("(bot)")

    again = client.post(f"{PATH}/accept", json={"topic_a": c, "topic_b": b}, headers=triager)
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict",
        "message": f"topic {b} was merged into topic {c}",
    }
    listed = client.get(PATH, params={"limit": 50}, headers=reader).json()
    assert all(b not in _pair(s) for s in listed["data"])


def test_reject_keeps_the_pair_apart(
    client: TestClient,
    world: dict[str, int],
    services: Services,
    reader: dict[str, str],
    triager: dict[str, str],
) -> None:
    a, b = world["a"], world["b"]
    r = client.post(f"{PATH}/reject", json={"topic_a": a, "topic_b": b}, headers=triager)
    assert r.status_code == 200, r.text
    assert r.json() == {"topic_a": a, "topic_b": b, "kept_apart": True}
    listed = client.get(PATH, params={"limit": 50}, headers=reader).json()
    assert listed["total"] == SUGGESTIONS - 1
    assert {a, b} not in [_pair(s) for s in listed["data"]]
    r = client.post(f"{PATH}/accept", json={"topic_a": b, "topic_b": a}, headers=triager)
    assert r.status_code == 409
    assert r.json()["error"]["message"] == (
        f"topics {b} and {a} were kept apart by staff; merge by hand"
    )
    services.triage.recluster()  # merges at 0.5: any pair but the rejected one may join
    assert _home(services, a) != _home(services, b)


def _home(services: Services, topic_id: int) -> int:
    """The live topic a topic's reports are in now (itself unless it was merged)."""
    topic = services.topics.get(topic_id)
    assert topic is not None
    return topic_id if topic.merged_into is None else _home(services, topic.merged_into)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topic_a": 0, "topic_b": 2}, "topic_a"),
        ({"topic_a": 1, "topic_b": 2**63}, "topic_b"),
        ({"topic_a": "one", "topic_b": 2}, "topic_a"),
        ({"topic_a": True, "topic_b": 2}, "topic_a"),
        ({"topic_a": 1}, "topic_b"),
        ({"topic_a": 1, "topic_b": 2, "also": 3}, "also"),
    ],
)
def test_bad_ids_are_422(
    client: TestClient, triager: dict[str, str], body: dict[str, Any], field: str
) -> None:
    for action in ("accept", "reject"):
        r = client.post(f"{PATH}/{action}", json=body, headers=triager)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "validation_error"
        assert field in [d["field"] for d in r.json()["error"]["details"]]


def test_refused_decisions_are_409_with_the_reason(
    client: TestClient, world: dict[str, int], triager: dict[str, str]
) -> None:
    a = world["a"]
    for action in ("accept", "reject"):
        for body, message in (
            ({"topic_a": a, "topic_b": a}, "a suggestion joins two different topics"),
            ({"topic_a": a, "topic_b": 999_999}, "no topic 999999"),
        ):
            r = client.post(f"{PATH}/{action}", json=body, headers=triager)
            assert r.status_code == 409, r.text
            assert r.json()["error"] == {"code": "conflict", "message": message}


def test_bad_list_parameters_are_422(client: TestClient, reader: dict[str, str]) -> None:
    for params in (
        {"order": "oldest"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"product": "Not A Product"},
    ):
        r = client.get(PATH, params=params, headers=reader)
        assert r.status_code == 422, (params, r.text)


def test_openapi_documents_the_operations_and_their_errors(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    listed = schema["paths"][PATH]["get"]
    assert listed["security"] == [{"token": []}]
    assert set(listed["responses"]) == {"200", "401", "403", "422"}
    order = next(p for p in listed["parameters"] if p["name"] == "order")
    enum = schema["components"]["schemas"]["SuggestionOrder"]["enum"]
    assert order["schema"]["$ref"] == "#/components/schemas/SuggestionOrder"
    assert order["schema"]["default"] == "newest"
    assert set(enum) == {"newest", "largest", "similarity"}
    for action in ("accept", "reject"):
        operation = schema["paths"][f"{PATH}/{action}"]["post"]
        assert set(operation["responses"]) == {"200", "400", "401", "403", "409", "413", "422"}
        assert "different products" in operation["responses"]["409"]["description"]
    pair = schema["components"]["schemas"]["TopicPairIn"]
    assert pair["additionalProperties"] is False
    assert pair["required"] == ["topic_a", "topic_b"]
    assert pair["properties"]["topic_a"]["maximum"] == 2**63 - 1
    # Other operations keep their own 409.
    feedback = schema["paths"]["/api/v1/feedback"]["post"]["responses"]["409"]
    assert feedback["description"] == "Same source and external_id, different text"
