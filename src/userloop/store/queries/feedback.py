"""Read queries about reports as their reporters see them ("my reports")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from userloop.store.tables import feedback, reporters, topics, triage


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
    topic_title_language: str | None = None
    topic_titles: dict[str, str] | None = None  # per language, from the topic's members
    topic_keywords: dict[str, list[str]] | None = None  # per language, best first


class FeedbackQueries:
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
                topics.c.title_language,
                topics.c.titles,
                topics.c.keywords,
            )
            .outerjoin(triage, triage.c.feedback_id == feedback.c.id)
            .outerjoin(topics, topics.c.id == triage.c.topic_id)
            .where(feedback.c.reporter_id == reporter_id)
            .order_by(feedback.c.created_at.desc(), feedback.c.id.desc())
            .limit(limit)
        )
        return [ReportRow(*tuple(row)) for row in rows]
