"""Returns insight: the pure rule (a planted bad batch is flagged, clean batches are not; rates
and intervals) and the service on both stores (rates per model and build with install base,
counts only without; the batch flagged after triage; the gates' per-build numbers)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from tests.returns_world import (
    BAD_BATCH,
    DEVICES,
    INSTALL_BASE_DAYS,
    add_install_base,
    add_returns,
    today,
    x1_returns,
)
from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.insight.returns import ReturnsConfig, batches_out_of_line, return_rate
from userloop.insight.returns_service import InvalidWindow, ReturnsService, UnknownProduct
from userloop.store import Store

# topic ids: 1 battery, 2 bluetooth, 3 camera
CLEAN = {"L1": (8, 8, 2), "L2": (7, 9, 2), "L3": (8, 7, 2)}


def _reasons(bad: tuple[int, int, int]) -> dict[tuple[str, str, int], int]:
    out = {}
    for batch, counts in {**CLEAN, "L4": bad}.items():
        for topic, n in enumerate(counts, start=1):
            out[("X1", batch, topic)] = n
    return out


def test_a_planted_bad_batch_is_flagged_and_the_clean_ones_are_not() -> None:
    flags = batches_out_of_line(_reasons((3, 3, 14)))
    assert [(f.model, f.batch, f.topic_id) for f in flags] == [("X1", "L4", 3)]
    ev = flags[0].evidence
    assert (ev["returns"], ev["batch_returns"], ev["other_returns"], ev["other_batch_returns"]) == (
        14,
        20,
        6,
        53,
    )
    assert ev["ratio"] == pytest.approx((14 / 20) / (6 / 53))
    assert ev["p_adjusted"] <= 0.05 and ev["p"] <= ev["p_adjusted"]
    assert ev["pairs_tested"] == 12


def test_a_batch_like_the_others_is_not_flagged_and_the_floors_hold() -> None:
    assert batches_out_of_line(_reasons((8, 8, 3))) == []
    # significant, but under the minimum count of returns about the topic
    assert batches_out_of_line(_reasons((3, 3, 14)), ReturnsConfig(min_count=15)) == []
    # significant, but the shares differ by less than the minimum ratio
    assert batches_out_of_line(_reasons((3, 3, 14)), ReturnsConfig(min_ratio=7)) == []
    # a model with one batch has nothing to compare with
    assert batches_out_of_line({("X9", "only", 1): 50}) == []


def test_a_topic_no_other_batch_has_counts_as_an_infinite_ratio() -> None:
    reasons = {**_reasons((8, 8, 2)), ("X1", "L4", 4): 9}
    flags = batches_out_of_line(reasons)
    assert [(f.batch, f.topic_id) for f in flags] == [("L4", 4)]
    assert flags[0].evidence["ratio"] is None and flags[0].evidence["other_share"] == 0


def test_rates_and_their_exact_interval() -> None:
    r = return_rate(10, 20_000)
    assert r.rate == pytest.approx(0.5)
    assert r.low is not None and r.high is not None
    assert r.low < 0.5 < r.high
    assert (round(r.low, 4), round(r.high, 4)) == (0.2398, 0.9195)  # Garwood, 95%
    zero = return_rate(0, 1_000)
    assert zero.low == 0.0 and zero.high is not None and zero.high > 0
    assert return_rate(4, None).rate is None and return_rate(4, 0).device_days is None
    with pytest.raises(ValueError):
        ReturnsConfig(alpha=0)
    with pytest.raises(ValueError):
        ReturnsConfig(min_ratio=0.5)


def test_summary_with_install_base(store: Store, settings: Settings) -> None:
    add_returns(store, settings, fake_triage(store, settings))
    add_install_base(store, settings)
    service = ReturnsService(store, settings.default_product)
    s = service.summary()
    assert s.has_install_base and s.returns == x1_returns() + 24
    models = {r.value: r for r in s.per_model}
    x1_days = sum(DEVICES.values()) * INSTALL_BASE_DAYS
    assert (models["X1"].returns, models["X1"].device_days) == (x1_returns(), x1_days)
    assert models["X1"].rate == pytest.approx(1000 * x1_returns() / x1_days)
    # X2 has no install base: its count only
    assert (models["X2"].returns, models["X2"].device_days, models["X2"].rate) == (24, None, None)
    builds = {r.value: r for r in s.per_build}
    assert [r.value for r in s.per_build] == ["2.0", "2.1"]
    assert builds["2.0"].device_days == DEVICES["2.0"] * INSTALL_BASE_DAYS
    assert builds["2.0"].returns == x1_returns("2.0")
    assert s.unknown_build == 0 and s.without_batch == 3
    batches = {(b.model, b.batch): b for b in s.per_batch}
    assert batches[("X1", BAD_BATCH)].returns == 20
    assert math.isclose(sum(b.share for b in s.per_batch if b.model == "X2"), 1.0)
    assert [(f.model, f.batch) for f in s.flagged] == [("X1", BAD_BATCH)]
    assert "camera" in s.flagged[0].topic_title.lower()
    record = s.record()
    assert record["flagged"][0]["evidence"]["returns"] == 14 and record["since"] is None

    # the gates: a build's returns and device-days, under filters and a window
    assert service.returns_by_build(settings.default_product, "2.0") == (
        x1_returns("2.0"),
        DEVICES["2.0"] * INSTALL_BASE_DAYS,
    )
    returns, days = service.returns_by_build(
        settings.default_product, "2.1", models=["X2"], regions=["NL"]
    )
    assert (returns, days) == (11, 0)  # X2's NL returns (every odd i: 3+3+3+2), no install base
    assert service.returns_by_build(settings.default_product, "2.1", models=[]) == (0, 0)
    yesterday = today() - timedelta(days=1)
    _, one_day = service.returns_by_build(
        settings.default_product, "2.1", since=yesterday, until=yesterday
    )
    assert one_day == DEVICES["2.1"]


def test_summary_counts_only_without_install_base_and_before_triage(
    store: Store, settings: Settings
) -> None:
    add_returns(store, settings)  # not triaged: no topics, so no batch can be judged
    service = ReturnsService(store, settings.default_product)
    s = service.summary()
    assert not s.has_install_base and s.flagged == []
    assert all(r.device_days is None and r.rate is None for r in s.per_model + s.per_build)
    assert {r.value: r.returns for r in s.per_model} == {"X1": x1_returns(), "X2": 24}
    window = service.summary(since=today() - timedelta(days=1), until=today())
    assert 0 < window.returns < s.returns
    with pytest.raises(InvalidWindow):
        service.summary(since=today(), until=today() - timedelta(days=1))
    with pytest.raises(UnknownProduct):
        service.summary("watch")
