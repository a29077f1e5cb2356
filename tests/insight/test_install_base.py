"""The install base service on a small hand-made install base (tests/install_base_world.py),
on both stores: adoption per day, devices per model and region, per-build rates with exact
Poisson intervals; filters; a product without install base; bad filters refused."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy.stats import poisson

from tests.install_base_world import MARKUP_MODEL, TOTALS, add_install_base, days
from userloop.config import Settings
from userloop.insight.install_base import (
    InstallBaseService,
    InvalidFilter,
    UnknownProduct,
    poisson_interval,
)
from userloop.store import Store
from userloop.store.queries.install_base import InstallBaseFilter


@pytest.fixture
def service(store: Store, settings: Settings) -> InstallBaseService:
    return InstallBaseService(store, settings.default_product)


def test_numbers_of_the_hand_made_install_base(
    service: InstallBaseService, store: Store, settings: Settings
) -> None:
    add_install_base(store, settings)
    report = service.report()
    d0, d1, d2 = days()
    assert report.product == settings.default_product and report.has_install_base
    assert report.hint is None and report.matched
    assert report.days == [d0, d1, d2] and report.latest_day == d2
    assert report.builds == ["2.0", "2.1"]
    adoption = {(p.day, p.build): (p.active_devices, p.share) for p in report.adoption}
    assert adoption == {
        (d0, "2.0"): (1500, 1.0),
        (d1, "2.0"): (1200, pytest.approx(0.8)),
        (d1, "2.1"): (300, pytest.approx(0.2)),
        (d2, "2.0"): (600, pytest.approx(0.375)),
        (d2, "2.1"): (1000, pytest.approx(0.625)),
    }
    assert [(m.value, m.latest) for m in report.models] == [("X1", 1100), (MARKUP_MODEL, 500)]
    assert [m.mean for m in report.models] == pytest.approx([3100 / 3, 1500 / 3])
    assert [(r.value, r.latest) for r in report.regions] == [("NL", 1100), ("FR", 300), ("DE", 200)]
    assert [r.mean for r in report.regions] == pytest.approx([3100 / 3, 400 / 3, 1100 / 3])
    for b in report.per_build:
        device_days, crashes, returns = TOTALS[b.build]
        assert (b.device_days, b.crashes.count, b.returns.count) == (device_days, crashes, returns)
        assert b.crashes.rate == pytest.approx(crashes / device_days)
        assert b.returns.rate == pytest.approx(returns / device_days)
        assert b.crashes.low < b.crashes.rate < b.crashes.high
        assert (b.crashes.low, b.crashes.high) == pytest.approx(
            poisson_interval(crashes, device_days)
        )
    old, new = report.per_build
    assert (old.first_day, old.last_day, new.first_day, new.last_day) == (d0, d2, d1, d2)
    assert new.latest_active_devices == 1000 and new.latest_share == pytest.approx(0.625)
    # 2.1 crashes more, and its interval lies wholly above 2.0's
    assert new.crashes.low > old.crashes.high
    record = report.record()
    assert record["latest_day"] == d2.isoformat()
    assert record["per_build"][1]["crashes"]["count"] == 61


def test_filters_narrow_every_number(
    service: InstallBaseService, store: Store, settings: Settings
) -> None:
    add_install_base(store, settings)
    d0, d1, d2 = days()
    beta = service.report(where=InstallBaseFilter(channel="beta"))
    # The window is the product's days: 2.1 has none on the first.
    assert beta.builds == ["2.1"] and beta.days == [d0, d1, d2]
    assert [(p.day, p.share) for p in beta.adoption] == [(d1, 1.0), (d2, 1.0)]
    fr = service.report(where=InstallBaseFilter(region="fr"))  # case does not matter
    assert fr.filters.region == "FR"
    assert [(r.value, r.latest) for r in fr.regions] == [("FR", 300)]
    assert fr.regions[0].mean == pytest.approx(400 / 3)  # as without the filter
    assert fr.per_build[0].device_days == 400
    window = service.report(where=InstallBaseFilter(since=d1, until=d1, model="X1"))
    assert window.days == [d1]
    assert [(b.build, b.device_days) for b in window.per_build] == [("2.0", 800), ("2.1", 200)]
    assert service.report(where=InstallBaseFilter(segment="pro")).models[0].value == MARKUP_MODEL
    # Nothing matches: the product still has an install base, the window is empty.
    empty = service.report(where=InstallBaseFilter(build="9.9"))
    assert empty.has_install_base and not empty.matched
    assert empty.per_build == [] and empty.adoption == [] and empty.models == []
    assert empty.options.builds == ["2.0", "2.1"] and empty.options.regions == ["DE", "FR", "NL"]


def test_a_product_without_install_base_says_so(
    service: InstallBaseService, store: Store, settings: Settings
) -> None:
    report = service.report()
    assert not report.has_install_base
    assert report.hint is not None and "userloop import --install-base" in report.hint
    add_install_base(store, settings, product="tablet")
    # The default product has none: without a product, the one that has an install base.
    assert service.report().product == "tablet"
    with pytest.raises(UnknownProduct, match="'watch'"):
        service.report("watch")
    store.dimensions.product_id("watch")  # a product known from elsewhere, no install base
    assert not service.report("watch").has_install_base


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (InstallBaseFilter(channel="nightly"), "channel must be one of dev, beta, stable"),
        (InstallBaseFilter(segment="vip"), "segment must be one of"),
        (InstallBaseFilter(region="NLD"), "region must be a two-letter country code"),
    ],
)
def test_bad_filters_are_refused(
    service: InstallBaseService, where: InstallBaseFilter, message: str
) -> None:
    with pytest.raises(InvalidFilter, match=message):
        service.report(where=where)


def test_a_reversed_day_range_is_refused(service: InstallBaseService) -> None:
    d0, _d1, d2 = days()
    with pytest.raises(InvalidFilter, match=r"since \(.*\) is after until"):
        service.report(where=InstallBaseFilter(since=d2, until=d0 - timedelta(days=1)))


def test_the_interval_is_exact_and_covers_the_truth() -> None:
    # No event: the upper end is -ln(0.025) per unit of exposure, the lower end 0.
    assert poisson_interval(0, 100.0) == pytest.approx((0.0, -np.log(0.025) / 100))
    # The ends are where the Poisson tails hold 2.5% each.
    low, high = poisson_interval(12, 1.0)
    assert poisson.sf(11, low) == pytest.approx(0.025)
    assert poisson.cdf(12, high) == pytest.approx(0.025)
    # Coverage: over many draws at a known rate the interval holds the truth about 95% of
    # the time, and at least 95% (the exact interval is conservative).
    rng = np.random.default_rng(12)
    truth, exposure = 0.02, 1500
    counts = rng.poisson(truth * exposure, size=4000)
    held = 0
    for k in counts:
        lo, hi = poisson_interval(int(k), exposure)
        held += lo <= truth <= hi
    assert 0.95 <= held / len(counts) <= 0.98
    assert poisson_interval(5, 0) == (0.0, 0.0)
