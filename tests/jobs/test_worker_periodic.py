"""The worker's timer jobs (the release gate checks): run once their period has passed while
the queue is idle, not before, and a failing one stops nothing."""

from __future__ import annotations

import time

import pytest

from tests.jobs.test_worker import FakeTriage
from userloop.jobs.worker import Worker


def test_a_timer_job_runs_once_per_period_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    runs: list[float] = []

    def failing() -> None:
        raise RuntimeError("no database")

    w = Worker(
        FakeTriage(backlog=5),
        batch_size=10,
        poll_seconds=1,
        recluster_minutes=0,
        periodic=[(300.0, failing), (300.0, lambda: runs.append(now[0]))],
    )
    assert w.step() == 5  # busy: timers wait
    now[0] += 299
    w.step()
    assert runs == []
    now[0] += 1
    w.step()
    w.step()
    assert runs == [1300.0]
    now[0] += 300
    w.step()
    assert runs == [1300.0, 1600.0]
