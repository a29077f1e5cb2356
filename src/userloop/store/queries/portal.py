"""Read queries of the public portal (rows never leave store/)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, func, select

from userloop.store.tables import feedback, reporters, topics, triage, votes

# SQLite allows 999 bound parameters per statement in older builds: stay well under.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class TopicCardRow:
    """What a list of topics (roadmap, changelog) needs of one topic."""

    id: int
    title: str
    status: str
    size: int
    fixed_build: str | None
    languages: dict[str, int]  # reports per language


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One of a reporter's own reports with where triage put it (None: not triaged yet)."""

    feedback_id: int
    text: str
    language: str | None
    created_at: datetime
    topic_id: int | None
    topic_title: str | None
    topic_status: str | None
    topic_merged_into: int | None
    topic_languages: dict[str, int] | None


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


class PortalQueries:
    def people_counts(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, int]:
        """How many people reported each topic: distinct known reporters, plus one per report
        without a reporter (imports and API items often carry none; each such report is the
        best guess we have at one person)."""
        out: dict[int, int] = {}
        anonymous = func.sum(case((feedback.c.reporter_id.is_(None), 1), else_=0))
        for chunk in _chunks(topic_ids):
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

    def voted(self, conn: Connection, voter_hash: str, topic_ids: Sequence[int]) -> set[int]:
        """The topics among `topic_ids` this voter has voted for."""
        out: set[int] = set()
        for chunk in _chunks(topic_ids):
            out.update(
                int(t)
                for (t,) in conn.execute(
                    select(votes.c.topic_id).where(
                        votes.c.voter_hash == voter_hash, votes.c.topic_id.in_(chunk)
                    )
                )
            )
        return out

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
            TopicCardRow(id_, title, status, size, fixed, dict(langs or {}))
            for id_, title, status, size, fixed, langs in conn.execute(query)
        ]

    def languages(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Reports per language of each topic."""
        out: dict[int, dict[str, int]] = {}
        for chunk in _chunks(topic_ids):
            for id_, langs in conn.execute(
                select(topics.c.id, topics.c.languages).where(topics.c.id.in_(chunk))
            ):
                out[int(id_)] = dict(langs or {})
        return out

    def topic_counts(self, conn: Connection, statuses: Sequence[str]) -> dict[str, int]:
        """Live, non-empty topics per status."""
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

    def reporter_id(self, conn: Connection, key_hash: str) -> int | None:
        found = conn.execute(
            select(reporters.c.id).where(reporters.c.key_hash == key_hash)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def has_reports(self, conn: Connection, reporter_id: int) -> bool:
        return (
            conn.execute(
                select(feedback.c.id).where(feedback.c.reporter_id == reporter_id).limit(1)
            ).first()
            is not None
        )

    def reports_of(self, conn: Connection, reporter_id: int, limit: int) -> list[ReportRow]:
        """A reporter's reports, newest first."""
        rows = conn.execute(
            select(
                feedback.c.id,
                feedback.c.text,
                func.coalesce(feedback.c.language, triage.c.language),
                feedback.c.created_at,
                triage.c.topic_id,
                topics.c.title,
                topics.c.status,
                topics.c.merged_into,
                topics.c.languages,
            )
            .outerjoin(triage, triage.c.feedback_id == feedback.c.id)
            .outerjoin(topics, topics.c.id == triage.c.topic_id)
            .where(feedback.c.reporter_id == reporter_id)
            .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
            .limit(limit)
        )
        return [ReportRow(*row) for row in rows]
