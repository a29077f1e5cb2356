"""Returns on the store: counts from `store.queries.returns`, rates and batch flags from
`insight.returns`. Read by the API, the Install base page and the release gates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from userloop.insight.returns import (
    LEVEL,
    PER,
    ReturnsConfig,
    batches_out_of_line,
    return_rate,
)
from userloop.store import Store
from userloop.store.queries.returns import ReturnsQueries


class UnknownProduct(LookupError):
    """No product has this slug."""


class InvalidWindow(ValueError):
    """`since` is after `until`."""


@dataclass(frozen=True)
class RateRow:
    """Returns of one model or build; the rate and its interval per `PER` device-days (None
    where the install base has no device-days for it)."""

    value: str
    returns: int
    device_days: int | None
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class BatchRow:
    model: str
    batch: str
    returns: int
    share: float  # of the model's returns with a batch


@dataclass(frozen=True)
class FlaggedBatch:
    model: str
    batch: str
    topic_id: int
    topic_title: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class ReturnsSummary:
    product: str
    since: date | None
    until: date | None
    returns: int
    has_install_base: bool  # device-days for some returned model in the window
    per_model: list[RateRow]
    per_build: list[RateRow]  # in build order; returns of an unknown build are left out
    unknown_build: int
    per_batch: list[BatchRow]
    without_batch: int
    flagged: list[FlaggedBatch] = field(default_factory=list)
    per: int = PER
    level: float = LEVEL

    def record(self) -> dict[str, Any]:
        """The JSON object of the API (dates as ISO strings)."""
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out


class ReturnsService:
    def __init__(
        self, store: Store, default_product: str, config: ReturnsConfig | None = None
    ) -> None:
        self.store = store
        self.default_product = default_product
        self.config = config or ReturnsConfig()
        self.queries = ReturnsQueries()

    def products(self) -> list[str]:
        """Products with at least one return."""
        with self.store.read() as conn:
            return self.queries.products(conn)

    def summary(
        self, product: str | None = None, since: date | None = None, until: date | None = None
    ) -> ReturnsSummary:
        """Returns per model, build and batch over the days `since`..`until` (inclusive; None:
        open), rates per device-day where the install base has them, and the flagged batches."""
        slug = product or self.default_product
        _check_window(since, until)
        with self.store.read() as conn:
            if not self.queries.product_exists(conn, slug):
                raise UnknownProduct(f"no product {slug!r}")
            cells = self.queries.cells(conn, slug, since, until)
            exposure = self.queries.device_days(conn, slug, since, until)
            order = self.queries.build_order(conn, slug)
            reasons = self.queries.reasons(conn, slug, since, until)
            flags = batches_out_of_line(
                {(r.model, r.batch, r.topic_id): r.returns for r in reasons}, self.config
            )
            titles = self.queries.topic_titles(conn, {f.topic_id for f in flags})

        by_model: dict[str, int] = {}
        by_build: dict[str, int] = {}
        by_batch: dict[tuple[str, str], int] = {}
        unknown_build = without_batch = 0
        for c in cells:
            by_model[c.model] = by_model.get(c.model, 0) + c.returns
            if c.build is None:
                unknown_build += c.returns
            else:
                by_build[c.build] = by_build.get(c.build, 0) + c.returns
            if c.batch is None:
                without_batch += c.returns
            else:
                by_batch[(c.model, c.batch)] = by_batch.get((c.model, c.batch), 0) + c.returns
        model_days: dict[str, int] = {}
        build_days: dict[str, int] = {}
        for (model, build), n in exposure.items():
            model_days[model] = model_days.get(model, 0) + n
            build_days[build] = build_days.get(build, 0) + n
        per_model = [
            _row(m, n, model_days.get(m)) for m, n in sorted(by_model.items(), key=_largest)
        ]
        per_build = [
            _row(b, by_build[b], build_days.get(b))
            for b in sorted(by_build, key=lambda v: (order.get(v, ""), v))
        ]
        batched: dict[str, int] = {}
        for (model, _batch), n in by_batch.items():
            batched[model] = batched.get(model, 0) + n
        per_batch = [
            BatchRow(model, batch, n, n / batched[model])
            for (model, batch), n in sorted(by_batch.items(), key=lambda kv: (kv[0][0], -kv[1]))
        ]
        return ReturnsSummary(
            product=slug,
            since=since,
            until=until,
            returns=sum(by_model.values()),
            has_install_base=any(model_days.get(m) for m in by_model),
            per_model=per_model,
            per_build=per_build,
            unknown_build=unknown_build,
            per_batch=per_batch,
            without_batch=without_batch,
            flagged=[
                FlaggedBatch(f.model, f.batch, f.topic_id, titles.get(f.topic_id, ""), f.evidence)
                for f in flags
            ],
        )

    def returns_by_build(
        self,
        product: str,
        build: str,
        models: Collection[str] | None = None,
        regions: Collection[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> tuple[int, int]:
        """(returns, device-days) of `build` under the filters, for the release gates: the
        returns recorded on the build (RMA records that name it) and its active devices summed
        over the install base's days. Empty `models`/`regions` mean none; None means all."""
        _check_window(since, until)
        with self.store.read() as conn:
            return self.queries.by_build(conn, product, build, models, regions, since, until)


def _row(value: str, returns: int, device_days: int | None) -> RateRow:
    r = return_rate(returns, device_days)
    return RateRow(value, r.returns, r.device_days, r.rate, r.low, r.high)


def _largest(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _check_window(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and since > until:
        raise InvalidWindow(f"since ({since.isoformat()}) is after until ({until.isoformat()})")
