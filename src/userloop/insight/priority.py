"""Topic priority: a score per topic and the parts it is the product of. Pure: reports, votes
and the install base in, scores and parts out, no I/O (the maths and every weight in words:
docs/insight.md, "Priority").

    score = reach × severity × sentiment × segment × votes × trend × recency

- **reach**: the estimated affected share of the product's fleet, in percent (estimated
  affected devices ÷ active devices, `insight.propensity`); without an install base
  (counts-only mode), the topic's share of the window's unique reporters, in percent.
- **severity**: the weight of the topic's kind (the kind most of its reports have).
- **sentiment**: 1 + weight × how negative the reports are on average (0 for neutral or
  positive), so a very negative topic counts up to (1 + weight) times.
- **segment**: the mean weight of the topic's reporters (verified owner, experience, model,
  region, channel), each reporter weighted by the devices they stand for.
- **votes**: 1 + weight × support, where support = V ÷ (V + A) lies in [0, 1): ``V`` is the
  votes converted to devices like reports (each divided by its segment's propensity, so a vote
  from a segment that speaks up a lot is worth less) and ``A`` the estimated affected devices.
  Votes can at most multiply the reach by (1 + weight): they confirm a reach, never replace it.
- **trend**: growth (reporters in the last 7 days against the 7 before, or the rate on the
  topic's newest build against the builds before, whichever is larger; both with one added
  reporter so a first report is not infinite growth), capped at ``trend_cap`` either way and
  raised to ``trend_weight``.
- **recency**: 0.5 ** (days since the last report ÷ half-life).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from userloop.domain.enums import KINDS
from userloop.insight.propensity import (
    INTERVAL_METHOD,
    UNKNOWN,
    Cell,
    Propensities,
    affected,
    fit,
    mean_active_devices,
)

PARTS_VERSION = 1
TREND_DAYS = 7
# The share of a topic's estimated devices the named models, builds or regions must cover for
# the sentence to name them ("on Lumo 12"), and how many of each it names at most.
CONCENTRATION = 0.8
NAMED = {"model": 2, "build": 2, "region": 3}
MOSTLY = 0.6  # a segment with this share of the estimate is named ("mostly pro users")
OVER = 1.25  # ... when its share of the topic is this many times its share of the fleet
DIMENSIONS = ("model", "build", "channel", "region", "segment")

DEFAULT_KIND_WEIGHTS: dict[str, float] = {
    "bug": 1.0,
    "feature": 0.4,
    "question": 0.25,
    "other": 0.2,
    "praise": 0.05,
}
DEFAULT_SEGMENT_WEIGHTS: dict[str, dict[str, float]] = {
    "verified_owner": {"true": 1.0, "unknown": 0.8, "false": 0.5},
    "experience": {"novice": 1.0, "advanced": 1.0, "pro": 1.0, "unknown": 1.0},
    "channel": {"stable": 1.0, "beta": 0.9, "dev": 0.8},
    "model": {},
    "region": {},
}


@dataclass(frozen=True)
class PriorityConfig:
    kind_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    sentiment_weight: float = 1.0
    segment_weights: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_SEGMENT_WEIGHTS.items()}
    )
    votes_weight: float = 1.0
    trend_weight: float = 0.5
    trend_cap: float = 4.0
    recency_half_life_days: float = 14.0
    prior_strength: float = 5.0
    window_days: int = 28
    confidence: float = 0.95

    def __post_init__(self) -> None:
        unknown = set(self.segment_weights) - set(DEFAULT_SEGMENT_WEIGHTS)
        if unknown:
            raise ValueError(
                f"unknown segment attribute(s) {sorted(unknown)}; "
                f"known: {', '.join(DEFAULT_SEGMENT_WEIGHTS)}"
            )
        for name, weights in [("kind", self.kind_weights), *self.segment_weights.items()]:
            if any(w < 0 for w in weights.values()):
                raise ValueError(f"{name} weights must not be negative")
        if set(self.kind_weights) - set(KINDS):
            raise ValueError(f"kind weights name unknown kinds; known: {', '.join(KINDS)}")
        if self.sentiment_weight < 0 or self.votes_weight < 0 or self.trend_weight < 0:
            raise ValueError("the sentiment, votes and trend weights must not be negative")
        if self.trend_cap < 1:
            raise ValueError("the trend cap must be at least 1")
        if self.recency_half_life_days <= 0 or self.window_days < 2 * TREND_DAYS:
            raise ValueError("the half-life must be positive and the window at least 14 days")
        if self.prior_strength <= 0 or not 0 < self.confidence < 1:
            raise ValueError("the prior strength must be positive, the confidence in (0, 1)")


@dataclass(frozen=True, slots=True)
class Report:
    """One report: its topic (None: not placed yet), its reporter (a key unique per person;
    an anonymous report is its own reporter) and what is known of the device and the user."""

    topic_id: int | None
    reporter: str
    at: datetime
    model: str | None = None
    build: str | None = None
    channel: str | None = None
    region: str | None = None
    experience: str | None = None
    verified_owner: bool | None = None
    kind: str | None = None
    sentiment: float | None = None

    @property
    def cell(self) -> Cell:
        return Cell(
            self.model or UNKNOWN,
            self.build or UNKNOWN,
            self.channel or UNKNOWN,
            self.region or UNKNOWN,
            self.experience or UNKNOWN,
        )


@dataclass(frozen=True, slots=True)
class Vote:
    topic_id: int
    at: datetime
    experience: str | None = None
    verified_owner: bool | None = None
    model: str | None = None
    region: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class TopicPriority:
    topic_id: int
    score: float
    parts: dict[str, Any]


def compute(
    topic_ids: Iterable[int],
    reports: Sequence[Report],
    votes: Sequence[Vote],
    daily: Sequence[tuple[date, Cell, int]],
    builds: Sequence[str] = (),
    config: PriorityConfig | None = None,
    as_of: datetime | None = None,
) -> list[TopicPriority]:
    """The priority of each topic in `topic_ids`, best first. `builds` is the product's
    builds in release order (for the trend); `as_of` ends the window (default: the newest
    report, vote or install-base day)."""
    config = config or PriorityConfig()
    end = as_of or _latest(reports, votes, daily)
    if end is None:
        return [TopicPriority(t, 0.0, _empty_parts(None, config)) for t in sorted(set(topic_ids))]
    start = end - timedelta(days=config.window_days)
    window = [r for r in reports if start < r.at <= end]
    days = [(d, c, n) for d, c, n in daily if start.date() < d <= end.date()]
    devices = mean_active_devices(days)
    everyone: dict[Cell, set[str]] = defaultdict(set)
    for r in window:
        everyone[r.cell].add(r.reporter)
    props = fit(devices, {c: len(s) for c, s in everyone.items()}, config.prior_strength)
    context = _Context(config, start, end, props, window, builds, devices)
    by_topic: dict[int, list[Report]] = defaultdict(list)
    for r in window:
        if r.topic_id is not None:
            by_topic[r.topic_id].append(r)
    votes_by_topic: dict[int, list[Vote]] = defaultdict(list)
    for v in votes:
        if start < v.at <= end:
            votes_by_topic[v.topic_id].append(v)
    out = [
        context.topic(t, by_topic.get(t, []), votes_by_topic.get(t, []))
        for t in sorted(set(topic_ids))
    ]
    out.sort(key=lambda p: (-p.score, p.topic_id))
    return out


def _latest(
    reports: Sequence[Report], votes: Sequence[Vote], daily: Sequence[tuple[date, Cell, int]]
) -> datetime | None:
    times = [r.at for r in reports] + [v.at for v in votes]
    if daily:
        # The end of the newest install-base day, in UTC like the reports.
        times.append(datetime.combine(max(d for d, _, _ in daily), time.max, tzinfo=UTC))
    return max(times) if times else None


def _empty_parts(context: _Context | None, config: PriorityConfig) -> dict[str, Any]:
    return {
        "version": PARTS_VERSION,
        "mode": "counts" if context is None or context.props is None else "devices",
        "window": _window(context, config),
        "score": 0.0,
        "reach": {"share": 0.0, "devices": None, "low": None, "high": None, "reporters": 0},
        "where": {"models": [], "builds": [], "regions": [], "share": 0.0},
        "segments": {},
        "mostly": None,
        "breakdown": {d: {} for d in DIMENSIONS},
        "cells": [],
        "kind": None,
        "sentiment": None,
        "votes": {"count": 0, "by_segment": {}, "corrected": 0.0, "support": 0.0},
        "trend": {},
        "recency": {},
        "factors": {},
    }


def _window(context: _Context | None, config: PriorityConfig) -> dict[str, Any]:
    if context is None:
        return {"days": config.window_days, "start": None, "end": None}
    return {
        "days": config.window_days,
        "start": context.start.isoformat(),
        "end": context.end.isoformat(),
    }


@dataclass
class _Context:
    config: PriorityConfig
    start: datetime
    end: datetime
    props: Propensities | None
    window: list[Report]
    builds: Sequence[str]
    devices: dict[Cell, float]

    def __post_init__(self) -> None:
        self.reporters_all = len({r.reporter for r in self.window})
        # Exposure per build, for the build trend: active devices, or unique reporters.
        exposure: dict[str, float] = defaultdict(float)
        if self.props is not None:
            for cell, n in self.devices.items():
                exposure[cell.build] += n
        else:
            people: dict[str, set[str]] = defaultdict(set)
            for r in self.window:
                if r.build:
                    people[r.build].add(r.reporter)
            exposure.update({b: float(len(s)) for b, s in people.items()})
        self.exposure = exposure
        cells = list(self.devices) if self.props is not None else [r.cell for r in self.window]
        self.universe = {d: {getattr(c, d) for c in cells} - {UNKNOWN} for d in NAMED}
        weights: dict[str, float] = defaultdict(float)
        if self.props is not None:
            for cell, n in self.devices.items():
                weights[cell.segment] += n
        else:
            for segment, who in _people_by_segment(self.window).items():
                weights[segment] = float(len(who))
        known = {s: w for s, w in weights.items() if s != UNKNOWN}
        total = sum(known.values())
        self.segment_shares = {s: w / total for s, w in known.items()} if total else {}

    # -- one topic --------------------------------------------------------------------------

    def topic(self, topic_id: int, reports: list[Report], votes: list[Vote]) -> TopicPriority:
        config = self.config
        if not reports:
            empty = _empty_parts(self, config)
            empty["votes"]["count"] = len(votes)
            return TopicPriority(topic_id, 0.0, empty)
        pairs: dict[tuple[str, Cell], Report] = {}
        for r in sorted(reports, key=lambda r: r.at):
            pairs.setdefault((r.reporter, r.cell), r)
        per_cell: Counter[Cell] = Counter(cell for _, cell in pairs)
        people = {r.reporter for r in reports}
        props = self.props
        if props is not None:
            found = affected(per_cell, props, config.confidence)
            by_cell = found.by_cell
            fleet = props.fleet
            share = found.devices / fleet
            reach: dict[str, Any] = {
                "share": share,
                "devices": found.devices,
                "low": found.low,
                "high": found.high,
                "fleet": fleet,
                "reporters": len(people),
                "method": INTERVAL_METHOD,
            }
        else:
            by_cell = {c: float(n) for c, n in per_cell.items()}
            share = len(people) / max(self.reporters_all, 1)
            reach = {
                "share": share,
                "devices": None,
                "low": None,
                "high": None,
                "fleet": None,
                "reporters": len(people),
                "all_reporters": self.reporters_all,
            }
        estimate = sum(by_cell.values())
        breakdown = _breakdown(by_cell)
        segment_factor = self._segment_factor(pairs)
        kind = _dominant_kind(reports)
        sentiments = [r.sentiment for r in reports if r.sentiment is not None]
        sentiment = sum(sentiments) / len(sentiments) if sentiments else None
        severity = float(config.kind_weights.get(kind or "other", 0.0))
        sentiment_factor = 1 + config.sentiment_weight * max(0.0, -(sentiment or 0.0))
        vote_parts = self._votes(votes, estimate)
        trend = self._trend(reports, by_cell)
        last = max(r.at for r in reports)
        age = max(0.0, (self.end - last).total_seconds() / 86400)
        recency = 0.5 ** (age / config.recency_half_life_days)
        factors = {
            "reach": 100 * share,
            "severity": severity,
            "sentiment": sentiment_factor,
            "segment": segment_factor,
            "votes": vote_parts["factor"],
            "trend": trend["factor"],
            "recency": recency,
        }
        score = math.prod(factors.values())
        segments = breakdown["segment"]
        mostly = self._mostly(segments)
        parts: dict[str, Any] = {
            "version": PARTS_VERSION,
            "mode": "devices" if props is not None else "counts",
            "window": _window(self, config),
            "score": score,
            "reach": reach,
            "where": self._where(breakdown, by_cell),
            "segments": segments,
            "mostly": mostly,
            "breakdown": breakdown,
            "cells": [[*cell, per_cell[cell], by_cell[cell]] for cell in sorted(by_cell)],
            "kind": kind,
            "sentiment": sentiment,
            "votes": vote_parts,
            "trend": trend,
            "recency": {"last_report": last.isoformat(), "age_days": age},
            "factors": factors,
        }
        return TopicPriority(topic_id, score, parts)

    def _mostly(self, segments: Mapping[str, float]) -> str | None:
        """The segment with MOSTLY of the topic's estimate, named only where it is
        over-represented against its share of the fleet (or of the reporters): most topics
        mostly hit the largest segment, which says nothing."""
        known = {s: v for s, v in segments.items() if s != UNKNOWN}
        total = sum(known.values())
        if not total:
            return None
        top = max(known, key=lambda s: (known[s], s))
        fleet_share = self.segment_shares.get(top, 0.0)
        if known[top] < MOSTLY * total or known[top] / total < OVER * fleet_share:
            return None
        return top

    def _weight(self, **values: str | bool | None) -> float:
        weight = 1.0
        for attribute, value in values.items():
            key = UNKNOWN if value is None else str(value).lower()
            weight *= float(self.config.segment_weights.get(attribute, {}).get(key, 1.0))
        return weight

    def _devices_per_report(self, cell: Cell) -> float:
        return 1.0 if self.props is None else 1.0 / self.props.of_cell(cell).mean

    def _segment_factor(self, pairs: Mapping[tuple[str, Cell], Report]) -> float:
        total = weighted = 0.0
        for (_, cell), r in pairs.items():
            stands_for = self._devices_per_report(cell)
            w = self._weight(
                verified_owner=r.verified_owner,
                experience=r.experience,
                channel=r.channel,
                model=r.model,
                region=r.region,
            )
            total += stands_for
            weighted += w * stands_for
        return weighted / total if total else 1.0

    def _votes(self, votes: list[Vote], estimate: float) -> dict[str, Any]:
        by_segment: Counter[str] = Counter(v.experience or UNKNOWN for v in votes)
        corrected = 0.0
        for v in votes:
            w = self._weight(
                verified_owner=v.verified_owner,
                experience=v.experience,
                channel=v.channel,
                model=v.model,
                region=v.region,
            )
            per_vote = 1.0 if self.props is None else 1.0 / self.props.of_segment(v.experience).mean
            corrected += w * per_vote
        support = corrected / (corrected + estimate) if corrected > 0 else 0.0
        return {
            "count": len(votes),
            "by_segment": dict(sorted(by_segment.items())),
            "corrected": corrected,
            "support": support,
            "factor": 1 + self.config.votes_weight * support,
        }

    def _trend(self, reports: list[Report], by_cell: Mapping[Cell, float]) -> dict[str, Any]:
        config = self.config
        week = timedelta(days=TREND_DAYS)
        last = {r.reporter for r in reports if r.at > self.end - week}
        before = {r.reporter for r in reports if self.end - 2 * week < r.at <= self.end - week}
        days_growth = (len(last) + 1) / (len(before) + 1)
        build_growth, newest = self._build_growth(reports)
        growth = max(days_growth, build_growth or 0.0)
        capped = min(config.trend_cap, max(1 / config.trend_cap, growth))
        return {
            "last_7_days": len(last),
            "previous_7_days": len(before),
            "days_growth": days_growth,
            "build": newest,
            "build_growth": build_growth,
            "growth": growth,
            "factor": capped**config.trend_weight,
        }

    def _build_growth(self, reports: list[Report]) -> tuple[float | None, str | None]:
        order = [b for b in self.builds if self.exposure.get(b, 0) > 0]
        mine = {r.build for r in reports if r.build}
        seen = [b for b in order if b in mine]
        if not seen:
            return None, None
        newest = seen[-1]
        earlier = order[: order.index(newest)]
        if not earlier:
            return None, newest
        on_newest = len({r.reporter for r in reports if r.build == newest})
        before = len({r.reporter for r in reports if r.build in set(earlier)})
        e_new = self.exposure[newest]
        e_before = sum(self.exposure[b] for b in earlier)
        return ((on_newest + 1) / e_new) / ((before + 1) / e_before), newest

    def _where(
        self, breakdown: Mapping[str, Mapping[str, float]], by_cell: Mapping[Cell, float]
    ) -> dict[str, Any]:
        """Where the topic concentrates (the models, builds and regions the sentence names)
        and its estimated share there."""
        chosen = {dim: _concentrated(breakdown[dim], limit) for dim, limit in NAMED.items()}
        # Naming every model (build, region) the product has says nothing: name none.
        for dim, values in chosen.items():
            if values and set(values) >= self.universe[dim]:
                chosen[dim] = []

        def inside(cell: Cell) -> bool:
            return all(not v or getattr(cell, d) in v for d, v in chosen.items())

        hit = sum(n for c, n in by_cell.items() if inside(c))
        if self.props is not None:
            base = sum(n for c, n in self.devices.items() if inside(c))
        else:
            base = float(self.reporters_all)
        return {
            "models": chosen["model"],
            "builds": chosen["build"],
            "regions": chosen["region"],
            "devices": hit,
            "of": base,
            "share": min(1.0, hit / base) if base else 0.0,
        }


def _people_by_segment(reports: Iterable[Report]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in reports:
        out[r.experience or UNKNOWN].add(r.reporter)
    return out


def _breakdown(by_cell: Mapping[Cell, float]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {d: defaultdict(float) for d in DIMENSIONS}
    for cell, n in by_cell.items():
        for dim in DIMENSIONS:
            out[dim][getattr(cell, dim)] += n
    return {d: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for d, v in out.items()}


def _concentrated(values: Mapping[str, float], limit: int) -> list[str]:
    """The fewest values (best first, at most `limit`, none unknown) that cover CONCENTRATION
    of the total; empty when the topic is spread wider than that."""
    total = sum(values.values())
    if total <= 0:
        return []
    picked: list[str] = []
    covered = 0.0
    for value, n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
        if value == UNKNOWN or len(picked) == limit:
            return []
        picked.append(value)
        covered += n
        if covered >= CONCENTRATION * total:
            return picked
    return []


def _dominant_kind(reports: Sequence[Report]) -> str | None:
    counts = Counter(r.kind for r in reports if r.kind)
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], -KINDS.index(k) if k in KINDS else -99))


def slice_score(
    parts: Mapping[str, Any],
    model: str | None = None,
    build: str | None = None,
    region: str | None = None,
    segment: str | None = None,
) -> float:
    """The stored score restricted to one slice: the reach counts only the topic's estimated
    devices (or reporters) inside it. Within one product, ranking by this is ranking by the
    share of the slice affected, since the slice's devices are the same for every topic."""
    wanted = {"model": model, "build": build, "region": region, "segment": segment}
    if not any(wanted.values()):
        return float(parts.get("score", 0.0))
    cells = parts.get("cells") or []
    total = sum(float(c[6]) for c in cells)
    if total <= 0:
        return 0.0
    index = {d: i for i, d in enumerate(DIMENSIONS)}
    inside = sum(
        float(c[6]) for c in cells if all(v is None or c[index[d]] == v for d, v in wanted.items())
    )
    return float(parts.get("score", 0.0)) * inside / total
