"""The emerging-issues rule (pure): planted regressions and new topics are flagged, clean
builds rarely are."""

from __future__ import annotations

import numpy as np
import pytest

from userloop.insight.emerging import (
    POISSON_TEST,
    SHARE_TEST,
    BuildExposure,
    EmergingConfig,
    emerging,
)

TOPICS = 20


def _fleet(
    rng: np.random.Generator,
    builds: int,
    *,
    jump: tuple[int, int, float] | None = None,
    devices: bool = True,
) -> tuple[list[BuildExposure], dict[tuple[str, int], int]]:
    """`builds` builds with Poisson counts of TOPICS topics at fixed rates per device; `jump`
    (build index, topic, factor) multiplies one topic's rate on one build onwards."""
    rates = np.linspace(0.5, 12.0, TOPICS) / 10_000  # reports per device
    exposures: list[BuildExposure] = []
    counts: dict[tuple[str, int], int] = {}
    for b in range(builds):
        name = f"1.{b}"
        active = int(rng.integers(5_000, 20_000))
        lam = rates * active
        if jump is not None and b >= jump[0]:
            lam[jump[1]] *= jump[2]
        drawn = rng.poisson(lam)
        for topic, n in enumerate(drawn):
            if n:
                counts[(name, topic)] = int(n)
        total = int(drawn.sum()) + int(rng.poisson(active * 0.01))  # other feedback
        exposures.append(BuildExposure(name, total, active if devices else None))
    return exposures, counts


def test_a_regression_planted_in_build_n_is_flagged_on_n_and_not_before() -> None:
    rng = np.random.default_rng(12)
    builds, counts = _fleet(rng, 6, jump=(4, 7, 4.0))
    flags = emerging(builds, counts)
    on_n = [f for f in flags if f.build == "1.4" and f.topic_id == 7]
    assert on_n and on_n[0].reason == "rise"
    assert not [f for f in flags if f.build == "1.3" and f.topic_id == 7]
    evidence = on_n[0].evidence
    assert evidence["test"] == POISSON_TEST and evidence["exposure"] == "active_devices"
    assert evidence["ratio"] > 2 and evidence["p_adjusted"] <= 0.05
    assert evidence["p"] <= evidence["p_adjusted"]
    assert on_n[0].score == pytest.approx(-np.log10(evidence["p_adjusted"]), abs=1e-3)
    # `only` restricts to one build
    assert [f.build for f in emerging(builds, counts, only="1.4")] == ["1.4"]
    assert emerging(builds, counts, only="1.3") == []


def test_without_install_base_the_share_of_feedback_is_compared() -> None:
    rng = np.random.default_rng(5)
    builds, counts = _fleet(rng, 6, jump=(5, 3, 6.0), devices=False)
    flags = emerging(builds, counts, only="1.5")
    assert [f.topic_id for f in flags] == [3]
    assert flags[0].evidence["test"] == SHARE_TEST
    assert flags[0].evidence["exposure"] == "feedback"


@pytest.mark.parametrize("devices", [True, False])
def test_clean_builds_rarely_raise_a_false_alarm(devices: bool) -> None:
    rng = np.random.default_rng(2026)
    runs = 200 if devices else 100
    alarms = 0
    for _ in range(runs):
        builds, counts = _fleet(rng, 5, devices=devices)
        alarms += bool(emerging(builds, counts, only=builds[-1].build))
    assert alarms / runs <= 0.05


def test_a_topic_new_on_a_build_is_flagged_with_enough_reports() -> None:
    rng = np.random.default_rng(7)
    builds, counts = _fleet(rng, 5)
    last = builds[-1].build
    counts[(last, 99)] = 6
    flags = emerging(builds, counts, only=last)
    new = [f for f in flags if f.topic_id == 99]
    assert new and new[0].reason == "new"
    assert new[0].evidence["count_before"] == 0 and new[0].evidence["ratio"] is None
    # too few reports: not flagged, however surprising
    counts[(last, 99)] = 4
    assert not [f for f in emerging(builds, counts, only=last) if f.topic_id == 99]


def test_window_compares_with_the_last_builds_only() -> None:
    builds = [BuildExposure(f"b{i}", 1000, 10_000) for i in range(4)]
    # topic 1 was high on b0, low on b1-b2 and back up on b3
    counts = {("b0", 1): 40, ("b1", 1): 5, ("b2", 1): 5, ("b3", 1): 40}
    pooled = emerging(builds, counts, only="b3")
    recent = emerging(builds, counts, EmergingConfig(window=2), only="b3")
    assert [f.topic_id for f in recent] == [1]
    assert recent[0].evidence["builds_before"] == ["b1", "b2"]
    assert recent[0].score > (pooled[0].score if pooled else 0.0)


def test_a_rise_that_stayed_is_flagged_where_it_rose_not_again() -> None:
    builds = [BuildExposure(f"b{i}", 1000, 10_000) for i in range(5)]
    # topic 1 jumped on b3 and stayed there on b4; topic 2 is new on b4
    counts = {("b0", 1): 5, ("b1", 1): 5, ("b2", 1): 5, ("b3", 1): 40, ("b4", 1): 40}
    counts[("b4", 2)] = 6
    flags = emerging(builds, counts)
    assert [(f.build, f.topic_id) for f in flags] == [("b3", 1), ("b4", 2)]
    assert flags[0].evidence["recent"]["builds"] == ["b2"]
    # without the recent test, the pooled history alone flags topic 1 on b4 again
    pooled = emerging(builds, counts, EmergingConfig(recent=None), only="b4")
    assert {f.topic_id for f in pooled} == {1, 2}


def test_the_recent_baseline_reaches_back_past_a_small_hotfix_build() -> None:
    builds = [BuildExposure(v, 1000, n) for v, n in (("1.0", 10_000), ("1.1", 10_000))]
    builds += [BuildExposure("1.1.1", 1000, 500), BuildExposure("1.2", 1000, 10_000)]
    counts = {("1.0", 1): 5, ("1.1", 1): 5, ("1.1.1", 1): 1, ("1.2", 1): 30}
    (flag,) = emerging(builds, counts, only="1.2")
    # the hotfix alone (500 device-days against 10,000) could not show the rise
    assert flag.evidence["recent"]["builds"] == ["1.1", "1.1.1"]
    assert flag.evidence["recent"]["p"] <= 0.05


def test_the_first_build_and_empty_input_have_no_flags() -> None:
    assert emerging([], {}) == []
    assert emerging([BuildExposure("1", 10, 100)], {("1", 1): 10}) == []


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="alpha"):
        EmergingConfig(alpha=0)
    with pytest.raises(ValueError, match="window"):
        EmergingConfig(window=0)
    with pytest.raises(ValueError, match="recent"):
        EmergingConfig(recent=0)
