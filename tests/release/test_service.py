"""ReleaseService on both stores: creating, moving through the states, the decision log and the
audit, gate decisions, due checks, and the update check (halt offers nothing new, resume reaches
the same devices first, rollback offers the previous build)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from userloop.domain.enums import Channel
from userloop.domain.release import ReleaseState
from userloop.release.service import (
    Decision,
    ReleaseInputError,
    ReleaseRefused,
    ReleaseService,
    UnknownRelease,
)
from userloop.release.update_check import UpdateAction, UpdateReason
from userloop.store import Store

S = ReleaseState
DEVICES = [f"device-{i:05d}" for i in range(4000)]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def pass_(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: Store, clock: Clock) -> ReleaseService:
    return ReleaseService(store, clock=clock, default_product="phone")


def _offered(service: ReleaseService, build: str = "1.2") -> set[str]:
    return {
        d
        for d in DEVICES
        if service.update_check(d, "m1", build, "beta", "NL").action is UpdateAction.UPDATE
    }


def test_a_release_moves_through_its_states_with_its_log(
    service: ReleaseService, store: Store, clock: Clock
) -> None:
    release = service.create(
        "phone", "1.3", "beta", "1,5,100@1d", previous_build="1.2", regions=["nl"], actor="ann"
    )
    assert release.state is S.DRAFT and release.regions == {"NL"}
    started = service.start(release.id, "ann", "pilot group ready")
    assert (started.state, started.stage, started.stage_started_at) == (S.ROLLING_OUT, 0, clock.now)
    with pytest.raises(ReleaseRefused, match="lasts at least until 2026-12-02T08:00"):
        service.advance(release.id, "ann")
    with pytest.raises(ReleaseInputError, match="a forced advance needs a reason"):
        service.advance(release.id, "ann", force=True)
    forced = service.advance(release.id, "ann", "crash-free overnight", force=True)
    assert forced.stage == 1 and forced.percent == 5
    paused = service.pause(release.id, "bob", "support is busy")
    assert service.pause(release.id, "bob", "again") == paused  # a retry, not logged
    with pytest.raises(ReleaseRefused, match="only a rolling-out release advances"):
        service.advance(release.id, "bob")
    clock.pass_(timedelta(hours=3))
    resumed = service.resume(paused.id, "bob")
    assert resumed.stage == 1 and resumed.stage_started_at == clock.now  # the dwell restarts
    clock.pass_(timedelta(days=1))
    service.advance(release.id, "ann")
    clock.pass_(timedelta(days=1))
    done = service.advance(release.id, "ann")
    assert done.state is S.COMPLETED and done.percent == 100
    with pytest.raises(ReleaseRefused, match="it cannot rollback"):
        service.rollback(release.id, "ann")

    status = service.status(release.id)
    assert [(e.action, e.from_state, e.to_state, e.stage) for e in status.events] == [
        ("create", None, S.DRAFT, 0),
        ("start", S.DRAFT, S.ROLLING_OUT, 0),
        ("advance", S.ROLLING_OUT, S.ROLLING_OUT, 1),
        ("pause", S.ROLLING_OUT, S.PAUSED, 1),
        ("resume", S.PAUSED, S.ROLLING_OUT, 1),
        ("advance", S.ROLLING_OUT, S.ROLLING_OUT, 2),
        ("advance", S.ROLLING_OUT, S.COMPLETED, 2),
    ]
    forced_event = status.events[2]
    assert forced_event.actor == "ann" and forced_event.reason == "crash-free overnight"
    assert forced_event.details == {"forced": True}
    with store.read() as conn:
        audit = [e for e in store.audit.recent(conn) if e.subject == f"release:{release.id}"]
    assert [e.action for e in audit][::-1] == [
        "release.create",
        "release.start",
        "release.advance",
        "release.pause",
        "release.resume",
        "release.advance",
        "release.advance",
    ]
    assert audit[-2].details["reason"] == "pilot group ready"
    # the audit log keeps the service's clock, like the release's own log
    assert [_utc(e.at) for e in audit][::-1] == [_utc(e.at) for e in status.events]


def test_creating_twice_is_refused_and_bad_input_named(service: ReleaseService) -> None:
    first = service.create("phone", "1.3", Channel.BETA, "ubuntu-phased", previous_build="1.2")
    with pytest.raises(ReleaseRefused, match=rf"exists already \(release {first.id}, draft\)"):
        service.create("phone", "1.3", "beta", "app-store-7-day")
    assert len(service.list()) == 1  # nothing half-written
    service.create("phone", "1.3", "stable", "app-store-7-day")  # another channel is another
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "nightly"}, "channel"),
        ({"plan": "1,5"}, "plan"),
        ({"product": "Phone!"}, "product"),
        ({"regions": ["NLD"]}, "regions"),
        ({"previous_build": "1.4"}, "previous_build"),
    ]
    for kwargs, field in cases:
        args: dict[str, Any] = {
            "product": "phone",
            "build": "1.4",
            "channel": "beta",
            "plan": "100@1h",
            **kwargs,
        }
        with pytest.raises(ReleaseInputError) as info:
            service.create(**args)
        assert info.value.field == field
    with pytest.raises(UnknownRelease):
        service.start(999, "ann")


def test_one_open_release_per_product_and_channel(service: ReleaseService) -> None:
    a = service.create("phone", "1.3", "beta", "100@1h", previous_build="1.2")
    b = service.create("phone", "1.4", "beta", "100@1h", previous_build="1.3")
    service.start(a.id, "ann")
    with pytest.raises(ReleaseRefused, match=f"release {a.id} .* is still rolling_out"):
        service.start(b.id, "ann")
    assert service.get(b.id).state is S.DRAFT
    service.rollback(a.id, "ann", "bad")
    assert service.start(b.id, "ann").state is S.ROLLING_OUT


def test_halt_offers_no_new_device_and_resume_reaches_the_same_first(
    service: ReleaseService, clock: Clock
) -> None:
    release = service.create("phone", "1.3", "beta", "10,50,100@1d", previous_build="1.2")
    assert _offered(service) == set()  # a draft offers nothing
    service.start(release.id, "ann")
    first = _offered(service)
    assert 0.07 < len(first) / len(DEVICES) < 0.13
    # The same answer each time: deterministic.
    assert _offered(service) == first
    installed = set(sorted(first)[: len(first) // 2])  # half of them took the build

    service.apply_decision(release.id, Decision.HALT, "gate:crashes", "crash rate up 3x")
    assert _offered(service) == set()  # no new device
    for device in installed:  # who has it keeps it
        answer = service.update_check(device, "m1", "1.3", "beta", "NL")
        assert answer.action is UpdateAction.STAY
    halted = service.update_check(sorted(first)[-1], "m1", "1.2", "beta", "NL")
    assert halted.reason is UpdateReason.HALTED

    clock.pass_(timedelta(hours=5))
    service.resume(release.id, "ann", "crash fixed server-side")
    assert _offered(service) == first  # the same devices first
    clock.pass_(timedelta(days=1))
    service.advance(release.id, "ann")
    wider = _offered(service)
    assert first < wider


def test_rollback_offers_the_previous_build(service: ReleaseService) -> None:
    release = service.create("phone", "1.3", "beta", "100@1d", previous_build="1.2")
    service.start(release.id, "ann")
    assert len(_offered(service)) == len(DEVICES)
    service.rollback(release.id, "ann", "data loss on upgrade")
    back = service.update_check("device-00001", "m1", "1.3", "beta", "NL")
    assert (back.action, back.build, back.reason) == (
        UpdateAction.ROLLBACK,
        "1.2",
        UpdateReason.ROLLED_BACK,
    )
    assert _offered(service) == set()


def test_gate_decisions_and_due_checks(service: ReleaseService, clock: Clock) -> None:
    release = service.create("phone", "1.3", "beta", "app-store-7-day", previous_build="1.2")
    service.start(release.id, "ann")
    assert service.due_checks() == []
    with pytest.raises(ReleaseRefused, match="lasts at least until"):
        service.apply_decision(release.id, "advance", "gate:crashes", "looks fine")
    clock.pass_(timedelta(days=1))
    due = service.due_checks()
    assert [d.release.id for d in due] == [release.id]
    assert due[0].stage.percent == 1 and due[0].dwell_ended_at == clock.now
    held = service.apply_decision(
        release.id, Decision.HOLD, "gate:crashes", "too little exposure", {"device_days": 40}
    )
    assert held.stage == 0
    moved = service.apply_decision(release.id, "advance", "gate:crashes", "crash rate flat")
    assert moved.stage == 1 and service.due_checks() == []
    with pytest.raises(ReleaseInputError, match="'promote' is not one of advance, hold, halt"):
        service.apply_decision(release.id, "promote", "gate:x", "?")
    with pytest.raises(ReleaseInputError, match="a halt needs a reason"):
        service.apply_decision(release.id, Decision.HALT, "gate:x", " ")
    events = service.status(release.id).events
    hold = next(e for e in events if e.action == "hold")
    assert hold.actor == "gate:crashes" and hold.details == {"device_days": 40}
    assert events[-1].actor == "gate:crashes" and events[-1].reason == "crash rate flat"


def test_a_change_made_elsewhere_is_seen_by_the_update_check(store: Store, clock: Clock) -> None:
    server = ReleaseService(store, clock=clock, default_product="phone", cache_seconds=0)
    cli = ReleaseService(store, clock=clock, default_product="phone")
    release = cli.create("phone", "1.3", "beta", "100@1d", previous_build="1.2")
    cli.start(release.id, "ann")
    assert server.update_check("d1", "m1", "1.2", "beta").action is UpdateAction.UPDATE
    cli.pause(release.id, "ann")
    assert server.update_check("d1", "m1", "1.2", "beta").action is UpdateAction.NONE
    with pytest.raises(ReleaseInputError, match="channel"):
        server.update_check("d1", "m1", "1.2", "nightly")
    with pytest.raises(ReleaseInputError, match="device"):
        server.update_check("", "m1", "1.2", "beta")


def test_the_cached_check_answers_only_from_a_fresh_copy(store: Store, clock: Clock) -> None:
    service = ReleaseService(store, clock=clock, default_product="phone", cache_seconds=60)
    release = service.create("phone", "1.3", "beta", "100@1d", previous_build="1.2")
    service.start(release.id, "ann")  # a write empties the copy
    assert service.cached_update_check("d1", "m1", "1.2", "beta") is None
    loaded = service.update_check("d1", "m1", "1.2", "beta")
    assert service.cached_update_check("d1", "m1", "1.2", "beta") == loaded
    assert loaded.action is UpdateAction.UPDATE
    with pytest.raises(ReleaseInputError, match="channel"):
        service.cached_update_check("d1", "m1", "1.2", "nightly")


def test_a_stale_decision_changes_nothing(store: Store, service: ReleaseService) -> None:
    release = service.create("phone", "1.3", "beta", "100@1d", previous_build="1.2")
    service.start(release.id, "ann")
    with store.write() as conn:  # another decider read the draft before the start
        assert (
            store.releases.move(conn, release, S.ROLLED_BACK, 0, None, release.created_at) is None
        )
    assert service.get(release.id).state is S.ROLLING_OUT


def test_gate_details_are_kept_as_plain_json(service: ReleaseService, clock: Clock) -> None:
    release = service.create("phone", "1.3", "beta", "1,100@1h", previous_build="1.2")
    service.start(release.id, "ann")
    details = {"ratio": np.float64(2.5), "crashes": np.int64(30), "rates": np.array([0.1, 0.2])}
    service.apply_decision(release.id, "halt", "gate:crashes", "crash rate up", details)
    event = service.status(release.id).events[-1]
    assert event.details == {"ratio": 2.5, "crashes": 30, "rates": [0.1, 0.2]}
    with pytest.raises(ReleaseInputError, match="actor"):
        service.resume(release.id, "x" * 201)
    assert service.get(release.id).state is S.HALTED


def _utc(at: datetime) -> datetime:
    """Either store may hand a time back with or without its UTC zone."""
    return at.replace(tzinfo=None) if at.tzinfo else at
