"""The worker loop: batches while there is work, re-clustering on schedule when idle, and a
failing batch neither kills the loop nor spins it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from userloop.jobs import worker as worker_module
from userloop.jobs.worker import Worker


@dataclass
class Report:
    merged: list[tuple[int, int]] = field(default_factory=list)
    split: list[tuple[int, int]] = field(default_factory=list)


class FakeTriage:
    """Hands out `backlog` items in batches; counts re-clusterings."""

    def __init__(self, backlog: int = 0, fail: int = 0) -> None:
        self.backlog = backlog
        self.fail = fail  # how many calls raise before the batches work
        self.batches: list[int] = []
        self.reclusters = 0

    def run_once(self, batch_size: int) -> int:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("database went away")
        done = min(batch_size, self.backlog)
        self.backlog -= done
        self.batches.append(done)
        return done

    def recluster(self) -> Report:
        self.reclusters += 1
        return Report(merged=[(2, 1)])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(time, "monotonic", c)  # what the worker measures intervals with
    return c


def make(triage: FakeTriage, recluster_minutes: float = 10) -> Worker:
    return Worker(triage, batch_size=3, poll_seconds=0.01, recluster_minutes=recluster_minutes)


def test_step_triages_one_batch_of_the_configured_size(clock: Clock) -> None:
    triage = FakeTriage(backlog=7)
    w = make(triage)
    assert [w.step(), w.step(), w.step(), w.step()] == [3, 3, 1, 0]
    assert triage.batches == [3, 3, 1, 0]


def test_recluster_runs_when_idle_and_the_interval_has_passed(clock: Clock) -> None:
    triage = FakeTriage(backlog=3)
    w = make(triage, recluster_minutes=10)
    clock.now += 10 * 60
    assert w.step() == 3
    assert triage.reclusters == 0  # never while there is work
    w.step()
    assert triage.reclusters == 1
    w.step()
    assert triage.reclusters == 1  # the interval starts again
    clock.now += 10 * 60 - 1
    w.step()
    assert triage.reclusters == 1
    clock.now += 1
    w.step()
    assert triage.reclusters == 2


def test_a_zero_interval_turns_reclustering_off(clock: Clock) -> None:
    triage = FakeTriage()
    w = make(triage, recluster_minutes=0)
    clock.now += 365 * 24 * 3600
    w.step()
    assert triage.reclusters == 0


def test_a_failing_batch_is_logged_and_retried_after_a_pause(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    triage = FakeTriage(backlog=4, fail=2)
    w = make(triage)
    waits: list[float] = []

    def wait(timeout: float | None = None) -> bool:
        assert timeout is not None
        waits.append(timeout)
        if triage.backlog == 0:
            w.stop_event.set()
        return w.stop_event.is_set()

    w.stop_event.wait = wait  # type: ignore[method-assign]
    with caplog.at_level("ERROR", logger=worker_module.__name__):
        w.run_forever()
    assert triage.batches == [3, 1, 0]
    assert triage.backlog == 0
    # Each failure pauses five polls (and, having done nothing, one more poll); then an idle
    # poll stops the loop. Batches that did work go on at once.
    assert waits == pytest.approx([0.05, 0.01, 0.05, 0.01, 0.01])
    assert caplog.text.count("triage batch failed") == 2


def test_the_thread_stops_when_asked() -> None:
    triage = FakeTriage(backlog=5)
    w = make(triage)
    thread = w.start_thread()
    assert thread.name == "userloop-worker" and thread.daemon
    for _ in range(500):
        if triage.backlog == 0:
            break
        time.sleep(0.01)
    w.stop(timeout=5)
    assert not thread.is_alive()
    assert triage.backlog == 0


def test_jobs_after_triage_run_once_the_queue_is_drained(clock: Clock) -> None:
    triage = FakeTriage(backlog=7)
    runs: list[str] = []

    def broken() -> None:
        runs.append("broken")
        raise RuntimeError("store went away")

    w = Worker(
        triage,
        batch_size=3,
        poll_seconds=0.01,
        recluster_minutes=0,
        after_triage=(broken, lambda: runs.append("priorities")),
    )
    assert [w.step(), w.step()] == [3, 3]
    assert runs == []  # not while there is work
    assert [w.step(), w.step()] == [1, 0]
    assert runs == ["broken", "priorities"]  # a failing job does not stop the next
    assert w.step() == 0
    assert runs == ["broken", "priorities"]  # nothing new: nothing to recompute
    triage.backlog = 1
    assert [w.step(), w.step()] == [1, 0]
    assert runs == ["broken", "priorities"] * 2


def test_a_recluster_that_changed_topics_runs_the_jobs_too(clock: Clock) -> None:
    triage = FakeTriage(backlog=0)
    runs: list[int] = []
    w = Worker(
        triage,
        batch_size=3,
        poll_seconds=0.01,
        recluster_minutes=10,
        after_triage=(lambda: runs.append(1),),
    )
    clock.now += 10 * 60
    assert w.step() == 0
    assert triage.reclusters == 1 and runs == [1]
