"""PortalService: what the public portal reads, in domain terms.

Writes belong to the loop services: a report goes through intake, a vote through
``topics.votes``; ``submit`` and ``vote`` here only hand over to them, under the names the
screens already use, and turn their answers into the portal's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection

from userloop.domain.entities import Topic
from userloop.domain.enums import ItemStatus, TopicStatus
from userloop.domain.rules.builds import build_sort_key
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.store.queries.topics import TopicCardRow
from userloop.topics.similar import SimilarService
from userloop.topics.votes import NoPublicTopic, VoteService, live_topic
from userloop.views.portal_models import (
    BuildFixes,
    Moved,
    MyReport,
    PortalNotFound,
    Representative,
    RoadmapColumn,
    Submission,
    SubmissionRejected,
    SubmitOutcome,
    Suggestion,
    TopicCard,
    TopicView,
    VoteOutcome,
)
from userloop.views.titles import reader_title

SOURCE = "portal"
MY_REPORTS_SALT = "userloop.my-reports"
ROADMAP_STATUSES = (
    TopicStatus.PLANNED,
    TopicStatus.IN_PROGRESS,
    TopicStatus.FIXED,
    TopicStatus.SHIPPED,
)
CHANGELOG_STATUSES = (TopicStatus.FIXED, TopicStatus.SHIPPED)
# A long column helps nobody; the most reported topics are the ones visitors look for.
ROADMAP_COLUMN_LIMIT = 50
MY_REPORTS_LIMIT = 200
# Shorter drafts match almost anything; waiting for ~10 characters keeps noise out.
SUGGESTION_MIN_CHARS = 10
# Similarities are cosines of centred vectors, where unrelated texts sit near 0 and the online
# join threshold is 0.20 (BENCHMARKS.md). A half-written draft scores lower than the finished
# report would, so the floor sits a little below the join threshold.
SUGGESTION_MIN_SIMILARITY = 0.15
SUGGESTION_COUNT = 5
# Only the beginning of a draft is embedded: enough to find the topic, and cheap per keystroke.
# Anyone may ask, unsigned, so this bounds the work one request can cost (embedding time grows
# with the text); the portal's script sends no more than this either.
SUGGESTION_MAX_CHARS = 300


class PortalService:
    def __init__(
        self,
        store: Store,
        intake: IntakeService,
        similar: SimilarService,
        votes: VoteService,
        signing_key: str | bytes,
    ) -> None:
        self.store = store
        self.intake = intake
        self.similar = similar
        self.votes = votes
        self._tokens = URLSafeSerializer(signing_key, salt=MY_REPORTS_SALT)

    # -- submitting -------------------------------------------------------------------------

    def submit(self, sub: Submission) -> SubmitOutcome:
        """Store one portal report. The form's submission id is the external id, so a double
        submit stores one item."""
        result = self.intake.submit(self._raw(sub, sub.submission_id), default_source=SOURCE)
        if result.status is ItemStatus.CONFLICT:
            # The same form sent again with edited text (back button): a new report, keyed by
            # its content so that this one is not stored twice either.
            result = self.intake.submit(self._raw(sub, None), default_source=SOURCE)
        if result.status in (ItemStatus.INVALID, ItemStatus.CONFLICT) or result.id is None:
            raise SubmissionRejected(result.message or "rejected")
        with self.store.read() as conn:
            item = self.store.feedback.get(conn, result.id)
        assert item is not None and item.reporter_id is not None
        return SubmitOutcome(
            feedback_id=result.id,
            duplicate=result.status is ItemStatus.DUPLICATE,
            token=self.token_for(item.reporter_id),
        )

    @staticmethod
    def _raw(sub: Submission, external_id: str | None) -> dict[str, Any]:
        return {
            "text": sub.text,
            "source": SOURCE,
            "external_id": external_id,
            "model": sub.model,
            "build": sub.build,
            "channel": sub.channel,
            "reporter": {
                "id": sub.visitor,
                "language": sub.language,
                # Intake refuses an address without consent; never send one.
                "email": sub.email if sub.consent else None,
                "consent": sub.consent and bool(sub.email),
            },
        }

    # -- votes ------------------------------------------------------------------------------

    def voter_hash(self, visitor: str) -> str:
        return self.votes.voter_hash(visitor)

    def vote(self, topic_id: int, visitor: str) -> VoteOutcome:
        """See ``VoteService.vote``; an unknown or empty topic is not found."""
        try:
            return self.votes.vote(topic_id, visitor)
        except NoPublicTopic as exc:
            raise PortalNotFound(topic_id) from exc

    # -- reading ----------------------------------------------------------------------------

    def topic(self, topic_id: int, visitor: str, language: str) -> TopicView | Moved:
        with self.store.read() as conn:
            topic = self.store.topics.get(conn, topic_id)
            if topic is None:
                raise PortalNotFound(topic_id)
            if topic.merged_into is not None:
                return Moved(self._live(conn, topic.merged_into).id)
            if topic.size <= 0:
                raise PortalNotFound(topic_id)
            people = self.store.topic_queries.people_counts(conn, [topic.id])
            voter = self.voter_hash(visitor)
            reps = []
            for lang in _languages_for(language, topic):
                item = self.store.feedback.get(conn, topic.representatives[lang])
                if item is not None:
                    reps.append(Representative(lang, item.text))
            return TopicView(
                id=topic.id,
                shown_title=reader_title(topic, language, reps),
                status=topic.status,
                people=people.get(topic.id, topic.size),
                size=topic.size,
                votes=self.store.votes.count(conn, topic.id),
                voted=self.store.votes.has_voted(conn, topic.id, voter),
                languages=sorted(topic.languages.items(), key=lambda kv: (-kv[1], kv[0])),
                representatives=reps,
                history=self.store.topics.status_history(conn, topic.id),
                first_seen=topic.first_seen or topic.created_at,
                fixed_build=topic.fixed_build,
            )

    def suggestions(self, text: str, language: str, visitor: str) -> list[Suggestion]:
        """Topics that may already describe the visitor's draft ("already reported?")."""
        text = text.strip()[:SUGGESTION_MAX_CHARS]
        if len(text) < SUGGESTION_MIN_CHARS:
            return []
        hits = [
            h
            for h in self.similar.topics(text, language=language, k=SUGGESTION_COUNT)
            if h.similarity >= SUGGESTION_MIN_SIMILARITY
        ]
        if not hits:
            return []
        ids = [h.topic_id for h in hits]
        with self.store.read() as conn:
            people = self.store.topic_queries.people_counts(conn, ids)
            votes = self.store.votes.counts(conn, ids)
            voted = self.store.votes.voted_among(conn, self.voter_hash(visitor), ids)
            languages = self.store.topic_queries.languages(conn, ids)
            stored = self.store.topic_queries.title_languages(conn, ids)
            own = self.store.topic_queries.titles(conn, ids)
            keywords = self.store.topic_queries.keywords(conn, ids)
        shown = {
            h.topic_id: reader_title(
                _TitledHit(
                    h.title,
                    stored.get(h.topic_id),
                    own.get(h.topic_id, {}),
                    languages.get(h.topic_id, {}),
                    keywords.get(h.topic_id, {}),
                ),
                language,
                [Representative(h.representative_language, h.representative_text)]
                if h.representative_text and h.representative_language
                else [],
            )
            for h in hits
        }
        return [
            Suggestion(
                topic_id=h.topic_id,
                shown_title=shown[h.topic_id],
                status=h.status,
                people=people.get(h.topic_id, h.size),
                votes=votes.get(h.topic_id, 0),
                voted=h.topic_id in voted,
                similarity=h.similarity,
                text=h.representative_text,
                language=h.representative_language,
            )
            for h in hits
        ]

    def roadmap(self, language: str = "en") -> list[RoadmapColumn]:
        """The roadmap's columns; titles in the reader's `language` where topics have one."""
        statuses = [s.value for s in ROADMAP_STATUSES]
        with self.store.read() as conn:
            totals = self.store.stats.topic_counts(conn, statuses)
            columns = []
            for status in statuses:
                rows = self.store.topic_queries.topic_cards(
                    conn, [status], limit=ROADMAP_COLUMN_LIMIT
                )
                columns.append(
                    RoadmapColumn(status, self._cards(conn, rows, language), totals.get(status, 0))
                )
        return columns

    def changelog(self, language: str = "en") -> list[BuildFixes]:
        """Fixed and shipped topics grouped by the build that carries the fix, newest first;
        titles in the reader's `language` where topics have one."""
        with self.store.read() as conn:
            rows = self.store.topic_queries.topic_cards(
                conn, [s.value for s in CHANGELOG_STATUSES], with_fixed_build=True
            )
            cards = self._cards(conn, rows, language)
        groups: dict[str, list[TopicCard]] = {}
        for card in cards:
            assert card.fixed_build is not None
            groups.setdefault(card.fixed_build, []).append(card)
        ordered = sorted(groups, key=lambda b: (build_sort_key(b), b), reverse=True)
        return [
            BuildFixes(build, sorted(groups[build], key=lambda c: (-c.people, c.id)))
            for build in ordered
        ]

    # -- my reports -------------------------------------------------------------------------

    def token_for(self, reporter_id: int) -> str:
        return str(self._tokens.dumps(reporter_id))

    def reporter_of(self, token: str) -> int:
        try:
            value = self._tokens.loads(token)
        except BadSignature as exc:
            raise PortalNotFound("my reports") from exc
        if not isinstance(value, int) or isinstance(value, bool):
            raise PortalNotFound("my reports")
        return value

    def token_for_visitor(self, visitor: str) -> str | None:
        """This browser's "my reports" token, when its visitor has sent anything."""
        with self.store.read() as conn:
            queries = self.store.feedback_queries
            reporter = queries.reporter_id(conn, self.intake.reporter_key(visitor))
            if reporter is None or not queries.has_reports(conn, reporter):
                return None
        return self.token_for(reporter)

    def my_reports(self, token: str, language: str = "en") -> list[MyReport]:
        """The reporter's reports with their topics, titled in the reader's `language`."""
        reporter = self.reporter_of(token)
        with self.store.read() as conn:
            rows = self.store.feedback_queries.reports_of(conn, reporter, MY_REPORTS_LIMIT)
            out = []
            for r in rows:
                topic_id, title, status = r.topic_id, r.topic_title, r.topic_status
                languages, stored = r.topic_languages or {}, r.topic_title_language
                titles, keywords = r.topic_titles or {}, r.topic_keywords or {}
                if topic_id is not None and r.topic_merged_into is not None:
                    live = self._live(conn, topic_id)
                    topic_id, title, status = live.id, live.title, live.status
                    languages, stored, titles = live.languages, live.title_language, live.titles
                    keywords = live.keywords
                shown = reader_title(
                    _TitledHit(title or "", stored, titles, languages, keywords), language
                )
                out.append(
                    MyReport(
                        feedback_id=r.feedback_id,
                        text=r.text,
                        language=r.language,
                        created_at=r.created_at,
                        topic_id=topic_id,
                        shown_title=shown if title is not None else None,
                        topic_status=status,
                    )
                )
        return out

    # -- helpers ----------------------------------------------------------------------------

    def _live(self, conn: Connection, topic_id: int) -> Topic:
        """The topic, or the one it was (transitively) merged into; empty topics are not
        public."""
        try:
            return live_topic(self.store, conn, topic_id)
        except NoPublicTopic as exc:
            raise PortalNotFound(topic_id) from exc

    def _cards(
        self, conn: Connection, rows: Sequence[TopicCardRow], language: str
    ) -> list[TopicCard]:
        ids = [r.id for r in rows]
        people = self.store.topic_queries.people_counts(conn, ids)
        votes = self.store.votes.counts(conn, ids)
        return [
            TopicCard(
                id=r.id,
                shown_title=reader_title(r, language),
                status=r.status,
                people=people.get(r.id, r.size),
                votes=votes.get(r.id, 0),
                fixed_build=r.fixed_build,
            )
            for r in rows
        ]


@dataclass(frozen=True, slots=True)
class _TitledHit:
    """A topic's title parts as a query row holds them, for `reader_title`."""

    title: str
    title_language: str | None
    titles: Mapping[str, str]
    languages: Mapping[str, int]
    keywords: Mapping[str, Sequence[str]]


def _languages_for(wanted: str, topic: Topic) -> list[str]:
    """The topic's representative languages: the visitor's own (or the same language in the
    other script) first, then by how many reports each has."""
    base = wanted.split("-")[0]

    def rank(lang: str) -> tuple[int, int, str]:
        mine = 0 if lang == wanted else 1 if lang.split("-")[0] == base else 2
        return (mine, -topic.languages.get(lang, 0), lang)

    return sorted(topic.representatives, key=rank)
