""" "Already reported?": the topics nearest to a text, and the items nearest to an item.

Items are found as duplicates are (``userloop eval duplicates`` measures it): the best
``CANDIDATES`` by embedding cosine and the best ``CANDIDATES`` by BM25 over the stored texts
are fused into one ranking, ``w * bm25 / best_bm25 + (1 - w) * cosine``, with ``w`` the
``similar_lexical_weight`` setting (0: embedding only). Words catch what a sentence embedding
blurs (error names, product names, numbers); the embedding catches paraphrases and other
languages, which share no words.

Both searches run on in-process copies bounded by the vector index's ``max_vectors``: the
topic centroids, and the newest ``max_vectors`` item vectors and texts (older items are not
offered as duplicates once that many newer ones exist).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from userloop.domain.language_tags import reader_language_match
from userloop.store import Store
from userloop.store.vectors import Hit, VectorIndex
from userloop.store.vectors.memory import MemoryVectorIndex
from userloop.triage.lexical import DEFAULT_FUSION_WEIGHT, BM25Index, fuse
from userloop.triage.pipeline import TriagePipeline

#: Hits taken from each side before fusing (as in the duplicate evaluation).
CANDIDATES = 100
#: Rows read from the store at a time when bringing the in-memory copies up to date.
PAGE = 5000
_ITEMS = "items"  # the item index's one namespace


@dataclass(frozen=True, slots=True)
class SimilarTopic:
    topic_id: int
    similarity: float
    title: str  # in the asker's language where the topic's reports give one
    title_language: str | None
    status: str
    size: int
    representative_id: int | None
    representative_text: str | None
    representative_language: str | None


@dataclass(frozen=True, slots=True)
class SimilarItem:
    feedback_id: int
    similarity: float  # cosine of the embeddings; 0 for an item without a vector yet
    score: float  # the fused score the results are ranked by
    source: str
    external_id: str
    text: str
    topic_id: int | None


class SimilarService:
    """Answers from bounded in-memory copies (see the module doc): topic centroids reloaded
    when older than `topic_ttl` seconds (the worker moves them), item vectors and texts
    appended as new ones appear, the oldest dropped past the item index's bound."""

    def __init__(
        self,
        store: Store,
        pipeline: TriagePipeline | Callable[[], TriagePipeline],
        topic_ttl: float = 5.0,
        lexical_weight: float = DEFAULT_FUSION_WEIGHT,
        *,
        topic_index: VectorIndex | None = None,
        item_index: VectorIndex | None = None,
    ) -> None:
        if not 0.0 <= lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must lie in [0, 1]; got {lexical_weight}")
        self.store = store
        # A callable defers building triage (loading its models takes seconds) until the
        # first question.
        self._pipeline = pipeline
        self.topic_ttl = topic_ttl
        self.lexical_weight = lexical_weight
        self._topic_index = topic_index if topic_index is not None else MemoryVectorIndex()
        self._item_index = item_index if item_index is not None else MemoryVectorIndex()
        # The word index keeps as many texts as the item index keeps vectors.
        self._max_texts = self._item_index.max_vectors
        self._bm25: BM25Index[int] = BM25Index()
        self._bm25_ids: deque[int] = deque()  # indexed feedback ids, oldest first
        self._bm25_after: int | None = None  # the last feedback id in the BM25 index
        self._lock = threading.Lock()
        self._topics_at: float | None = None  # when the centroids were loaded
        self._items_after: int | None = None  # the last feedback id read for vectors

    @property
    def pipeline(self) -> TriagePipeline:
        if not isinstance(self._pipeline, TriagePipeline):
            self._pipeline = self._pipeline()
        return self._pipeline

    def _search_topics(self, vector: np.ndarray, k: int, product: int | None) -> list[Hit]:
        with self._lock:
            now = time.monotonic()
            if self._topics_at is None or now - self._topics_at > self.topic_ttl:
                with self.store.read() as conn:
                    rows = self.store.topics.centroids(conn, self.pipeline.versions["embedding"])
                self._topic_index.clear()
                by_product: dict[int, list[tuple[int, np.ndarray]]] = {}
                for t, p, size, c in rows:
                    if c is not None and size > 0:
                        by_product.setdefault(p, []).append((t, c))
                for p, live in by_product.items():
                    matrix = np.vstack([c for _, c in live]).astype(np.float32)
                    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
                    self._topic_index.add(str(p), [t for t, _ in live], matrix)
                self._topics_at = now
            return self._topic_index.search(vector, k, None if product is None else str(product))

    def _search_items(self, query: np.ndarray, k: int) -> list[Hit]:
        with self._lock:
            model = self.pipeline.versions["embedding"]
            with self.store.read() as conn:
                if self._items_after is None:  # start at the newest the index keeps
                    bound = self._item_index.max_vectors
                    floor = self.store.triage.vector_floor(conn, model, bound) if bound else 0
                    self._items_after = floor
                while True:
                    ids, matrix = self.store.triage.vectors_after(
                        conn, model, self._items_after, PAGE
                    )
                    if not ids:
                        break
                    self._item_index.add(_ITEMS, ids, matrix)
                    self._items_after = ids[-1]
            return self._item_index.search(query, k, _ITEMS)

    def _search_words(self, text: str, k: int, exclude: set[int]) -> list[tuple[int, float]]:
        """BM25 hits over the newest texts, the index first brought up to date."""
        with self._lock:
            if self._bm25_after is None:  # start at the newest the index keeps
                self._bm25_after = 0
                if self._max_texts:
                    with self.store.read() as conn:
                        self._bm25_after = self.store.triage.feedback_floor(conn, self._max_texts)
            while True:
                with self.store.read() as conn:
                    rows = self.store.feedback.texts_after(conn, self._bm25_after, PAGE)
                if not rows:
                    break
                self._bm25.add_many(rows)
                self._bm25_ids.extend(i for i, _ in rows)
                self._bm25_after = rows[-1][0]
                while self._max_texts is not None and len(self._bm25_ids) > self._max_texts:
                    self._bm25.remove(self._bm25_ids.popleft())
            return self._bm25.search(text, k, exclude=exclude)

    def topics(
        self, text: str, language: str | None = None, k: int = 5, product: str | None = None
    ) -> list[SimilarTopic]:
        """Nearest live topics, each with its representative report in the asker's language
        when there is one (else the topic's overall medoid language, else any)."""
        c = self.pipeline.c
        lang = language or c.language.resolve(None, text)[0]
        vector = c.topics.prepare(c.embedder.embed([text]))[0]
        wanted: int | None = None
        if product:
            with self.store.read() as conn:
                wanted = self.store.topics.product_id_of_slug(conn, product)
            if wanted is None:
                return []
        hits = self._search_topics(vector, k, wanted)
        scored = [(h.score, h.key) for h in hits]
        with self.store.read() as conn:
            out = []
            for sim, topic_id in scored:
                topic = self.store.topics.get(conn, topic_id)
                if topic is None:
                    continue
                rep_lang = _pick_language(lang, topic.representatives, topic.languages)
                rep_id = topic.representatives.get(rep_lang) if rep_lang else None
                rep = self.store.feedback.get(conn, rep_id) if rep_id else None
                own = reader_language_match(lang, {t: v for t, v in topic.titles.items() if v})
                out.append(
                    SimilarTopic(
                        topic_id=topic_id,
                        similarity=round(sim, 4),
                        title=topic.titles[own] if own else topic.title,
                        title_language=own or topic.title_language,
                        status=topic.status,
                        size=topic.size,
                        representative_id=rep_id,
                        representative_text=rep.text if rep else None,
                        representative_language=rep_lang if rep else None,
                    )
                )
        return out

    def items(
        self,
        *,
        text: str | None = None,
        source: str | None = None,
        external_id: str | None = None,
        k: int = 10,
    ) -> list[SimilarItem]:
        """Nearest other feedback items (duplicate retrieval): embedding and BM25 hits fused
        (see the module doc)."""
        model = self.pipeline.versions["embedding"]
        exclude: int | None = None
        with self.store.read() as conn:
            if text is None:
                if source is None or external_id is None:
                    raise ValueError("give a text, or a source and an external id")
                found = self.store.feedback.existing(conn, source, [external_id])
                if external_id not in found:
                    raise LookupError(f"no feedback {source}/{external_id}")
                exclude = found[external_id].id
                stored = self.store.triage.vectors(conn, [exclude], model)
                item = self.store.feedback.get(conn, exclude)
                assert item is not None
                query_text = item.text
                query = (
                    stored[exclude]
                    if exclude in stored
                    else self.pipeline.c.embedder.embed([item.text])[0]
                )
            else:
                query_text = text
                query = self.pipeline.c.embedder.embed([text])[0]
        cosine = {
            h.key: h.score for h in self._search_items(query, CANDIDATES + 1) if h.key != exclude
        }
        # A side with no weight contributes no candidates either.
        vector_hits = list(cosine.items())[:CANDIDATES] if self.lexical_weight < 1 else []
        lexical_hits: list[tuple[int, float]] = []
        if self.lexical_weight > 0:
            skip = {exclude} if exclude is not None else set()
            lexical_hits = self._search_words(query_text, CANDIDATES, skip)
        ranked = fuse(lexical_hits, vector_hits, self.lexical_weight, k=k)
        if not ranked:
            return []
        with self.store.read() as conn:
            picked = [feedback_id for feedback_id, _ in ranked]
            missing = [i for i in picked if i not in cosine]
            if missing:  # lexical hits beyond the vector candidates: their cosine too
                found_vectors = self.store.triage.vectors(conn, missing, model)
                cosine.update({i: float(v @ query) for i, v in found_vectors.items()})
            triaged = self.store.triage.many(conn, picked)
            out = []
            for feedback_id, score in ranked:
                fb = self.store.feedback.get(conn, feedback_id)
                if fb is None:
                    continue
                t = triaged.get(feedback_id)
                out.append(
                    SimilarItem(
                        feedback_id=fb.id,
                        similarity=round(cosine.get(feedback_id, 0.0), 4),
                        score=round(score, 4),
                        source=fb.source,
                        external_id=fb.external_id,
                        text=fb.text,
                        topic_id=t.topic_id if t else None,
                    )
                )
        return out


def _pick_language(
    wanted: str, representatives: dict[str, int], counts: dict[str, int]
) -> str | None:
    if not representatives:
        return None
    return reader_language_match(wanted, representatives) or max(
        representatives, key=lambda lang: counts.get(lang, 0)
    )
