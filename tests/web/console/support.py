"""Shared data and helpers of the console tests (fixtures are in conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.triage_fakes import topics_of
from tests.web_helpers import csrf
from userloop.domain.entities import AuditEvent, Topic
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.web.i18n import BY_TAG

REPORTS: list[dict[str, Any]] = [
    # battery: 4 reports in 4 languages, builds 2.0 and 2.1
    {
        "k": "b1",
        "text": "Battery drains overnight since the update",
        "build": "2.0",
        "model": "Phone X",
        "channel": "stable",
        "rating": 1,
    },
    {
        "k": "b2",
        "text": "Батарея садится за ночь после обновления",
        "build": "2.1",
        "model": "Phone X",
        "channel": "stable",
        "rating": 2,
    },
    {
        "k": "b3",
        "text": "更新后电池耗电很快,一晚上就没电",
        "build": "2.1",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 2,
    },
    {
        "k": "b4",
        "text": "Accu is 's nachts leeg sinds de update",
        "language": "nl",
        "build": "2.1",
        "model": "Phone X",
        "channel": "stable",
        "rating": 3,
    },
    # camera: 3 reports, one with markup in it
    {
        "k": "c1",
        "text": "Camera app crashes in night mode <script>alert('pwn')</script>",
        "build": "1.9",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 1,
    },
    {
        "k": "c2",
        "text": "Камера вылетает в ночном режиме",
        "build": "1.9",
        "model": "Phone Y",
        "channel": "beta",
        "rating": 2,
    },
    {
        "k": "c3",
        "text": "夜景模式相机崩溃",
        "build": "2.0",
        "model": "Phone Y",
        "channel": "dev",
        "rating": 2,
    },
    # dark theme wishes: feature requests
    {
        "k": "d1",
        "text": "Please add a dark theme schedule",
        "build": "2.1",
        "model": "Phone Z",
        "channel": "stable",
        "rating": 4,
    },
    {
        "k": "d2",
        "text": "Добавьте тёмную тему по расписанию",
        "build": "2.1",
        "model": "Phone Z",
        "channel": "stable",
        "rating": 5,
    },
]


def submit(client: TestClient, rows: list[dict[str, Any]]) -> dict[str, int]:
    intake = client.app.state.services.intake  # type: ignore[attr-defined]
    results = intake.submit_batch(
        [
            {"source": "t", "external_id": r["k"], **{k: v for k, v in r.items() if k != "k"}}
            for r in rows
        ]
    )
    assert all(r.id is not None for r in results), results
    return {rows[i]["k"]: r.id for i, r in enumerate(results)}


def topic_of(triage: Triage, feedback_id: int) -> int:
    with triage.store.read() as conn:
        result = triage.store.triage.get(conn, feedback_id)
    assert result is not None and result.topic_id is not None
    return result.topic_id


def topic(triage: Triage, topic_id: int) -> Topic:
    found = topics_of(triage).get(topic_id)
    assert found is not None
    return found


def audit(store: Store) -> list[AuditEvent]:
    with store.read() as conn:
        return store.audit.recent(conn, 1000)


def staff_events(store: Store) -> list[AuditEvent]:
    return [e for e in audit(store) if not e.action.startswith("user.create")]


def token(client: TestClient, path: str = "/console/") -> str:
    return csrf(client.get(path).text)


def post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """A console form POST with the session's CSRF token, not following the redirect."""
    body = {"csrf_token": token(client), **(data or {})}
    return client.post(path, data=body, follow_redirects=False)


def ru(client: TestClient, message: str, **values: object) -> str:
    t = client.app.state.web.catalogues.translator(BY_TAG["ru"])  # type: ignore[attr-defined]
    text = str(t.gettext(message, **values))
    english = message % values if values else message
    assert text != english, f"no Russian translation of {message!r}"
    return text


def main_html(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found
    return found.group(0)


def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr>\s*<td class="num">(\d+)</td>', page)]
