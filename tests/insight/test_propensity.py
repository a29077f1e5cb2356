"""Propensity and affected devices: the mean of daily active devices, the Gamma prior pulling
small cells to their segment, the Horvitz-Thompson estimate with its interval, and the planted
affected share of the synthetic fleet recovered."""

from __future__ import annotations

from datetime import date

import pytest

from tests.insight.fleet_support import TOPICS, daily, reports
from userloop.demo.fleet import build_fleet
from userloop.insight.propensity import Cell, affected, fit, garwood, mean_active_devices

A = Cell("X1", "1.0", "stable", "NL", "novice")
B = Cell("X1", "1.0", "stable", "NL", "pro")
C = Cell("X2", "1.0", "stable", "NL", "pro")


def test_active_devices_are_the_mean_over_the_windows_days_not_the_sum() -> None:
    rows = [(date(2026, 1, 1), A, 100), (date(2026, 1, 2), A, 300), (date(2026, 1, 2), B, 50)]
    # B had no row on the first day: it counts as 0 there (a build that was not out yet).
    assert mean_active_devices(rows) == {A: 200.0, B: 25.0}
    assert mean_active_devices([]) == {}


def test_no_devices_means_counts_only() -> None:
    assert fit({}, {A: 3}) is None
    assert fit({A: 0.0}, {A: 3}) is None


def test_a_large_cell_keeps_its_rate_and_a_small_one_is_pulled_to_its_segment() -> None:
    props = fit({A: 100_000.0, B: 10_000.0, C: 20.0}, {A: 500, B: 300, C: 5}, prior_strength=5)
    assert props is not None
    assert props.of_cell(A).mean == pytest.approx(0.005, rel=0.02)
    # C's raw rate (5 / 20 = 25%) is one small cell's luck: it is pulled to the pros' 3%.
    pro = props.of_segment("pro").mean
    assert pro == pytest.approx(305 / 10_020, rel=0.05)
    assert pro < props.of_cell(C).mean < 0.25 / 3
    # a cell the install base lacks takes its segment's rate; an unknown segment the product's
    assert props.of_cell(Cell("X9", "1.0", "stable", "NL", "pro")) == props.segments["pro"]
    assert props.of_segment("unknown") == props.overall
    with pytest.raises(ValueError):
        fit({A: 1.0}, {}, prior_strength=0)


def test_affected_devices_divide_reporters_by_propensity_with_an_interval() -> None:
    props = fit({A: 100_000.0, B: 10_000.0}, {A: 500, B: 300})
    assert props is not None
    found = affected({A: 10, B: 10}, props)
    per_a, per_b = 1 / props.of_cell(A).mean, 1 / props.of_cell(B).mean
    assert found.devices == pytest.approx(10 * per_a + 10 * per_b)
    assert found.by_cell[A] > 5 * found.by_cell[B]  # a silent cell's reporter stands for more
    assert found.low < found.devices < found.high
    # wider than the Poisson interval alone: the propensities are uncertain too
    low, high = garwood(20)
    assert found.low < found.devices * low / 20 and found.high > found.devices * high / 20
    nobody = affected({}, props)
    assert (nobody.devices, nobody.low) == (0.0, 0.0) and nobody.high > 0


def test_garwood_matches_known_values() -> None:
    zero_low, zero_high = garwood(0)
    assert zero_low == 0.0 and zero_high == pytest.approx(3.689, abs=1e-3)
    low, high = garwood(10)
    assert low == pytest.approx(4.795, abs=1e-3) and high == pytest.approx(18.39, abs=1e-2)


@pytest.mark.parametrize("devices", [100_000, 1_000_000])
def test_the_planted_affected_share_is_recovered_within_20_percent(devices: int) -> None:
    fleet = build_fleet(devices)
    rows = reports(fleet)
    cells = mean_active_devices(daily(fleet))
    everyone: dict[Cell, set[str]] = {}
    for r in rows:
        everyone.setdefault(r.cell, set()).add(r.reporter)
    props = fit(cells, {c: len(s) for c, s in everyone.items()})
    assert props is not None
    for key in ("crash", "wish"):
        mine: dict[Cell, set[str]] = {}
        for r in rows:
            if r.topic_id == TOPICS[key]:
                mine.setdefault(r.cell, set()).add(r.reporter)
        found = affected({c: len(s) for c, s in mine.items()}, props)
        planted = fleet.affected[key]
        assert found.devices == pytest.approx(planted, rel=0.2), key
        assert found.low <= planted <= found.high
        # counting reporters alone would be off by the segment's propensity (0.5% to 3%)
        assert found.reporters < planted / 20
