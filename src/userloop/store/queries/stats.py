"""Counts over feedback and topics: per day, per build, per status, sentiment mix, backlog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, case, exists, func, select

from userloop.store.queries._sql import utc_day
from userloop.store.tables import builds, feedback, topics, triage


class StatsQueries:
    def sentiment_mix(
        self, conn: Connection, topic_id: int, threshold: float
    ) -> tuple[int, int, int]:
        """(negative, neutral, positive) report counts of a topic; neutral is within
        ±threshold."""
        neg = func.sum(case((triage.c.sentiment < -threshold, 1), else_=0))
        pos = func.sum(case((triage.c.sentiment > threshold, 1), else_=0))
        total = func.count()
        n, p, t = conn.execute(select(neg, pos, total).where(triage.c.topic_id == topic_id)).one()
        n, p, t = int(n or 0), int(p or 0), int(t or 0)
        return n, t - n - p, p

    def per_day(
        self, conn: Connection, topic_id: int | None = None, since: datetime | None = None
    ) -> dict[date, int]:
        """Reports per UTC day (by when they were written), of one topic or of all."""
        day = utc_day(conn, feedback.c.created_at).label("day")
        query = select(day, func.count()).select_from(feedback)
        if topic_id is not None:
            query = query.join(triage, triage.c.feedback_id == feedback.c.id).where(
                triage.c.topic_id == topic_id
            )
        if since is not None:
            query = query.where(feedback.c.created_at >= since)
        query = query.group_by(day)
        return {date.fromisoformat(str(d)): int(n) for d, n in conn.execute(query) if d}

    def per_build(self, conn: Connection, topic_id: int) -> list[tuple[str | None, int]]:
        """Reports of a topic per build, oldest build first; reports without a build last
        (None)."""
        rows = conn.execute(
            select(builds.c.version, builds.c.sort_key, func.count())
            .select_from(
                triage.join(feedback, feedback.c.id == triage.c.feedback_id).outerjoin(
                    builds, builds.c.id == feedback.c.build_id
                )
            )
            .where(triage.c.topic_id == topic_id)
            .group_by(builds.c.version, builds.c.sort_key)
        ).all()
        known = sorted((r for r in rows if r[0] is not None), key=lambda r: str(r[1]))
        out: list[tuple[str | None, int]] = [(str(v), int(n)) for v, _key, n in known]
        out += [(None, int(n)) for v, _key, n in rows if v is None]
        return out

    def status_counts(self, conn: Connection) -> dict[str, int]:
        """Live topics by status (merged topics are left out)."""
        rows = conn.execute(
            select(topics.c.status, func.count())
            .where(topics.c.merged_into.is_(None))
            .group_by(topics.c.status)
        )
        return {str(s): int(n) for s, n in rows}

    def topic_counts(self, conn: Connection, statuses: Sequence[str]) -> dict[str, int]:
        """Live, non-empty topics per status, of the given statuses."""
        rows = conn.execute(
            select(topics.c.status, func.count())
            .where(
                topics.c.merged_into.is_(None),
                topics.c.size > 0,
                topics.c.status.in_(list(statuses)),
            )
            .group_by(topics.c.status)
        )
        return {str(status): int(n) for status, n in rows}

    def written_since(self, conn: Connection, since: datetime) -> int:
        """Reports written since `since` (their `created_at`, as :meth:`per_day` counts them:
        an imported history arrives at once but was written over months)."""
        return int(
            conn.execute(
                select(func.count()).select_from(feedback).where(feedback.c.created_at >= since)
            ).scalar_one()
        )

    def untriaged(self, conn: Connection) -> int:
        """Reports the triage worker has not processed yet (no triage row at all)."""
        return int(
            conn.execute(
                select(func.count())
                .select_from(feedback)
                .where(
                    ~exists(
                        select(triage.c.feedback_id).where(triage.c.feedback_id == feedback.c.id)
                    )
                )
            ).scalar_one()
        )
