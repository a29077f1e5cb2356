"""Emerging issues per build: which topics rose, or appeared, on a build against the earlier
builds. Pure: counts in, flags out, no I/O (the maths in words: docs/insight.md).

For a build B and a topic T, ``x_B`` is T's count on B (unique reporters) and ``x_prev`` its
count on the earlier builds pooled (all of them, or the last ``window`` of them); ``e_B`` and
``e_prev`` are the exposures of the same builds.

- **Exposure = active devices** (every compared build has install-base rows): reports are
  Poisson with rate λ·e, and under H0 "same rate" ``x_B ~ Binomial(x_B + x_prev,
  e_B / (e_B + e_prev))`` (the conditional test for two Poisson rates), one-sided (greater).
- **Exposure = feedback** (no install base for some compared build): T's share of each build's
  feedback, compared with Fisher's exact test on the 2×2 table (T / not T × B / earlier),
  one-sided (greater).

The p-values of all topics with a report on B form one family, corrected with
Benjamini–Hochberg at false discovery rate ``alpha``. A topic is flagged when its adjusted p is
at most ``alpha``, its rate on B is above the earlier one, and it has at least ``min_count``
reports on B — or, when it had none on any compared earlier build ("new on this build"), at
least ``min_new_count``. A rise must also hold against the *recent* builds: the same test,
uncorrected (it only removes flags), against the latest earlier builds whose exposure adds up
to ``recent`` times B's, so a topic that rose on an earlier build and stayed is flagged there
and not again. The score is ``-log10`` of the adjusted p (capped at 300).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from scipy.stats import binomtest, false_discovery_control, fisher_exact

POISSON_TEST = "conditional binomial test for two Poisson rates (one-sided)"
SHARE_TEST = "Fisher's exact test for two proportions (one-sided)"
MAX_SCORE = 300.0


@dataclass(frozen=True)
class EmergingConfig:
    alpha: float = 0.05  # false discovery rate per build (Benjamini–Hochberg)
    min_count: int = 3  # reports on the build for a rise to be flagged
    min_new_count: int = 5  # reports on the build for a topic new on it to be flagged
    window: int | None = None  # compare with the last `window` builds; None: all earlier
    # The rise must also hold against the most recent earlier builds whose exposure adds up to
    # at least this multiple of the build's own: what rose on an earlier build and stayed is
    # not emerging again. Half, so the test keeps its power after a small hotfix build.
    # None: the pooled test alone.
    recent: float | None = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must lie between 0 and 1")
        if self.min_count < 1 or self.min_new_count < 1:
            raise ValueError("the minimum counts must be at least 1")
        if self.window is not None and self.window < 1:
            raise ValueError("window must be at least 1 (or None for all earlier builds)")
        if self.recent is not None and not self.recent > 0:
            raise ValueError("recent must be positive (or None for the pooled test alone)")


@dataclass(frozen=True)
class BuildExposure:
    """One build, in release order: its feedback count and, when the install base covers it,
    its active devices (summed over the days and cells of the install base: device-days)."""

    build: str
    feedback: int
    active_devices: int | None = None


@dataclass(frozen=True)
class EmergingFlag:
    build: str
    topic_id: int
    reason: Literal["new", "rise"]
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)


def emerging(
    builds: Sequence[BuildExposure],
    counts: Mapping[tuple[str, int], int],
    config: EmergingConfig | None = None,
    only: str | None = None,
) -> list[EmergingFlag]:
    """Flags per build (all builds, or `only` that one), each build's flags best first.
    `builds` is in release order; `counts` maps (build, topic id) to the topic's count on that
    build. The first build has nothing to compare with and is never flagged."""
    config = config or EmergingConfig()
    by_build: dict[str, dict[int, int]] = {b.build: {} for b in builds}
    for (build, topic), n in counts.items():
        if n > 0 and build in by_build:
            by_build[build][topic] = by_build[build].get(topic, 0) + n
    flags: list[EmergingFlag] = []
    for index, current in enumerate(builds):
        if index == 0 or (only is not None and current.build != only):
            continue
        start = 0 if config.window is None else max(0, index - config.window)
        flags += _flags_for(current, builds[start:index], by_build, config)
    return flags


def _exposure(build: BuildExposure, devices: bool) -> int:
    return int(build.active_devices or 0) if devices else build.feedback


def _recent(
    earlier: Sequence[BuildExposure], e_b: int, devices: bool, share: float
) -> Sequence[BuildExposure]:
    """The most recent of `earlier` whose exposures add up to `share` times the build's own
    (all of them when they never do)."""
    total = 0
    for start in range(len(earlier) - 1, -1, -1):
        total += _exposure(earlier[start], devices)
        if total >= share * e_b:
            return earlier[start:]
    return earlier


def _rise_p(
    topics: Sequence[int],
    here: Mapping[int, int],
    before: Sequence[BuildExposure],
    by_build: Mapping[str, Mapping[int, int]],
    e_b: int,
    devices: bool,
) -> list[tuple[int, float]]:
    """Per topic: its count on `before` (pooled) and the one-sided p-value of its rise."""
    e_prev = sum(_exposure(b, devices) for b in before)
    out: list[tuple[int, float]] = []
    for topic in topics:
        x_b = here[topic]
        x_prev = sum(by_build[b.build].get(topic, 0) for b in before)
        if devices:
            p = binomtest(x_b, x_b + x_prev, e_b / (e_b + e_prev), alternative="greater").pvalue
        else:
            table = [[x_b, max(e_b - x_b, 0)], [x_prev, max(e_prev - x_prev, 0)]]
            p = fisher_exact(table, alternative="greater").pvalue
        out.append((x_prev, min(1.0, float(p))))
    return out


def _flags_for(
    current: BuildExposure,
    earlier: Sequence[BuildExposure],
    by_build: Mapping[str, Mapping[int, int]],
    config: EmergingConfig,
) -> list[EmergingFlag]:
    devices = all(b.active_devices for b in (current, *earlier))
    e_b = _exposure(current, devices)
    e_prev = sum(_exposure(b, devices) for b in earlier)
    if e_b <= 0 or e_prev <= 0:
        return []
    here = by_build[current.build]
    topics = sorted(t for t, n in here.items() if n > 0)
    if not topics:
        return []
    tested = _rise_p(topics, here, earlier, by_build, e_b, devices)
    adjusted = false_discovery_control([p for _, p in tested], method="bh")
    # The same test against the recent baseline (when it is not `earlier`). It only ever
    # removes a discovery of the pooled test, so it needs no correction of its own.
    recent = earlier if config.recent is None else _recent(earlier, e_b, devices, config.recent)
    e_recent = sum(_exposure(b, devices) for b in recent)
    against_recent = (
        tested
        if len(recent) == len(earlier)
        else _rise_p(topics, here, recent, by_build, e_b, devices)
    )
    flags: list[EmergingFlag] = []
    for k, topic in enumerate(topics):
        x_b = here[topic]
        x_prev, p = tested[k]
        x_recent, p_recent = against_recent[k]
        p_adj = float(adjusted[k])
        rate_b, rate_prev = x_b / e_b, x_prev / e_prev
        new = x_prev == 0
        floor = config.min_new_count if new else config.min_count
        if p_adj > config.alpha or x_b < floor or rate_b <= rate_prev:
            continue
        if not new and (p_recent > config.alpha or rate_b <= x_recent / e_recent):
            continue  # it rose on an earlier build and stayed: not new on this one
        score = min(MAX_SCORE, -math.log10(p_adj)) if p_adj > 0 else MAX_SCORE
        evidence = {
            "test": POISSON_TEST if devices else SHARE_TEST,
            "exposure": "active_devices" if devices else "feedback",
            "count": x_b,
            "count_before": x_prev,
            "exposure_build": e_b,
            "exposure_before": e_prev,
            "rate": rate_b,
            "rate_before": rate_prev,
            "ratio": (rate_b / rate_prev) if rate_prev > 0 else None,
            "p": p,
            "p_adjusted": p_adj,
            "alpha": config.alpha,
            "topics_tested": len(tested),
            "builds_before": [b.build for b in earlier],
            "recent": {
                "builds": [b.build for b in recent],
                "count": x_recent,
                "exposure": e_recent,
                "rate": x_recent / e_recent,
                "p": p_recent,
            },
        }
        reason: Literal["new", "rise"] = "new" if new else "rise"
        flags.append(EmergingFlag(current.build, topic, reason, round(score, 3), evidence))
    flags.sort(key=lambda f: (-f.score, f.topic_id))
    return flags
