"""Read queries of the staff console (rows never leave store/).

Lists are filtered, sorted and paged in SQL so a console over 100,000 reports stays quick;
only the 50 topics of a page are then enriched (kind mix, votes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
)

from userloop.domain.entities import AuditEvent
from userloop.store.tables import (
    audit_events,
    builds,
    channels,
    device_models,
    feedback,
    kind_corrections,
    topics,
    triage,
    votes,
)

SORTS = ("size", "votes", "last_seen", "id")


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """Topic attributes (kind, status) and report attributes: a topic matches when at least
    one of its reports has every report attribute asked for."""

    kind: str | None = None  # the topic's main kind (most frequent among its reports)
    status: str | None = None
    language: str | None = None
    model: str | None = None
    build: str | None = None
    channel: str | None = None
    q: str | None = None  # title, keywords, report text; "#12" or "12" also finds topic 12
    include_merged: bool = False


@dataclass(frozen=True, slots=True)
class TopicRow:
    id: int
    title: str
    status: str
    merged_into: int | None
    size: int
    votes: int
    last_seen: datetime | None
    created_at: datetime | None
    languages: dict[str, int]
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def main_kind(self) -> str | None:
        if not self.kinds:
            return None
        return sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One report in a topic, as the console shows it."""

    id: int
    text: str
    language: str
    kind: str
    corrected_by: str | None
    sentiment: float
    rating: int | None
    model: str | None
    build: str | None
    channel: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FilterValues:
    kinds: list[str]
    statuses: list[str]
    languages: list[str]
    models: list[str]
    builds: list[str]
    channels: list[str]


def _day(conn: Connection, column: Any) -> ColumnElement[str]:
    """The UTC calendar day of a timestamp as 'YYYY-MM-DD'. Literal columns, not bound
    parameters: PostgreSQL only sees a GROUP BY expression as the selected one when the text
    is identical, and two bind parameters never are."""
    if conn.dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD'")
        )
    # SQLite keeps naive UTC text: its date() is the UTC day.
    return func.date(column)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _main_kind() -> Any:
    """Correlated subquery: the most frequent kind among a topic's reports (ties: by name)."""
    return (
        select(triage.c.kind)
        .where(triage.c.topic_id == topics.c.id)
        .group_by(triage.c.kind)
        .order_by(func.count().desc(), triage.c.kind)
        .limit(1)
        .scalar_subquery()
    )


