"""Health gates of a staged rollout: at each check, compare the new build's cohort with the
baseline (the stable build on the same models and regions) and say advance, hold or halt.
Pure: counts in, a decision out (the maths in words: docs/releases.md, "Health gates").

Each metric has one always-valid sequential test over the whole release (`gate_stats`): its
mixture likelihood ratio Λ grows with evidence of a degradation and the gate halts when
Λ ≥ 1/α_m. The release's false-alarm budget ``alpha`` is split evenly over the tests
(Bonferroni), so a good build is halted by any of them with probability at most ``alpha``
however many checks are made. On top of the tests:

- an absolute guard on the crash rate (Android vitals' user-perceived crash rate, 1.09 % of daily
  active devices), itself an always-valid test against that ceiling, so a small cohort's
  unlucky day does not trip it;
- emerging issues: per topic, the same always-valid ratio-of-rates test on its reporters
  (`topic_gate`), one more of the α split's tests; more topics over their threshold than
  ``max_emerging_flags`` halts.

Advance needs the stage's dwell and exposure met and no metric under suspicion (Λ at or above
``(1/α_m)^hold_power``, i.e. halfway to a halt on the log scale). We do not also require the
upper confidence bound of every ratio below 1 + MDD before advancing: at a 1 % stage that
needs weeks of data, and the stages themselves limit the harm while evidence accrues.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np

from userloop.release import gate_stats, topic_gate
from userloop.release.gate_stats import FloatArray
from userloop.release.topic_gate import TopicCounts, TopicReading, TopicState


class Metric(StrEnum):
    CRASH_RATE = "crash_rate"  # devices with a crash per device-day
    FEEDBACK_RATE = "feedback_rate"  # feedback per device-day
    NEGATIVE_SHARE = "negative_share"  # negative feedback among feedback (odds)
    RETURNS_RATE = "returns_rate"  # returns per device-day


class Outcome(StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    HALT = "halt"


CRASH_GUARD = "crash_guard"
ANDROID_VITALS_CRASH_RATE = 0.0109
DEFAULT_MDD: Mapping[Metric, float] = MappingProxyType(
    {
        Metric.CRASH_RATE: 0.5,
        Metric.FEEDBACK_RATE: 0.5,
        Metric.NEGATIVE_SHARE: 0.5,  # on the odds: 40 % negative → 50 %
        Metric.RETURNS_RATE: 1.0,
    }
)
_LABEL = {
    Metric.CRASH_RATE: "crash rate",
    Metric.FEEDBACK_RATE: "feedback rate",
    Metric.NEGATIVE_SHARE: "negative share of feedback",
    Metric.RETURNS_RATE: "returns rate",
}


@dataclass(frozen=True)
class GateConfig:
    alpha: float = 0.05  # false-alarm rate over the whole release, all tests together
    mdd: Mapping[Metric, float] = field(
        default_factory=lambda: DEFAULT_MDD
    )  # minimum detectable degradation (ratio − 1)
    tolerance: float = 0.0  # H0: ratio ≤ 1 + tolerance (a degradation this small is accepted)
    metrics: tuple[Metric, ...] = tuple(Metric)
    crash_guard: float | None = ANDROID_VITALS_CRASH_RATE  # ceiling per device-day; None: off
    max_emerging_flags: int = 0  # more topics over their threshold than this halts
    topic_mdd: float = 1.0  # a topic's reporters per device-day must at least double
    hold_power: float = 0.5  # hold while Λ ≥ (1/α_m)^hold_power

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must lie between 0 and 1")
        if self.tolerance < 0:
            raise ValueError("tolerance cannot be negative")
        for metric in self.metrics:
            Metric(metric)  # unknown names raise
            if self.mdd.get(metric, 0) <= 0:
                raise ValueError(f"minimum detectable degradation of {metric} must be positive")
        if self.crash_guard is not None and not 0 < self.crash_guard < 1:
            raise ValueError("crash_guard must lie between 0 and 1 (a share of device-days)")
        if self.max_emerging_flags < 0:
            raise ValueError("max_emerging_flags cannot be negative")
        if self.topic_mdd <= 0:
            raise ValueError("topic_mdd must be positive")
        if not 0 < self.hold_power <= 1:
            raise ValueError("hold_power must lie in (0, 1]")

    @property
    def tests(self) -> int:
        """The α split's parts: each metric, the crash guard, and the topics (one part
        spread over all of them, `topic_gate`)."""
        return len(self.metrics) + (self.crash_guard is not None) + 1

    @property
    def alpha_per_test(self) -> float:
        return self.alpha / self.tests

    @property
    def threshold(self) -> float:
        """Λ at which a test halts."""
        return 1.0 / self.alpha_per_test

    def grid(self, metric: Metric) -> FloatArray:
        return gate_stats.alternatives(1.0 + self.tolerance, self.mdd[metric])


@dataclass(frozen=True)
class CohortCounts:
    """One cohort's counts, cumulative since the release started."""

    device_days: float  # active devices summed over days
    crashes: int = 0  # device-days with at least one crash
    feedback: int = 0
    negative: int = 0  # negative feedback (part of `feedback`)
    returns: int = 0

    def __post_init__(self) -> None:
        if (
            self.device_days < 0
            or min(self.crashes, self.feedback, self.negative, self.returns) < 0
        ):
            raise ValueError("counts and exposures cannot be negative")
        if self.negative > self.feedback:
            raise ValueError("negative feedback cannot exceed feedback")

    def events(self, metric: Metric) -> int:
        return {
            Metric.CRASH_RATE: self.crashes,
            Metric.FEEDBACK_RATE: self.feedback,
            Metric.NEGATIVE_SHARE: self.negative,
            Metric.RETURNS_RATE: self.returns,
        }[metric]

    def exposure(self, metric: Metric) -> float:
        return self.feedback if metric is Metric.NEGATIVE_SHARE else self.device_days

    def as_dict(self) -> dict[str, float]:
        return {
            "device_days": self.device_days,
            "crashes": self.crashes,
            "feedback": self.feedback,
            "negative": self.negative,
            "returns": self.returns,
        }


