"""Read queries over the daily install-base aggregates of one product: active devices per build
and day (adoption), per model and per region (the latest day and the mean over the window),
and each build's device-days, crashes and returns.

Every query takes the same `InstallBaseFilter` (model, build, channel, region, segment, a day
range), so the numbers of one screen always describe the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from userloop.store.tables import builds, channels, device_models, install_base, products


@dataclass(frozen=True, slots=True)
class InstallBaseFilter:
    model: str | None = None
    build: str | None = None
    channel: str | None = None
    region: str | None = None
    segment: str | None = None
    since: date | None = None  # inclusive
    until: date | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class DayBuild:
    day: date
    build: str
    active_devices: int


@dataclass(frozen=True, slots=True)
class DeviceTotals:
    """Active devices of one model (or region): on the window's latest day, and summed over the
    window's days (the service divides by the number of days for the mean)."""

    value: str
    latest: int
    device_days: int


@dataclass(frozen=True, slots=True)
class BuildTotals:
    build: str
    device_days: int  # active devices summed over days
    crashes: int
    returns: int
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class FilterValues:
    """What the filters of one product can take: the values its install base holds."""

    models: list[str]
    builds: list[str]  # in version order
    channels: list[str]
    regions: list[str]
    segments: list[str]


class InstallBaseQueries:
    def product_exists(self, conn: Connection, product: str) -> bool:
        found = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        return found is not None

    def products(self, conn: Connection) -> list[str]:
        """Products with at least one install-base row, by slug."""
        rows = conn.execute(
            select(products.c.slug)
            .where(
                select(install_base.c.id)
                .where(install_base.c.product_id == products.c.id)
                .limit(1)
                .exists()
            )
            .order_by(products.c.slug)
        )
        return [str(s) for s in rows.scalars()]

    def has_rows(self, conn: Connection, product: str) -> bool:
        query = (
            select(install_base.c.id)
            .join(products, products.c.id == install_base.c.product_id)
            .where(products.c.slug == product)
            .limit(1)
        )
        return conn.execute(query).first() is not None

    def values(self, conn: Connection, product: str) -> FilterValues:
        """One scan for the distinct combinations (a few thousand at most), then the names of
        the ids from the small dimension tables: five joined DISTINCT scans cost ten times as
        much on PostgreSQL."""
        pid = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        if pid is None:
            return FilterValues([], [], [], [], [])
        c = install_base.c
        combos = conn.execute(
            select(c.model_id, c.build_id, c.channel_id, c.region, c.segment)
            .distinct()
            .where(c.product_id == pid)
        ).all()
        model_ids = {r[0] for r in combos}
        build_ids = {r[1] for r in combos}
        channel_ids = {r[2] for r in combos}
        models = conn.execute(
            select(device_models.c.name).where(device_models.c.id.in_(model_ids))
        ).scalars()
        versions = conn.execute(
            select(builds.c.version, builds.c.sort_key).where(builds.c.id.in_(build_ids))
        ).all()
        names = conn.execute(select(channels.c.name).where(channels.c.id.in_(channel_ids)))
        return FilterValues(
            models=sorted(str(m) for m in models),
            builds=[str(v) for v, _key in sorted(versions, key=lambda r: str(r[1]))],
            channels=sorted(str(n) for n in names.scalars()),
            regions=sorted({str(r[3]) for r in combos}),
            segments=sorted({str(r[4]) for r in combos}),
        )

    def days(self, conn: Connection, product: str, where: InstallBaseFilter) -> list[date]:
        """The days in the window that have rows, oldest first."""
        query = _filtered(select(install_base.c.day).distinct(), product, where)
        return sorted(conn.execute(query).scalars())

    def adoption(self, conn: Connection, product: str, where: InstallBaseFilter) -> list[DayBuild]:
        """Active devices per day and build, by day then build version order."""
        total = func.sum(install_base.c.active_devices)
        query = _filtered(
            select(install_base.c.day, builds.c.version, builds.c.sort_key, total),
            product,
            where,
        ).group_by(install_base.c.day, builds.c.version, builds.c.sort_key)
        rows = sorted(conn.execute(query).all(), key=lambda r: (r[0], str(r[2])))
        return [DayBuild(day, str(version), int(n or 0)) for day, version, _key, n in rows]

    def per_model(
        self, conn: Connection, product: str, where: InstallBaseFilter, latest_day: date
    ) -> list[DeviceTotals]:
        return self._per(conn, product, where, latest_day, device_models.c.name)

    def per_region(
        self, conn: Connection, product: str, where: InstallBaseFilter, latest_day: date
    ) -> list[DeviceTotals]:
        return self._per(conn, product, where, latest_day, install_base.c.region)

    def _per(
        self,
        conn: Connection,
        product: str,
        where: InstallBaseFilter,
        latest_day: date,
        column: Any,
    ) -> list[DeviceTotals]:
        """Device-days per value over the window and active devices on `latest_day`, largest
        first on that day (ties by device-days, then value)."""
        summed = func.sum(install_base.c.active_devices)
        totals = {
            str(v): int(n or 0)
            for v, n in conn.execute(
                _filtered(select(column, summed), product, where).group_by(column)
            )
        }
        latest = {
            str(v): int(n or 0)
            for v, n in conn.execute(
                _filtered(select(column, summed), product, where)
                .where(install_base.c.day == latest_day)
                .group_by(column)
            )
        }
        rows = [DeviceTotals(v, latest.get(v, 0), n) for v, n in totals.items()]
        return sorted(rows, key=lambda r: (-r.latest, -r.device_days, r.value))

    def per_build(
        self, conn: Connection, product: str, where: InstallBaseFilter
    ) -> list[BuildTotals]:
        """Each build's totals over the window, in version order."""
        c = install_base.c
        query = _filtered(
            select(
                builds.c.version,
                builds.c.sort_key,
                func.sum(c.active_devices),
                func.sum(c.crashes),
                func.sum(c.returns),
                func.min(c.day),
                func.max(c.day),
            ),
            product,
            where,
        ).group_by(builds.c.version, builds.c.sort_key)
        rows = sorted(conn.execute(query).all(), key=lambda r: str(r[1]))
        return [
            BuildTotals(str(v), int(d or 0), int(cr or 0), int(rt or 0), first, last)
            for v, _key, d, cr, rt, first, last in rows
        ]


def _joined(query: Select[Any], product: str) -> Select[Any]:
    return _where_product(
        query.select_from(
            install_base.join(products, products.c.id == install_base.c.product_id)
            .join(device_models, device_models.c.id == install_base.c.model_id)
            .join(builds, builds.c.id == install_base.c.build_id)
            .join(channels, channels.c.id == install_base.c.channel_id)
        ),
        product,
    )


def _where_product(query: Select[Any], product: str) -> Select[Any]:
    return query.where(products.c.slug == product)


def _filtered(query: Select[Any], product: str, where: InstallBaseFilter) -> Select[Any]:
    query = _joined(query, product)
    if where.model is not None:
        query = query.where(device_models.c.name == where.model)
    if where.build is not None:
        query = query.where(builds.c.version == where.build)
    if where.channel is not None:
        query = query.where(channels.c.name == where.channel)
    if where.region is not None:
        query = query.where(install_base.c.region == where.region)
    if where.segment is not None:
        query = query.where(install_base.c.segment == where.segment)
    if where.since is not None:
        query = query.where(install_base.c.day >= where.since)
    if where.until is not None:
        query = query.where(install_base.c.day <= where.until)
    return query
