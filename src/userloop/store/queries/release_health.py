"""Read queries for the release health gates: one build's counts on chosen models and regions
over a window (install base device-days, crashes and returns; feedback and its negative part;
RMA records), per topic its distinct reporters, and the baseline build to compare with.

A `Cohort` names whose counts: `models`/`regions` None mean all, `channel` None every channel.
Install-base windows are inclusive day ranges; feedback windows are half-open instants
[since, until)."""

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
class Cohort:
    """One build of a product on a channel (None: every channel), models and regions (None:
    all): whose counts a query sums."""

    product: str
    build: str
    channel: str | None = None
    models: Collection[str] | None = None
    regions: Collection[str] | None = None


@dataclass(frozen=True, slots=True)
class InstallCounts:
    device_days: int
    crashes: int
    returns: int  # the install base's own returns column


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    feedback: int  # triaged feedback items (a return's reason text is not feedback here)
    negative: int  # of those, sentiment at or below the threshold


def _where_device(
    query: Select[Any], cohort: Cohort, region: Any, channel_id: Any | None
) -> Select[Any]:
    """The cohort's models, regions and (given the row's channel column) channel."""
    if cohort.channel is not None and channel_id is not None:
        query = query.join(channels, channels.c.id == channel_id).where(
            channels.c.name == cohort.channel
        )
    if cohort.models is not None:
        query = query.where(device_models.c.name.in_(list(cohort.models)))
    if cohort.regions is not None:
        query = query.where(region.in_(list(cohort.regions)))
    return query


def _install(query: Select[Any], cohort: Cohort, since: date, until: date) -> Select[Any]:
    """`query` over the product's install-base rows of the window on the cohort's models,
    regions and channel (any build: the caller narrows it)."""
    c = install_base.c
    query = query.select_from(
        install_base.join(products, products.c.id == c.product_id)
        .join(device_models, device_models.c.id == c.model_id)
        .join(builds, builds.c.id == c.build_id)
    ).where(products.c.slug == cohort.product, c.day >= since, c.day <= until)
    return _where_device(query, cohort, c.region, c.channel_id)


def _said(query: Select[Any], cohort: Cohort, since: datetime, until: datetime) -> Select[Any]:
    """`query` over the cohort's triaged feedback created in [since, until), return reasons
    left out (a return is counted as a return)."""
    f = feedback.c
    is_return = select(returns.c.id).where(returns.c.feedback_id == f.id).limit(1).exists()
    query = query.select_from(
        feedback.join(triage, triage.c.feedback_id == f.id)
        .join(products, products.c.id == f.product_id)
        .join(builds, builds.c.id == f.build_id)
        .outerjoin(device_models, device_models.c.id == f.model_id)
    ).where(
        products.c.slug == cohort.product,
        builds.c.version == cohort.build,
        f.created_at >= since,
        f.created_at < until,
        ~is_return,
    )
    return _where_device(query, cohort, f.region, f.channel_id)


class ReleaseHealthQueries:
    def install(self, conn: Connection, cohort: Cohort, since: date, until: date) -> InstallCounts:
        """The cohort's install-base sums over the days [since, until]."""
        c = install_base.c
        query = _install(
            select(
                func.coalesce(func.sum(c.active_devices), 0),
                func.coalesce(func.sum(c.crashes), 0),
                func.coalesce(func.sum(c.returns), 0),
            ),
            cohort,
            since,
            until,
        ).where(builds.c.version == cohort.build)
        days, crashes, back = conn.execute(query).one()
        return InstallCounts(int(days), int(crashes), int(back))

    def busiest_build(
        self, conn: Connection, cohort: Cohort, since: date, until: date
    ) -> str | None:
        """The build other than the cohort's with the most device-days on the cohort's channel,
        models and regions in the window: the baseline when a release names no previous
        build."""
        c = install_base.c
        total = func.sum(c.active_devices)
        query = (
            _install(select(builds.c.version, total), cohort, since, until)
            .where(builds.c.version != cohort.build)
            .group_by(builds.c.version)
            .order_by(total.desc(), builds.c.version)
            .limit(1)
        )
        found = conn.execute(query).first()
        return None if found is None else str(found[0])

    def feedback(
        self,
        conn: Connection,
        cohort: Cohort,
        since: datetime,
        until: datetime,
        negative_at_or_below: float,
    ) -> FeedbackCounts:
        """The cohort's triaged feedback created in [since, until); untriaged items are counted
        once triage has seen them, so both counts come from the same items."""
        negative = func.coalesce(
            func.sum(case((triage.c.sentiment <= negative_at_or_below, 1), else_=0)), 0
        )
        query = _said(select(func.count(), negative), cohort, since, until)
        total, bad = conn.execute(query).one()
        return FeedbackCounts(int(total), int(bad))

    def topic_reporters(
        self, conn: Connection, cohort: Cohort, since: datetime, until: datetime
    ) -> dict[int, int]:
        """Per topic, the distinct reporters of the same items as `feedback` (an item without a
        reporter counts as one of its own)."""
        f = feedback.c
        anonymous = func.sum(case((f.reporter_id.is_(None), 1), else_=0))
        query = (
            _said(
                select(triage.c.topic_id, func.count(distinct(f.reporter_id)) + anonymous),
                cohort,
                since,
                until,
            )
            .where(triage.c.topic_id.is_not(None))
            .group_by(triage.c.topic_id)
        )
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

    def return_records(self, conn: Connection, cohort: Cohort, since: date, until: date) -> int:
        """RMA records naming the cohort's build on its models and regions over the days
        [since, until]; they carry no channel, so every channel's count."""
        r = returns.c
        query = (
            select(func.count())
            .select_from(
                returns.join(products, products.c.id == r.product_id)
                .join(device_models, device_models.c.id == r.model_id)
                .join(builds, builds.c.id == r.build_id)
            )
            .where(
                products.c.slug == cohort.product,
                builds.c.version == cohort.build,
                r.day >= since,
                r.day <= until,
            )
        )
        query = _where_device(query, cohort, r.region, None)
        return int(conn.execute(query).scalar_one())
