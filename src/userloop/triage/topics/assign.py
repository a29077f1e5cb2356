"""Online topic assignment: an index of topic centroids, rebuilt from the store and updated as
items join. A new item joins the topic with the highest mean similarity to its members (the
dot product with the unnormalised mean of their prepared vectors) when that mean reaches the
threshold, else it opens a new topic: the average-linkage rule of the batch clusterer, applied
online.

The centroids live in a `VectorIndex` (namespace: the product id), so they are bounded like
every in-process vector search: when it is full, the topic that has gone longest without a new
member drops out of online assignment (an item of it then opens a new topic, which the next
re-clustering merges back)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from userloop.store.vectors import VectorIndex
from userloop.store.vectors.memory import MemoryVectorIndex
from userloop.triage.topics.base import (
    CentroidRows,
    ClusterFn,
    KindHint,
    Labels,
    OpenTopic,
    Placement,
    Reclustering,
    RegroupFn,
    Vectors,
)
from userloop.triage.topics.similarity import SimilarityModel, unit_rows

F32 = npt.NDArray[np.float32]

#: Cosine to a topic's normalised mean that an item needs to join it, in the learned space
#: (0.25: demo world online ARI 0.59 at homogeneity 0.95; Mini-BAR across apps 0.25).
COSINE_THRESHOLD = 0.25


class TopicIndex:
    """Centroids of live topics per product: the member-vector sum and size of each, and their
    mean in a vector index for search. A join updates one entry in place, so placing an item
    costs one matrix-vector product over the product's topics. Not thread-safe: callers hold
    the store's write lock (SQLite) or rebuild it per batch (PostgreSQL, several workers)."""

    def __init__(
        self, threshold: float, index: VectorIndex | None = None, *, cosine: bool = False
    ) -> None:
        self.threshold = threshold
        # cosine: search the normalised means, so a topic's spread (which grows with its size
        # and its varied wording) does not lower an item's score against it.
        self.cosine = cosine
        self._index: VectorIndex = index if index is not None else MemoryVectorIndex()
        self._topics: dict[int, dict[int, tuple[F32, int]]] = {}  # product -> topic -> sum, n
        self.loaded = False

    def clear(self) -> None:
        self._topics.clear()
        self._index.clear()
        self.loaded = False

    def load(self, rows: CentroidRows) -> None:
        """(topic id, product id, size, centroid) rows; topics without a centroid are skipped."""
        self.clear()
        for topic_id, product_id, size, centroid in rows:
            if centroid is None or size <= 0:
                continue
            self.add(product_id, topic_id, centroid * size, size)
        self.loaded = True

    def add(self, product_id: int, topic_id: int, vector_sum: F32, size: int) -> None:
        v = np.asarray(vector_sum, dtype=np.float32).reshape(-1).copy()
        self._topics.setdefault(product_id, {})[topic_id] = (v, size)
        mean: F32 = v / np.float32(size)
        self._forget(self._index.add(str(product_id), [topic_id], self._searched(mean)[None, :]))

    def _searched(self, mean: F32) -> F32:
        if not self.cosine:
            return mean
        norm = float(np.linalg.norm(mean))
        out: F32 = (mean / np.float32(max(norm, 1e-9))).astype(np.float32)
        return out

    def _forget(self, dropped: list[tuple[str, int]]) -> None:
        for namespace, topic_id in dropped:
            topics = self._topics.get(int(namespace))
            if topics is not None:
                topics.pop(topic_id, None)
                if not topics:
                    del self._topics[int(namespace)]

    def nearest(self, product_id: int, vector: F32, k: int = 1) -> list[tuple[int, float]]:
        """The `k` topics of a product most similar to `vector`, best first."""
        return [(h.key, h.score) for h in self._index.search(vector, k, str(product_id))]

    def best(self, product_id: int, vector: F32) -> tuple[int | None, float]:
        hits = self.nearest(product_id, vector, 1)
        if not hits or hits[0][1] < self.threshold:
            return None, hits[0][1] if hits else 0.0
        return hits[0]

    def join(self, product_id: int, topic_id: int, vector: F32) -> tuple[F32, int]:
        """Add a member; returns the topic's new centroid (mean) and size."""
        total, size = self._topics[product_id][topic_id]
        total += vector
        size += 1
        self._topics[product_id][topic_id] = (total, size)
        mean = (total / np.int64(size)).astype(np.float32)
        self._forget(self._index.update(str(product_id), topic_id, self._searched(mean)))
        return mean, size

    def centroid(self, product_id: int, topic_id: int) -> tuple[F32, int]:
        total, size = self._topics[product_id][topic_id]
        return (total / np.int64(size)).astype(np.float32), size

    def products(self) -> list[int]:
        return list(self._topics)

    def topics(self, product_id: int) -> list[tuple[int, F32, int]]:
        return [(t, *self.centroid(product_id, t)) for t in self._topics.get(product_id, {})]

    def __len__(self) -> int:
        return sum(len(t) for t in self._topics.values())


def greedy_cluster(vectors: F32, threshold: float) -> Labels:
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


class VectorSpace(Protocol):
    """How embeddings are shaped for topic similarity, e.g. centred on a running mean
    (`cluster.TopicSpace` with ``learn=False``)."""

    @property
    def count(self) -> int:
        """How many vectors `observe` has seen."""
        ...

    def observe(self, vectors: Vectors) -> None: ...

    def prepare(self, vectors: Vectors) -> Vectors: ...

    @property
    def mean(self) -> npt.NDArray[np.float64] | None:
        """What `prepare` subtracts; None before any vector."""
        ...


