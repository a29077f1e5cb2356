"""Read queries over the returns (RMA records) of one product in a window of days: counts per
model, build and batch, the device-days of the install base per model and build over the same
days, the topics the reasons were triaged into, and one build's returns and device-days for the
release gates. Windows are inclusive day ranges; None leaves that end open."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from userloop.store.tables import builds, device_models, install_base, products, returns, topics
from userloop.store.tables import triage as triage_table


@dataclass(frozen=True, slots=True)
class ReturnCell:
    """Returns of one model, build (None: not known) and batch (None: not given)."""

    model: str
    build: str | None
    batch: str | None
    returns: int


@dataclass(frozen=True, slots=True)
class ReasonCell:
    """Returns of one model and batch whose reason was triaged into one topic."""

    model: str
    batch: str
    topic_id: int
    returns: int


class ReturnsQueries:
    def product_exists(self, conn: Connection, product: str) -> bool:
        found = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        return found is not None

    def products(self, conn: Connection) -> list[str]:
        """Products with at least one return, by slug."""
        has = select(returns.c.id).where(returns.c.product_id == products.c.id).limit(1).exists()
        rows = conn.execute(select(products.c.slug).where(has).order_by(products.c.slug))
        return [str(s) for s in rows.scalars()]

    def cells(
        self, conn: Connection, product: str, since: date | None, until: date | None
    ) -> list[ReturnCell]:
        query = _returns(
            select(device_models.c.name, builds.c.version, returns.c.batch, func.count()),
            product,
            since,
            until,
        ).group_by(device_models.c.name, builds.c.version, returns.c.batch)
        return [
            ReturnCell(str(m), None if b is None else str(b), None if t is None else str(t), int(n))
            for m, b, t, n in conn.execute(query)
        ]

    def build_order(self, conn: Connection, product: str) -> dict[str, str]:
        """Build version -> its sort key, for the builds of the product."""
        query = (
            select(builds.c.version, builds.c.sort_key)
            .join(products, products.c.id == builds.c.product_id)
            .where(products.c.slug == product)
        )
        return {str(v): str(k) for v, k in conn.execute(query)}

    def device_days(
        self, conn: Connection, product: str, since: date | None, until: date | None
    ) -> dict[tuple[str, str], int]:
        """(model, build) -> active devices summed over the install base's days in the window."""
        c = install_base.c
        query = (
            select(device_models.c.name, builds.c.version, func.sum(c.active_devices))
            .select_from(
                install_base.join(products, products.c.id == c.product_id)
                .join(device_models, device_models.c.id == c.model_id)
                .join(builds, builds.c.id == c.build_id)
            )
            .where(products.c.slug == product)
            .group_by(device_models.c.name, builds.c.version)
        )
        if since is not None:
            query = query.where(c.day >= since)
        if until is not None:
            query = query.where(c.day <= until)
        return {(str(m), str(b)): int(n or 0) for m, b, n in conn.execute(query)}

    def reasons(
        self, conn: Connection, product: str, since: date | None, until: date | None
    ) -> list[ReasonCell]:
        """Returns with a batch whose reason text was triaged into a topic, counted per model,
        batch and topic (returns without reason, or not triaged yet, are not counted)."""
        topic = triage_table.c.topic_id
        query = (
            _returns(
                select(device_models.c.name, returns.c.batch, topic, func.count()),
                product,
                since,
                until,
            )
            .join(triage_table, triage_table.c.feedback_id == returns.c.feedback_id)
            .where(returns.c.batch.is_not(None), topic.is_not(None))
            .group_by(device_models.c.name, returns.c.batch, topic)
        )
        return [ReasonCell(str(m), str(b), int(t), int(n)) for m, b, t, n in conn.execute(query)]

    def topic_titles(self, conn: Connection, ids: Collection[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        chosen = sorted(ids)
        for start in range(0, len(chosen), 500):
            chunk = chosen[start : start + 500]
            query = select(topics.c.id, topics.c.title).where(topics.c.id.in_(chunk))
            out.update((int(i), str(t or "")) for i, t in conn.execute(query))
        return out

    def by_build(
        self,
        conn: Connection,
        product: str,
        build: str,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: date | None,
        until: date | None,
    ) -> tuple[int, int]:
        """Returns on `build` and the build's device-days, under the same filters."""
        query = _returns(select(func.count()), product, since, until).where(
            builds.c.version == build
        )
        if models is not None:
            query = query.where(device_models.c.name.in_(list(models)))
        if regions is not None:
            query = query.where(returns.c.region.in_(list(regions)))
        count = int(conn.execute(query).scalar_one())
        c = install_base.c
        days = (
            select(func.coalesce(func.sum(c.active_devices), 0))
            .select_from(
                install_base.join(products, products.c.id == c.product_id)
                .join(device_models, device_models.c.id == c.model_id)
                .join(builds, builds.c.id == c.build_id)
            )
            .where(products.c.slug == product, builds.c.version == build)
        )
        if models is not None:
            days = days.where(device_models.c.name.in_(list(models)))
        if regions is not None:
            days = days.where(c.region.in_(list(regions)))
        if since is not None:
            days = days.where(c.day >= since)
        if until is not None:
            days = days.where(c.day <= until)
        return count, int(conn.execute(days).scalar_one() or 0)


def _returns(
    query: Select[Any], product: str, since: date | None, until: date | None
) -> Select[Any]:
    query = query.select_from(
        returns.join(products, products.c.id == returns.c.product_id)
        .join(device_models, device_models.c.id == returns.c.model_id)
        .outerjoin(builds, builds.c.id == returns.c.build_id)
    ).where(products.c.slug == product)
    if since is not None:
        query = query.where(returns.c.day >= since)
    if until is not None:
        query = query.where(returns.c.day <= until)
    return query
