"""Online topic assignment: the centroid index (growing in place, ranking topics, bounded by
its vector index) and the `OnlineTopics` model the pipeline uses."""

from __future__ import annotations

import numpy as np
import pytest

from userloop.store.vectors.memory import MemoryVectorIndex
from userloop.triage.topics.assign import OnlineTopics, TopicIndex, greedy_cluster


def _unit(n: int, dim: int = 8, seed: int = 4) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    out: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def test_topic_index_grows_in_place_and_ranks_topics() -> None:
    index = TopicIndex(threshold=0.999)
    vectors = _unit(40)
    for t, v in enumerate(vectors):  # past the first capacity of 16 rows, twice
        index.add(7, 100 + t, v, 1)
    hits = index.nearest(7, vectors[25], k=3)
    assert hits[0][0] == 125 and hits[0][1] == pytest.approx(1.0)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    expected = np.argsort(-(vectors @ vectors[25]), kind="stable")[:3] + 100
    assert [t for t, _ in hits] == expected.tolist()
    mean, size = index.join(7, 125, vectors[3])
    assert size == 2
    np.testing.assert_allclose(mean, (vectors[25] + vectors[3]) / 2, atol=1e-6)
    np.testing.assert_allclose(index.centroid(7, 125)[0], mean)
    # The index searches the new mean (topic 103, vectors[3] alone, ties with it here).
    assert dict(index.nearest(7, mean, 40))[125] == pytest.approx(float(mean @ mean), abs=1e-6)
    assert index.best(7, -vectors[25])[0] is None  # nothing close enough: open a topic
    assert index.nearest(8, vectors[0]) == [] and index.topics(8) == []
    assert len(index.topics(7)) == 40


def test_a_bounded_index_drops_the_topic_longest_without_a_member() -> None:
    vectors = _unit(6)
    index = TopicIndex(threshold=0.5, index=MemoryVectorIndex(max_vectors=3))
    for t in range(3):
        index.add(1, t, vectors[t], 1)
    index.join(1, 0, vectors[0])  # topic 0 has a new member: 1 is now the stalest
    index.add(2, 9, vectors[3], 1)  # another product's topic counts against the same bound
    assert len(index) == 3 and {t for t, _, _ in index.topics(1)} == {0, 2}
    assert index.best(1, vectors[1])[0] is None  # its items open a new topic now
    assert index.centroid(1, 0)[1] == 2


def test_load_skips_topics_without_a_centroid() -> None:
    vectors = _unit(3)
    index = TopicIndex(threshold=0.5)
    index.load([(1, 7, 2, vectors[0]), (2, 7, 0, vectors[1]), (3, 7, 4, None)])
    assert index.loaded and [t for t, _, _ in index.topics(7)] == [1]
    np.testing.assert_allclose(index.centroid(7, 1)[0], vectors[0], atol=1e-6)
    index.clear()
    assert not index.loaded and index.products() == []


class _MeanSpace:
    """Centres on the running mean of what it observed (as `cluster.TopicSpace` does)."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.seen)

    def observe(self, vectors: np.ndarray) -> None:
        self.seen.append(np.asarray(vectors))

    @property
    def mean(self) -> np.ndarray | None:
        return np.vstack(self.seen).mean(axis=0) if self.seen else None

    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        out: np.ndarray = (vectors - np.vstack(self.seen).mean(axis=0)).astype(np.float32)
        return out


def test_online_topics_assigns_in_order_and_reads_history_once() -> None:
    e = np.eye(4, dtype=np.float32)
    batch = np.vstack([e[0], e[0], e[1], e[0]])
    opened: list[int] = []  # product of each topic opened; ids from 10

    def open_topic(product_id: int, vector: np.ndarray) -> int:
        opened.append(product_id)
        return len(opened) + 9

    model = OnlineTopics(0.9)
    assert model.version == "online-1:0.9" and model.threshold == 0.9
    assert model.state is model and model.recluster.regroup is None
    model.load([], lambda: pytest.fail("no space: history is never read"))
    placed = model.assign([1, 1, 1, 2], batch, open_topic)
    assert [(p.topic_id, p.opened) for p in placed] == [
        (10, True),
        (10, False),
        (11, True),
        (12, True),
    ]
    assert placed[1].similarity == pytest.approx(1.0)
    assert model.centroid(1, 10)[1] == 2
    np.testing.assert_array_equal(model.recluster.cluster(batch), greedy_cluster(batch, 0.9))

    space = _MeanSpace()
    reads: list[int] = []
    history = np.vstack([e[2], e[3]])
    centred = OnlineTopics(0.5, version="topics-x", space=space)

    def read_history() -> np.ndarray:
        reads.append(1)
        return history

    centred.load([], read_history)
    centred.clear()
    centred.load([], read_history)
    assert reads == [1] and space.count == 2  # a fresh space reads the history, once
    centred.observe(batch)
    np.testing.assert_allclose(centred.prepare(batch), batch - np.vstack([history, batch]).mean(0))


def test_versions_stay_as_stored_data_knows_them() -> None:
    """Triage rows carry these strings: a change would re-triage every item."""
    from tests.triage_fakes import components
    from userloop.triage.topics.assign import vectors_only

    assert vectors_only(None).version == "topics-avgcpm1v:0.2"
    assert vectors_only(0.35).version == "topics-avgcpm1v:0.35"
    assert components(0.6).pipeline_version() == (
        "embedding=concept-fake@1|kind=fake-kind-1+concept-fake@1|language=fake-lang-1"
        "|sentiment=fake-sent-1+concept-fake@1|topic=online-1:0.6+concept-fake@1"
    )


def test_a_cosine_index_does_not_favour_small_topics() -> None:
    """The learned space's rule: a big, spread topic scores its own kind of item by the
    direction of its mean, so its spread does not lower the score (the mean rule would)."""
    rng = np.random.default_rng(0)
    axis = np.eye(8, dtype=np.float32)[0]
    members = axis + 0.9 * rng.normal(size=(60, 8)).astype(np.float32)
    members /= np.linalg.norm(members, axis=1, keepdims=True)
    item = axis.copy()
    for cosine, expected in ((False, None), (True, 1)):
        index = TopicIndex(threshold=0.5, cosine=cosine)
        index.add(3, 1, members.sum(axis=0), len(members))
        assert index.best(3, item)[0] == expected