ZERO = CohortCounts(device_days=0.0)


@dataclass(frozen=True)
class Snapshot:
    """What one check sees: both cohorts' cumulative counts, and per topic its distinct
    reporters on each cohort (topic id -> (new, baseline))."""

    new: CohortCounts
    base: CohortCounts
    topics: TopicCounts = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new.as_dict(),
            "base": self.base.as_dict(),
            "topics": topic_gate.counts_to_json(self.topics),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """The inverse of `as_dict` (a release's earlier checks, read back from their log)."""

        def cohort(part: Mapping[str, Any]) -> CohortCounts:
            return CohortCounts(
                device_days=float(part["device_days"]),
                crashes=int(part["crashes"]),
                feedback=int(part["feedback"]),
                negative=int(part["negative"]),
                returns=int(part["returns"]),
            )

        return cls(
            cohort(data["new"]),
            cohort(data["base"]),
            topic_gate.counts_from_json(data.get("topics")),
        )


@dataclass(frozen=True)
class StageProgress:
    """Where the rollout stands in its current stage."""

    hours_in_stage: float
    dwell_hours: float
    device_days_in_stage: float = 0.0  # the new build's exposure since the stage began
    min_device_days: float = 0.0


@dataclass(frozen=True)
class GateState:
    """The sequential tests' memory: the last snapshot and log L(alternative)/L(null) per
    metric. Fold snapshots in with `update`; never edit."""

    last: Snapshot = field(default_factory=lambda: Snapshot(new=ZERO, base=ZERO))
    log_lr: Mapping[Metric, FloatArray] = field(default_factory=dict)
    checks: int = 0
    topics: TopicState = topic_gate.EMPTY


@dataclass(frozen=True)
class Reading:
    """One metric at one check, as a reason reports it."""

    metric: str
    new_events: float
    new_exposure: float
    base_events: float
    base_exposure: float
    statistic: float  # Λ (mixture likelihood ratio, an e-value)
    threshold: float  # Λ that halts
    hold_level: float  # Λ that holds

    @property
    def new_rate(self) -> float | None:
        return self.new_events / self.new_exposure if self.new_exposure else None

    @property
    def base_rate(self) -> float | None:
        return self.base_events / self.base_exposure if self.base_exposure else None

    @property
    def ratio(self) -> float | None:
        new, base = self.new_rate, self.base_rate
        return new / base if new is not None and base else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "new_events": self.new_events,
            "new_exposure": self.new_exposure,
            "base_events": self.base_events,
            "base_exposure": self.base_exposure,
            "new_rate": self.new_rate,
            "base_rate": self.base_rate,
            "ratio": self.ratio,
            "statistic": self.statistic,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class Reason:
    code: str  # degradation, guard, emerging, suspicion, dwell, exposure, clear
    sentence: str  # plain English
    reading: Reading | TopicReading | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "sentence": self.sentence,
            "reading": self.reading.as_dict() if self.reading else None,
        }


