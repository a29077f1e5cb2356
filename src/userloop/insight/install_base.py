"""The install base of a product as the console, the API and the CLI show it: how each build is
adopted day by day, active devices per model and per region, and each build's crash and
return rates per device-day with an exact 95% Poisson interval (docs/insight.md).

A device-day is one active device on one day: a build with 1,000 active devices on each of 7
days has 7,000 device-days. Crashes and returns are counted per day too, so their rate per
device-day is a Poisson rate whose exposure is known exactly."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from scipy.stats import chi2

from userloop.domain.enums import Channel, Segment
from userloop.store import Store
from userloop.store.queries.install_base import DeviceTotals, FilterValues, InstallBaseFilter

# Screens and commands build filters and read the options through this module (they may not
# import the store).
__all__ = [
    "LEVEL",
    "AdoptionPoint",
    "BuildHealth",
    "DeviceCount",
    "FilterValues",
    "InstallBaseFilter",
    "InstallBaseReport",
    "InstallBaseService",
    "InvalidFilter",
    "Rate",
    "UnknownProduct",
    "check_filter",
    "poisson_interval",
    "rate",
]

LEVEL = 0.95
NO_INSTALL_BASE_HINT = "import daily aggregates with `userloop import --install-base`"
_REGION = re.compile(r"^[A-Za-z]{2}$")


class UnknownProduct(LookupError):
    """No product has this slug."""


class InvalidFilter(ValueError):
    """A filter value that can never match (an unknown channel, a reversed day range...)."""


@dataclass(frozen=True)
class Rate:
    """A count per device-day with its exact Poisson interval (at `LEVEL`)."""

    count: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class AdoptionPoint:
    day: date
    build: str
    active_devices: int
    share: float  # of the day's active devices (under the filters)


@dataclass(frozen=True)
class DeviceCount:
    """Active devices of one model or region: on the window's latest day, and the mean per
    day over the window's days (a day without rows for it counts as zero)."""

    value: str
    latest: int
    mean: float


@dataclass(frozen=True)
class BuildHealth:
    build: str
    device_days: int
    crashes: Rate
    returns: Rate
    first_day: date
    last_day: date
    latest_active_devices: int  # on the window's latest day
    latest_share: float  # share of that day's active devices: the build's adoption now


@dataclass(frozen=True)
class InstallBaseReport:
    product: str
    has_install_base: bool  # False: the product has no install-base rows at all
    filters: InstallBaseFilter
    options: FilterValues
    # The days in the window (the day range) on which the product has rows, oldest first;
    # the other filters may leave some of them, or all, without rows.
    days: list[date]
    builds: list[str]  # builds in the window, version order
    adoption: list[AdoptionPoint]
    models: list[DeviceCount]
    regions: list[DeviceCount]
    per_build: list[BuildHealth]
    level: float = LEVEL

    @property
    def latest_day(self) -> date | None:
        return self.days[-1] if self.days else None

    @property
    def matched(self) -> bool:
        """Whether any row matches the filters."""
        return bool(self.per_build)

    @property
    def hint(self) -> str | None:
        """What to do when there is nothing to show."""
        return None if self.has_install_base else f"no install-base data: {NO_INSTALL_BASE_HINT}"

    def record(self) -> dict[str, Any]:
        """The JSON object of the API (dates as ISO strings)."""
        out = asdict(self)
        out["latest_day"] = self.latest_day
        out["matched"] = self.matched
        out["hint"] = self.hint
        return {k: _iso(v) for k, v in out.items()}


