"""The gates' emerging-issue test: has some topic risen on the new build against the baseline?
Pure: cumulative reporter counts per topic in, log likelihood ratios and readings out (the maths
in words: docs/releases.md, "Emerging issues in the gates").

Each topic is its own ratio-of-two-Poisson-rates test, the same arithmetic as the crash rate's
(`gate_stats.poisson_ratio_step`): its distinct reporters on each cohort per device-day, batch
by batch, against alternatives ×2, ×4, … ×256 (a new problem has no baseline at all, so the
alternatives reach far). Each topic's mixture likelihood ratio is an always-valid e-value.

How many topics there will be is not known in advance, so the gates' share of the false-alarm
budget for topics, α_t, is spread over them in the order they are first reported on the new
build (ties by topic id): the k-th topic gets α_t / (k (k + 1)). Those shares sum to α_t over
any number of topics, so the chance that any topic of a good build ever crosses its threshold
stays at most α_t however often the gates look. The price falls on late topics (the 30th needs
a likelihood ratio of 930 / α_t) and is small next to the evidence one new problem brings:
each reporter of a topic the baseline never shows multiplies the ratio by about
(new build's share of the device-days)⁻¹.

Why not the emerging-issues job's flags: that detector answers "which topics rose on this
build?" once per look with a fixed-sample test (Benjamini–Hochberg over all topics), which is
right for a page a person reads and wrong for a gate that looks every six hours for a week:
repeated looks at a fixed-sample test find a "rise" in an ordinary topic sooner or later.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from userloop.release import gate_stats
from userloop.release.gate_stats import FloatArray

# (1 + mdd)^s for these s: with the default mdd 1.0, rates ×2 up to ×256.
TOPIC_POWERS: tuple[float, ...] = tuple(float(s) for s in range(1, 9))

TopicCounts = Mapping[int, tuple[int, int]]  # topic id -> (reporters on new, on baseline)


def topic_alpha(alpha: float, rank: int) -> float:
    """The false-alarm budget of the `rank`-th watched topic (1-based)."""
    if rank < 1:
        raise ValueError("topic ranks start at 1")
    return alpha / (rank * (rank + 1))


def topic_grid(mdd: float, tolerance: float = 0.0) -> FloatArray:
    return gate_stats.alternatives(1.0 + tolerance, mdd, TOPIC_POWERS)


@dataclass(frozen=True)
class TopicState:
    """Per topic, log L(alternative)/L(null); `order` the watched topics by first report on the
    new build (their rank is their place in it, from 1)."""

    log_lr: Mapping[int, FloatArray]
    order: tuple[int, ...] = ()


EMPTY = TopicState(log_lr={})


def update_topics(
    state: TopicState,
    last: TopicCounts,
    now: TopicCounts,
    new_exposure: float,
    base_exposure: float,
    grid: FloatArray,
    null: float,
) -> TopicState:
    """Fold one batch in: the counts' differences since `last`, over the batch's device-days
    (`new_exposure`, `base_exposure`). A topic whose count went down (merged into another, or
    a report moved) adds nothing for that cohort rather than undoing evidence."""
    log_lr = dict(state.log_lr)
    order = list(state.order)
    watched = set(order)
    fresh = []
    for topic in sorted(set(last) | set(now)):
        n1, b1 = now.get(topic, (0, 0))
        n0, b0 = last.get(topic, (0, 0))
        step = gate_stats.poisson_ratio_step(
            max(n1 - n0, 0), max(b1 - b0, 0), new_exposure, base_exposure, grid, null
        )
        log_lr[topic] = log_lr.get(topic, np.zeros(len(grid))) + step
        if n1 > 0 and topic not in watched:
            fresh.append(topic)
    return TopicState(log_lr, tuple(order + fresh))


@dataclass(frozen=True)
class TopicReading:
    topic_id: int
    rank: int
    new_reporters: int
    new_exposure: float
    base_reporters: int
    base_exposure: float
    statistic: float  # Λ of the topic's mixture
    threshold: float  # Λ that counts it as an emerging issue of the build
    alpha: float  # its false-alarm budget

    @property
    def metric(self) -> str:
        return "topic"

    @property
    def crossed(self) -> bool:
        return self.statistic >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": "topic",
            "topic_id": self.topic_id,
            "rank": self.rank,
            "new_events": self.new_reporters,
            "new_exposure": self.new_exposure,
            "base_events": self.base_reporters,
            "base_exposure": self.base_exposure,
            "new_rate": self.new_reporters / self.new_exposure if self.new_exposure else None,
            "base_rate": self.base_reporters / self.base_exposure if self.base_exposure else None,
            "statistic": self.statistic,
            "threshold": self.threshold,
            "alpha": self.alpha,
        }

    def sentence(self) -> str:
        new_rate = _per_thousand(self.new_reporters, self.new_exposure)
        base_rate = _per_thousand(self.base_reporters, self.base_exposure)
        return (
            f"Halt: emerging issue on the new build, topic #{self.topic_id}: "
            f"{self.new_reporters:g} reporters in {self.new_exposure:g} device-days "
            f"({new_rate} per 1,000) against {self.base_reporters:g} in "
            f"{self.base_exposure:g} ({base_rate}) on the baseline (evidence "
            f"{self.statistic:.3g} ≥ {self.threshold:.3g}, false-alarm rate {self.alpha:.2g})."
        )


def topic_readings(
    state: TopicState,
    counts: TopicCounts,
    new_exposure: float,
    base_exposure: float,
    alpha: float,
) -> list[TopicReading]:
    """The watched topics' readings, in rank order; `counts` and the exposures are the
    cumulative ones of the last check."""
    out = []
    for rank, topic in enumerate(state.order, start=1):
        log_lr = state.log_lr.get(topic)
        statistic = (
            math.exp(min(gate_stats.log_mixture(log_lr), 700.0)) if log_lr is not None else 1.0
        )
        budget = topic_alpha(alpha, rank)
        new, base = counts.get(topic, (0, 0))
        out.append(
            TopicReading(
                topic, rank, new, new_exposure, base, base_exposure, statistic, 1 / budget, budget
            )
        )
    return out


def reporters_needed(
    new_share: float, mdd: float, alpha: float, rank: int, most: int = 1000
) -> int | None:
    """How many reporters of a topic the baseline never shows make it cross its threshold
    when the new build holds `new_share` of the device-days (docs/releases.md's table). None:
    more than `most`."""
    if not 0 < new_share < 1:
        raise ValueError("the new build's share of device-days lies between 0 and 1")
    grid = topic_grid(mdd)
    one = gate_stats.poisson_ratio_step(1, 0, new_share, 1 - new_share, grid, 1.0)
    need = math.log(1 / topic_alpha(alpha, rank))
    for n in range(1, most + 1):
        if gate_stats.log_mixture(n * one) >= need:
            return n
    return None


def counts_from_json(data: Mapping[str, Any] | None) -> dict[int, tuple[int, int]]:
    """A snapshot's topic counts, read back from a decision log ({"12": [3, 40], ...})."""
    out: dict[int, tuple[int, int]] = {}
    for key, pair in (data or {}).items():
        new, base = pair
        out[int(key)] = (int(new), int(base))
    return out


def counts_to_json(counts: TopicCounts) -> dict[str, list[int]]:
    return {str(t): [int(n), int(b)] for t, (n, b) in sorted(counts.items())}


def _per_thousand(events: float, exposure: float) -> str:
    return f"{1000 * events / exposure:.3g}" if exposure else "n/a"
