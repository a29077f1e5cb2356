"""The gate checks' job (release/checks.py) with the store's counts (release/health.py) on both
stores: a bad build is halted with a reason naming the metric, a good one advances stage by
stage, checks run every interval during a stage, and each check rebuilds the tests' state from
the decision log."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.domain.release import Release, ReleaseState
from userloop.intake.service import IntakeService
from userloop.release import gates
from userloop.release.checks import ACTOR, CheckConfig, ReleaseChecks
from userloop.release.health import Measurement, StoreMetrics
from userloop.release.service import ReleaseService
from userloop.store import Store

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _day(
    intake: IntakeService, day: date, build: str, channel: str, devices: int, crashes: int
) -> None:
    intake.submit_install_base(
        [
            {
                "product": "phone",
                "day": day.isoformat(),
                "model": "m1",
                "build": build,
                "channel": channel,
                "region": "NL",
                "active_devices": devices,
                "crashes": crashes,
            }
        ]
    )


def _so_far(now: datetime) -> tuple[date, int]:
    """The day being filled at `now` and how many quarters of it have passed: 6-hour steps
    fill the day's aggregate by quarters."""
    last = now - timedelta(seconds=1)
    return last.date(), last.hour // 6 + 1


def _world(store: Store, settings: Settings) -> tuple[ReleaseService, ReleaseChecks, Clock]:
    clock = Clock()
    releases = ReleaseService(store, clock=clock, default_product="phone")
    checks = ReleaseChecks(releases, StoreMetrics(store), CheckConfig(timedelta(hours=6)))
    return releases, checks, clock


def _gate_events(releases: ReleaseService, release_id: int) -> list[Any]:
    return [e for e in releases.status(release_id).events if e.actor == ACTOR]


def test_a_bad_build_in_the_store_is_halted_naming_the_metric(
    store: Store, settings: Settings
) -> None:
    intake = IntakeService(store, settings)
    releases, checks, clock = _world(store, settings)
    release = releases.create("phone", "1.3", "stable", "10,50,100@1d", previous_build="1.2")
    releases.start(release.id, "ann")
    halted = None
    for step in range(1, 12):
        clock.now = START + timedelta(hours=6 * step)
        today, part = _so_far(clock.now)
        _day(intake, today, "1.2", "stable", 2_500 * part, 12 * part)  # 0.5 % a day
        _day(intake, today, "1.3", "stable", 250 * part, 6 * part)  # 2.4 % a day
        done = checks.run_due_checks()
        if done and done[0].release.state is ReleaseState.HALTED:
            halted = done[0]
            break
    assert halted is not None, "a crash rate ×5 was never halted"
    assert halted.baseline_build == "1.2"
    assert "crash rate" in halted.decision.sentence and "≥" in halted.decision.sentence
    last = _gate_events(releases, release.id)[-1]
    assert last.action == "halt" and last.reason == halted.decision.sentence
    codes = {r["code"] for r in last.details["reasons"]}
    assert codes & {"degradation", "guard"}
    assert last.details["snapshot"]["new"]["crashes"] > 0
    # a halted release is no longer checked
    clock.now += timedelta(hours=6)
    assert checks.run_due_checks() == []


def test_a_good_build_advances_stage_by_stage_checked_every_interval(
    store: Store, settings: Settings
) -> None:
    intake = IntakeService(store, settings)
    releases, checks, clock = _world(store, settings)
    release = releases.create("phone", "1.3", "stable", "10,50,100@1d", previous_build="1.2")
    releases.start(release.id, "ann")
    for step in range(1, 16):
        clock.now = START + timedelta(hours=6 * step)
        day, part = _so_far(clock.now)
        _day(intake, day, "1.2", "stable", 5_000 * part, 25 * part)
        _day(intake, day, "1.3", "stable", 500 * part, 2 * part + (step % 2))
        checks.run_due_checks()
        # nothing more is due until the next interval
        assert checks.run_due_checks(clock.now + timedelta(hours=1)) == []
    after = releases.get(release.id)
    assert after.state is ReleaseState.COMPLETED
    events = _gate_events(releases, release.id)
    assert [e.action for e in events] == (["hold"] * 3 + ["advance"]) * 3
    assert all(e.details["outcome"] == e.action for e in events)
    hold = events[0]
    assert "Hold: 6 of 24 hours in this stage." in hold.reason
    gaps = {(b.at - a.at) for a, b in itertools.pairwise(events)}
    assert gaps == {timedelta(hours=6)}


class ListSource:
    """Counts given by the test: one cumulative snapshot per call."""

    def __init__(self, snapshots: list[gates.Snapshot]) -> None:
        self.snapshots = snapshots
        self.calls = 0

    def measure(self, release: Release, since: datetime, until: datetime) -> Measurement:
        self.calls += 1
        return Measurement(self.snapshots[self.calls - 1], "1.2")

    def new_device_days(self, release: Release, since: datetime, until: datetime) -> float:
        return 0.0


def _snapshots(n: int) -> list[gates.Snapshot]:
    out = []
    for i in range(1, n + 1):
        new = gates.CohortCounts(1000.0 * i, crashes=9 * i, feedback=4 * i, negative=2 * i)
        base = gates.CohortCounts(10_000.0 * i, crashes=50 * i, feedback=30 * i, negative=12 * i)
        out.append(gates.Snapshot(new, base))
    return out


