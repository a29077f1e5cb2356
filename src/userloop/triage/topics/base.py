"""What the pipeline, re-clustering and "already reported?" need of topic assignment: one typed
stage, like the embedder or the kind head. The online implementation is `assign.OnlineTopics`;
tests build it with small fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
#: Batch clustering of prepared vectors (re-clustering's split pass).
ClusterFn = Callable[[Vectors], Labels]
#: (kind, its score) of an item as triage predicted it.
KindHint = tuple[str, float]
#: Batch clustering of raw embeddings with their texts and predicted kinds (re-clustering's
#: regroup pass).
RegroupFn = Callable[[Vectors, Sequence[str], Sequence[KindHint]], Labels]
#: Opens a topic in the store for (product id, prepared vector); returns its id.
OpenTopic = Callable[[int, Vectors], int]
#: (topic id, product id, size, centroid) rows, as the store keeps them.
CentroidRows = list[tuple[int, int, int, "Vectors | None"]]


@dataclass(frozen=True, slots=True)
class Reclustering:
    """What re-clustering needs: `cluster` splits topics; `regroup`, when set, regroups the
    recent topics from scratch with their texts (None skips that pass)."""

    cluster: ClusterFn
    regroup: RegroupFn | None = None
    #: Mean similarity between two topics' members at which the merge pass joins them (None:
    #: the online threshold, for models whose online rule is that same mean).
    merge_threshold: float | None = None
    #: Kinds whose topics the merge pass pulls together (praise, questions: one topic each)
    #: and by how much a pair of such members adds to the mean similarity (0: none).
    umbrella_kinds: tuple[str, ...] = ()
    umbrella_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Placement:
    topic_id: int
    similarity: float
    opened: bool  # a new topic was opened for this item


class TopicState(Protocol):
    """The model's in-memory state: topic centroids and whatever shapes the vectors (e.g. a
    running mean). Rebuilt from the store after `clear`."""

    @property
    def loaded(self) -> bool: ...

    def load(self, centroids: CentroidRows, history: Callable[[], Vectors]) -> None:
        """Load the stored centroids; `history` gives every stored vector, read only when the
        model has seen none yet (a fresh process)."""
        ...

    def clear(self) -> None:
        """Forget the state, e.g. after the stored topics changed under it."""
        ...

    def observe(self, vectors: Vectors) -> None:
        """Told about newly embedded vectors."""
        ...


class TopicModel(Protocol):
    @property
    def version(self) -> str:
        """Identifies the assignment rule and its threshold, e.g. ``topics-3:0.62``."""
        ...

    @property
    def threshold(self) -> float:
        """The similarity an item needs to join a topic (also re-clustering's merge bar)."""
        ...

    @property
    def state(self) -> TopicState: ...

    @property
    def recluster(self) -> Reclustering: ...

    def prepare(self, vectors: Vectors) -> Vectors:
        """Embeddings as topic similarity sees them (centroids are means of these)."""
        ...

    def centred(self, vectors: Vectors) -> Vectors:
        """Embeddings centred and unit length, before any learned similarity: what a
        similarity model is fitted on."""
        ...

    def assign(
        self, product_ids: Sequence[int], vectors: Vectors, open_topic: OpenTopic
    ) -> list[Placement]:
        """Place each row of `vectors` (raw embeddings, one per product id) into a topic, in
        order: a later row may join a topic an earlier one opened. The state must be loaded."""
        ...

    def centroid(self, product_id: int, topic_id: int) -> tuple[Vectors, int]:
        """(mean prepared vector, size) of a topic in the state."""
        ...
