"""Where the health gates' counts come from: the store (install base, triaged feedback, returns,
emerging flags), for a release's new build and its baseline over the same window.

What is counted (docs/releases.md, "Gate checks in the job"):

- **cohorts**: the new build, and the baseline: the release's `previous_build`, or when it names
  none the build with the most device-days on the release's channel in the window. Both on the
  release's channel, models and regions (all models and regions when it names none), every
  segment: a beta channel that runs ahead, with its keener users and its own crash rate, is
  not mixed into a stable release's comparison.
- **device-days and crashes**: the install base's daily aggregates, days from the window's
  first to its last (a day is counted whole, even when the window starts mid-day).
- **feedback**: triaged feedback items on the build created in the window (a return's reason
  text, stored as a feedback item, is not counted: it is a return). **Negative**: those whose
  triage sentiment (in [-1, 1]) is at or below `negative_at_or_below` (default -0.25: halfway
  between a neutral report and a two-star one). Kind is not used: a neutral bug report is
  counted by the crash rate, not as a complaint.
- **returns**: the install base's `returns` column (kept per channel, model, region and day,
  like the device-days it is divided by); when the product's install base reports no returns
  at all, the RMA records naming the build instead (they carry no channel, so they are counted
  on every channel). One source per product, so both cohorts are counted alike.
- **topics**: per topic, the distinct reporters (a report without a reporter counts as one)
  of the same feedback items, for the gates' emerging-issue test (`topic_gate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from userloop.domain.release import Release
from userloop.release.gates import CohortCounts, Snapshot
from userloop.store import Store
from userloop.store.queries.release_health import Cohort, ReleaseHealthQueries

DEFAULT_NEGATIVE_AT_OR_BELOW = -0.25


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one check sees, and which build it was compared with."""

    snapshot: Snapshot
    baseline_build: str | None  # None: no baseline found (the baseline's counts are zero)


class MetricsSource(Protocol):
    """Counts for a release's gates over [since, until); tests may pass their own."""

    def measure(self, release: Release, since: datetime, until: datetime) -> Measurement: ...

    def new_device_days(self, release: Release, since: datetime, until: datetime) -> float: ...


class StoreMetrics:
    def __init__(
        self, store: Store, negative_at_or_below: float = DEFAULT_NEGATIVE_AT_OR_BELOW
    ) -> None:
        self.store = store
        self.negative_at_or_below = negative_at_or_below
        self.queries = ReleaseHealthQueries()

    def measure(self, release: Release, since: datetime, until: datetime) -> Measurement:
        first, last = since.date(), until.date()
        q = self.queries
        with self.store.read() as conn:
            baseline = release.previous_build or q.busiest_build(
                conn, _cohort(release, release.build), first, last
            )
            rma = not q.has_install_returns(conn, release.product)
            counts = []
            topics: list[dict[int, int]] = []
            for build in (release.build, baseline):
                if build is None:
                    counts.append(CohortCounts(device_days=0.0))
                    topics.append({})
                    continue
                cohort = _cohort(release, build)
                base = q.install(conn, cohort, first, last)
                said = q.feedback(conn, cohort, since, until, self.negative_at_or_below)
                topics.append(q.topic_reporters(conn, cohort, since, until))
                back = q.return_records(conn, cohort, first, last) if rma else base.returns
                counts.append(
                    CohortCounts(
                        device_days=float(base.device_days),
                        crashes=base.crashes,
                        feedback=said.feedback,
                        negative=said.negative,
                        returns=back,
                    )
                )
        on_new, on_base = topics
        per_topic = {t: (on_new.get(t, 0), on_base.get(t, 0)) for t in set(on_new) | set(on_base)}
        return Measurement(Snapshot(counts[0], counts[1], per_topic), baseline)

    def new_device_days(self, release: Release, since: datetime, until: datetime) -> float:
        """The new build's device-days in the window (a stage's exposure)."""
        with self.store.read() as conn:
            found = self.queries.install(
                conn, _cohort(release, release.build), since.date(), until.date()
            )
        return float(found.device_days)


def _cohort(release: Release, build: str) -> Cohort:
    """`build` on the release's product, channel, models and regions (none named: all)."""
    return Cohort(
        release.product,
        build,
        release.channel.value,
        sorted(release.models) or None,
        sorted(release.regions) or None,
    )