class ConsoleQueries:
    # -- topic list ---------------------------------------------------------------------------

    def _where(self, f: TopicFilter) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if not f.include_merged and f.status != "duplicate":
            conds.append(topics.c.merged_into.is_(None))
        if f.status:
            conds.append(topics.c.status == f.status)
        if f.kind:
            conds.append(_main_kind() == f.kind)
        member: list[ColumnElement[bool]] = []
        if f.language:
            member.append(triage.c.language == f.language)
        if f.model:
            member.append(device_models.c.name == f.model)
        if f.build:
            member.append(builds.c.version == f.build)
        if f.channel:
            member.append(channels.c.name == f.channel)
        if member:
            joined = (
                triage.join(feedback, feedback.c.id == triage.c.feedback_id)
                .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
                .outerjoin(builds, builds.c.id == feedback.c.build_id)
                .outerjoin(channels, channels.c.id == feedback.c.channel_id)
            )
            conds.append(
                exists(
                    select(triage.c.feedback_id)
                    .select_from(joined)
                    .where(triage.c.topic_id == topics.c.id, *member)
                )
            )
        q = (f.q or "").strip()
        if q:
            pattern = f"%{_like_escape(q)}%"
            # Keywords are stored as JSON with non-ASCII escaped (\uXXXX): search that form.
            escaped = json.dumps(q)[1:-1]
            text_hit = exists(
                select(triage.c.feedback_id)
                .select_from(triage.join(feedback, feedback.c.id == triage.c.feedback_id))
                .where(triage.c.topic_id == topics.c.id, feedback.c.text.ilike(pattern, "\\"))
            )
            options: list[ColumnElement[bool]] = [
                topics.c.title.ilike(pattern, "\\"),
                cast(topics.c.keywords, String).ilike(f"%{_like_escape(escaped)}%", "\\"),
                text_hit,
            ]
            number = q.removeprefix("#")
            if number.isdigit() and len(number) < 18:
                options.append(topics.c.id == int(number))
            conds.append(or_(*options))
        return conds

    def count_topics(self, conn: Connection, f: TopicFilter) -> int:
        query = select(func.count()).select_from(topics).where(*self._where(f))
        return int(conn.execute(query).scalar_one())

    def list_topics(
        self,
        conn: Connection,
        f: TopicFilter,
        *,
        sort: str,
        descending: bool,
        offset: int,
        limit: int,
    ) -> list[TopicRow]:
        vote_counts = (
            select(votes.c.topic_id, func.count().label("n")).group_by(votes.c.topic_id).subquery()
        )
        n_votes = func.coalesce(vote_counts.c.n, 0)
        key: Any = {
            "size": topics.c.size,
            "votes": n_votes,
            "last_seen": topics.c.last_seen,
            "id": topics.c.id,
        }[sort]
        order: list[Any] = []
        if sort == "last_seen":
            # Topics never seen (still empty) go last either way.
            order.append(case((topics.c.last_seen.is_(None), 1), else_=0))
        order.append(key.desc() if descending else key.asc())
        if sort != "id":
            order.append(topics.c.id.desc() if descending else topics.c.id.asc())
        query: Select[Any] = (
            select(
                topics.c.id,
                topics.c.title,
                topics.c.status,
                topics.c.merged_into,
                topics.c.size,
                n_votes.label("votes"),
                topics.c.last_seen,
                topics.c.created_at,
                topics.c.languages,
            )
            .select_from(topics.outerjoin(vote_counts, vote_counts.c.topic_id == topics.c.id))
            .where(*self._where(f))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        rows = conn.execute(query).mappings().all()
        return self._with_kinds(conn, rows)

    def topic_rows(self, conn: Connection, ids: Sequence[int]) -> list[TopicRow]:
        """Rows of the given topics, in the order given."""
        if not ids:
            return []
        vote_counts = self.votes_of(conn, ids)
        rows = (
            conn.execute(
                select(
                    topics.c.id,
                    topics.c.title,
                    topics.c.status,
                    topics.c.merged_into,
                    topics.c.size,
                    topics.c.last_seen,
                    topics.c.created_at,
                    topics.c.languages,
                ).where(topics.c.id.in_(list(ids)))
            )
            .mappings()
            .all()
        )
        by_id = {m["id"]: {**m, "votes": vote_counts.get(m["id"], 0)} for m in rows}
        return self._with_kinds(conn, [by_id[i] for i in ids if i in by_id])

    def _with_kinds(self, conn: Connection, rows: Sequence[Any]) -> list[TopicRow]:
        kinds = self.kinds_of(conn, [m["id"] for m in rows])
        return [
            TopicRow(
                id=m["id"],
                title=m["title"],
                status=m["status"],
                merged_into=m["merged_into"],
                size=m["size"],
                votes=int(m["votes"]),
                last_seen=m["last_seen"],
                created_at=m["created_at"],
                languages=dict(m["languages"] or {}),
                kinds=kinds.get(m["id"], {}),
            )
            for m in rows
        ]

    def kinds_of(self, conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        if not ids:
            return out
        for topic_id, kind, n in conn.execute(
            select(triage.c.topic_id, triage.c.kind, func.count())
            .where(triage.c.topic_id.in_(list(ids)))
            .group_by(triage.c.topic_id, triage.c.kind)
        ):
            out.setdefault(int(topic_id), {})[kind] = int(n)
        return out

    def votes_of(self, conn: Connection, ids: Sequence[int]) -> dict[int, int]:
        if not ids:
            return {}
        rows = conn.execute(
            select(votes.c.topic_id, func.count())
            .where(votes.c.topic_id.in_(list(ids)))
            .group_by(votes.c.topic_id)
        )
        return {int(t): int(n) for t, n in rows}

    def filter_values(self, conn: Connection) -> FilterValues:
        """The values the list's filters can take: those present in the data."""

        def used(column: Any, table: Any, key: Any, order: Any) -> list[str]:
            query = (
                select(column)
                .where(exists(select(feedback.c.id).where(key == table.c.id)))
                .order_by(order)
            )
            return [str(v) for (v,) in conn.execute(query)]

        return FilterValues(
            kinds=[
                str(k)
                for (k,) in conn.execute(select(triage.c.kind).distinct().order_by(triage.c.kind))
            ],
            statuses=[
                str(s)
                for (s,) in conn.execute(
                    select(topics.c.status).distinct().order_by(topics.c.status)
                )
            ],
            languages=[
                str(lang)
                for (lang,) in conn.execute(
                    select(triage.c.language)
                    .where(triage.c.topic_id.is_not(None))
                    .distinct()
                    .order_by(triage.c.language)
                )
            ],
            models=used(
                device_models.c.name, device_models, feedback.c.model_id, device_models.c.name
            ),
            builds=used(builds.c.version, builds, feedback.c.build_id, builds.c.sort_key.desc()),
            channels=used(channels.c.name, channels, feedback.c.channel_id, channels.c.rank),
        )

    # -- one topic ----------------------------------------------------------------------------

    def members(self, conn: Connection, topic_id: int, limit: int) -> list[MemberRow]:
        """The newest `limit` reports of a topic."""
        rows = conn.execute(
            select(
                feedback.c.id,
                feedback.c.text,
                triage.c.language,
                triage.c.kind,
                kind_corrections.c.corrected_by,
                triage.c.sentiment,
                feedback.c.rating,
                device_models.c.name,
                builds.c.version,
                channels.c.name,
                feedback.c.created_at,
            )
            .select_from(
                triage.join(feedback, feedback.c.id == triage.c.feedback_id)
                .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
                .outerjoin(builds, builds.c.id == feedback.c.build_id)
                .outerjoin(channels, channels.c.id == feedback.c.channel_id)
                .outerjoin(kind_corrections, kind_corrections.c.feedback_id == feedback.c.id)
            )
            .where(triage.c.topic_id == topic_id)
            .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
            .limit(limit)
        )
        return [MemberRow(*r) for r in rows]

    def member_count(self, conn: Connection, topic_id: int) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(triage).where(triage.c.topic_id == topic_id)
            ).scalar_one()
        )

    def is_member(self, conn: Connection, topic_id: int, feedback_id: int) -> bool:
        found = conn.execute(
            select(triage.c.feedback_id).where(
                triage.c.feedback_id == feedback_id, triage.c.topic_id == topic_id
            )
        ).first()
        return found is not None

    def sentiment_mix(
        self, conn: Connection, topic_id: int, threshold: float
    ) -> tuple[int, int, int]:
        """(negative, neutral, positive) report counts; neutral is within ±threshold."""
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
        day = _day(conn, feedback.c.created_at).label("day")
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
        """Reports per build, oldest build first; reports without a build last (None)."""
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

    def audit_for(self, conn: Connection, subject: str, limit: int = 100) -> list[AuditEvent]:
        rows = conn.execute(
            select(audit_events)
            .where(audit_events.c.subject == subject)
            .order_by(audit_events.c.id.desc())
            .limit(limit)
        ).mappings()
        return [
            AuditEvent(m["id"], m["at"], m["actor"], m["action"], m["subject"], m["details"])
            for m in rows
        ]

    # -- inbox and overview ---------------------------------------------------------------------

    def new_topic_ids(
        self, conn: Connection, since: datetime | None, limit: int
    ) -> tuple[int, list[int]]:
        """(how many, ids of the newest `limit`) of live topics created after `since`."""
        conds: list[ColumnElement[bool]] = [topics.c.merged_into.is_(None)]
        if since is not None:
            conds.append(topics.c.created_at > since)
        total = conn.execute(select(func.count()).select_from(topics).where(*conds)).scalar_one()
        ids = [
            int(i)
            for (i,) in conn.execute(
                select(topics.c.id)
                .where(*conds)
                .order_by(topics.c.created_at.desc(), topics.c.id.desc())
                .limit(limit)
            )
        ]
        return int(total), ids

    def status_counts(self, conn: Connection) -> dict[str, int]:
        """Live topics by status (merged topics are left out)."""
        rows = conn.execute(
            select(topics.c.status, func.count())
            .where(topics.c.merged_into.is_(None))
            .group_by(topics.c.status)
        )
        return {str(s): int(n) for s, n in rows}

    def received_since(self, conn: Connection, since: datetime) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(feedback).where(feedback.c.received_at >= since)
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