@dataclass(frozen=True)
class GateDecision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    readings: tuple[Reading, ...]
    snapshot: Snapshot = field(default_factory=lambda: Snapshot(new=ZERO, base=ZERO))
    progress: StageProgress | None = None

    @property
    def sentence(self) -> str:
        return " ".join(reason.sentence for reason in self.reasons)

    def details(self) -> dict[str, Any]:
        """Everything behind the decision, JSON-ready (for the release's decision log);
        ``snapshot`` lets the next check rebuild the series with `Snapshot.from_dict`."""
        return {
            "outcome": str(self.outcome),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "readings": [reading.as_dict() for reading in self.readings],
            "snapshot": self.snapshot.as_dict(),
            "progress": asdict(self.progress) if self.progress else None,
        }


def update(state: GateState, snapshot: Snapshot, config: GateConfig) -> GateState:
    """Fold one check's cumulative counts into the tests. Each batch (the difference from the
    last snapshot) multiplies every alternative's likelihood ratio; counts that go down raise."""
    last = state.last
    log_lr: dict[Metric, FloatArray] = {}
    for metric in config.metrics:
        previous = state.log_lr.get(metric)
        if previous is None:
            previous = np.zeros(len(config.grid(metric)))
        log_lr[metric] = previous + _step(metric, last, snapshot, config)
    topics = topic_gate.update_topics(
        state.topics,
        last.topics,
        snapshot.topics,
        snapshot.new.device_days - last.new.device_days,
        snapshot.base.device_days - last.base.device_days,
        topic_gate.topic_grid(config.topic_mdd, config.tolerance),
        1.0 + config.tolerance,
    )
    return GateState(last=snapshot, log_lr=log_lr, checks=state.checks + 1, topics=topics)


def topic_readings(state: GateState, config: GateConfig) -> list[TopicReading]:
    """Every watched topic's reading at the last check, in rank order."""
    last = state.last
    return topic_gate.topic_readings(
        state.topics, last.topics, last.new.device_days, last.base.device_days,
        config.alpha_per_test,
    )  # fmt: skip


def decide(state: GateState, progress: StageProgress, config: GateConfig) -> GateDecision:
    """Advance, hold or halt, with every reason that applies (the halting ones first)."""
    readings = tuple(_reading(state, metric, config) for metric in config.metrics)
    guard = _guard_reading(state, config)
    all_readings = readings + ((guard,) if guard else ())
    halts: list[Reason] = []
    for reading in all_readings:
        if reading.statistic >= reading.threshold:
            code = "guard" if reading.metric == CRASH_GUARD else "degradation"
            halts.append(Reason(code, _halt_sentence(reading, config), reading))
    risen = [r for r in topic_readings(state, config) if r.crossed]
    if len(risen) > config.max_emerging_flags:
        risen.sort(key=lambda r: -math.log(max(r.statistic, 1e-300)) + math.log(r.threshold))
        halts += [Reason("emerging", r.sentence(), r) for r in risen]
    if halts:
        return GateDecision(Outcome.HALT, tuple(halts), all_readings, state.last, progress)
    holds: list[Reason] = [
        Reason(
            "suspicion",
            f"Hold: the {_name(r.metric)} leans worse (evidence {r.statistic:.1f}, "
            f"halt at {r.threshold:.0f}).",
            r,
        )
        for r in all_readings
        if r.statistic >= r.hold_level
    ]
    if progress.hours_in_stage < progress.dwell_hours:
        holds.append(
            Reason(
                "dwell",
                f"Hold: {progress.hours_in_stage:g} of {progress.dwell_hours:g} hours "
                "in this stage.",
            )
        )
    if progress.device_days_in_stage < progress.min_device_days:
        holds.append(
            Reason(
                "exposure",
                f"Hold: {progress.device_days_in_stage:g} of {progress.min_device_days:g} "
                "device-days in this stage.",
            )
        )
    if holds:
        return GateDecision(Outcome.HOLD, tuple(holds), all_readings, state.last, progress)
    clear = Reason("clear", "Advance: dwell and exposure met, no metric shows a degradation.")
    return GateDecision(Outcome.ADVANCE, (clear,), all_readings, state.last, progress)


