"""The emerging-issues job after triage: flags are kept with when they were first found, a new
flag is audited once, a flag that no longer holds is dropped; the worker and `userloop triage`
run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.emerging_world import add_install_base, build_world
from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.insight.emerging import EmergingConfig
from userloop.insight.service import EmergingService
from userloop.intake.service import IntakeService
from userloop.store import Store


def _flag_events(store: Store) -> list[str]:
    with store.read() as conn:
        return [e.subject for e in store.audit.recent(conn) if e.action == "emerging.flagged"]


def test_record_keeps_first_flag_time_and_audits_new_flags_once(
    store: Store, settings: Settings
) -> None:
    build_world(store, settings, fake_triage(store, settings))
    add_install_base(store, settings)
    service = EmergingService(store)
    first = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    fresh = service.record(first)
    assert {(i.build, i.reason) for i in fresh} == {("1.3", "rise"), ("1.3", "new")}
    assert all(i.first_flagged_at == first for i in fresh)
    assert len(_flag_events(store)) == 2

    # a later run finds the same flags: nothing new, the first time is kept
    assert service.record(first + timedelta(hours=6)) == []
    assert len(_flag_events(store)) == 2
    shown = service.emerging("1.3")
    assert {i.first_flagged_at for i in shown} == {first}
    assert {r["first_flagged_at"] for r in (i.record() for i in shown)} == {first.isoformat()}

    # with a stricter test nothing holds any more: the stored flags go
    strict = EmergingService(store, EmergingConfig(min_count=50, min_new_count=50))
    assert strict.record(first + timedelta(hours=12)) == []
    assert all(i.first_flagged_at is None for i in service.emerging("1.3"))


def test_run_after_triage_records_flags_through_the_services(
    store: Store, settings: Settings
) -> None:
    services = Services.build(settings, store, fake_triage(store, settings))
    build_world(store, settings, services.triage)
    add_install_base(store, settings)
    services.run_after_triage()
    assert len(_flag_events(store)) == 2
    # a new report that changes nothing keeps the flags as they were
    IntakeService(store, settings).submit_batch(
        [{"text": "Battery drains overnight again", "external_id": "x", "build": "1.3"}],
        default_source="app",
    )
    services.triage.drain()
    services.run_after_triage()
    assert len(_flag_events(store)) == 2
