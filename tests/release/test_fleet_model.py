"""The fleet model under the app-store-7-day plan with the default base rates: what the health
gates catch on a 200,000-device fleet, and how rarely they stop a good build (the issue's
must-show numbers; measured over more seeds in BENCHMARKS.md)."""

from __future__ import annotations

import pytest

from userloop.release.fleet_model import (
    PLANS,
    BuildEffect,
    minimum_complaint_share,
    minimum_detectable,
    simulate,
)
from userloop.release.gates import GateConfig, Metric

FLEET = 200_000


def test_a_doubled_crash_rate_is_halted_by_the_2_percent_stage() -> None:
    results = [simulate(FLEET, BuildEffect(crash=2.0), seed=seed) for seed in range(50)]
    assert all(r.halted for r in results)
    caught = [r for r in results if r.reach <= 0.02]
    # the physics allows no certainty: about 96 % of seeds halt within 2 %, the rest at 5 %
    assert len(caught) >= 45
    assert max(r.reach for r in results) <= 0.05
    assert "crash rate degraded" in caught[0].reason
    assert {r.halted_at_stage for r in caught} <= {0, 1}


def test_a_new_complaint_topic_in_2_percent_of_devices_is_halted_by_the_2_percent_stage() -> None:
    results = [simulate(FLEET, BuildEffect(complaint_share=0.02), seed=seed) for seed in range(50)]
    assert all(r.halted and r.reach <= 0.02 for r in results)
    assert "emerging issue" in results[0].reason


def test_tripled_returns_are_halted_before_half_the_fleet_has_the_build() -> None:
    results = [simulate(FLEET, BuildEffect(returns=3.0), seed=seed) for seed in range(50)]
    assert all(r.halted and r.reach < 0.5 for r in results)
    assert "returns rate degraded" in results[0].reason


def test_fewer_than_5_percent_of_200_good_builds_are_halted() -> None:
    results = [simulate(FLEET, seed=10_000 + seed) for seed in range(200)]
    halted = sum(r.halted for r in results)
    assert halted < 10
    assert sum(r.completed for r in results) == 200 - halted


def test_a_good_build_completes_its_plan() -> None:
    result = simulate(FLEET, seed=3)
    assert result.completed and not result.halted
    assert result.reach == 1.0 and result.stage == len(PLANS["app-store-7-day"]) - 1
    assert result.hours_to_decision >= 7 * 24
    assert result.reason.startswith("Advance") and result.halted_at_stage is None


def test_the_ubuntu_phased_plan_runs_in_6_hour_stages() -> None:
    good = simulate(FLEET, plan=PLANS["ubuntu-phased"], seed=1)
    assert good.completed and good.hours_to_decision >= 60
    bad = simulate(FLEET, BuildEffect(crash=3.0), plan=PLANS["ubuntu-phased"], seed=1)
    assert bad.halted and bad.reach <= 0.2


def test_the_same_seed_gives_the_same_rollout() -> None:
    effect = BuildEffect(crash=1.5)
    assert simulate(50_000, effect, seed=9) == simulate(50_000, effect, seed=9)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        simulate(0)
    with pytest.raises(ValueError, match="positive"):
        simulate(FLEET, plan=())


def test_what_the_gates_can_catch_shrinks_stage_by_stage_and_with_the_fleet() -> None:
    small = minimum_detectable(Metric.CRASH_RATE, 10_000)
    large = minimum_detectable(Metric.CRASH_RATE, 1_000_000)
    assert len(small) == len(large) == 7
    assert small[0] is None or small[0] > 3  # 100 devices for a day: half a crash expected
    assert large[0] is not None and large[0] < 2
    known = [x for x in large[:-1] if x is not None]
    assert known == sorted(known, reverse=True)
    # the 100 % stage has no baseline left, so it adds nothing
    assert large[-1] == pytest.approx(large[-2])
    for metric in Metric:
        assert minimum_detectable(metric, 200_000)[5] is not None


def test_the_minimum_detectable_degradation_is_caught_about_half_the_time() -> None:
    """The expected-counts figure is the median behaviour: a build at that ratio halts by the
    end of the stage in roughly half the rollouts (checks every 6 hours)."""
    config = GateConfig()
    ratio = minimum_detectable(Metric.CRASH_RATE, FLEET, config=config)[1]  # by the end of day 2
    assert ratio is not None
    results = [
        simulate(FLEET, BuildEffect(crash=ratio), seed=seed, config=config) for seed in range(60)
    ]
    share = sum(r.halted and r.hours_to_decision <= 48 for r in results) / len(results)
    assert 0.3 <= share <= 0.8


def test_the_complaint_share_the_topic_test_needs() -> None:
    shares = minimum_complaint_share(FLEET)
    assert shares[0] is not None and shares[1] is not None
    assert shares[1] < 0.02  # 2 % is enough by the end of the 2 % stage
    assert minimum_complaint_share(1_000)[0] is None  # 10 devices cannot produce 4 reporters
    assert shares[-1] is None  # at 100 % no baseline is left to compare with
