"""The worker: triage new feedback as it arrives, refresh topic summaries, re-cluster on a
schedule, and once a burst of feedback is triaged run the jobs that read topics (emerging
issues, priorities). Runs as `userloop worker`, or as a thread inside `userloop serve`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence, Sized
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class ReclusterOutcome(Protocol):
    @property
    def merged(self) -> Sized: ...

    @property
    def split(self) -> Sized: ...


class TriageJobs(Protocol):
    """What the worker drives: the triage service (``userloop.triage.service.Triage``)."""

    def run_once(self, batch_size: int) -> int: ...

    def recluster(self) -> ReclusterOutcome: ...


@dataclass
class _Timer:
    seconds: float
    job: Callable[[], object]
    last: float


class Worker:
    """Takes the triage service and its three timings: the caller reads them from the
    settings (``triage_batch_size``, ``worker_poll_seconds``, ``recluster_interval_minutes``).
    `after_triage`: jobs run once the queue is empty after some items were triaged or topics
    re-clustered (not after every batch: a burst of imports recomputes once)."""

    def __init__(
        self,
        triage: TriageJobs,
        *,
        batch_size: int,
        poll_seconds: float,
        recluster_minutes: float,
        after_triage: Sequence[Callable[[], object]] = (),
        periodic: Sequence[tuple[float, Callable[[], object]]] = (),
    ) -> None:
        self.triage = triage
        self.after_triage = tuple(after_triage)
        # (seconds, job, last run): jobs on a timer (release gate checks); the first run waits
        # one period so a starting worker does not race the command that started it.
        self._periodic = [_Timer(float(s), job, time.monotonic()) for s, job in periodic]
        self._changed = False
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.recluster_seconds = recluster_minutes * 60
        self.stop_event = threading.Event()
        self._last_recluster = time.monotonic()
        self._thread: threading.Thread | None = None

    def step(self) -> int:
        """One unit of work; returns the number of items triaged."""
        done = self.triage.run_once(self.batch_size)
        if done:
            self._changed = True
        if (
            not done
            and self.recluster_seconds
            and time.monotonic() - self._last_recluster >= self.recluster_seconds
        ):
            report = self.triage.recluster()
            self._last_recluster = time.monotonic()
            if report.merged or report.split:
                self._changed = True
                log.info("recluster: %d merged, %d split", len(report.merged), len(report.split))
        if not done and self._changed:
            self._changed = False
            for job in self.after_triage:
                try:
                    job()
                except Exception:  # one failing job must not stop triage or the other jobs
                    log.exception("job after triage failed: %r", job)
        if not done:
            self._run_periodic()
        return done

    def _run_periodic(self) -> None:
        for timer in self._periodic:
            if time.monotonic() - timer.last < timer.seconds:
                continue
            timer.last = time.monotonic()
            try:
                timer.job()
            except Exception:  # a failing timer job must not stop triage
                log.exception("periodic job failed: %r", timer.job)

    def run_forever(self) -> None:
        while not self.stop_event.is_set():
            try:
                done = self.step()
            except Exception:  # keep the loop alive; the batch was rolled back as a whole
                log.exception("triage batch failed; retrying after a pause")
                done = 0
                self.stop_event.wait(self.poll_seconds * 5)
            if not done:
                self.stop_event.wait(self.poll_seconds)

    def start_thread(self) -> threading.Thread:
        self._thread = threading.Thread(
            target=self.run_forever, name="userloop-worker", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 30) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout)
