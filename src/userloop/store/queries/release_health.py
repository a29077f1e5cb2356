"""Read queries for the release health gates: one build's counts on chosen models and regions
over a window (install base device-days, crashes and returns; feedback and its negative part;
RMA records), per topic its distinct reporters, and the baseline build to compare with.

`models`/`regions` None mean all. Install-base windows are inclusive day ranges; feedback
windows are half-open instants [since, until)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, case, distinct, func, select

from userloop.store.tables import (
    builds,
    channels,
    device_models,
    feedback,
    install_base,
    products,
    returns,
    triage,
)


@dataclass(frozen=True, slots=True)
class InstallCounts:
    device_days: int
    crashes: int
    returns: int  # the install base's own returns column


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    feedback: int  # triaged feedback items (a return's reason text is not feedback here)
    negative: int  # of those, sentiment at or below the threshold


def _install(
    query: Select[Any],
    product: str,
    models: Collection[str] | None,
    regions: Collection[str] | None,
    since: date,
    until: date,
) -> Select[Any]:
    c = install_base.c
    query = query.select_from(
        install_base.join(products, products.c.id == c.product_id)
        .join(device_models, device_models.c.id == c.model_id)
        .join(builds, builds.c.id == c.build_id)
    ).where(products.c.slug == product, c.day >= since, c.day <= until)
    if models is not None:
        query = query.where(device_models.c.name.in_(list(models)))
    if regions is not None:
        query = query.where(c.region.in_(list(regions)))
    return query


def _said(
    query: Select[Any],
    product: str,
    build: str,
    channel: str | None,
    models: Collection[str] | None,
    regions: Collection[str] | None,
    since: datetime,
    until: datetime,
) -> Select[Any]:
    """`query` over the triaged feedback on the build (and `channel`, None: any) created in
    [since, until), return reasons left out (a return is counted as a return)."""
    f = feedback.c
    is_return = select(returns.c.id).where(returns.c.feedback_id == f.id).limit(1).exists()
    query = query.select_from(
        feedback.join(triage, triage.c.feedback_id == f.id)
        .join(products, products.c.id == f.product_id)
        .join(builds, builds.c.id == f.build_id)
        .outerjoin(device_models, device_models.c.id == f.model_id)
    ).where(
        products.c.slug == product,
        builds.c.version == build,
        f.created_at >= since,
        f.created_at < until,
        ~is_return,
    )
    if channel is not None:
        query = query.join(channels, channels.c.id == f.channel_id).where(
            channels.c.name == channel
        )
    if models is not None:
        query = query.where(device_models.c.name.in_(list(models)))
    if regions is not None:
        query = query.where(f.region.in_(list(regions)))
    return query


class ReleaseHealthQueries:
    def install(
        self,
        conn: Connection,
        product: str,
        build: str,
        channel: str | None,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: date,
        until: date,
    ) -> InstallCounts:
        """The build's install-base sums on `channel` (None: every channel)."""
        c = install_base.c
        query = _install(
            select(
                func.coalesce(func.sum(c.active_devices), 0),
                func.coalesce(func.sum(c.crashes), 0),
                func.coalesce(func.sum(c.returns), 0),
            ),
            product,
            models,
            regions,
            since,
            until,
        ).where(builds.c.version == build)
        if channel is not None:
            query = query.join(channels, channels.c.id == c.channel_id).where(
                channels.c.name == channel
            )
        days, crashes, back = conn.execute(query).one()
        return InstallCounts(int(days), int(crashes), int(back))

    def busiest_build(
        self,
        conn: Connection,
        product: str,
        exclude: str,
        channel: str,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: date,
        until: date,
    ) -> str | None:
        """The build (not `exclude`) with the most device-days on `channel` in the window:
        the baseline when a release names no previous build."""
        c = install_base.c
        total = func.sum(c.active_devices)
        query = (
            _install(select(builds.c.version, total), product, models, regions, since, until)
            .join(channels, channels.c.id == c.channel_id)
            .where(channels.c.name == channel, builds.c.version != exclude)
            .group_by(builds.c.version)
            .order_by(total.desc(), builds.c.version)
            .limit(1)
        )
        found = conn.execute(query).first()
        return None if found is None else str(found[0])

    def feedback(
        self,
        conn: Connection,
        product: str,
        build: str,
        channel: str | None,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: datetime,
        until: datetime,
        negative_at_or_below: float,
    ) -> FeedbackCounts:
        """Triaged feedback on the build (and `channel`, None: any) created in [since, until);
        untriaged items are counted once triage has seen them, so both counts come from the
        same items."""
        negative = func.coalesce(
            func.sum(case((triage.c.sentiment <= negative_at_or_below, 1), else_=0)), 0
        )
        query = _said(
            select(func.count(), negative), product, build, channel, models, regions, since, until
        )
        total, bad = conn.execute(query).one()
        return FeedbackCounts(int(total), int(bad))

    def topic_reporters(
        self,
        conn: Connection,
        product: str,
        build: str,
        channel: str | None,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: datetime,
        until: datetime,
    ) -> dict[int, int]:
        """Per topic, the distinct reporters of the same items as `feedback` (an item without a
        reporter counts as one of its own)."""
        f = feedback.c
        anonymous = func.sum(case((f.reporter_id.is_(None), 1), else_=0))
        query = _said(
            select(triage.c.topic_id, func.count(distinct(f.reporter_id)) + anonymous),
            product, build, channel, models, regions, since, until,
        ).where(triage.c.topic_id.is_not(None)).group_by(triage.c.topic_id)  # fmt: skip
        return {int(topic): int(n or 0) for topic, n in conn.execute(query)}

    def has_install_returns(self, conn: Connection, product: str) -> bool:
        """Whether the product's install base reports any return at all."""
        query = (
            select(install_base.c.id)
            .join(products, products.c.id == install_base.c.product_id)
            .where(products.c.slug == product, install_base.c.returns > 0)
            .limit(1)
        )
        return conn.execute(query).first() is not None

    def return_records(
        self,
        conn: Connection,
        product: str,
        build: str,
        models: Collection[str] | None,
        regions: Collection[str] | None,
        since: date,
        until: date,
    ) -> int:
        r = returns.c
        query = (
            select(func.count())
            .select_from(
                returns.join(products, products.c.id == r.product_id)
                .join(device_models, device_models.c.id == r.model_id)
                .join(builds, builds.c.id == r.build_id)
            )
            .where(
                products.c.slug == product,
                builds.c.version == build,
                r.day >= since,
                r.day <= until,
            )
        )
        if models is not None:
            query = query.where(device_models.c.name.in_(list(models)))
        if regions is not None:
            query = query.where(r.region.in_(list(regions)))
        return int(conn.execute(query).scalar_one())
