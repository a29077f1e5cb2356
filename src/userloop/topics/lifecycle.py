"""Topic maintenance: summaries of changed topics, staff merge/split/status, re-clustering.

Staff decisions are constraints: members placed by staff are pinned (the machine never moves
them), and a split records a cannot-merge link the re-clustering respects."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from userloop.domain.entities import StatusChange, Topic
from userloop.domain.enums import TopicStatus
from userloop.store import Store
from userloop.triage.pipeline import TriagePipeline
from userloop.triage.topics import summary
from userloop.triage.topics.recluster import recompute_centroid

log = logging.getLogger(__name__)
F64 = npt.NDArray[np.float64]
SENTENCE_CACHE = 20_000  # title sentences whose embeddings are kept between refreshes
TITLE_SENTENCES = 4  # a title report's first sentences that may title its topic
DIRECTION_SAMPLE = 512  # members (evenly spread) that give a big topic's direction


class TopicError(ValueError):
    """A topic operation that cannot be done; the message says why."""


class TopicService:
    """The topic lifecycle: summaries, status, fixed-in build, merge and split."""

    def __init__(
        self, store: Store, pipeline: TriagePipeline | Callable[[], TriagePipeline]
    ) -> None:
        self.store = store
        # A callable defers building triage (loading its models takes seconds) until a topic
        # operation needs the embedding model or the vector index.
        self._pipeline = pipeline
        self._sentence_cache: dict[str, npt.NDArray[np.float32]] = {}

    @property
    def pipeline(self) -> TriagePipeline:
        if not isinstance(self._pipeline, TriagePipeline):
            self._pipeline = self._pipeline()
        return self._pipeline

    @property
    def model(self) -> str:
        return self.pipeline.versions["embedding"]

    # -- reads ------------------------------------------------------------------------------

    def get(self, topic_id: int) -> Topic | None:
        with self.store.read() as conn:
            return self.store.topics.get(conn, topic_id)

    def all(self, product: str | None = None) -> list[Topic]:
        with self.store.read() as conn:
            return self.store.topics.all(conn, product=product)

    def members(self, topic_id: int) -> list[int]:
        with self.store.read() as conn:
            return self.store.triage.members(conn, topic_id)

    # -- summaries ----------------------------------------------------------------------------

    def refresh(self, limit: int = 100) -> int:
        """Recompute title, keywords, representatives and counts of changed topics."""
        with self.store.read() as conn:
            ids = self.store.topics.dirty_ids(conn, limit)
        for topic_id in ids:
            with self.store.write() as conn:
                self._refresh_one(conn, topic_id)
        return len(ids)

    def _titler(self, conn: Connection, member_vectors: Sequence[npt.ArrayLike]) -> _Titler:
        """How a title member's text becomes the title (:class:`_Titler`), for one topic."""
        direction: F64 | None = None
        # One report is its own topic's direction: its sentences are then chosen by keyword,
        # which spares embedding them for the many topics of one report.
        if len(member_vectors) >= 2:
            self.pipeline.load_topic_state(conn)  # the running mean, before preparing
            step = max(1, len(member_vectors) // DIRECTION_SAMPLE)
            sample = np.vstack(member_vectors[::step]).astype(np.float32)
            mean = self.pipeline.c.topics.prepare(sample).mean(axis=0)
            norm = float(np.linalg.norm(mean))
            direction = mean.astype(np.float64) / norm if norm > 0 else None
        return _Titler(self, direction)

    def _sentence_vectors(self, sentences: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embeddings of title sentences; remembered, since the same member titles its topic
        at every refresh."""
        cache = self._sentence_cache
        todo = [s for s in dict.fromkeys(sentences) if s not in cache]
        if todo:
            if len(cache) + len(todo) > SENTENCE_CACHE:
                cache.clear()
            fresh = self.pipeline.c.embedder.embed(todo)
            cache.update(zip(todo, np.asarray(fresh, dtype=np.float32), strict=True))
        return np.vstack([cache[s] for s in sentences])

    def _refresh_one(self, conn: Connection, topic_id: int) -> None:
        rows = self.store.topics.member_rows(conn, topic_id)
        if not rows:
            self.store.topics.save_summary(
                conn,
                topic_id,
                title="",
                keywords={},
                representatives={},
                languages={},
                builds_seen={},
                models_seen={},
                size=0,
                first_seen=None,
                last_seen=None,
            )
            return
        vectors = self.store.triage.vectors(conn, [r["id"] for r in rows], self.model)
        title_of = self._titler(conn, list(vectors.values()))
        by_language: dict[str, list[dict[str, object]]] = {}
        for r in rows:
            by_language.setdefault(str(r["language"]), []).append(r)
        texts = {
            lang: [str(m["text"]) for m in spread(ms, KEYWORD_TEXTS)]
            for lang, ms in by_language.items()
        }
        keywords = summary.topic_keywords(texts)
        representatives: dict[str, int] = {}
        titles: dict[str, str] = {}
        picks: dict[str, str] = {}  # language -> the text of its title member
        for language, members in by_language.items():
            with_vec = [m for m in members if m["id"] in vectors]
            if not with_vec:
                continue
            matrix = np.vstack([vectors[int(str(m["id"]))] for m in with_vec])
            representatives[language] = int(str(with_vec[summary.medoid(matrix)]["id"]))
            # A title in this language from this language's members; none where no member
            # says enough (a greeting, a placeholder, one word): readers then get the fallback.
            pick = summary.title_member(matrix, [str(m["text"]) for m in with_vec])
            if pick is not None:
                picks[language] = str(with_vec[pick]["text"])
        overall = [m for m in rows if m["id"] in vectors]
        title = ""
        title_language: str | None = None
        center: dict[str, object] | None = None
        found: int | None = None
        if overall:
            matrix = np.vstack([vectors[m["id"]] for m in overall])
            found = summary.title_member(matrix, [str(m["text"]) for m in overall])
            center = overall[summary.medoid(matrix) if found is None else found]
        # Every sentence that may title the topic is embedded in one call.
        title_of.warm(
            [*picks.values(), *([str(center["text"])] if center and found is not None else [])]
        )
        for language, text in picks.items():
            titles[language] = title_of(text, keywords.get(language, []))
        if center is not None:
            words = keywords.get(str(center["language"]), [])
            if found is None and words:
                # No member says enough ("ok", "meh", a placeholder): what they say, listed.
                title = summary.trim(", ".join(words[:4]))
            else:
                title = title_of(str(center["text"]), words)
            # The title is a sentence of this report: it is written in the report's language.
            title_language = str(center["language"]) if title else None
        dates = [r["created_at"] for r in rows]
        self.store.topics.save_summary(
            conn,
            topic_id,
            title=title,
            title_language=title_language,
            titles=titles,
            keywords=keywords,
            representatives=representatives,
            languages=dict(Counter(str(r["language"]) for r in rows)),
            builds_seen=dict(Counter(str(r["build"]) for r in rows if r["build"])),
            models_seen=dict(Counter(str(r["model"]) for r in rows if r["model"])),
            size=len(rows),
            first_seen=min(dates),
            last_seen=max(dates),
        )

    # -- staff operations -----------------------------------------------------------------------

    def merge(self, sources: Sequence[int], into: int, actor: str) -> Topic:
        """Move every member of `sources` into `into`, pinned; sources become duplicates."""
        sources = [s for s in dict.fromkeys(sources) if s != into]
        if not sources:
            raise TopicError("name at least one topic other than the target to merge")
        with self.store.write() as conn:
            target = self._live(conn, into)
            for source in sources:
                self._live(conn, source)
                members = self.store.triage.members(conn, source)
                self.store.triage.move_members(conn, members, target.id, pinned=True)
                self.store.topics.mark_merged(conn, source, target.id)
                self.store.votes.move(conn, source, target.id)
            self._recompute_centroid(conn, target.id)
            self.store.audit.record(
                conn, actor, "topic.merge", f"topic:{into}", {"sources": list(sources)}
            )
        self.pipeline.index.clear()
        self.refresh_one(into)
        return self._must(into)

    def split(self, topic_id: int, member_ids: Sequence[int], actor: str) -> Topic:
        """Move the given members of a topic into a new topic, pinned; never merged back."""
        with self.store.write() as conn:
            topic = self._live(conn, topic_id)
            members = set(self.store.triage.members(conn, topic_id))
            chosen = sorted(set(member_ids))
            strangers = [m for m in chosen if m not in members]
            if strangers:
                raise TopicError(f"feedback {strangers} is not in topic {topic_id}")
            if not chosen or len(chosen) == len(members):
                raise TopicError("a split must leave at least one member on each side")
            product_id = self._product_id(conn, topic)
            new_id = self.store.topics.create(conn, product_id, None, None)
            self.store.triage.move_members(conn, chosen, new_id, pinned=True)
            # The members that stay are pinned too: the machine must not re-join the halves.
            self.store.triage.move_members(
                conn, sorted(members - set(chosen)), topic_id, pinned=True
            )
            self.store.topics.forbid_merge(conn, topic_id, new_id, actor)
            self._recompute_centroid(conn, topic_id)
            self._recompute_centroid(conn, new_id)
            self.store.audit.record(
                conn,
                actor,
                "topic.split",
                f"topic:{topic_id}",
                {"new_topic": new_id, "members": chosen},
            )
        self.pipeline.index.clear()
        self.refresh_one(topic_id)
        self.refresh_one(new_id)
        return self._must(new_id)

    def move(self, topic_id: int, member_ids: Sequence[int], into: int, actor: str) -> Topic:
        """Move the given members of a topic into another existing topic of the same product,
        pinned there (the machine never moves them back, and `userloop model train-similarity`
        learns from them). Moving every member is a merge, and is refused as a move."""
        if into == topic_id:
            raise TopicError("choose another topic to move the reports to")
        with self.store.write() as conn:
            topic = self._live(conn, topic_id)
            target = self._live(conn, into)
            if self._product_id(conn, topic) != self._product_id(conn, target):
                raise TopicError(f"topic {into} belongs to another product")
            members = set(self.store.triage.members(conn, topic_id))
            chosen = sorted(set(member_ids))
            strangers = [m for m in chosen if m not in members]
            if strangers:
                raise TopicError(f"feedback {strangers} is not in topic {topic_id}")
            if not chosen:
                raise TopicError("select at least one report to move")
            if len(chosen) == len(members):
                raise TopicError(f"to move every report, merge topic {topic_id} into {into}")
            self.store.triage.move_members(conn, chosen, into, pinned=True)
            self._recompute_centroid(conn, topic_id)
            self._recompute_centroid(conn, into)
            self.store.audit.record(
                conn, actor, "topic.move", f"topic:{topic_id}", {"to": into, "members": chosen}
            )
        self.pipeline.index.clear()
        self.refresh_one(topic_id)
        self.refresh_one(into)
        return self._must(into)

    def change(
        self, topic_id: int, status: str | None, fixed_build: str | None, actor: str
    ) -> list[str]:
        """Set the status and/or the fixed build; returns what changed ("status", "build").
        The status goes first: when the transition is refused, nothing is changed."""
        changed: list[str] = []
        if status:
            self.set_status(topic_id, status, actor)
            changed.append("status")
        if fixed_build is not None:
            build = fixed_build.strip() or None
            current = self.get(topic_id)
            if current is not None and current.fixed_build != build:
                self.set_fixed_build(topic_id, build, actor)
                changed.append("build")
        return changed

    def set_status(self, topic_id: int, status: TopicStatus | str, actor: str) -> Topic:
        target = TopicStatus(status)
        with self.store.write() as conn:
            topic = self._live(conn, topic_id)
            TopicStatus(topic.status).require_transition(target)
            if target is TopicStatus.DUPLICATE:
                raise TopicError("mark a duplicate by merging it into the topic it repeats")
            self.store.topics.set_status(conn, topic_id, target)
            self.store.audit.record(
                conn,
                actor,
                "topic.status",
                f"topic:{topic_id}",
                {"from": topic.status, "to": target.value},
            )
        return self._must(topic_id)

    def set_fixed_build(self, topic_id: int, build: str | None, actor: str) -> Topic:
        """Name the build that carries the fix (None clears it)."""
        build = (build or "").strip() or None
        if build is not None and len(build) > 100:
            raise TopicError("a build version is at most 100 characters")
        with self.store.write() as conn:
            topic = self._live(conn, topic_id)
            self.store.topics.set_fixed_build(conn, topic_id, build)
            self.store.audit.record(
                conn,
                actor,
                "topic.fixed_build",
                f"topic:{topic_id}",
                {"from": topic.fixed_build, "to": build},
            )
        return self._must(topic_id)

    def history(self, topic_id: int) -> list[StatusChange]:
        with self.store.read() as conn:
            return self.store.topics.status_history(conn, topic_id)

    def refresh_one(self, topic_id: int) -> None:
        with self.store.write() as conn:
            self._refresh_one(conn, topic_id)

    # -- helpers ------------------------------------------------------------------------------

    def _live(self, conn: Connection, topic_id: int) -> Topic:
        topic = self.store.topics.get(conn, topic_id)
        if topic is None:
            raise TopicError(f"no topic {topic_id}")
        if topic.merged_into is not None:
            raise TopicError(f"topic {topic_id} was merged into topic {topic.merged_into}")
        return topic

    def _must(self, topic_id: int) -> Topic:
        topic = self.get(topic_id)
        assert topic is not None
        return topic

    def _product_id(self, conn: Connection, topic: Topic) -> int:
        return self.store.topics.product_id(conn, topic.id)

    def _recompute_centroid(self, conn: Connection, topic_id: int) -> None:
        recompute_centroid(self.store, self.pipeline, conn, topic_id, self.model)


#: Texts per language that keywords are computed from. Tokenizing every member of a large topic
#: at every refresh made refreshing grow with topic size (the slowest part of triage at 100,000
#: items); a few hundred texts spread over the topic's history give the same top words.
KEYWORD_TEXTS = 400

_T = TypeVar("_T")


def spread(items: Sequence[_T], limit: int) -> list[_T]:
    """At most ``limit`` of ``items``, evenly spaced and always the same for the same input."""
    if len(items) <= limit:
        return list(items)
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


class _Titler:
    """How a title member's text becomes its topic's title: its one sentence that says
    enough, or, when several do, the one closest to the topic's direction (the mean of its
    members in the topic space), so that a greeting, a build number or "still not fixed"
    never titles a topic; without a direction (a topic of one report), the first with a
    keyword; the keyword rule (``summary.topic_title``) when no sentence says enough."""

    def __init__(self, service: TopicService, direction: F64 | None) -> None:
        self.service = service
        self.direction = direction
        self.done: dict[str, str] = {}

    def candidates(self, text: str) -> list[str]:
        return summary.title_sentences(text)[:TITLE_SENTENCES]

    def warm(self, texts: Sequence[str]) -> None:
        """Embed the candidate sentences of all these texts at once."""
        if self.direction is None:
            return
        found = [c for text in texts if len(cs := self.candidates(text)) > 1 for c in cs]
        if found:
            self.service._sentence_vectors(found)

    def __call__(self, text: str, keywords: list[str]) -> str:
        if text in self.done:
            return self.done[text]
        found = self.candidates(text)
        if not found:
            title = summary.topic_title(keywords, text)
        elif len(found) == 1:
            title = summary.trim(found[0])
        elif self.direction is None:
            title = summary.trim(summary.keyword_sentence(found, keywords))
        else:
            topics = self.service.pipeline.c.topics
            prepared = topics.prepare(self.service._sentence_vectors(found))
            title = summary.trim(summary.closest_sentence(found, prepared, self.direction))
        self.done[text] = title
        return title
