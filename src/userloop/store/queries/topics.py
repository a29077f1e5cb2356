"""Read queries about topics: the filtered, sorted list, one topic's members, topic cards.

Lists are filtered, sorted and paged in SQL so a list over 100,000 reports stays quick; only
the topics of one page are then enriched (kind mix, votes). Rows never leave store/ as SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
    or_,
    select,
)

from userloop.domain.filters import FilterValues, TopicFilter
from userloop.store.queries._sql import chunks, like_escape, main_kind
from userloop.store.tables import (
    builds,
    channels,
    device_models,
    feedback,
    kind_corrections,
    topic_priorities,
    topics,
    triage,
    votes,
)


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
    title_language: str | None = None  # as stored with the title (None: not known)
    titles: dict[str, str] = field(default_factory=dict)  # per language, from its members
    keywords: dict[str, list[str]] = field(default_factory=dict)  # per language, best first
    priority: float | None = None  # the stored priority score (None: not computed)

    @property
    def main_kind(self) -> str | None:
        if not self.kinds:
            return None
        return sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One report in a topic, as staff see it."""

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
class TopicCardRow:
    """What a short list of topics (roadmap, changelog) needs of one topic."""

    id: int
    title: str
    status: str
    size: int
    fixed_build: str | None
    languages: dict[str, int]  # reports per language
    title_language: str | None = None
    titles: dict[str, str] = field(default_factory=dict)  # per language, from its members
    keywords: dict[str, list[str]] = field(default_factory=dict)  # per language, best first


_ROW_COLUMNS = (
    topics.c.id,
    topics.c.title,
    topics.c.status,
    topics.c.merged_into,
    topics.c.size,
    topics.c.last_seen,
    topics.c.created_at,
    topics.c.languages,
    topics.c.title_language,
    topics.c.titles,
    topics.c.keywords,
)