def evaluate(
    snapshots: Iterable[Snapshot], progress: StageProgress, config: GateConfig | None = None
) -> GateDecision:
    """The decision after the given checks (cumulative snapshots, oldest first, one per check
    since the release started). Folding every check in keeps the per-batch exposures exact."""
    config = config or GateConfig()
    state = GateState()
    for snapshot in snapshots:
        state = update(state, snapshot, config)
    return decide(state, progress, config)


def _step(metric: Metric, last: Snapshot, now: Snapshot, config: GateConfig) -> FloatArray:
    null = 1.0 + config.tolerance
    grid = config.grid(metric)
    if metric is Metric.NEGATIVE_SHARE:
        return gate_stats.odds_ratio_step(
            now.new.negative - last.new.negative,
            now.new.feedback - last.new.feedback,
            now.base.negative - last.base.negative,
            now.base.feedback - last.base.feedback,
            grid,
            null,
        )
    return gate_stats.poisson_ratio_step(
        now.new.events(metric) - last.new.events(metric),
        now.base.events(metric) - last.base.events(metric),
        now.new.device_days - last.new.device_days,
        now.base.device_days - last.base.device_days,
        grid,
        null,
    )


def _reading(state: GateState, metric: Metric, config: GateConfig) -> Reading:
    log_lr = state.log_lr.get(metric)
    statistic = math.exp(min(gate_stats.log_mixture(log_lr), 700.0)) if log_lr is not None else 1.0
    new, base = state.last.new, state.last.base
    return Reading(
        metric=str(metric),
        new_events=new.events(metric),
        new_exposure=new.exposure(metric),
        base_events=base.events(metric),
        base_exposure=base.exposure(metric),
        statistic=statistic,
        threshold=config.threshold,
        hold_level=config.threshold**config.hold_power,
    )


def _guard_reading(state: GateState, config: GateConfig) -> Reading | None:
    if config.crash_guard is None:
        return None
    new = state.last.new
    rhos = gate_stats.alternatives(1.0, config.mdd.get(Metric.CRASH_RATE, 0.5))
    log_lr = gate_stats.poisson_ceiling_log_lr(
        new.crashes, new.device_days, config.crash_guard, rhos
    )
    return Reading(
        metric=CRASH_GUARD,
        new_events=new.crashes,
        new_exposure=new.device_days,
        base_events=config.crash_guard,  # the ceiling stands in for the baseline
        base_exposure=1.0,
        statistic=math.exp(min(gate_stats.log_mixture(log_lr), 700.0)),
        threshold=config.threshold,
        hold_level=config.threshold**config.hold_power,
    )


def _name(metric: str) -> str:
    return (
        "crash rate against its absolute guard" if metric == CRASH_GUARD else _LABEL[Metric(metric)]
    )


def _halt_sentence(r: Reading, config: GateConfig) -> str:
    unit = "of feedback" if r.metric == Metric.NEGATIVE_SHARE else "per device-day"
    new = f"{r.new_events:g} in {r.new_exposure:g} ({_pct(r.new_rate)} {unit})"
    if r.metric == CRASH_GUARD:
        return (
            f"Halt: crash rate {new} is above the absolute guard of {_pct(config.crash_guard)} "
            f"(evidence {r.statistic:.3g} ≥ {r.threshold:.0f}, false-alarm rate "
            f"{config.alpha_per_test:.3g})."
        )
    base = f"{r.base_events:g} in {r.base_exposure:g} ({_pct(r.base_rate)})"
    ratio = f"×{r.ratio:.2f}" if r.ratio is not None else "unbounded"
    return (
        f"Halt: {_LABEL[Metric(r.metric)]} degraded, new build {new} against baseline {base}, "
        f"{ratio} (evidence {r.statistic:.3g} ≥ {r.threshold:.0f}, false-alarm rate "
        f"{config.alpha_per_test:.3g})."
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.3g} %"


def with_metrics(config: GateConfig, *metrics: Metric) -> GateConfig:
    """The same configuration restricted to some metrics (the α split follows)."""
    return replace(config, metrics=tuple(metrics))
