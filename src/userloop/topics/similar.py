""" "Already reported?": the topics nearest to a text, and the items nearest to an item.

Items are found as duplicates are (``userloop eval duplicates`` measures it): the best
``CANDIDATES`` by embedding cosine and the best ``CANDIDATES`` by BM25 over the stored texts
are fused into one ranking, ``w * bm25 / best_bm25 + (1 - w) * cosine``, with ``w`` the
``similar_lexical_weight`` setting (0: embedding only). Words catch what a sentence embedding
blurs (error names, product names, numbers); the embedding catches paraphrases and other
languages, which share no words.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from userloop.store import Store
from userloop.triage.lexical import DEFAULT_FUSION_WEIGHT, BM25Index, fuse
from userloop.triage.pipeline import TriagePipeline

#: Hits taken from each side before fusing (as in the duplicate evaluation).
CANDIDATES = 100


@dataclass(frozen=True, slots=True)
class SimilarTopic:
    topic_id: int
    similarity: float
    title: str
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
    """Answers from in-memory copies of the vectors: topic centroids reloaded when older than
    `topic_ttl` seconds (the worker moves them), item vectors appended as new ones appear."""

    def __init__(
        self,
        store: Store,
        pipeline: TriagePipeline,
        topic_ttl: float = 5.0,
        lexical_weight: float = DEFAULT_FUSION_WEIGHT,
    ) -> None:
        if not 0.0 <= lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must lie in [0, 1]; got {lexical_weight}")
        self.store = store
        self.pipeline = pipeline
        self.topic_ttl = topic_ttl
        self.lexical_weight = lexical_weight
        self._bm25: BM25Index[int] = BM25Index()
        self._bm25_after = 0  # the last feedback id in the BM25 index
        self._lock = threading.Lock()
        self._topics: tuple[float, list[int], list[int], np.ndarray] | None = None
        self._item_ids: list[int] = []
        self._item_blocks: list[np.ndarray] = []
        self._item_matrix: np.ndarray | None = None

    def _topic_matrix(self) -> tuple[list[int], list[int], np.ndarray]:
        with self._lock:
            now = time.monotonic()
            if self._topics is None or now - self._topics[0] > self.topic_ttl:
                with self.store.read() as conn:
                    rows = self.store.topics.centroids(conn, self.pipeline.versions["embedding"])
                live = [(t, p, c) for t, p, size, c in rows if c is not None and size > 0]
                dim = self.pipeline.c.embedder.dim
                matrix = (
                    np.vstack([c for _, _, c in live]).astype(np.float32)
                    if live
                    else np.zeros((0, dim), dtype=np.float32)
                )
                matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
                self._topics = (now, [t for t, _, _ in live], [p for _, p, _ in live], matrix)
            _, ids, pids, matrix = self._topics
            return ids, pids, matrix

    def _items_matrix(self) -> tuple[list[int], np.ndarray | None]:
        with self._lock:
            after = self._item_ids[-1] if self._item_ids else 0
            with self.store.read() as conn:
                ids, matrix = self.store.triage.vectors_after(
                    conn, self.pipeline.versions["embedding"], after
                )
            if ids:
                self._item_ids.extend(ids)
                self._item_blocks.append(matrix)
                self._item_matrix = None
            if self._item_matrix is None and self._item_blocks:
                self._item_matrix = np.vstack(self._item_blocks)
                self._item_blocks = [self._item_matrix]
            return self._item_ids, self._item_matrix

    def _lexical_index(self) -> BM25Index[int]:
        """The BM25 index of every stored text, brought up to date with new feedback."""
        with self._lock:
            while True:
                with self.store.read() as conn:
                    rows = self.store.feedback.texts_after(conn, self._bm25_after, 5000)
                if not rows:
                    return self._bm25
                self._bm25.add_many(rows)
                self._bm25_after = rows[-1][0]

    def topics(
        self, text: str, language: str | None = None, k: int = 5, product: str | None = None
    ) -> list[SimilarTopic]:
        """Nearest live topics, each with its representative report in the asker's language
        when there is one (else the topic's overall medoid language, else any)."""
        c = self.pipeline.c
        lang = language or c.language.resolve(None, text)[0]
        vector = c.prepare(c.embedder.embed([text]))[0]
        ids, pids, matrix = self._topic_matrix()
        sims = matrix @ vector if len(ids) else np.zeros(0, dtype=np.float32)
        with self.store.read() as conn:
            if product:
                wanted = self.store.topics.product_id_of_slug(conn, product)
                sims = np.where(np.asarray(pids) == wanted, sims, -np.inf)
            order = np.argsort(-sims)[:k]
            scored = [(float(sims[i]), ids[i]) for i in order if np.isfinite(sims[i])]
            out = []
            for sim, topic_id in scored:
                topic = self.store.topics.get(conn, topic_id)
                if topic is None:
                    continue
                rep_lang = _pick_language(lang, topic.representatives, topic.languages)
                rep_id = topic.representatives.get(rep_lang) if rep_lang else None
                rep = self.store.feedback.get(conn, rep_id) if rep_id else None
                out.append(
                    SimilarTopic(
                        topic_id=topic_id,
                        similarity=round(sim, 4),
                        title=topic.title,
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
        ids, matrix = self._items_matrix()
        cosine: dict[int, float] = {}
        if matrix is not None:
            sims = matrix @ query
            top = min(CANDIDATES + 1, len(ids))
            head = np.argpartition(-sims, top - 1)[:top]
            order = head[np.lexsort((head, -sims[head]))]
            cosine = {ids[int(i)]: float(sims[int(i)]) for i in order if ids[int(i)] != exclude}
        # A side with no weight contributes no candidates either.
        vector_hits = list(cosine.items())[:CANDIDATES] if self.lexical_weight < 1 else []
        lexical_hits: list[tuple[int, float]] = []
        if self.lexical_weight > 0:
            skip = {exclude} if exclude is not None else set()
            lexical_hits = self._lexical_index().search(query_text, CANDIDATES, exclude=skip)
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
    if wanted in representatives:
        return wanted
    base = wanted.split("-")[0]
    for lang in representatives:  # zh-Hant asker, zh-Hans report: still Chinese
        if lang.split("-")[0] == base:
            return lang
    return max(representatives, key=lambda lang: counts.get(lang, 0))
