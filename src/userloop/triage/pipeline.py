"""The triage pipeline: language → embedding → kind → sentiment → topic, over batches of
feedback whose triage is missing or stale. The database is the queue; each batch is computed
and written in one transaction, so a crash loses nothing and duplicates nothing."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from userloop.domain.entities import TriageResult
from userloop.domain.enums import Kind
from userloop.store import Store
from userloop.store.repos.triage import PendingItem
from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.stages import KindLike, KindPredictor, LanguageStage, SentimentPredictor
from userloop.triage.text import without_model
from userloop.triage.topics.base import TopicModel, TopicState

log = logging.getLogger(__name__)


@dataclass
class TriageComponents:
    language: LanguageStage
    embedder: Embedder
    kind: KindPredictor
    sentiment: SentimentPredictor
    topics: TopicModel

    @property
    def embedding_model(self) -> str:
        return f"{self.embedder.name}@{self.embedder.version}"

    def versions(self) -> dict[str, str]:
        emb = self.embedding_model
        return {
            "language": self.language.version,
            "embedding": emb,
            # Stages fed by the embedding change when it does.
            "kind": f"{self.kind.version}+{emb}",
            "sentiment": f"{self.sentiment.version}+{emb}",
            "topic": f"{self.topics.version}+{emb}",
        }

    def pipeline_version(self) -> str:
        return "|".join(f"{k}={v}" for k, v in sorted(self.versions().items()))


class TriagePipeline:
    def __init__(self, store: Store, components: TriageComponents) -> None:
        self.store = store
        self.c = components
        self.versions = components.versions()
        self.version = components.pipeline_version()

    @property
    def index(self) -> TopicState:
        """The topic model's in-memory state; callers that change stored topics clear it."""
        return self.c.topics.state

    def load_topic_state(self, conn: Connection) -> None:
        """Load the topic model's state (centroids, the running mean of the embeddings) from
        the store unless this process has it: anything that prepares vectors (a batch,
        re-clustering, a staff merge recomputing a centroid) needs the mean first, or a fresh
        process would compare uncentred vectors."""
        topics = self.c.topics
        if not topics.state.loaded:
            model = self.versions["embedding"]
            topics.state.load(
                self.store.topics.centroids(conn, model),
                lambda: self.store.triage.vectors_after(conn, model, 0)[1],
            )

    def backlog(self) -> int:
        with self.store.read() as conn:
            return self.store.triage.backlog(conn, self.version)

    def run_batch(self, limit: int) -> int:
        """Triage up to `limit` items; returns how many were done (0 when the queue is empty)."""
        state = self.c.topics.state
        try:
            with self.store.claim_batch(self.version, limit) as claim:
                items = claim.items
                if not items:
                    return 0
                computed = self._compute(items)
                if claim.shared:
                    state.clear()  # other workers may have opened topics meanwhile
                with claim.write() as conn:
                    self._write(conn, items, computed)
        except BaseException:
            state.clear()  # the in-memory state may hold uncommitted joins
            raise
        return len(items)

    # -- computing (no writes) ----------------------------------------------------------------

    def _compute(self, items: Sequence[PendingItem]) -> _Computed:
        v = self.versions
        texts = [i.text for i in items]
        languages: list[tuple[str, str]] = []
        for item in items:
            prev = item.previous
            if prev is not None and prev.versions.get("language") == v["language"]:
                languages.append((prev.language, prev.language_source))
            else:
                languages.append(self.c.language.resolve(item.client_language, item.text))
        with self.store.read() as conn:
            stored = self.store.triage.vectors(conn, [i.id for i in items], v["embedding"])
        missing = [k for k, i in enumerate(items) if i.id not in stored]
        if missing:
            fresh = self.c.embedder.embed(
                [without_model(texts[k], items[k].model) for k in missing]
            )
            for row, k in enumerate(missing):
                stored[items[k].id] = fresh[row]
        vectors = np.vstack([stored[i.id] for i in items]).astype(np.float32)
        kinds = list(self.c.kind.predict(texts, vectors))
        sentiments = list(self.c.sentiment.predict(texts, vectors, [i.rating for i in items]))
        return _Computed(languages, vectors, {items[k].id for k in missing}, kinds, sentiments)

    # -- writing (one transaction) ------------------------------------------------------------

    def _write(self, conn: Connection, items: Sequence[PendingItem], c: _Computed) -> None:
        store = self.store
        topics = self.c.topics
        model = self.versions["embedding"]
        self.load_topic_state(conn)
        embedded = [k for k, i in enumerate(items) if i.id in c.embedded]
        if embedded:
            topics.state.observe(np.vstack([c.vectors[k] for k in embedded]))
        store.triage.save_vectors(conn, model, {items[k].id: c.vectors[k] for k in embedded})
        # Items whose topic stands (pinned by staff, or placed by this topic version) keep it;
        # the others are placed in order.
        kept: dict[int, tuple[int | None, float | None]] = {}
        for k, item in enumerate(items):
            prev = item.previous
            if (
                prev is not None
                and prev.topic_id is not None
                and (prev.topic_pinned or prev.versions.get("topic") == self.versions["topic"])
            ):
                kept[k] = (prev.topic_id, prev.topic_similarity)
        placing = [k for k in range(len(items)) if k not in kept]
        placed = topics.assign(
            [items[k].product_id for k in placing],
            c.vectors[placing],
            lambda product_id, vector: store.topics.create(conn, product_id, vector, model),
        )
        touched: dict[int, list[int]] = {}
        for k, place in zip(placing, placed, strict=True):
            kept[k] = (place.topic_id, place.similarity)
            touched.setdefault(place.topic_id, []).append(k)
        results: list[TriageResult] = []
        for k, item in enumerate(items):
            prev = item.previous
            topic_id, similarity = kept[k]
            pred = c.kinds[k]
            results.append(
                TriageResult(
                    feedback_id=item.id,
                    language=c.languages[k][0],
                    language_source=c.languages[k][1],
                    kind=Kind(pred.kind),  # a predictor inventing a kind fails here
                    labels=tuple(pred.labels),
                    kind_scores={key: round(float(s), 4) for key, s in pred.scores.items()},
                    sentiment=round(float(c.sentiments[k]), 4),
                    topic_id=topic_id,
                    topic_similarity=None if similarity is None else round(similarity, 4),
                    topic_pinned=bool(prev and prev.topic_pinned),
                    versions=dict(self.versions),
                )
            )
        store.triage.save(conn, results, self.version)
        updates = []
        for topic_id, rows in touched.items():
            centroid, size = topics.centroid(items[rows[0]].product_id, topic_id)
            seen = [items[r].created_at for r in rows]
            updates.append((topic_id, centroid, size, min(seen), max(seen)))
        store.topics.set_centroids(conn, updates, model)


@dataclass
class _Computed:
    languages: list[tuple[str, str]]
    vectors: Vectors
    embedded: set[int]
    kinds: list[KindLike]
    sentiments: list[float]
