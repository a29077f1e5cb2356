"""Online topic assignment: an in-process index of topic centroids, rebuilt from the store and
updated as items join. A new item joins the topic with the highest mean similarity to its
members (the dot product with the unnormalised mean of their prepared vectors) when that mean
reaches the threshold, else it opens a new topic: the average-linkage rule of the batch
clusterer, applied online."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


@dataclass
class _ProductTopics:
    ids: list[int] = field(default_factory=list)
    sums: list[F32] = field(default_factory=list)  # sum of member vectors
    sizes: list[int] = field(default_factory=list)
    matrix: F32 | None = None  # mean member vectors, rebuilt lazily

    def means(self) -> F32:
        if self.matrix is None:
            if not self.sums:
                self.matrix = np.zeros((0, 0), dtype=np.float32)
            else:
                stacked = np.vstack(self.sums).astype(np.float32)
                self.matrix = stacked / np.asarray(self.sizes, dtype=np.float32)[:, None]
        return self.matrix


class TopicIndex:
    """Centroids of live topics per product. Not thread-safe: callers hold the store's write
    lock (SQLite) or rebuild it per batch (PostgreSQL, several workers)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._products: dict[int, _ProductTopics] = {}
        self.loaded = False

    def clear(self) -> None:
        self._products.clear()
        self.loaded = False

    def load(self, rows: list[tuple[int, int, int, F32 | None]]) -> None:
        """(topic id, product id, size, centroid) rows; topics without a centroid are skipped."""
        self.clear()
        for topic_id, product_id, size, centroid in rows:
            if centroid is None or size <= 0:
                continue
            self.add(product_id, topic_id, centroid * size, size)
        self.loaded = True

    def add(self, product_id: int, topic_id: int, vector_sum: F32, size: int) -> None:
        p = self._products.setdefault(product_id, _ProductTopics())
        p.ids.append(topic_id)
        p.sums.append(np.asarray(vector_sum, dtype=np.float32).copy())
        p.sizes.append(size)
        p.matrix = None

    def nearest(self, product_id: int, vector: F32, k: int = 1) -> list[tuple[int, float]]:
        p = self._products.get(product_id)
        if p is None or not p.ids:
            return []
        sims = p.means() @ vector
        k = min(k, len(p.ids))
        order = np.argsort(-sims)[:k]
        return [(p.ids[i], float(sims[i])) for i in order]

    def best(self, product_id: int, vector: F32) -> tuple[int | None, float]:
        hits = self.nearest(product_id, vector, 1)
        if not hits or hits[0][1] < self.threshold:
            return None, hits[0][1] if hits else 0.0
        return hits[0]

    def join(self, product_id: int, topic_id: int, vector: F32) -> tuple[F32, int]:
        """Add a member; returns the topic's new centroid (mean) and size."""
        p = self._products[product_id]
        i = p.ids.index(topic_id)
        p.sums[i] = p.sums[i] + vector
        p.sizes[i] += 1
        p.matrix = None
        return (p.sums[i] / p.sizes[i]).astype(np.float32), p.sizes[i]

    def centroid(self, product_id: int, topic_id: int) -> tuple[F32, int]:
        p = self._products[product_id]
        i = p.ids.index(topic_id)
        return (p.sums[i] / p.sizes[i]).astype(np.float32), p.sizes[i]

    def products(self) -> list[int]:
        return list(self._products)

    def topics(self, product_id: int) -> list[tuple[int, F32, int]]:
        p = self._products.get(product_id)
        if p is None:
            return []
        return [
            (t, (s / n).astype(np.float32), n)
            for t, s, n in zip(p.ids, p.sums, p.sizes, strict=True)
        ]


def greedy_cluster(vectors: F32, threshold: float) -> npt.NDArray[np.int64]:
    """The online rule applied to a batch in order: join the cluster with the highest mean
    similarity at or above `threshold`, else start one. The fallback batch clusterer."""
    labels = np.zeros(len(vectors), dtype=np.int64)
    sums: list[F32] = []
    counts: list[int] = []
    for i, v in enumerate(vectors):
        best, best_sim = -1, threshold
        if sums:
            sims = (np.vstack(sums) @ v) / np.asarray(counts, dtype=np.float32)
            j = int(np.argmax(sims))
            if sims[j] >= best_sim:
                best = j
        if best < 0:
            sums.append(v.astype(np.float32).copy())
            counts.append(1)
            labels[i] = len(sums) - 1
        else:
            sums[best] = sums[best] + v
            counts[best] += 1
            labels[i] = best
    return labels
