"""Queries for topic priorities: the inputs of one product's computation (its live topics, the
reports and votes of the window with what is known of each reporter and voter, the install
base's daily rows, the builds in order) and the stored results (`topic_priorities`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from userloop.store.tables import (
    builds,
    channels,
    device_models,
    feedback,
    install_base,
    kind_corrections,
    products,
    reporters,
    topic_priorities,
    topics,
    triage,
    votes,
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    topic_id: int | None
    reporter: str  # "r<id>", or "f<feedback id>" for a report without a reporter
    at: datetime
    model: str | None
    build: str | None
    channel: str | None
    region: str | None
    experience: str | None
    verified_owner: bool | None
    kind: str | None
    sentiment: float | None


@dataclass(frozen=True, slots=True)
class VoteRow:
    topic_id: int
    at: datetime
    experience: str | None
    verified_owner: bool | None
    model: str | None
    region: str | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class DailyRow:
    day: date
    model: str
    build: str
    channel: str
    region: str
    segment: str
    active_devices: int


@dataclass(frozen=True)
class PriorityInputs:
    product: str
    product_id: int
    latest: datetime | None  # the newest report or vote, or the end of the newest day
    topic_ids: list[int]
    reports: list[ReportRow] = field(default_factory=list)
    votes: list[VoteRow] = field(default_factory=list)
    daily: list[DailyRow] = field(default_factory=list)
    builds: list[str] = field(default_factory=list)  # by version order


@dataclass(frozen=True, slots=True)
class StoredPriority:
    topic_id: int
    product: str
    title: str
    status: str
    score: float
    parts: dict[str, Any]
    computed_at: datetime


class PriorityQueries:
    def products(self, conn: Connection) -> list[str]:
        """Products with at least one live topic, by slug."""
        rows = conn.execute(
            select(products.c.slug)
            .distinct()
            .join(topics, topics.c.product_id == products.c.id)
            .where(topics.c.merged_into.is_(None), topics.c.size > 0)
        ).scalars()
        return sorted(str(s) for s in rows)

    def product_id(self, conn: Connection, product: str) -> int | None:
        pid = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        return None if pid is None else int(pid)

    def inputs(self, conn: Connection, product: str, window_days: int) -> PriorityInputs | None:
        """Everything one product's priorities are computed from, over the `window_days`
        before its newest data (None: no such product)."""
        pid = self.product_id(conn, product)
        if pid is None:
            return None
        live = [
            int(t)
            for t in conn.execute(
                select(topics.c.id).where(
                    topics.c.product_id == pid,
                    topics.c.merged_into.is_(None),
                    topics.c.size > 0,
                )
            ).scalars()
        ]
        latest = self._latest(conn, pid)
        order = [
            str(v)
            for v in conn.execute(
                select(builds.c.version)
                .where(builds.c.product_id == pid)
                .order_by(builds.c.sort_key)
            ).scalars()
        ]
        if latest is None:
            return PriorityInputs(product, pid, None, live, builds=order)
        since = latest - timedelta(days=window_days)
        return PriorityInputs(
            product,
            pid,
            latest,
            live,
            self._reports(conn, pid, since),
            self._votes(conn, pid, since),
            self._daily(conn, pid, since.date()),
            order,
        )

    def _latest(self, conn: Connection, pid: int) -> datetime | None:
        newest_report = conn.execute(
            select(func.max(feedback.c.created_at)).where(feedback.c.product_id == pid)
        ).scalar()
        newest_vote = conn.execute(
            select(func.max(votes.c.created_at))
            .join(topics, topics.c.id == votes.c.topic_id)
            .where(topics.c.product_id == pid)
        ).scalar()
        newest_day = conn.execute(
            select(func.max(install_base.c.day)).where(install_base.c.product_id == pid)
        ).scalar()
        times: list[datetime] = [t for t in (newest_report, newest_vote) if t is not None]
        if newest_day is not None:
            day = newest_day if isinstance(newest_day, date) else date.fromisoformat(newest_day)
            times.append(datetime.combine(day, time.max, tzinfo=UTC))
        return max(times) if times else None

    def _reports(self, conn: Connection, pid: int, since: datetime) -> list[ReportRow]:
        kind = func.coalesce(kind_corrections.c.kind, triage.c.kind)
        query = (
            select(
                feedback.c.id,
                feedback.c.reporter_id,
                feedback.c.created_at,
                device_models.c.name,
                builds.c.version,
                channels.c.name,
                feedback.c.region,
                reporters.c.experience,
                reporters.c.verified_owner,
                kind,
                triage.c.sentiment,
                triage.c.topic_id,
            )
            .select_from(
                feedback.outerjoin(triage, triage.c.feedback_id == feedback.c.id)
                .outerjoin(kind_corrections, kind_corrections.c.feedback_id == feedback.c.id)
                .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
                .outerjoin(builds, builds.c.id == feedback.c.build_id)
                .outerjoin(channels, channels.c.id == feedback.c.channel_id)
                .outerjoin(reporters, reporters.c.id == feedback.c.reporter_id)
            )
            .where(feedback.c.product_id == pid, feedback.c.created_at > since)
        )
        return [
            ReportRow(
                topic_id=None if topic is None else int(topic),
                reporter=f"r{rid}" if rid is not None else f"f{fid}",
                at=at,
                model=model,
                build=build,
                channel=channel,
                region=region,
                experience=experience,
                verified_owner=owner,
                kind=k,
                sentiment=None if sentiment is None else float(sentiment),
            )
            for (
                fid,
                rid,
                at,
                model,
                build,
                channel,
                region,
                experience,
                owner,
                k,
                sentiment,
                topic,
            ) in conn.execute(query)
        ]

    def _votes(self, conn: Connection, pid: int, since: datetime) -> list[VoteRow]:
        rows = conn.execute(
            select(
                votes.c.topic_id,
                votes.c.created_at,
                votes.c.experience,
                votes.c.verified_owner,
                votes.c.model,
                votes.c.region,
                votes.c.channel,
            )
            .join(topics, topics.c.id == votes.c.topic_id)
            .where(topics.c.product_id == pid, votes.c.created_at > since)
        )
        return [VoteRow(int(t), at, e, o, m, r, c) for t, at, e, o, m, r, c in rows]

    def _daily(self, conn: Connection, pid: int, since: date) -> list[DailyRow]:
        rows = conn.execute(
            select(
                install_base.c.day,
                device_models.c.name,
                builds.c.version,
                channels.c.name,
                install_base.c.region,
                install_base.c.segment,
                install_base.c.active_devices,
            )
            .select_from(
                install_base.join(device_models, device_models.c.id == install_base.c.model_id)
                .join(builds, builds.c.id == install_base.c.build_id)
                .join(channels, channels.c.id == install_base.c.channel_id)
            )
            .where(install_base.c.product_id == pid, install_base.c.day > since)
        )
        return [DailyRow(d, m, b, c, r, s, int(n)) for d, m, b, c, r, s, n in rows]

    # -- stored results ------------------------------------------------------------------------

    def replace(
        self,
        conn: Connection,
        product_id: int,
        rows: Sequence[tuple[int, float, dict[str, Any]]],
        at: datetime,
    ) -> None:
        """The product's priorities become `rows` (topic id, score, parts)."""
        conn.execute(delete(topic_priorities).where(topic_priorities.c.product_id == product_id))
        if rows:
            conn.execute(
                insert(topic_priorities),
                [
                    {
                        "topic_id": t,
                        "product_id": product_id,
                        "score": score,
                        "parts": parts,
                        "computed_at": at,
                    }
                    for t, score, parts in rows
                ],
            )

    def stored(self, conn: Connection, product: str | None = None) -> list[StoredPriority]:
        """The stored priorities of live topics (of `product`), best first."""
        query = (
            select(
                topic_priorities.c.topic_id,
                products.c.slug,
                topics.c.title,
                topics.c.status,
                topic_priorities.c.score,
                topic_priorities.c.parts,
                topic_priorities.c.computed_at,
            )
            .select_from(
                topic_priorities.join(topics, topics.c.id == topic_priorities.c.topic_id).join(
                    products, products.c.id == topic_priorities.c.product_id
                )
            )
            .where(topics.c.merged_into.is_(None))
            .order_by(topic_priorities.c.score.desc(), topic_priorities.c.topic_id)
        )
        if product is not None:
            query = query.where(products.c.slug == product)
        return [
            StoredPriority(int(t), str(p), str(title or ""), str(status), float(s), dict(parts), at)
            for t, p, title, status, s, parts, at in conn.execute(query)
        ]

    def count(self, conn: Connection) -> int:
        return int(conn.execute(select(func.count()).select_from(topic_priorities)).scalar() or 0)