def test_each_check_rebuilds_the_state_from_the_decision_log(store: Store) -> None:
    clock = Clock()
    releases = ReleaseService(store, clock=clock, default_product="phone")
    release = releases.create("phone", "1.3", "beta", "10,100@7d", previous_build="1.2")
    releases.start(release.id, "ann")
    snapshots = _snapshots(3)
    source = ListSource(snapshots)
    config = CheckConfig(timedelta(hours=6), gates.GateConfig(crash_guard=None))
    for step in range(1, 4):
        clock.now = START + timedelta(hours=6 * step)
        # a fresh job each time: nothing is remembered but the log
        ReleaseChecks(releases, source, config).run_due_checks()
    events = _gate_events(releases, release.id)
    assert len(events) == 3
    expected = gates.evaluate(snapshots, gates.StageProgress(18, 168), config.gate)
    got = {r["metric"]: r["statistic"] for r in events[-1].details["readings"]}
    for reading in expected.readings:
        assert got[reading.metric] == pytest.approx(reading.statistic)
    assert events[-1].details["outcome"] == expected.outcome.value


def test_counts_that_go_down_are_held_at_the_last_check(store: Store) -> None:
    clock = Clock()
    releases = ReleaseService(store, clock=clock, default_product="phone")
    release = releases.create("phone", "1.3", "beta", "10,100@7d", previous_build="1.2")
    releases.start(release.id, "ann")
    first, second = _snapshots(2)
    lowered = gates.Snapshot(gates.CohortCounts(500.0), second.base)
    source = ListSource([first, lowered])
    checks = ReleaseChecks(releases, source, CheckConfig(timedelta(hours=6)))
    for step in (1, 2):
        clock.now = START + timedelta(hours=6 * step)
        assert checks.run_due_checks()
    last = _gate_events(releases, release.id)[-1].details["snapshot"]
    assert last["new"]["device_days"] == first.new.device_days
    assert last["base"]["device_days"] == second.base.device_days


def test_a_resume_after_a_halt_starts_a_new_series(store: Store) -> None:
    clock = Clock()
    releases = ReleaseService(store, clock=clock, default_product="phone")
    release = releases.create("phone", "1.3", "beta", "10,100@7d", previous_build="1.2")
    releases.start(release.id, "ann")
    clock.now += timedelta(hours=6)
    releases.halt(release.id, "ann", "looks bad")
    clock.now += timedelta(hours=1)
    releases.resume(release.id, "ann", "fixed server side")
    source = ListSource(_snapshots(1))
    checks = ReleaseChecks(releases, source, CheckConfig(timedelta(hours=6)))
    assert checks.run_due_checks(clock.now + timedelta(hours=5)) == []
    clock.now += timedelta(hours=6)
    (result,) = checks.run_due_checks()
    assert result.release.state is ReleaseState.ROLLING_OUT


def test_store_counts_triaged_feedback_and_its_negative_part(
    store: Store, settings: Settings
) -> None:
    triage = fake_triage(store, settings)
    intake = IntakeService(store, settings)
    day = START.date()
    _day(intake, day, "1.2", "stable", 10_000, 40)
    _day(intake, day, "1.3", "stable", 1_000, 9)
    at = (START + timedelta(hours=2)).isoformat()
    items = [
        {"text": f"Camera crash {i}", "build": "1.3", "model": "m1", "region": "NL",
         "channel": "stable", "rating": rating, "created_at": at, "external_id": f"n{i}",
         "product": "phone"}
        for i, rating in enumerate([1, 2, 3, 5, None])
    ] + [
        {"text": f"Battery drain {i}", "build": "1.2", "model": "m1", "region": "NL",
         "channel": "stable", "rating": 4, "created_at": at, "external_id": f"b{i}",
         "product": "phone"}
        for i in range(3)
    ]  # fmt: skip
    intake.submit_batch(items, default_source="app")
    triage.drain()
    releases = ReleaseService(store, clock=Clock(), default_product="phone")
    release = releases.create("phone", "1.3", "stable", "10,100@1d", models=["m1"], regions=["NL"])
    measured = StoreMetrics(store).measure(release, START, START + timedelta(hours=6))
    # no previous build named: the busiest other build on the same channel, models, regions
    assert measured.baseline_build == "1.2"
    new, base = measured.snapshot.new, measured.snapshot.base
    # ratings 1, 2 and none (the fake scores -0.5) are at or below -0.25
    assert (new.device_days, new.crashes, new.feedback, new.negative) == (1000.0, 9, 5, 3)
    assert (base.device_days, base.crashes, base.feedback, base.negative) == (10_000.0, 40, 3, 0)
    # per topic, distinct reporters of the same items (each anonymous item counts as one)
    topics = measured.snapshot.topics
    assert sum(n for n, _ in topics.values()) == 5 and sum(b for _, b in topics.values()) == 3
    later = StoreMetrics(store).measure(
        release, START + timedelta(hours=3), START + timedelta(hours=6)
    )
    assert later.snapshot.new.feedback == 0