def poisson_interval(count: int, exposure: float, level: float = LEVEL) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson rate: count k over exposure E lies in
    [chi2(a/2; 2k) / 2E, chi2(1 - a/2; 2k + 2) / 2E]; the lower end is 0 when k is 0."""
    if exposure <= 0:
        return 0.0, 0.0
    alpha = 1 - level
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return low / exposure, high / exposure


def rate(count: int, exposure: int, level: float = LEVEL) -> Rate:
    low, high = poisson_interval(count, exposure, level)
    return Rate(count, count / exposure if exposure else 0.0, low, high)


def check_filter(where: InstallBaseFilter) -> InstallBaseFilter:
    """The filter with its values normalised, or InvalidFilter naming the field and the fix."""
    if where.channel is not None and where.channel not in {c.value for c in Channel}:
        allowed = ", ".join(c.value for c in Channel)
        raise InvalidFilter(f"channel must be one of {allowed}; got {where.channel!r}")
    if where.segment is not None and where.segment not in {s.value for s in Segment}:
        allowed = ", ".join(s.value for s in Segment)
        raise InvalidFilter(f"segment must be one of {allowed}; got {where.segment!r}")
    region = where.region
    if region is not None:
        if not _REGION.match(region):
            raise InvalidFilter(
                f"region must be a two-letter country code such as US; got {region!r}"
            )
        region = region.upper()
    if where.since is not None and where.until is not None and where.since > where.until:
        raise InvalidFilter(
            f"since ({where.since.isoformat()}) is after until ({where.until.isoformat()})"
        )
    return InstallBaseFilter(
        model=where.model,
        build=where.build,
        channel=where.channel,
        region=region,
        segment=where.segment,
        since=where.since,
        until=where.until,
    )


class InstallBaseService:
    def __init__(self, store: Store, default_product: str) -> None:
        self.store = store
        self.default_product = default_product
        self.queries = store.install_base_queries

    def products(self) -> list[str]:
        """Products with install-base rows."""
        with self.store.read() as conn:
            return self.queries.products(conn)

    def report(
        self, product: str | None = None, where: InstallBaseFilter | None = None
    ) -> InstallBaseReport:
        """The install base of `product` under the filters. Without a product: the default
        product if it has an install base, else the first that has one (else the default)."""
        where = check_filter(where or InstallBaseFilter())
        with self.store.read() as conn:
            if product is None:
                known = self.queries.products(conn)
                product = (
                    self.default_product if self.default_product in known or not known else known[0]
                )
            elif not self.queries.product_exists(conn, product):
                raise UnknownProduct(f"no product {product!r}")
            has_rows = self.queries.has_rows(conn, product)
            options = self.queries.values(conn, product)
            if not has_rows:
                return InstallBaseReport(product, False, where, options, [], [], [], [], [], [])
            # The window is the product's days in the range, whatever the other filters: a
            # model or region absent on a day counts zero there, so its mean and its latest
            # day read the same under every filter.
            window = InstallBaseFilter(since=where.since, until=where.until)
            days = self.queries.days(conn, product, window)
            if not days:
                return InstallBaseReport(product, True, where, options, [], [], [], [], [], [])
            daily = self.queries.adoption(conn, product, where)
            models = self.queries.per_model(conn, product, where, days[-1])
            regions = self.queries.per_region(conn, product, where, days[-1])
            totals = self.queries.per_build(conn, product, where)
        day_total: dict[date, int] = {}
        for point in daily:
            day_total[point.day] = day_total.get(point.day, 0) + point.active_devices
        adoption = [
            AdoptionPoint(
                p.day,
                p.build,
                p.active_devices,
                p.active_devices / day_total[p.day] if day_total[p.day] else 0.0,
            )
            for p in daily
        ]
        now = {p.build: p for p in adoption if p.day == days[-1]}
        per_build = [
            BuildHealth(
                build=b.build,
                device_days=b.device_days,
                crashes=rate(b.crashes, b.device_days),
                returns=rate(b.returns, b.device_days),
                first_day=b.first_day,
                last_day=b.last_day,
                latest_active_devices=now[b.build].active_devices if b.build in now else 0,
                latest_share=now[b.build].share if b.build in now else 0.0,
            )
            for b in totals
        ]
        return InstallBaseReport(
            product=product,
            has_install_base=True,
            filters=where,
            options=options,
            days=days,
            builds=[b.build for b in totals],
            adoption=adoption,
            models=_counts(models, len(days)),
            regions=_counts(regions, len(days)),
            per_build=per_build,
        )


def _counts(rows: list[DeviceTotals], days: int) -> list[DeviceCount]:
    return [DeviceCount(r.value, r.latest, r.device_days / days if days else 0.0) for r in rows]


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
