"""A seeded model of a fleet taking a build through a staged rollout, driving the health gates
check by check. Pure and fast: each check draws the cohorts' event counts at once (a sum of
independent devices' Poisson counts is one Poisson count), so hundreds of rollouts of a
200,000-device fleet take seconds. Used for calibration, the benchmark and the docs' table;
the release service drives the same gates from the store.

The fleet is N daily active devices. During a stage at share f, f·N devices run the new build
and (1 − f)·N the baseline. Default base rates (`BaseRates`), per device per day:

- crash: 0.5 % of daily active devices have a user-perceived crash (well under Android vitals'
  bad-behaviour threshold of 1.09 %);
- feedback: 0.3 %, of which 40 % negative;
- returns: 0.02 %.

A bad build multiplies these (`BuildEffect`) and may carry a new complaint topic: a share of its
devices is affected, and each affected device's user writes about it, once, at
``complaint_write_rate`` per day (default 10 %, about 33 times the ordinary 0.3 %: people write
when something is wrong). Those reports are feedback, negative, and one topic of their own.
Ordinary feedback falls into ``BACKGROUND_TOPICS`` topics (shares ∝ 1/√k, the long tail a real
product has), so the gates' emerging-issue test (`topic_gate`) watches them too and a good
build's false alarms include theirs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from userloop.release import gate_stats, gates, topic_gate
from userloop.release.gates import CohortCounts, GateConfig, GateState, Metric, Outcome, Snapshot

# (percent of the fleet, dwell hours) per stage
Plan = Sequence[tuple[float, float]]
PLANS: dict[str, tuple[tuple[float, float], ...]] = {
    "app-store-7-day": tuple((p, 24.0) for p in (1, 2, 5, 10, 20, 50, 100)),
    "ubuntu-phased": tuple((float(p), 6.0) for p in range(10, 101, 10)),
}


@dataclass(frozen=True)
class BaseRates:
    crash: float = 0.005  # share of daily active devices with a crash
    feedback: float = 0.003  # feedback per device per day
    negative_share: float = 0.4
    returns: float = 0.0002


@dataclass(frozen=True)
class BuildEffect:
    crash: float = 1.0  # multipliers on the base rates
    feedback: float = 1.0
    returns: float = 1.0
    complaint_share: float = 0.0  # share of the build's devices affected by a new complaint
    complaint_write_rate: float = 0.10  # per affected device per day, each writes once

    @property
    def good(self) -> bool:
        return self.crash == self.feedback == self.returns == 1.0 and self.complaint_share == 0


GOOD = BuildEffect()

BACKGROUND_TOPICS = 25
_SHARES = 1 / np.sqrt(np.arange(1, BACKGROUND_TOPICS + 1))
TOPIC_SHARES = _SHARES / _SHARES.sum()
COMPLAINT_TOPIC = 1000  # its id: after every background topic


@dataclass(frozen=True)
class RolloutResult:
    halted: bool
    completed: bool
    stage: int  # index of the stage at the decision
    reach: float  # largest share of the fleet that had the build (0–1)
    hours_to_decision: float  # from the start to the halt, the completion or the give-up
    reason: str
    reason_codes: tuple[str, ...]

    @property
    def halted_at_stage(self) -> int | None:
        return self.stage if self.halted else None


def simulate(
    fleet: int,
    effect: BuildEffect = GOOD,
    *,
    plan: Plan = PLANS["app-store-7-day"],
    rates: BaseRates | None = None,
    config: GateConfig | None = None,
    seed: int = 0,
    check_hours: float = 6.0,
    max_hours: float | None = None,
) -> RolloutResult:
    """One rollout: checks every `check_hours` until a halt, the end of the plan, or
    `max_hours` (default three times the plan's length) of holding."""
    if fleet < 1 or check_hours <= 0 or not plan:
        raise ValueError("fleet, check interval and plan must be positive and non-empty")
    rates = rates or BaseRates()
    config = config or GateConfig()
    limit = max_hours if max_hours is not None else 3 * sum(dwell for _, dwell in plan)
    rng = np.random.default_rng(seed)
    days = check_hours / 24.0
    state = GateState()
    new, base = np.zeros(5), np.zeros(5)  # device-days, crashes, feedback, negative, returns
    new_topics = np.zeros(BACKGROUND_TOPICS, dtype=np.int64)
    base_topics = np.zeros(BACKGROUND_TOPICS, dtype=np.int64)
    affected_written = 0.0
    affected_total = 0.0
    stage, hours, in_stage, stage_exposure, reach = 0, 0.0, 0.0, 0.0, plan[0][0] / 100
    while True:
        share, dwell = plan[stage][0] / 100, plan[stage][1]
        n_new, n_base = round(share * fleet), fleet - round(share * fleet)
        affected_total = max(affected_total, effect.complaint_share * n_new)
        drawn_new = _draw(rng, n_new * days, rates, effect)
        drawn_base = _draw(rng, n_base * days, rates, GOOD)
        new += drawn_new
        base += drawn_base
        new_topics += rng.multinomial(int(drawn_new[2]), TOPIC_SHARES)
        base_topics += rng.multinomial(int(drawn_base[2]), TOPIC_SHARES)
        waiting = max(affected_total - affected_written, 0.0)
        reports = rng.binomial(int(waiting), 1 - math.exp(-effect.complaint_write_rate * days))
        affected_written += reports
        new[2] += reports
        new[3] += reports
        hours += check_hours
        in_stage += check_hours
        stage_exposure += n_new * days
        topics = {
            k + 1: (int(n), int(b))
            for k, (n, b) in enumerate(zip(new_topics, base_topics, strict=True))
        }
        if affected_written:
            topics[COMPLAINT_TOPIC] = (int(affected_written), 0)
        snapshot = Snapshot(new=_counts(new), base=_counts(base), topics=topics)
        state = gates.update(state, snapshot, config)
        decision = gates.decide(state, gates.StageProgress(in_stage, dwell, stage_exposure), config)
        codes = tuple(reason.code for reason in decision.reasons)
        if decision.outcome is Outcome.HALT:
            return RolloutResult(True, False, stage, reach, hours, decision.sentence, codes)
        if decision.outcome is Outcome.ADVANCE:
            if stage == len(plan) - 1:
                return RolloutResult(False, True, stage, reach, hours, decision.sentence, codes)
            stage, in_stage, stage_exposure = stage + 1, 0.0, 0.0
            reach = max(reach, plan[stage][0] / 100)
        if hours >= limit:
            return RolloutResult(False, False, stage, reach, hours, decision.sentence, codes)


def _draw(
    rng: np.random.Generator, device_days: float, rates: BaseRates, effect: BuildEffect
) -> np.ndarray:
    crashes = rng.poisson(device_days * rates.crash * effect.crash)
    feedback = rng.poisson(device_days * rates.feedback * effect.feedback)
    negative = rng.binomial(feedback, rates.negative_share)
    returns = rng.poisson(device_days * rates.returns * effect.returns)
    return np.array([device_days, crashes, feedback, negative, returns], dtype=np.float64)


def _counts(row: np.ndarray) -> CohortCounts:
    return CohortCounts(
        device_days=float(row[0]),
        crashes=int(row[1]),
        feedback=int(row[2]),
        negative=int(row[3]),
        returns=int(row[4]),
    )


def minimum_detectable(
    metric: Metric,
    fleet: int,
    *,
    plan: Plan = PLANS["app-store-7-day"],
    rates: BaseRates | None = None,
    config: GateConfig | None = None,
) -> list[float | None]:
    """Per stage, the smallest degradation (ratio of rates, or of odds for the negative share)
    that halts by the end of that stage when every count comes in exactly as expected — about
    the degradation caught half the time. None: not even ×50 would be caught by then (too few
    events). One batch per stage: within a stage the exposures keep their proportion, so
    finer checks give the same evidence."""
    rates = rates or BaseRates()
    config = config or GateConfig()
    out: list[float | None] = []
    for last in range(len(plan)):
        lo, hi = 1.0 + config.tolerance, 50.0
        if not _halts(metric, hi, fleet, plan[: last + 1], rates, config):
            out.append(None)
            continue
        for _ in range(40):  # bisection on the log scale
            mid = math.sqrt(lo * hi)
            lo, hi = (
                (lo, mid)
                if _halts(metric, mid, fleet, plan[: last + 1], rates, config)
                else (mid, hi)
            )
        out.append(hi)
    return out


def minimum_complaint_share(
    fleet: int,
    *,
    plan: Plan = PLANS["app-store-7-day"],
    write_rate: float = 0.10,
    config: GateConfig | None = None,
    rank: int = BACKGROUND_TOPICS + 1,
) -> list[float | None]:
    """Per stage, the smallest share of the build's devices a new complaint topic must affect
    for its expected reporters by the end of that stage to cross the gates' topic threshold
    (`topic_gate.reporters_needed` at the stage's share, for a topic watched `rank`-th: after
    the product's ordinary topics). Devices write once, at `write_rate` per day. None: more
    than all of them."""
    config = config or GateConfig()
    out: list[float | None] = []
    for last in range(len(plan)):
        # expected reporters per unit share: each device that joined at stage j has had
        # the remaining hours to write
        expected = 0.0
        previous = 0.0
        remaining = sum(dwell for _, dwell in plan[: last + 1])
        for percent, dwell in plan[: last + 1]:
            joined = max(percent / 100 - previous, 0.0) * fleet
            expected += joined * (1 - math.exp(-write_rate * remaining / 24))
            remaining -= dwell
            previous = max(previous, percent / 100)
        share_now = min(plan[last][0] / 100, 0.999)
        need = topic_gate.reporters_needed(share_now, config.topic_mdd, config.alpha_per_test, rank)
        share = need / expected if need is not None and expected else math.inf
        out.append(share if share <= 1 else None)
    return out


def _halts(
    metric: Metric, ratio: float, fleet: int, plan: Plan, rates: BaseRates, config: GateConfig
) -> bool:
    grid = config.grid(metric)
    null = 1.0 + config.tolerance
    log_lr = np.zeros(len(grid))
    for percent, dwell in plan:
        share, days = percent / 100, dwell / 24
        e_new, e_base = share * fleet * days, (1 - share) * fleet * days
        if metric is Metric.NEGATIVE_SHARE:
            q = rates.negative_share
            odds = ratio * q / (1 - q)
            n1, n2 = round(e_new * rates.feedback), round(e_base * rates.feedback)
            k1, k2 = n1 * odds / (1 + odds), round(n2 * q)
            log_lr += gate_stats.odds_ratio_step(k1, n1, k2, n2, grid, null)
        else:
            rate = {Metric.CRASH_RATE: rates.crash, Metric.FEEDBACK_RATE: rates.feedback}.get(
                metric, rates.returns
            )
            log_lr += gate_stats.poisson_ratio_step(
                e_new * rate * ratio, e_base * rate, e_new, e_base, grid, null
            )
    return gate_stats.log_mixture(log_lr) >= math.log(config.threshold)
