"""Returns intake on both stores: validation with precise messages, idempotence (duplicate and
conflict), no half-write, and the reason text stored as a redacted feedback item that triage
picks up like any report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import intake_config
from userloop.domain.enums import ItemStatus
from userloop.intake.returns import ReturnRecord, ReturnsIntake
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.store.repos.returns import ReturnsRepo
from userloop.store.tables import feedback, returns, triage

DAY = (datetime.now(UTC) - timedelta(days=3)).date()


@pytest.fixture
def intake(store: Store, settings: Settings) -> IntakeService:
    return IntakeService(store, intake_config(settings))


def rma(n: int = 1, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "external_id": f"RMA-{n}",
        "day": DAY.isoformat(),
        "model": "X1",
        "build": "2.1",
        "region": "nl",
        "reason": "Screen cracked by itself",
        "batch": "L7",
    }
    return {**record, **changes}


def count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def rows(store: Store) -> list[Any]:
    with store.read() as conn:
        return list(conn.execute(select(returns).order_by(returns.c.id)))


def test_a_return_and_its_reason_as_a_feedback_item(intake: IntakeService, store: Store) -> None:
    [result] = intake.submit_returns([rma()])
    assert result.status is ItemStatus.CREATED and result.id
    [row] = rows(store)
    assert (row.source, row.external_id, row.day, row.region, row.batch) == (
        "returns",
        "RMA-1",
        DAY,
        "NL",
        "L7",
    )
    assert row.feedback_id is not None
    with store.read() as conn:
        item = store.feedback.get(conn, row.feedback_id)
    assert item is not None
    assert (item.source, item.external_id, item.model, item.build, item.region) == (
        "returns",
        "RMA-1",
        "X1",
        "2.1",
        "NL",
    )
    assert item.text == "Screen cracked by itself"
    assert item.created_at == datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)


def test_personal_data_in_the_reason_is_redacted_and_triage_picks_it_up(
    intake: IntakeService, store: Store, settings: Settings
) -> None:
    reason = "Battery swelled. Call me on +31 6 12345678 or mail jan.devries@example.com"
    [result] = intake.submit_returns([rma(reason=reason, external_id="jan.devries@example.com")])
    assert result.status is ItemStatus.CREATED
    [row] = rows(store)
    assert "example.com" not in row.external_id and row.external_id.startswith("[email:")
    with store.read() as conn:
        item = store.feedback.get(conn, row.feedback_id)
    assert item is not None and item.external_id == row.external_id
    assert "12345678" not in item.text and "example.com" not in item.text
    assert item.text.startswith("Battery swelled.") and set(item.redacted) >= {"email", "phone"}
    fake_triage(store, settings).drain()
    with store.read() as conn:
        language, topic = conn.execute(
            select(triage.c.language, triage.c.topic_id).where(
                triage.c.feedback_id == row.feedback_id
            )
        ).one()
    assert language == "en" and topic is not None


def test_without_reason_no_feedback_item(intake: IntakeService, store: Store) -> None:
    results = intake.submit_returns([rma(reason=None), rma(2, reason="   ", build="")])
    assert [r.status for r in results] == [ItemStatus.CREATED, ItemStatus.CREATED]
    assert [(r.feedback_id, r.build_id is None) for r in rows(store)] == [
        (None, False),
        (None, True),
    ]
    assert count(store, feedback) == 0


def test_resend_is_a_duplicate_and_a_changed_record_a_conflict(
    intake: IntakeService, store: Store
) -> None:
    first = intake.submit_returns([rma(), rma(2, reason=None)])
    again = intake.submit_returns([rma(), rma(2, reason=None)])
    assert [r.status for r in again] == [ItemStatus.DUPLICATE, ItemStatus.DUPLICATE]
    assert [r.id for r in again] == [r.id for r in first]
    changed = intake.submit_returns([rma(batch="L8"), rma(2, reason="Now with a reason")])
    assert [r.status for r in changed] == [ItemStatus.CONFLICT, ItemStatus.CONFLICT]
    assert changed[0].id == first[0].id
    assert "never overwrites a return" in (changed[0].message or "")
    assert [r.batch for r in rows(store)] == ["L7", "L7"]
    assert (count(store, returns), count(store, feedback)) == (2, 1)
    # the same key twice in one batch: the first is stored, the second repeats or clashes
    twice = intake.submit_returns([rma(3), rma(3), rma(3, model="X2")])
    assert [r.status for r in twice] == [
        ItemStatus.CREATED,
        ItemStatus.DUPLICATE,
        ItemStatus.CONFLICT,
    ]
    # another source may use the same RMA number
    other = intake.submit_returns([rma(source="Shop-EU")])
    assert other[0].status is ItemStatus.CREATED
    assert rows(store)[-1].source == "shop-eu"


def test_a_feedback_item_holding_the_key_with_another_text_stops_the_return(
    intake: IntakeService, store: Store
) -> None:
    intake.submit({"text": "Something else entirely", "source": "returns", "external_id": "RMA-1"})
    [result] = intake.submit_returns([rma()])
    assert result.status is ItemStatus.CONFLICT and result.id is None
    assert "reason text cannot be stored" in (result.message or "")
    assert count(store, returns) == 0


def test_invalid_records_get_precise_messages_and_the_others_are_stored(
    intake: IntakeService, store: Store
) -> None:
    tomorrow_plus = datetime.now(UTC).date() + timedelta(days=2)
    bad: list[Any] = [
        rma(1, external_id=""),
        rma(2, day="2026-13-01"),
        rma(3, day=tomorrow_plus.isoformat()),
        rma(4, region="XX"),
        rma(5, model=None),
        rma(6, reason="x" * 20_001),
        rma(7, colour="red"),
        rma(8, source="Bad Source!"),
        rma(9, batch="call +31 6 12345678"),
        "not an object",
        rma(11),
    ]
    results = intake.submit_returns(bad)
    assert [r.status for r in results] == [ItemStatus.INVALID] * 10 + [ItemStatus.CREATED]
    messages = [r.message or "" for r in results]
    assert messages[0] == "external_id: is required"
    assert messages[1].startswith("day: must be a date such as 2026-10-01")
    assert "(tomorrow); got " + tomorrow_plus.isoformat() in messages[2]
    assert "ISO 3166-1 alpha-2" in messages[3] and "'XX'" in messages[3]
    assert messages[4] == "model: is required"
    assert "reason is 20001 characters after normalisation; the limit is 20000" in messages[5]
    assert messages[6].startswith("colour: unknown field; accepted fields are product, source")
    assert messages[7].startswith("source: source must be 1-64 characters")
    assert messages[8].startswith("batch:") and "12345678" not in messages[8]
    assert messages[9] == "each return record must be a JSON object"
    assert results[0].errors == ({"field": "external_id", "message": "is required"},)
    assert count(store, returns) == 1


def test_a_failing_write_stores_nothing_of_the_batch(
    intake: IntakeService, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: ReturnsRepo, conn: Any, rows: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReturnsRepo, "insert_new", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        intake.submit_returns([rma(1), rma(2)])
    # the feedback items were written in the same transaction: rolled back too
    assert (count(store, returns), count(store, feedback)) == (0, 0)
    monkeypatch.undo()
    assert [r.status for r in intake.submit_returns([rma(1), rma(2)])] == [ItemStatus.CREATED] * 2
    assert (count(store, returns), count(store, feedback)) == (2, 2)


def test_the_schema_alone() -> None:
    record = ReturnRecord.model_validate(rma(model="  X1   Pro ", region=" de "))
    assert (record.model, record.region, record.day) == ("X1 Pro", "DE", DAY)
    assert isinstance(record.day, date)
    assert ReturnsIntake.__doc__
