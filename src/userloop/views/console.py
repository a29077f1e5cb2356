"""ConsoleService: what the staff console reads and writes, in domain terms.

Reads go through ``store.console_queries``; changes go through the topic service and triage,
which check the rules (allowed transitions, live topics) and write the audit log with the
actor. Messages shown to people are chosen by the web layer: this module raises exceptions
whose type says what went wrong."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from userloop.config import Settings
from userloop.domain.entities import AuditEvent, StatusChange, Topic, User
from userloop.domain.enums import TOPIC_TRANSITIONS, TopicStatus
from userloop.store import Store
from userloop.store.queries.console import FilterValues, MemberRow, TopicFilter, TopicRow
from userloop.triage.service import Triage

PAGE_SIZE = 50
MEMBER_LIMIT = 200
INBOX_LIMIT = 200
# Sentiment is in [-1, 1]; a 3-star report scores 0 and a 2- or 4-star one ±0.5, so ±0.25
# splits them into negative, neutral and positive.
NEUTRAL_BAND = 0.25
OVERVIEW_DAYS = 30


# Scripts that narrow down which of a topic's languages a title is written in.
_SCRIPTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    (re.compile(r"[\uac00-\ud7af]"), ("ko",)),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"), ("zh", "ja")),
    (re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "be", "bg", "sr", "mk", "kk")),
    (re.compile(r"[\u0600-\u06ff]"), ("ar", "fa", "ur")),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
)
_NON_LATIN = {p for _, prefixes in _SCRIPTS for p in prefixes}


def title_language(title: str, languages: Mapping[str, int]) -> str:
    """The language tag of a topic title, for its `lang` attribute. A title is a sentence of
    one member's text, but which member is not stored: take the topic's most frequent language
    written in the title's script (a Chinese title in a mostly English topic is still zh)."""
    ranked = [tag for tag, _ in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))]
    for pattern, prefixes in _SCRIPTS:
        if pattern.search(title):
            fitting = [tag for tag in ranked if tag.split("-")[0] in prefixes]
            return fitting[0] if fitting else prefixes[0]
    latin = [tag for tag in ranked if tag.split("-")[0] not in _NON_LATIN]
    return latin[0] if latin else "und"


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
    def __init__(self, store: Store, settings: Settings, triage: Triage) -> None:
        self.store = store
        self.settings = settings
        self.triage = triage

    # -- reads ----------------------------------------------------------------------------------

    def topics(self, f: TopicFilter, sort: str, descending: bool, page: int) -> TopicPage:
        with self.store.read() as conn:
            total = self.store.console_queries.count_topics(conn, f)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(max(page, 1), pages)
            rows = self.store.console_queries.list_topics(
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
            return self.store.console_queries.filter_values(conn)

    def topic(self, topic_id: int) -> TopicDetail | None:
        queries = self.store.console_queries
        with self.store.read() as conn:
            topic = self.store.topics.get(conn, topic_id)
            if topic is None:
                return None
            return TopicDetail(
                topic=topic,
                votes=queries.votes_of(conn, [topic_id]).get(topic_id, 0),
                members=queries.members(conn, topic_id, MEMBER_LIMIT),
                member_total=queries.member_count(conn, topic_id),
                kinds=queries.kinds_of(conn, [topic_id]).get(topic_id, {}),
                sentiment=queries.sentiment_mix(conn, topic_id, NEUTRAL_BAND),
                per_day=queries.per_day(conn, topic_id=topic_id),
                per_build=queries.per_build(conn, topic_id),
                history=self.store.topics.status_history(conn, topic_id),
                activity=queries.audit_for(conn, f"topic:{topic_id}"),
                allowed_statuses=(
                    [] if topic.merged_into is not None else allowed_statuses(topic.status)
                ),
            )

    def inbox(self, user: User) -> Inbox:
        as_of = datetime.now(UTC)
        with self.store.read() as conn:
            total, ids = self.store.console_queries.new_topic_ids(
                conn, user.inbox_seen_at, INBOX_LIMIT
            )
            rows = self.store.console_queries.topic_rows(conn, ids)
        return Inbox(user.inbox_seen_at, total, rows, as_of)

    def overview(self, user: User) -> Overview:
        now = datetime.now(UTC)
        end = now.date()
        start = end - timedelta(days=OVERVIEW_DAYS - 1)
        since = datetime(start.year, start.month, start.day, tzinfo=UTC)
        q = self.store.console_queries
        with self.store.read() as conn:
            inbox_new, _ = q.new_topic_ids(conn, user.inbox_seen_at, 0)
            return Overview(
                status_counts=q.status_counts(conn),
                received_7d=q.received_since(conn, now - timedelta(days=7)),
                untriaged=q.untriaged(conn),
                inbox_new=inbox_new,
                per_day=q.per_day(conn, since=since),
                start=start,
                end=end,
            )

    # -- changes (each one audited with the actor) ------------------------------------------

    def change_status(
        self, topic_id: int, status: str | None, fixed_build: str | None, actor: str
    ) -> list[str]:
        """Set the status and/or the fixed build; returns what changed ("status", "build").
        The status goes first: when the transition is refused, nothing is changed."""
        topics = self.triage.topics
        changed: list[str] = []
        if status:
            topics.set_status(topic_id, status, actor)
            changed.append("status")
        if fixed_build is not None:
            build = fixed_build.strip() or None
            current = topics.get(topic_id)
            if current is not None and current.fixed_build != build:
                topics.set_fixed_build(topic_id, build, actor)
                changed.append("build")
        return changed

    def merge(self, sources: Sequence[int], into: int, actor: str) -> Topic:
        return self.triage.topics.merge(sources, into, actor)

    def split(self, topic_id: int, member_ids: Sequence[int], actor: str) -> Topic:
        return self.triage.topics.split(topic_id, member_ids, actor)

    def correct_kind(self, topic_id: int, feedback_id: int, kind: str, actor: str) -> None:
        """Correct the kind of a report shown on a topic's page (it must be a member, so a
        stale page cannot relabel a report that has moved elsewhere unnoticed)."""
        with self.store.read() as conn:
            member = self.store.console_queries.is_member(conn, topic_id, feedback_id)
        if not member:
            raise NotInTopic(f"feedback {feedback_id} is not in topic {topic_id}")
        self.triage.correct_kind(feedback_id, kind, actor)

    def mark_inbox_seen(self, user: User, until: datetime | None = None) -> datetime:
        """Move the user's inbox mark forward to `until` (the moment their inbox page was
        built, so topics that arrived since stay new; never later than now, never backwards).
        Only the user's own mark changes; it is audited like every other change."""
        now = datetime.now(UTC)
        mark = min(until or now, now)
        if user.inbox_seen_at is not None and mark < user.inbox_seen_at:
            mark = user.inbox_seen_at
        with self.store.write() as conn:
            self.store.users.set_inbox_seen(conn, user.id, mark)
            self.store.audit.record(
                conn,
                user.username,
                "user.inbox_seen",
                f"user:{user.username}",
                {"until": mark.isoformat()},
            )
        return mark
