"""The gate checks' job: every `interval` during a stage, judge each rolling-out release with the
health gates and apply the outcome through `ReleaseService.apply_decision`.

A check (docs/releases.md, "Gate checks in the job"):

1. is due when `interval` has passed since the release's last gate check or the start of its
   stage (whichever is later), or when the stage's dwell has ended and no check has run since;
2. measures both cohorts since the series began (`MetricsSource`, cumulative counts);
3. rebuilds the sequential tests' state from the snapshots stored in the decision log (each
   check logs its snapshot in the event's details), folds the new snapshot in and decides;
4. applies it: halt with the reason (metric, numbers, threshold), advance when the dwell and
   the exposure are met and no metric is under suspicion, hold otherwise (logged as well, so
   the release page can chart every check).

The series begins when the release starts and again when staff resume it after a halt: they
have judged what halted it, so the data before is not held against the build twice. Counts are
cumulative and never allowed to go down (a late correction of the install base that lowers a
day's counts is ignored rather than breaking the tests' arithmetic).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from userloop.domain.release import Release, ReleaseEvent, ReleaseState
from userloop.release import gates
from userloop.release.errors import ReleaseError
from userloop.release.health import MetricsSource
from userloop.release.service import Decision, ReleaseService

log = logging.getLogger(__name__)

ACTOR = "gate:health"


@dataclass(frozen=True)
class CheckConfig:
    interval: timedelta = timedelta(hours=6)
    gate: gates.GateConfig = field(default_factory=gates.GateConfig)

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("the check interval must be positive")


@dataclass(frozen=True)
class CheckResult:
    """One check: the release after it, the gates' decision, and the applied outcome (None
    when the service refused it, e.g. the release changed meanwhile)."""

    release: Release
    decision: gates.GateDecision
    applied: Decision | None
    baseline_build: str | None
    at: datetime

    def record(self) -> dict[str, Any]:
        return {
            "release": self.release.id,
            "build": self.release.build,
            "baseline_build": self.baseline_build,
            "at": self.at.isoformat(),
            "outcome": self.applied.value if self.applied else None,
            "state": self.release.state.value,
            "stage": self.release.stage + 1,
            "percent": self.release.percent,
            "reason": self.decision.sentence,
        }


class ReleaseChecks:
    def __init__(
        self, releases: ReleaseService, metrics: MetricsSource, config: CheckConfig | None = None
    ) -> None:
        self.releases = releases
        self.metrics = metrics
        self.config = config or CheckConfig()

    def run_due_checks(self, now: datetime | None = None) -> list[CheckResult]:
        """Check every rolling-out release whose check is due at `now` (default: the release
        service's clock, which also times the changes)."""
        now = now or self.releases.clock()
        results = []
        for release in self.releases.list(state=ReleaseState.ROLLING_OUT, limit=10_000):
            events = self.releases.status(release.id).events
            if self.is_due(release, events, now):
                result = self._check(release, events, now)
                if result is not None:
                    results.append(result)
        return results

    def check(self, release_id: int, now: datetime | None = None) -> CheckResult | None:
        """Check one release now, due or not (`userloop release check --release`); None when
        it is not rolling out."""
        now = now or self.releases.clock()
        status = self.releases.status(release_id)
        if status.release.state is not ReleaseState.ROLLING_OUT:
            return None
        return self._check(status.release, status.events, now)

    def is_due(self, release: Release, events: Sequence[ReleaseEvent], now: datetime) -> bool:
        if release.state is not ReleaseState.ROLLING_OUT or release.stage_started_at is None:
            return False
        checks = [e.at for e in events if e.actor == ACTOR]
        last = max([release.stage_started_at, *checks])
        if now - last >= self.config.interval:
            return True
        ends = release.dwell_ends_at()
        return ends is not None and ends <= now and last < ends

    def _check(
        self, release: Release, events: Sequence[ReleaseEvent], now: datetime
    ) -> CheckResult | None:
        begun = series_start(events)
        if begun is None or release.stage_started_at is None:
            return None
        state = gates.GateState()
        for snapshot in stored_snapshots(events, begun):
            state = gates.update(state, snapshot, self.config.gate)
        measured = self.metrics.measure(release, begun, now)
        snapshot = at_least(measured.snapshot, state.last)
        state = gates.update(state, snapshot, self.config.gate)
        stage = release.current_stage
        in_stage = self.metrics.new_device_days(release, release.stage_started_at, now)
        progress = gates.StageProgress(
            hours_in_stage=round((now - release.stage_started_at).total_seconds() / 3600, 2),
            dwell_hours=stage.min_dwell.total_seconds() / 3600,
            device_days_in_stage=in_stage,
            min_device_days=float(stage.min_exposure),
        )
        decision = gates.decide(state, progress, self.config.gate)
        details = {**decision.details(), "baseline_build": measured.baseline_build}
        outcome = Decision(decision.outcome.value)
        try:
            after = self.releases.apply_decision(
                release.id, outcome, ACTOR, decision.sentence, details
            )
        except ReleaseError as exc:  # changed meanwhile, or the dwell by the service's clock
            log.warning("release %s: gate decision %s not applied: %s", release.id, outcome, exc)
            return CheckResult(release, decision, None, measured.baseline_build, now)
        return CheckResult(after, decision, outcome, measured.baseline_build, now)


def series_start(events: Sequence[ReleaseEvent]) -> datetime | None:
    """When the gates' series began: the start, or the latest resume after a halt."""
    begun = None
    for event in events:
        if event.action == "start" or (
            event.action == "resume" and event.from_state is ReleaseState.HALTED
        ):
            begun = event.at
    return begun


def stored_snapshots(events: Sequence[ReleaseEvent], since: datetime) -> list[gates.Snapshot]:
    """The snapshots of the series' earlier checks, oldest first."""
    out = []
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        snapshot = event.details.get("snapshot") if event.actor == ACTOR else None
        if event.at >= since and isinstance(snapshot, dict):
            out.append(gates.Snapshot.from_dict(snapshot))
    return out


def at_least(now: gates.Snapshot, last: gates.Snapshot) -> gates.Snapshot:
    """`now`, with each count raised to the last check's where it went down."""

    def up(a: gates.CohortCounts, b: gates.CohortCounts) -> gates.CohortCounts:
        return gates.CohortCounts(
            device_days=max(a.device_days, b.device_days),
            crashes=max(a.crashes, b.crashes),
            feedback=max(a.feedback, b.feedback),
            negative=max(a.negative, b.negative),
            returns=max(a.returns, b.returns),
        )

    topics = {
        topic: (
            max(now.topics.get(topic, (0, 0))[0], last.topics.get(topic, (0, 0))[0]),
            max(now.topics.get(topic, (0, 0))[1], last.topics.get(topic, (0, 0))[1]),
        )
        for topic in set(now.topics) | set(last.topics)
    }
    return gates.Snapshot(up(now.new, last.new), up(now.base, last.base), topics)
