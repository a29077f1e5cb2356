"""Intake against a real store (SQLite and PostgreSQL): idempotency, conflicts, reporters,
atomic batches."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import item
from userloop.config import Settings
from userloop.domain.enums import ItemStatus
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.store.tables import builds, feedback, reporter_contacts, reporters


@pytest.fixture
def intake(store: Store, settings: Settings) -> IntakeService:
    return IntakeService(store, settings)


def count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_resend_is_a_no_op_returning_the_same_id(intake: IntakeService, store: Store) -> None:
    first = intake.submit(item())
    again = intake.submit(item())
    assert first.status is ItemStatus.CREATED
    assert again.status is ItemStatus.DUPLICATE
    assert again.id == first.id
    assert count(store, feedback) == 1


def test_same_key_other_text_is_a_conflict_and_nothing_changes(
    intake: IntakeService, store: Store
) -> None:
    first = intake.submit(item("Screen flickers at low brightness"))
    clash = intake.submit(item("Screen flickers ALL the time"))
    assert clash.status is ItemStatus.CONFLICT
    assert clash.id == first.id
    assert "different text" in (clash.message or "")
    with store.read() as conn:
        stored = store.feedback.get(conn, first.id or 0)
    assert stored is not None and stored.text == "Screen flickers at low brightness"


def test_same_external_id_in_two_sources_are_two_items(intake: IntakeService) -> None:
    a = intake.submit(item(source="play"))
    b = intake.submit(item(source="forum"))
    assert a.status is b.status is ItemStatus.CREATED
    assert a.id != b.id


def test_whitespace_variants_of_a_text_are_the_same_item(intake: IntakeService) -> None:
    first = intake.submit(item("GPS drifts   when walking"))
    again = intake.submit(item("  GPS drifts when walking \n"))
    assert again.status is ItemStatus.DUPLICATE and again.id == first.id


def test_items_without_external_id_get_a_content_key(intake: IntakeService, store: Store) -> None:
    raw = {"text": "Keyboard lags", "created_at": "2026-10-01T10:00:00Z", "reporter": {"id": "u1"}}
    first = intake.submit(raw)
    again = intake.submit(dict(raw))
    other = intake.submit({**raw, "reporter": {"id": "u2"}})
    assert again.status is ItemStatus.DUPLICATE and again.id == first.id
    assert other.status is ItemStatus.CREATED
    with store.read() as conn:
        stored = store.feedback.get(conn, first.id or 0)
    assert stored is not None and stored.external_id.startswith("sha256:")
    assert stored.source == "api"


def test_text_is_redacted_before_storage(intake: IntakeService, store: Store) -> None:
    result = intake.submit(item("Mail me at jan.de.vries@example.nl about the crash"))
    with store.read() as conn:
        stored = store.feedback.get(conn, result.id or 0)
        raw_texts = [t for (t,) in conn.execute(select(feedback.c.text))]
    assert stored is not None
    assert stored.text == "Mail me at [email] about the crash"
    assert stored.redacted == ("email",)
    assert not any("example.nl" in t for t in raw_texts)


def test_reporters_are_pseudonymous_and_contacts_need_consent(
    intake: IntakeService, store: Store
) -> None:
    intake.submit(
        item(
            external_id="1",
            reporter={
                "id": "356938035643809",
                "experience": "novice",
                "email": "li.wei@example.cn",
                "consent": True,
            },
        )
    )
    intake.submit(
        item(
            "Another one", external_id="2", reporter={"id": "356938035643809", "experience": "pro"}
        )
    )
    with store.read() as conn:
        rows = conn.execute(select(reporters)).mappings().all()
        contacts = conn.execute(select(reporter_contacts)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["key_hash"] != "356938035643809" and len(rows[0]["key_hash"]) == 64
    assert rows[0]["experience"] == "pro"  # the latest attributes win
    assert [c["email"] for c in contacts] == ["li.wei@example.cn"]
    bad = intake.submit(item(external_id="3", reporter={"id": "x", "email": "a@example.com"}))
    assert bad.status is ItemStatus.INVALID
    assert count(store, reporter_contacts) == 1


def test_builds_are_created_once_with_a_natural_order(intake: IntakeService, store: Store) -> None:
    versions = ["3.4.10", "3.4.9", "3.4.10", "3.5.0"]
    intake.submit_batch(
        [item(f"t{i}", external_id=str(i), build=v) for i, v in enumerate(versions)]
    )
    with store.read() as conn:
        ordered = [v for (v,) in conn.execute(select(builds.c.version).order_by(builds.c.sort_key))]
    assert ordered == ["3.4.9", "3.4.10", "3.5.0"]


def test_a_failing_batch_writes_nothing(
    intake: IntakeService, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: Any) -> None:
        raise RuntimeError("disk full")

    original = store.feedback.insert_new

    def half(conn: Any, rows: Any) -> None:
        original(conn, rows[:1])
        boom()

    monkeypatch.setattr(store.feedback, "insert_new", half)
    with pytest.raises(RuntimeError):
        intake.submit_batch(
            [item("a", external_id="1", reporter={"id": "r"}), item("b", external_id="2")]
        )
    assert count(store, feedback) == 0
    assert count(store, reporters) == 0


def test_concurrent_submissions_of_one_key_store_one_row(
    intake: IntakeService, store: Store
) -> None:
    results = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        results.append(intake.submit(item("Bluetooth drops every few minutes")))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status.value for r in results).count("created") == 1
    assert {r.id for r in results} == {results[0].id}
    assert count(store, feedback) == 1
