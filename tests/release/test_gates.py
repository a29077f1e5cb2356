"""Health gates (pure): the sequential tests halt on degradations with a reason that names the
metric and the numbers, hold without enough evidence, and keep their false-alarm rate under
continuous monitoring."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from userloop.release import gate_stats
from userloop.release.gates import (
    CRASH_GUARD,
    CohortCounts,
    GateConfig,
    GateState,
    Metric,
    Outcome,
    Reading,
    Snapshot,
    StageProgress,
    decide,
    evaluate,
    topic_readings,
    update,
    with_metrics,
)
from userloop.release.topic_gate import TopicReading, reporters_needed, topic_alpha

DONE = StageProgress(hours_in_stage=24, dwell_hours=24)


def _cohort(
    days: float,
    crash: float = 0.005,
    feedback: float = 0.003,
    returns: float = 0.0002,
    negative: float = 0.4,
) -> CohortCounts:
    fb = round(days * feedback)
    return CohortCounts(
        device_days=days,
        crashes=round(days * crash),
        feedback=fb,
        negative=round(fb * negative),
        returns=round(days * returns),
    )


def _snap(new_days: float, base_days: float, **new_rates: float) -> Snapshot:
    return Snapshot(new=_cohort(new_days, **new_rates), base=_cohort(base_days))


def test_without_data_the_gate_holds_for_dwell() -> None:
    decision = evaluate([], StageProgress(hours_in_stage=6, dwell_hours=24))
    assert decision.outcome is Outcome.HOLD
    assert [r.code for r in decision.reasons] == ["dwell"]
    assert all(r.statistic == 1.0 for r in decision.readings)


def test_a_build_like_the_baseline_advances_once_dwell_and_exposure_are_met() -> None:
    snapshots = [_snap(10_000 * d, 990_000 * d) for d in (1, 2, 3)]
    assert evaluate(snapshots, DONE).outcome is Outcome.ADVANCE
    short = StageProgress(
        hours_in_stage=24, dwell_hours=24, device_days_in_stage=100, min_device_days=500
    )
    held = evaluate(snapshots, short)
    assert held.outcome is Outcome.HOLD and held.reasons[0].code == "exposure"


def test_a_doubled_crash_rate_halts_with_the_metric_numbers_and_threshold() -> None:
    snapshots = [_snap(4_000 * d, 196_000 * d, crash=0.01) for d in (1, 2)]
    decision = evaluate(snapshots, StageProgress(hours_in_stage=6, dwell_hours=24))
    assert decision.outcome is Outcome.HALT
    reason = decision.reasons[0]
    assert reason.code == "degradation" and isinstance(reason.reading, Reading)
    reading = reason.reading
    assert reading.metric == Metric.CRASH_RATE
    assert (reading.new_events, reading.new_exposure) == (80, 8_000)
    assert (reading.base_events, reading.base_exposure) == (1_960, 392_000)
    assert reading.ratio == pytest.approx(2.0)
    assert reading.statistic >= reading.threshold == pytest.approx(120.0)
    assert "crash rate degraded" in reason.sentence
    assert (
        "80 in 8000" in reason.sentence
        and "×2.00" in reason.sentence
        and "≥ 120" in reason.sentence
    )
    assert reading.as_dict()["ratio"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("metric", "rates"),
    [
        (Metric.FEEDBACK_RATE, {"feedback": 0.009}),
        (Metric.NEGATIVE_SHARE, {"negative": 0.7}),
        (Metric.RETURNS_RATE, {"returns": 0.001}),
    ],
)
def test_each_metric_halts_on_its_own_degradation(metric: Metric, rates: dict[str, float]) -> None:
    decision = evaluate([_snap(50_000, 950_000, **rates)], DONE)
    assert decision.outcome is Outcome.HALT
    assert [r.reading.metric for r in decision.reasons if r.reading] == [metric]


def test_improvements_never_halt() -> None:
    better = dict(crash=0.001, feedback=0.001, returns=0.0, negative=0.1)
    assert evaluate([_snap(100_000, 900_000, **better)], DONE).outcome is Outcome.ADVANCE


def test_a_lean_towards_worse_holds_before_it_halts() -> None:
    config = GateConfig()
    state = update(GateState(), _snap(2_000, 198_000, crash=0.01), config)
    decision = decide(state, DONE, config)
    crash = next(r for r in decision.readings if r.metric == Metric.CRASH_RATE)
    assert crash.hold_level <= crash.statistic < crash.threshold
    assert decision.outcome is Outcome.HOLD and decision.reasons[0].code == "suspicion"


def test_the_absolute_crash_guard_needs_evidence_not_one_unlucky_day() -> None:
    # 2 crashes among 100 device-days (2 %) is not evidence of a rate above 1.09 %
    small = Snapshot(new=CohortCounts(100, crashes=2), base=CohortCounts(0))
    assert evaluate([small], DONE).outcome is Outcome.ADVANCE
    # a whole fleet at 2 % is; the baseline is empty (100 % stage) so only the guard can see it
    everyone = Snapshot(new=CohortCounts(200_000, crashes=4_000), base=CohortCounts(0))
    decision = evaluate([everyone], DONE)
    assert decision.outcome is Outcome.HALT
    assert decision.reasons[0].code == "guard" and decision.reasons[0].reading is not None
    assert decision.reasons[0].reading.metric == CRASH_GUARD
    assert "absolute guard of 1.09 %" in decision.sentence
    assert evaluate([everyone], DONE, GateConfig(crash_guard=None)).outcome is Outcome.ADVANCE


def _topics(days: int, complaint: int = 0) -> Snapshot:
    """Day `days` of a 1 % stage: 20 ordinary topics at the same rate on both builds, and a
    new complaint topic (id 99) with `complaint` reporters on the new build only."""
    topics = {t: (round(3 * days), round(297 * days)) for t in range(1, 21)}
    if complaint:
        topics[99] = (complaint, 0)
    return Snapshot(new=_cohort(10_000 * days), base=_cohort(990_000 * days), topics=topics)


def test_a_new_topic_on_the_build_halts_past_the_allowed_number() -> None:
    snapshots = [_topics(1), _topics(2, complaint=6)]
    decision = evaluate(snapshots, DONE)
    assert decision.outcome is Outcome.HALT and decision.reasons[0].code == "emerging"
    reading = decision.reasons[0].reading
    assert isinstance(reading, TopicReading) and reading.topic_id == 99
    assert reading.rank == 21  # watched after the 20 ordinary topics
    assert reading.threshold == pytest.approx(21 * 22 / GateConfig().alpha_per_test)
    assert "topic #99: 6 reporters in 20000 device-days" in decision.sentence
    assert "against 0 in 1.98e+06" in decision.sentence
    lenient = GateConfig(max_emerging_flags=1)
    assert evaluate(snapshots, DONE, lenient).outcome is Outcome.ADVANCE
    # two reporters are not enough evidence yet
    assert evaluate([_topics(1), _topics(2, complaint=2)], DONE).outcome is Outcome.ADVANCE


def test_ordinary_topics_at_their_usual_rate_never_count() -> None:
    snapshots = [_topics(d) for d in range(1, 8)]
    decision = evaluate(snapshots, DONE)
    assert decision.outcome is Outcome.ADVANCE
    state = GateState()
    for snapshot in snapshots:
        state = update(state, snapshot, GateConfig())
    readings = topic_readings(state, GateConfig())
    assert [r.topic_id for r in readings] == list(range(1, 21))
    assert all(r.statistic < 1 for r in readings)


def test_the_topic_budgets_sum_to_the_topics_share_of_alpha() -> None:
    total = sum(topic_alpha(0.01, k) for k in range(1, 100_000))
    assert total == pytest.approx(0.01, rel=1e-4) and total < 0.01
    # a topic the baseline never shows: each reporter is strong evidence at a 1 % stage
    assert reporters_needed(0.01, 1.0, 0.05 / 6, rank=26) == 4
    assert reporters_needed(0.5, 1.0, 0.05 / 6, rank=26) == 18


def test_topic_counts_that_go_down_add_no_evidence() -> None:
    up = _topics(2, complaint=6)
    merged_away = Snapshot(new=_cohort(30_000), base=_cohort(2_970_000), topics={})
    state = GateState()
    for snapshot in (_topics(1), up, merged_away):
        state = update(state, snapshot, GateConfig())
    assert state.topics.order[-1] == 99
    (last,) = [r for r in topic_readings(state, GateConfig()) if r.topic_id == 99]
    assert last.new_reporters == 0  # the last snapshot no longer shows it


def test_a_good_build_with_many_topics_keeps_its_false_alarm_rate_under_every_look() -> None:
    """40 ordinary topics, checked 28 times over a rollout: the topics' part of the budget
    (α/6) bounds how often any of them ever crosses."""
    rng = np.random.default_rng(3)
    config = GateConfig()
    runs, crossed = 300, 0
    rates = np.full(40, 0.003 / 40)
    for _ in range(runs):
        state, new, base = GateState(), np.zeros(40, int), np.zeros(40, int)
        new_days = base_days = 0.0
        for look in range(28):
            share = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)[look // 4]
            e_new, e_base = 50_000 * share, 50_000 * (1 - share)
            new_days, base_days = new_days + e_new, base_days + e_base
            new += rng.poisson(rates * e_new)
            base += rng.poisson(rates * e_base)
            topics = {
                k + 1: (int(n), int(b)) for k, (n, b) in enumerate(zip(new, base, strict=True))
            }
            snapshot = Snapshot(CohortCounts(new_days), CohortCounts(base_days), topics)
            state = update(state, snapshot, config)
            if any(r.crossed for r in topic_readings(state, config)):
                crossed += 1
                break
    assert crossed / runs <= config.alpha_per_test * 2  # 2 × its bound: sampling slack


def test_a_tolerated_degradation_does_not_halt_even_with_much_data() -> None:
    snapshot = _snap(1_000_000, 1_000_000, crash=0.00625)  # ×1.25
    crash_only = with_metrics(GateConfig(crash_guard=None), Metric.CRASH_RATE)
    assert evaluate([snapshot], DONE, crash_only).outcome is Outcome.HALT
    tolerant = GateConfig(crash_guard=None, tolerance=0.3, metrics=(Metric.CRASH_RATE,))
    assert evaluate([snapshot], DONE, tolerant).outcome is Outcome.ADVANCE


def test_the_alpha_is_split_over_the_tests() -> None:
    assert GateConfig().tests == 6 and GateConfig().threshold == pytest.approx(120)
    assert with_metrics(GateConfig(crash_guard=None), Metric.CRASH_RATE).threshold == pytest.approx(
        40
    )


def test_folding_checks_one_by_one_equals_evaluate() -> None:
    config = GateConfig()
    snapshots = [_snap(1_000 * d, 99_000 * d, crash=0.007) for d in (1, 2, 3)]
    state = GateState()
    for snapshot in snapshots:
        state = update(state, snapshot, config)
    assert state.checks == 3
    assert decide(state, DONE, config) == evaluate(snapshots, DONE, config)


def test_the_details_are_json_and_carry_the_snapshot_for_the_next_check() -> None:
    snapshots = [_snap(4_000 * d, 196_000 * d, crash=0.01) for d in (1, 2)]
    decision = evaluate(snapshots, DONE)
    details = json.loads(json.dumps(decision.details()))
    assert details["outcome"] == "halt"
    assert details["reasons"][0]["reading"]["metric"] == "crash_rate"
    assert Snapshot.from_dict(details["snapshot"]) == snapshots[-1]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative feedback cannot exceed"):
        CohortCounts(10, feedback=1, negative=2)
    with pytest.raises(ValueError, match="cannot go down"):
        evaluate([_snap(2_000, 2_000), _snap(1_000, 2_000)], DONE)
    with pytest.raises(ValueError, match="alpha"):
        GateConfig(alpha=1.5)
    with pytest.raises(ValueError, match="minimum detectable"):
        GateConfig(mdd={Metric.CRASH_RATE: 0.0}, metrics=(Metric.CRASH_RATE,))
    with pytest.raises(ValueError):
        Metric("latency")


def test_the_poisson_ratio_test_keeps_its_false_alarm_rate_when_looked_at_every_batch() -> None:
    """Ville's inequality in practice: 500 good builds checked 30 times each cross 1/α in at
    most α of the runs."""
    rng = np.random.default_rng(7)
    alpha, runs, looks = 0.05, 500, 30
    ratios = gate_stats.alternatives(1.0, 0.5)
    e_new, e_base = 50.0, 950.0  # events expected per batch at equal rates: 0.5 % of 10,000
    new = rng.poisson(e_new * 0.05, size=(runs, looks))
    base = rng.poisson(e_base * 0.05, size=(runs, looks))
    crossed = 0
    for run in range(runs):
        log_lr = np.zeros(len(ratios))
        for look in range(looks):
            log_lr += gate_stats.poisson_ratio_step(
                new[run, look], base[run, look], e_new, e_base, ratios, 1.0
            )
            if gate_stats.log_mixture(log_lr) >= math.log(1 / alpha):
                crossed += 1
                break
    assert crossed / runs <= alpha


def test_the_steps_say_nothing_without_a_comparison() -> None:
    ratios = gate_stats.alternatives(1.0, 0.5)
    assert not gate_stats.poisson_ratio_step(5, 0, 100, 0, ratios, 1.0).any()  # no baseline
    assert not gate_stats.poisson_ratio_step(0, 0, 100, 100, ratios, 1.0).any()  # no events
    odds = gate_stats.alternatives(1.0, 0.5)
    assert not gate_stats.odds_ratio_step(3, 10, 0, 0, odds, 1.0).any()
    # at the null's expected split the evidence goes against every alternative
    assert (gate_stats.odds_ratio_step(40, 100, 400, 1000, odds, 1.0) < 0).all()
    assert (gate_stats.odds_ratio_step(70, 100, 400, 1000, odds, 1.0) > 0).all()


def test_the_poisson_ratio_test_sees_a_doubled_rate() -> None:
    rng = np.random.default_rng(8)
    ratios = gate_stats.alternatives(1.0, 0.5)
    crossed = 0
    for _ in range(200):
        log_lr = np.zeros(len(ratios))
        for _look in range(30):
            step = gate_stats.poisson_ratio_step(
                rng.poisson(5.0), rng.poisson(47.5), 50, 950, ratios, 1.0
            )
            log_lr += step
            if gate_stats.log_mixture(log_lr) >= math.log(20):
                crossed += 1
                break
    assert crossed >= 190


def test_the_odds_ratio_test_keeps_its_false_alarm_rate_when_looked_at_every_batch() -> None:
    rng = np.random.default_rng(11)
    alpha, runs, looks = 0.05, 200, 20
    odds = gate_stats.alternatives(1.0, 0.5)
    crossed = 0
    for _ in range(runs):
        log_lr = np.zeros(len(odds))
        for _look in range(looks):
            n1, n2 = int(rng.poisson(30)), int(rng.poisson(300))
            k1, k2 = int(rng.binomial(n1, 0.4)), int(rng.binomial(n2, 0.4))
            log_lr += gate_stats.odds_ratio_step(k1, n1, k2, n2, odds, 1.0)
            if gate_stats.log_mixture(log_lr) >= math.log(1 / alpha):
                crossed += 1
                break
    assert crossed / runs <= alpha