class TopicQueries:
    # -- the filtered list ----------------------------------------------------------------------

    def _where(self, f: TopicFilter) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if not f.include_merged and f.status != "duplicate":
            conds.append(topics.c.merged_into.is_(None))
        if f.status:
            conds.append(topics.c.status == f.status)
        if f.kind:
            conds.append(main_kind() == f.kind)
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
            pattern = f"%{like_escape(q)}%"
            # Keywords are stored as JSON with non-ASCII escaped (\uXXXX): search that form.
            escaped = json.dumps(q)[1:-1]
            text_hit = exists(
                select(triage.c.feedback_id)
                .select_from(triage.join(feedback, feedback.c.id == triage.c.feedback_id))
                .where(triage.c.topic_id == topics.c.id, feedback.c.text.ilike(pattern, "\\"))
            )
            options: list[ColumnElement[bool]] = [
                topics.c.title.ilike(pattern, "\\"),
                cast(topics.c.keywords, String).ilike(f"%{like_escape(escaped)}%", "\\"),
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
            # Topics the priority job has not scored sort below every scored one.
            "priority": func.coalesce(topic_priorities.c.score, -1.0),
        }[sort]
        order: list[Any] = []
        if sort == "last_seen":
            # Topics never seen (still empty) go last either way.
            order.append(case((topics.c.last_seen.is_(None), 1), else_=0))
        order.append(key.desc() if descending else key.asc())
        if sort != "id":
            order.append(topics.c.id.desc() if descending else topics.c.id.asc())
        query: Select[Any] = (
            select(*_ROW_COLUMNS, n_votes.label("votes"), topic_priorities.c.score)
            .select_from(
                topics.outerjoin(vote_counts, vote_counts.c.topic_id == topics.c.id).outerjoin(
                    topic_priorities, topic_priorities.c.topic_id == topics.c.id
                )
            )
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
        vote_counts: dict[int, int] = {}
        for topic_id, n in conn.execute(
            select(votes.c.topic_id, func.count())
            .where(votes.c.topic_id.in_(list(ids)))
            .group_by(votes.c.topic_id)
        ):
            vote_counts[int(topic_id)] = int(n)
        rows = conn.execute(select(*_ROW_COLUMNS).where(topics.c.id.in_(list(ids)))).mappings()
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
                title_language=m["title_language"],
                titles=dict(m["titles"] or {}),
                keywords=dict(m["keywords"] or {}),
                priority=None if m.get("score") is None else float(m["score"]),
            )
            for m in rows
        ]

    def kinds_of(self, conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Reports per kind of each topic."""
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

    # -- one topic's members --------------------------------------------------------------------

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

    def people_counts(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, int]:
        """How many people reported each topic: distinct known reporters, plus one per report
        without a reporter (imports and API items often carry none; each such report is the
        best guess we have at one person)."""
        out: dict[int, int] = {}
        anonymous = func.sum(case((feedback.c.reporter_id.is_(None), 1), else_=0))
        for chunk in chunks(topic_ids):
            rows = conn.execute(
                select(
                    triage.c.topic_id,
                    func.count(func.distinct(feedback.c.reporter_id)),
                    anonymous,
                )
                .join(feedback, feedback.c.id == triage.c.feedback_id)
                .where(triage.c.topic_id.in_(chunk))
                .group_by(triage.c.topic_id)
            )
            for topic_id, known, unknown in rows:
                out[int(topic_id)] = int(known) + int(unknown or 0)
        return out

    # -- cards (public lists) -------------------------------------------------------------------

    def topic_cards(
        self,
        conn: Connection,
        statuses: Sequence[str],
        *,
        with_fixed_build: bool = False,
        limit: int | None = None,
    ) -> list[TopicCardRow]:
        """Live, non-empty topics in the given statuses, most reported first."""
        query = select(
            topics.c.id,
            topics.c.title,
            topics.c.status,
            topics.c.size,
            topics.c.fixed_build,
            topics.c.languages,
            topics.c.title_language,
            topics.c.titles,
            topics.c.keywords,
        ).where(
            topics.c.merged_into.is_(None),
            topics.c.size > 0,
            topics.c.status.in_(list(statuses)),
        )
        if with_fixed_build:
            query = query.where(topics.c.fixed_build.is_not(None))
        query = query.order_by(topics.c.size.desc(), topics.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [
            TopicCardRow(
                id_,
                title,
                status,
                size,
                fixed,
                dict(langs or {}),
                title_lang,
                dict(titles or {}),
                dict(words or {}),
            )
            for id_, title, status, size, fixed, langs, title_lang, titles, words in conn.execute(
                query
            )
        ]

    def languages(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Reports per language of each topic."""
        out: dict[int, dict[str, int]] = {}
        for chunk in chunks(topic_ids):
            for id_, langs in conn.execute(
                select(topics.c.id, topics.c.languages).where(topics.c.id.in_(chunk))
            ):
                out[int(id_)] = dict(langs or {})
        return out

    def titles(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """The titles per language of each topic (from its members in each language)."""
        out: dict[int, dict[str, str]] = {}
        for chunk in chunks(topic_ids):
            for id_, titles in conn.execute(
                select(topics.c.id, topics.c.titles).where(topics.c.id.in_(chunk))
            ):
                out[int(id_)] = dict(titles or {})
        return out

    def keywords(
        self, conn: Connection, topic_ids: Sequence[int]
    ) -> dict[int, dict[str, list[str]]]:
        """The keywords per language of each topic, best first."""
        out: dict[int, dict[str, list[str]]] = {}
        for chunk in chunks(topic_ids):
            for id_, words in conn.execute(
                select(topics.c.id, topics.c.keywords).where(topics.c.id.in_(chunk))
            ):
                out[int(id_)] = dict(words or {})
        return out

    def title_languages(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, str]:
        """The stored language of each topic's title (topics without one are left out)."""
        out: dict[int, str] = {}
        for chunk in chunks(topic_ids):
            for id_, lang in conn.execute(
                select(topics.c.id, topics.c.title_language).where(
                    topics.c.id.in_(chunk), topics.c.title_language.is_not(None)
                )
            ):
                out[int(id_)] = str(lang)
        return out