class OnlineTopics:
    """The online `TopicModel` (see the module doc). Without a `space`, vectors are used as
    they come; without `cluster`, re-clustering splits with the online rule itself."""

    def __init__(
        self,
        threshold: float,
        *,
        version: str = "online-1",
        space: VectorSpace | None = None,
        cluster: ClusterFn | None = None,
        regroup: RegroupFn | None = None,
        index: VectorIndex | None = None,
        cosine: bool = False,
        merge_threshold: float | None = None,
        umbrella_kinds: tuple[str, ...] = (),
        umbrella_weight: float = 0.0,
    ) -> None:
        self._threshold = threshold
        self._rule = version
        self._space = space
        self.index = TopicIndex(threshold, index, cosine=cosine)
        cluster = cluster or (lambda vectors: greedy_cluster(vectors, threshold))
        self._recluster = Reclustering(
            cluster, regroup, merge_threshold, umbrella_kinds, umbrella_weight
        )

    # -- TopicModel -----------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return f"{self._rule}:{self._threshold:g}"

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def state(self) -> OnlineTopics:
        return self

    @property
    def recluster(self) -> Reclustering:
        return self._recluster

    def prepare(self, vectors: Vectors) -> Vectors:
        return self._space.prepare(vectors) if self._space is not None else vectors

    def centred(self, vectors: Vectors) -> Vectors:
        mean = self._space.mean if self._space is not None else None
        v = np.asarray(vectors, dtype=np.float64)
        out: Vectors = unit_rows(v - mean if mean is not None else v).astype(np.float32)
        return out

    def assign(
        self, product_ids: Sequence[int], vectors: Vectors, open_topic: OpenTopic
    ) -> list[Placement]:
        out: list[Placement] = []
        if not len(product_ids):
            return out
        prepared = self.prepare(vectors)
        for product_id, vector in zip(product_ids, prepared, strict=True):
            topic_id, similarity = self.index.best(product_id, vector)
            if topic_id is None:
                topic_id = open_topic(product_id, vector)
                self.index.add(product_id, topic_id, vector, 1)
                out.append(Placement(topic_id, 1.0, opened=True))
            else:
                self.index.join(product_id, topic_id, vector)
                out.append(Placement(topic_id, similarity, opened=False))
        return out

    def centroid(self, product_id: int, topic_id: int) -> tuple[Vectors, int]:
        return self.index.centroid(product_id, topic_id)

    # -- TopicState -----------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.index.loaded

    def load(self, centroids: CentroidRows, history: Callable[[], Vectors]) -> None:
        self.index.load(centroids)
        if self._space is not None and not self._space.count:
            # A fresh process: rebuild the running mean from every stored vector.
            stored = history()
            if len(stored):
                self._space.observe(stored)

    def clear(self) -> None:
        """Forget the centroids (the running mean only ever grows, so it stays)."""
        self.index.clear()

    def observe(self, vectors: Vectors) -> None:
        if self._space is not None and len(vectors):
            self._space.observe(vectors)


def vectors_only(
    threshold: float | None,
    index: VectorIndex | None = None,
    similarity: SimilarityModel | None = None,
) -> OnlineTopics:
    """The shipped topic model: online assignment of centred embeddings, the batch clusterer
    for re-clustering, and a regroup pass that adds the lexical channel.

    With a learned ``similarity`` (the default in the product) the embeddings are whitened
    (``similarity.py``) and an item joins the topic whose *normalised* mean is closest in
    cosine, so a big topic accepts its own problem as readily as a small one; without it,
    the older rule: the mean similarity to the members (``join_threshold``)."""
    from userloop.triage.topics import cluster

    # Online, vectors only: the index keeps one centroid per topic, and the lexical channel
    # would make each 33 times larger. Re-clustering regroups recent topics with the lexical
    # channel (the texts are at hand there); BENCHMARKS.md gives both variants' quality.
    if similarity is None:
        params, lexical_params = cluster.VECTORS_ONLY, cluster.DEFAULT
        online = params.join_threshold
        version = f"topics-{params.version}"
    else:
        params, lexical_params = cluster.WHITENED, cluster.WHITENED_LEXICAL
        online = COSINE_THRESHOLD
        version = f"topics-cos-{similarity.version}"
    space = cluster.TopicSpace(params, learn=False, similarity=similarity)

    def regroup(vectors: Vectors, texts: Sequence[str], kinds: Sequence[KindHint]) -> Labels:
        # The running mean of everything seen; n-gram frequencies of the window itself.
        state = space.state()
        state["doc_freq"] = np.zeros(lexical_params.lexical_dim)
        lexical = cluster.TopicSpace.from_state(
            state, lexical_params, lexical=True, learn=False, similarity=similarity
        )
        lexical.observe(np.zeros((0, vectors.shape[1])), texts)  # texts only: the mean is set
        sims = lexical.similarities(vectors, texts)
        if similarity is not None:  # the umbrella weight was chosen in the learned space
            umbrella = cluster.umbrella_channel(kinds, texts).astype(np.float64)
            sims += umbrella @ umbrella.T
        return cluster.cluster_similarities(sims, lexical_params)

    return OnlineTopics(
        online if threshold is None else threshold,
        version=version,
        space=space,
        cluster=lambda vectors: cluster.cluster(vectors, params),
        regroup=regroup,
        index=index,
        cosine=similarity is not None,
        merge_threshold=params.join_threshold,
        umbrella_kinds=cluster.UMBRELLA_KINDS if similarity is not None else (),
        umbrella_weight=cluster.UMBRELLA_WEIGHT if similarity is not None else 0.0,
    )
