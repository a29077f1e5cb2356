"""Property-based tests of the JSON API from its own OpenAPI schema (schemathesis).

Every operation gets generated requests, valid and invalid, on SQLite and PostgreSQL. The
server must never answer 5xx, and every status it answers must be documented for that
operation, with the documented content type and body schema.

The operations are driven one by one through Hypothesis (schemathesis' pytest plugin cannot
take a per-test app from a fixture under pytest 9), each with a bounded, derandomised run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.triage_fakes import fake_triage
from userloop.app import create_app
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TokenScope
from userloop.store import Store

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and generation mode (valid, then invalid requests): about 50 cases each.
EXAMPLES = 25
SEED: list[dict[str, Any]] = [
    {"text": "Battery drains overnight", "external_id": "1", "rating": 2, "region": "NL"},
    {"text": "Батарея садится за ночь", "external_id": "2", "language": "ru"},
    {"text": "Camera crashes in night mode", "external_id": "3", "channel": "beta"},
]
NO_VALID_TOKEN = (None, "Bearer ul_not_a_token", "Basic dXNlcjpwdw==", "Bearer")
Case = schemathesis.Case[Any]


def _api(settings: Settings, store: Store) -> tuple[schemathesis.BaseSchema, str]:
    """The app's own schema, over an app with a few items and topics, and a token with every
    scope."""
    triage = fake_triage(store, settings)
    services = Services.build(settings, store, triage)
    services.intake.submit_batch(SEED)
    triage.drain()
    issued = services.tokens.create("prop", frozenset(TokenScope))
    app = create_app(settings, store, triage)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app), issued.token


def _run(
    schema: schemathesis.BaseSchema,
    examples: int,
    send: Callable[[Case], Any],
) -> Counter[str]:
    """Runs `send` on generated cases of every operation; returns the cases run per operation."""
    ran: Counter[str] = Counter()
    failures = []
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert operations and len(operations) == len(results)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Case) -> None:
                ran[case.operation.label] += 1
                send(case)

            try:
                check()
            except Unsatisfiable:
                # No invalid request exists for an operation without inputs (GET /health).
                if mode is not GenerationMode.NEGATIVE:
                    raise
            except Exception as exc:  # collect every operation's failure, then report all
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    return ran


@pytest.mark.postgres
@pytest.mark.slow
def test_every_operation_with_a_valid_token(settings: Settings, store: Store) -> None:
    schema, token = _api(settings, store)
    statuses: Counter[int] = Counter()

    def send(case: Case) -> None:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )
        statuses[response.status_code] += 1

    ran = _run(schema, EXAMPLES, send)
    print(f"{sum(ran.values())} cases {dict(ran)}; statuses {dict(statuses)}")  # -s shows it


@pytest.mark.postgres
def test_every_operation_without_a_valid_token(settings: Settings, store: Store) -> None:
    schema, _token = _api(settings, store)
    tried = Counter[str]()

    def send(case: Case) -> None:
        auth = NO_VALID_TOKEN[tried[case.operation.label] % len(NO_VALID_TOKEN)]
        tried[case.operation.label] += 1
        case.headers.pop("Authorization", None)
        if auth is not None:
            case.headers["Authorization"] = auth
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        if case.operation.path != "/api/v1/health":
            # Refused before anything else is read (a 422 only where the URL itself is bad).
            assert response.status_code in (401, 422), (case.operation.label, response.text)

    _run(schema, 4, send)
