"""The vector index: search by dot product within and across namespaces, replace and remove
by key, and the bound of the in-memory one (the newest vectors stay)."""

from __future__ import annotations

import numpy as np
import pytest

from userloop.registry import UnknownPlugin
from userloop.store.vectors import VECTOR_INDEXES, VectorIndexOptions, build_vector_index
from userloop.store.vectors.memory import MemoryVectorIndex, bytes_per_vector


def _unit(rng: np.random.Generator, n: int, dim: int = 8) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    out: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def test_search_ranks_by_dot_product_within_a_namespace() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 40)
    index = MemoryVectorIndex()
    index.add("a", list(range(100, 140)), vectors)  # past the first capacity of 16 rows
    index.add("b", [1], vectors[:1])
    hits = index.search(vectors[25], 3, "a")
    expected = np.argsort(-(vectors @ vectors[25]), kind="stable")[:3] + 100
    assert [h.key for h in hits] == expected.tolist()
    assert hits[0].score == pytest.approx(1.0) and {h.namespace for h in hits} == {"a"}
    assert [h.key for h in index.search(vectors[0], 2)] == [1, 100]  # all namespaces: a tie
    assert index.search(vectors[0], 5, "nowhere") == [] and index.search(vectors[0], 0) == []
    assert index.size() == len(index) == 41 and index.size("a") == 40


def test_ties_go_to_the_lower_key() -> None:
    index = MemoryVectorIndex()
    same = np.ones((4, 3), dtype=np.float32)
    index.add("p", [9, 3, 7, 5], same)
    assert [h.key for h in index.search(same[0], 2, "p")] == [3, 5]
    assert [h.key for h in index.search(same[0], 4, "p")] == [3, 5, 7, 9]


def test_add_replaces_update_changes_remove_forgets() -> None:
    index = MemoryVectorIndex()
    e = np.eye(3, dtype=np.float32)
    index.add("p", [1, 2, 3], e)
    index.add("p", [2], e[:1])  # replaces key 2's vector
    np.testing.assert_array_equal(index.get("p", 2), e[0])
    index.update("p", 3, e[1])
    np.testing.assert_array_equal(index.get("p", 3), e[1])
    with pytest.raises(KeyError):
        index.update("p", 4, e[1])
    assert index.remove("p", 1) and not index.remove("p", 1)
    assert index.get("p", 1) is None and len(index) == 2
    # The last row moved into the gap: search still finds every key.
    assert {h.key for h in index.search(e[0], 5, "p")} == {2, 3}
    with pytest.raises(ValueError, match="dimensions"):
        index.add("p", [5], np.ones((1, 4), dtype=np.float32))
    index.clear()
    assert len(index) == 0 and index.search(e[0], 3) == []
    index.add("p", [5], np.ones((1, 4), dtype=np.float32))  # a cleared index takes any dim


def test_a_full_index_keeps_the_newest_and_says_what_it_dropped() -> None:
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 10)
    index = MemoryVectorIndex(max_vectors=4)
    assert index.add("p", [1, 2, 3], vectors[:3]) == []
    assert index.add("q", [4, 5], vectors[3:5]) == [("p", 1)]
    index.update("p", 2, vectors[5])  # touched: now the newest
    assert index.add("q", [6, 7], vectors[6:8]) == [("p", 3), ("q", 4)]
    assert len(index) == 4
    assert {(h.namespace, h.key) for h in index.search(vectors[0], 10)} == {
        ("p", 2),
        ("q", 5),
        ("q", 6),
        ("q", 7),
    }
    # One batch larger than the bound: its own oldest rows go first.
    dropped = index.add("r", list(range(10, 16)), _unit(rng, 6))
    assert len(index) == 4
    assert set(dropped) == {("r", 10), ("r", 11), ("p", 2), ("q", 5), ("q", 6), ("q", 7)}
    assert {h.key for h in index.search(vectors[0], 10)} == {12, 13, 14, 15}


def test_the_bound_holds_over_many_adds() -> None:
    rng = np.random.default_rng(3)
    index = MemoryVectorIndex(max_vectors=50)
    for start in range(0, 1000, 7):
        index.add("items", list(range(start, start + 7)), _unit(rng, 7))
        assert len(index) <= 50
    assert {h.key for h in index.search(_unit(rng, 1)[0], 100, "items")} == set(
        range(1001 - 50, 1001)
    )
    with pytest.raises(ValueError):
        MemoryVectorIndex(max_vectors=0)
    assert bytes_per_vector(512) == 512 * 4 + 250


def test_indexes_are_chosen_by_name() -> None:
    assert "memory" in VECTOR_INDEXES
    index = build_vector_index("Memory", VectorIndexOptions(max_vectors=3, purpose="items"))
    assert isinstance(index, MemoryVectorIndex) and index.max_vectors == 3
    with pytest.raises(UnknownPlugin, match="valid: memory"):
        build_vector_index("faiss", VectorIndexOptions(max_vectors=3))
