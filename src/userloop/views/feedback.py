"""FeedbackView: stored feedback as the API and the exports read it.

One item, a page after a cursor, and streams for exports. A stream holds one read transaction
for its whole length, so an export is one consistent snapshot however long it runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from userloop.domain.entities import Feedback, Topic, TriageResult
from userloop.domain.filters import FeedbackFilter
from userloop.store import Store

# Items read per query while streaming: bounds memory, and the triage look-up per page.
EXPORT_PAGE = 1000


@dataclass(frozen=True, slots=True)
class TriagedFeedback:
    feedback: Feedback
    triage: TriageResult | None  # None until the item has been triaged


@dataclass(frozen=True, slots=True)
class TopicMembers:
    topic: Topic
    member_ids: list[int]


class FeedbackView:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, feedback_id: int) -> Feedback | None:
        with self._store.read() as conn:
            return self._store.feedback.get(conn, feedback_id)

    def page(self, filters: FeedbackFilter, after_id: int | None, limit: int) -> list[Feedback]:
        """Up to `limit` matching items with ids above `after_id`, in id order."""
        with self._store.read() as conn:
            return self._store.feedback.list(conn, filters, after_id, limit)

    def export(self, filters: FeedbackFilter) -> Iterator[TriagedFeedback]:
        """Every matching item in id order with its triage result."""
        store = self._store
        with store.read() as conn:
            page: list[Feedback] = []
            for item in store.feedback.iterate(conn, filters):
                page.append(item)
                if len(page) == EXPORT_PAGE:
                    yield from self._triaged(conn, page)
                    page = []
            yield from self._triaged(conn, page)

    def topics_export(self, product: str | None = None) -> Iterator[TopicMembers]:
        """Every live topic (merged ones left out) in id order with its members' ids."""
        store = self._store
        with store.read() as conn:
            for topic in store.topics.all(conn, product=product):
                yield TopicMembers(topic, store.triage.members(conn, topic.id))

    def _triaged(self, conn: Connection, page: list[Feedback]) -> Iterator[TriagedFeedback]:
        triaged = self._store.triage.many(conn, [f.id for f in page])
        for item in page:
            yield TriagedFeedback(item, triaged.get(item.id))
