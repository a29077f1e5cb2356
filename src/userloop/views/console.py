"""ConsoleService: what the staff console reads, in domain terms.

Reads go through the store's per-aggregate queries. Changes are made by the loop services:
the topic lifecycle (status, fixed-in build, merge, split) and triage (kind corrections),
which check the rules and write the audit log with the actor; the change methods here only
hand over to them, under the names the screens already use. Messages shown to people are
chosen by the web layer: this module raises exceptions whose type says what went wrong."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from userloop.domain.entities import AuditEvent, StatusChange, Topic, User
from userloop.domain.enums import TOPIC_TRANSITIONS, TopicStatus
from userloop.domain.filters import FilterValues, TopicFilter
from userloop.store import Store
from userloop.store.queries.topics import MemberRow, TopicRow
from userloop.topics.lifecycle import TopicService
from userloop.triage.service import Triage

PAGE_SIZE = 50
MEMBER_LIMIT = 200
INBOX_LIMIT = 200
# Sentiment is in [-1, 1]; a 3-star report scores 0 and a 2- or 4-star one ±0.5, so ±0.25
# splits them into negative, neutral and positive.
NEUTRAL_BAND = 0.25
OVERVIEW_DAYS = 30


class NotInTopic(LookupError):
    """The report named is not (or no longer) a member of the topic."""


@dataclass(frozen=True, slots=True)
class TopicPage:
    rows: list[TopicRow]
    total: int
    page: int
    pages: int
    page_size: int


@dataclass(frozen=True, slots=True)
class TopicDetail:
    topic: Topic
    votes: int
    members: list[MemberRow]
    member_total: int
    kinds: dict[str, int]
    sentiment: tuple[int, int, int]  # negative, neutral, positive
    per_day: dict[date, int]
    per_build: list[tuple[str | None, int]]
    history: list[StatusChange]
    activity: list[AuditEvent]
    allowed_statuses: list[str]


@dataclass(frozen=True, slots=True)
class Inbox:
    since: datetime | None
    total: int
    topics: list[TopicRow]
    as_of: datetime  # what "mark as seen" marks: topics created later stay new


@dataclass(frozen=True, slots=True)
class Overview:
    status_counts: dict[str, int]
    received_7d: int
    untriaged: int
    inbox_new: int
    per_day: dict[date, int]
    start: date
    end: date


def allowed_statuses(status: str) -> list[str]:
    """Statuses a topic may move to from the console: `duplicate` is reached by merging."""
    try:
        current = TopicStatus(status)
    except ValueError:
        return []
    order = list(TopicStatus)
    targets = TOPIC_TRANSITIONS[current] - {TopicStatus.DUPLICATE}
    return [s.value for s in sorted(targets, key=order.index)]


class ConsoleService:
    def __init__(self, store: Store, topics: TopicService, triage: Triage) -> None:
        self.store = store
        self.lifecycle = topics
        self.triage = triage

    # -- reads ----------------------------------------------------------------------------------

    def topics(self, f: TopicFilter, sort: str, descending: bool, page: int) -> TopicPage:
        with self.store.read() as conn:
            total = self.store.topic_queries.count_topics(conn, f)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(max(page, 1), pages)
            rows = self.store.topic_queries.list_topics(
                conn,
                f,
                sort=sort,
                descending=descending,
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        return TopicPage(rows, total, page, pages, PAGE_SIZE)

    def filter_values(self) -> FilterValues:
        with self.store.read() as conn:
            return self.store.topic_queries.filter_values(conn)

    def topic(self, topic_id: int) -> TopicDetail | None:
        queries, stats = self.store.topic_queries, self.store.stats
        with self.store.read() as conn:
            topic = self.store.topics.get(conn, topic_id)
            if topic is None:
                return None
            return TopicDetail(
                topic=topic,
                votes=self.store.votes.count(conn, topic_id),
                members=queries.members(conn, topic_id, MEMBER_LIMIT),
                member_total=queries.member_count(conn, topic_id),
                kinds=queries.kinds_of(conn, [topic_id]).get(topic_id, {}),
                sentiment=stats.sentiment_mix(conn, topic_id, NEUTRAL_BAND),
                per_day=stats.per_day(conn, topic_id=topic_id),
                per_build=stats.per_build(conn, topic_id),
                history=self.store.topics.status_history(conn, topic_id),
                activity=self.store.audit_queries.audit_for(conn, f"topic:{topic_id}"),
                allowed_statuses=(
                    [] if topic.merged_into is not None else allowed_statuses(topic.status)
                ),
            )

    def inbox(self, user: User) -> Inbox:
        as_of = datetime.now(UTC)
        with self.store.read() as conn:
            total, ids = self.store.topic_queries.new_topic_ids(
                conn, user.inbox_seen_at, INBOX_LIMIT
            )
            rows = self.store.topic_queries.topic_rows(conn, ids)
        return Inbox(user.inbox_seen_at, total, rows, as_of)

    def overview(self, user: User) -> Overview:
        now = datetime.now(UTC)
        end = now.date()
        start = end - timedelta(days=OVERVIEW_DAYS - 1)
        since = datetime(start.year, start.month, start.day, tzinfo=UTC)
        stats = self.store.stats
        with self.store.read() as conn:
            inbox_new, _ = self.store.topic_queries.new_topic_ids(conn, user.inbox_seen_at, 0)
            return Overview(
                status_counts=stats.status_counts(conn),
                received_7d=stats.written_since(conn, now - timedelta(days=7)),
                untriaged=stats.untriaged(conn),
                inbox_new=inbox_new,
                per_day=stats.per_day(conn, since=since),
                start=start,
                end=end,
            )

    # -- changes: handed to the loop services, which audit them with the actor ------------------

    def change_status(
        self, topic_id: int, status: str | None, fixed_build: str | None, actor: str
    ) -> list[str]:
        """See ``TopicService.change``."""
        return self.lifecycle.change(topic_id, status, fixed_build, actor)

    def merge(self, sources: Sequence[int], into: int, actor: str) -> Topic:
        return self.lifecycle.merge(sources, into, actor)

    def split(self, topic_id: int, member_ids: Sequence[int], actor: str) -> Topic:
        return self.lifecycle.split(topic_id, member_ids, actor)

    def correct_kind(self, topic_id: int, feedback_id: int, kind: str, actor: str) -> None:
        """Correct the kind of a report shown on a topic's page (it must be a member, so a
        stale page cannot relabel a report that has moved elsewhere unnoticed)."""
        with self.store.read() as conn:
            member = self.store.topic_queries.is_member(conn, topic_id, feedback_id)
        if not member:
            raise NotInTopic(f"feedback {feedback_id} is not in topic {topic_id}")
        self.triage.correct_kind(feedback_id, kind, actor)
