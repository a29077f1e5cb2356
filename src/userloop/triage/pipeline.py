"""The triage pipeline: language → embedding → kind → sentiment → topic, over batches of
feedback whose triage is missing or stale. The database is the queue; each batch is computed
and written in one transaction, so a crash loses nothing and duplicates nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from userloop.domain.entities import TriageResult
from userloop.store import Store
from userloop.store.repos.triage import PendingItem
from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.stages import KindLike, KindPredictor, LanguageStage, SentimentPredictor
from userloop.triage.topics.engine import TopicIndex, greedy_cluster

log = logging.getLogger(__name__)

Prepare = Callable[[Vectors], Vectors]


def _identity(vectors: Vectors) -> Vectors:
    return vectors


@dataclass
class TriageComponents:
    language: LanguageStage
    embedder: Embedder
    kind: KindPredictor
    sentiment: SentimentPredictor
    topic_threshold: float
    topic_version: str = "online-1"
    prepare: Prepare = _identity  # how vectors are shaped for topic similarity
    # Told about every newly embedded vector, e.g. a running mean that `prepare` centres on.
    observe: Callable[[Vectors], None] | None = None
    observed: Callable[[], int] | None = None  # how many vectors `observe` has seen
    # Batch clustering used by re-clustering to split topics; the online rule by default.
    cluster: Callable[[Vectors], npt.NDArray[np.int64]] | None = None
    # Batch clustering of raw embeddings with their texts, for re-clustering's regroup pass
    # (the lexical channel needs the texts); None skips that pass.
    regroup: Callable[[Vectors, Sequence[str]], npt.NDArray[np.int64]] | None = None

    def cluster_fn(self) -> Callable[[Vectors], npt.NDArray[np.int64]]:
        if self.cluster is not None:
            return self.cluster
        threshold = self.topic_threshold
        return lambda vectors: greedy_cluster(vectors, threshold)

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
            "topic": f"{self.topic_version}:{self.topic_threshold:g}+{emb}",
        }

    def pipeline_version(self) -> str:
        return "|".join(f"{k}={v}" for k, v in sorted(self.versions().items()))


class TriagePipeline:
    def __init__(self, store: Store, components: TriageComponents) -> None:
        self.store = store
        self.c = components
        self.index = TopicIndex(components.topic_threshold)
        self.versions = components.versions()
        self.version = components.pipeline_version()

    def backlog(self) -> int:
        with self.store.read() as conn:
            return self.store.triage.backlog(conn, self.version)

    def run_batch(self, limit: int) -> int:
        """Triage up to `limit` items; returns how many were done (0 when the queue is empty)."""
        try:
            if self.store.is_sqlite:
                # One process writes: compute outside the write lock so intake never waits.
                with self.store.read() as conn:
                    items = self.store.triage.pending(conn, self.version, limit)
                if not items:
                    return 0
                computed = self._compute(items)
                with self.store.write() as conn:
                    self._write(conn, items, computed)
            else:
                # Several workers: rows stay locked (and skipped by the others) until commit.
                with self.store.write() as conn:
                    items = self.store.triage.pending(conn, self.version, limit, lock=True)
                    if not items:
                        return 0
                    computed = self._compute(items)
                    self.index.clear()  # other workers may have opened topics meanwhile
                    self._write(conn, items, computed)
        except BaseException:
            self.index.clear()  # the in-memory index may hold uncommitted joins
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
            fresh = self.c.embedder.embed([texts[k] for k in missing])
            for row, k in enumerate(missing):
                stored[items[k].id] = fresh[row]
        vectors = np.vstack([stored[i.id] for i in items]).astype(np.float32)
        kinds = list(self.c.kind.predict(texts, vectors))
        sentiments = list(self.c.sentiment.predict(texts, vectors, [i.rating for i in items]))
        return _Computed(languages, vectors, {items[k].id for k in missing}, kinds, sentiments)

    # -- writing (one transaction) ------------------------------------------------------------

    def _write(self, conn: Connection, items: Sequence[PendingItem], c: _Computed) -> None:
        store = self.store
        model = self.versions["embedding"]
        if not self.index.loaded:
            self.index.load(store.topics.centroids(conn, model))
            if self.c.observe and self.c.observed and not self.c.observed():
                # A fresh process: rebuild the topic space from every stored vector.
                _ids, stored = store.triage.vectors_after(conn, model, 0)
                if len(stored):
                    self.c.observe(stored)
        if self.c.observe and c.embedded:
            self.c.observe(
                np.vstack([c.vectors[k] for k, i in enumerate(items) if i.id in c.embedded])
            )
        store.triage.save_vectors(
            conn, model, {i.id: c.vectors[k] for k, i in enumerate(items) if i.id in c.embedded}
        )
        prepared = self.c.prepare(c.vectors)
        touched: dict[int, list[int]] = {}
        results: list[TriageResult] = []
        for k, item in enumerate(items):
            prev = item.previous
            topic_id: int | None
            similarity: float | None
            pinned = bool(prev and prev.topic_pinned)
            if (
                prev is not None
                and prev.topic_id is not None
                and (pinned or prev.versions.get("topic") == self.versions["topic"])
            ):
                topic_id, similarity = prev.topic_id, prev.topic_similarity
            else:
                topic_id, similarity = self._place(conn, item, prepared[k], model)
                touched.setdefault(topic_id, []).append(k)
            pred = c.kinds[k]
            results.append(
                TriageResult(
                    feedback_id=item.id,
                    language=c.languages[k][0],
                    language_source=c.languages[k][1],
                    kind=pred.kind,
                    labels=tuple(pred.labels),
                    kind_scores={key: round(float(s), 4) for key, s in pred.scores.items()},
                    sentiment=round(float(c.sentiments[k]), 4),
                    topic_id=topic_id,
                    topic_similarity=None if similarity is None else round(similarity, 4),
                    topic_pinned=pinned,
                    versions=dict(self.versions),
                )
            )
        store.triage.save(conn, results, self.version)
        updates = []
        for topic_id, rows in touched.items():
            centroid, size = self.index.centroid(items[rows[0]].product_id, topic_id)
            seen = [items[r].created_at for r in rows]
            updates.append((topic_id, centroid, size, min(seen), max(seen)))
        store.topics.set_centroids(conn, updates, model)

    def _place(
        self, conn: Connection, item: PendingItem, vector: Vectors, model: str
    ) -> tuple[int, float]:
        topic_id, similarity = self.index.best(item.product_id, vector)
        if topic_id is None:
            topic_id = self.store.topics.create(conn, item.product_id, vector, model)
            self.index.add(item.product_id, topic_id, vector, 1)
            return topic_id, 1.0
        self.index.join(item.product_id, topic_id, vector)
        return topic_id, similarity


@dataclass
class _Computed:
    languages: list[tuple[str, str]]
    vectors: Vectors
    embedded: set[int]
    kinds: list[KindLike]
    sentiments: list[float]
