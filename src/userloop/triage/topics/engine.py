"""Online topic assignment: an in-process index of topic centroids, rebuilt from the store and
updated as items join. A new item joins the topic with the highest mean similarity to its
members (the dot product with the unnormalised mean of their prepared vectors) when that mean
reaches the threshold, else it opens a new topic: the average-linkage rule of the batch
clusterer, applied online."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class _ProductTopics:
    """One product's topics as growable arrays: rows of member-vector sums, sizes and means.
    A join or a new topic updates one row in place, so placing an item costs one
    matrix-vector product over the topics, never a rebuild of the matrix."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.row_of: dict[int, int] = {}
        self._sums = np.zeros((0, 0), dtype=np.float32)
        self._means = np.zeros((0, 0), dtype=np.float32)
        self._sizes = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, topic_id: int, vector_sum: F32, size: int) -> None:
        v = np.asarray(vector_sum, dtype=np.float32).reshape(-1)
        n = len(self.ids)
        if n == 0 or n == len(self._sizes):
            capacity = max(16, 2 * n)
            sums = np.zeros((capacity, len(v)), dtype=np.float32)
            means = np.zeros((capacity, len(v)), dtype=np.float32)
            sizes = np.zeros(capacity, dtype=np.int64)
            if n:
                sums[:n], means[:n], sizes[:n] = self._sums[:n], self._means[:n], self._sizes[:n]
            self._sums, self._means, self._sizes = sums, means, sizes
        self._sums[n] = v
        self._sizes[n] = size
        self._means[n] = v / size
        self.ids.append(topic_id)
        self.row_of[topic_id] = n

    def join(self, topic_id: int, vector: F32) -> tuple[F32, int]:
        i = self.row_of[topic_id]
        self._sums[i] += vector
        self._sizes[i] += 1
        self._means[i] = self._sums[i] / self._sizes[i]
        return self._means[i].copy(), int(self._sizes[i])

    def centroid(self, topic_id: int) -> tuple[F32, int]:
        i = self.row_of[topic_id]
        return self._means[i].copy(), int(self._sizes[i])

    def means(self) -> F32:
        return self._means[: len(self.ids)]


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
        self._products.setdefault(product_id, _ProductTopics()).add(topic_id, vector_sum, size)

    def nearest(self, product_id: int, vector: F32, k: int = 1) -> list[tuple[int, float]]:
        p = self._products.get(product_id)
        if p is None or not len(p):
            return []
        sims = p.means() @ vector
        k = min(k, len(p))
        if k == 1:
            order = np.array([int(np.argmax(sims))])
        else:
            top = np.argpartition(-sims, k - 1)[:k]
            order = top[np.lexsort((top, -sims[top]))]  # best first, lower row on ties
        return [(p.ids[i], float(sims[i])) for i in order]

    def best(self, product_id: int, vector: F32) -> tuple[int | None, float]:
        hits = self.nearest(product_id, vector, 1)
        if not hits or hits[0][1] < self.threshold:
            return None, hits[0][1] if hits else 0.0
        return hits[0]

    def join(self, product_id: int, topic_id: int, vector: F32) -> tuple[F32, int]:
        """Add a member; returns the topic's new centroid (mean) and size."""
        return self._products[product_id].join(topic_id, vector)

    def centroid(self, product_id: int, topic_id: int) -> tuple[F32, int]:
        return self._products[product_id].centroid(topic_id)

    def products(self) -> list[int]:
        return list(self._products)

    def topics(self, product_id: int) -> list[tuple[int, F32, int]]:
        p = self._products.get(product_id)
        if p is None:
            return []
        return [(t, *p.centroid(t)) for t in p.ids]


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
