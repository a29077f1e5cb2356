"""Releases for the console tests: a rolling-out release, and gate checks with made-up counts
(the gates' real decisions and details, as the health-check job would log them)."""

from __future__ import annotations

from userloop.domain.release import Release
from userloop.release import gates
from userloop.release.service import ReleaseService

PLAN = "1,5,20,100@1d/200"


def rolling(service: ReleaseService, build: str = "2.1", product: str = "phone") -> Release:
    release = service.create(
        product, build, "beta", PLAN, previous_build="2.0", models=["m1"], actor="ops"
    )
    return service.start(release.id, "ops")


def gate_checks(service: ReleaseService, release_id: int) -> None:
    """Two gate checks that hold: the crash rate leans worse on the second (9 crashes in 500
    device-days against 250 in 50,000: a ratio of 3.6)."""
    base = gates.CohortCounts(device_days=20000, crashes=100, feedback=400, negative=100, returns=4)
    snapshots = [
        gates.Snapshot(
            gates.CohortCounts(device_days=200, crashes=2, feedback=5, negative=1), base
        ),
        gates.Snapshot(
            gates.CohortCounts(device_days=500, crashes=9, feedback=12, negative=4, returns=1),
            gates.CohortCounts(
                device_days=50000, crashes=250, feedback=1000, negative=250, returns=10
            ),
        ),
    ]
    progress = gates.StageProgress(hours_in_stage=2, dwell_hours=24)
    for i in range(len(snapshots)):
        decision = gates.evaluate(snapshots[: i + 1], progress)
        assert decision.outcome is gates.Outcome.HOLD
        service.apply_decision(
            release_id, "hold", "gate:health", decision.sentence, decision.details()
        )
