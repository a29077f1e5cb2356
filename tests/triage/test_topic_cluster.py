"""Topic clustering primitives on synthetic vectors (no model, no data set)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest
from scipy.cluster import hierarchy
from scipy.spatial import distance

from userloop.triage.text import char_ngrams
from userloop.triage.topics.cluster import (
    DEFAULT,
    ClusterParams,
    TopicSpace,
    assign,
    average_linkage,
    centroid,
    cluster,
    cluster_similarities,
    coherence,
    hashed_counts,
    medoid,
    merge_centroids,
    refine,
    topic_similarity,
    update_centroid,
)

F64 = npt.NDArray[np.float64]
SEEN = ClusterParams(prior_weight=0.0)  # a space whose running mean has settled


def _unit(x: F64) -> F64:
    out: F64 = x / np.linalg.norm(x, axis=-1, keepdims=True)
    return out


def _groups(
    sizes: list[int], dim: int = 256, noise: float = 0.6, seed: int = 0
) -> tuple[F64, npt.NDArray[np.int64]]:
    """Unit vectors around one random centre per group, plus a shared offset that centring
    must remove (like the common direction of real sentence embeddings)."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(len(sizes), dim)))
    common = _unit(np.random.default_rng(1000).normal(size=dim)) * 2.0
    rows, truth = [], []
    for g, n in enumerate(sizes):
        for _ in range(n):
            rows.append(centres[g] + common + noise * rng.normal(size=dim) / np.sqrt(dim))
            truth.append(g)
    return _unit(np.array(rows)), np.array(truth, dtype=np.int64)


def _space(x: F64, seed: int = 0) -> TopicSpace:
    """A space that has seen a corpus of many other topics (with the same offset) and ``x``."""
    corpus, _ = _groups([4] * 100, noise=0.6, seed=seed + 500)
    space = TopicSpace(SEEN, learn=False)
    space.observe(corpus)
    space.observe(x)
    return space


def _same_partition(a: npt.ArrayLike, b: npt.ArrayLike) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    pairs_a = a[:, None] == a[None, :]
    pairs_b = b[:, None] == b[None, :]
    return bool(np.array_equal(pairs_a, pairs_b))


def test_raw_vectors_look_alike_until_centred() -> None:
    x, truth = _groups([5, 5, 5])
    raw = x @ x.T
    assert raw[truth[:, None] != truth[None, :]].min() > 0.5  # the shared offset dominates
    prepared = _space(x).prepare(x)
    sims = prepared @ prepared.T
    same = truth[:, None] == truth[None, :]
    assert sims[~same].mean() < 0.05 < DEFAULT.join_threshold < sims[same & (sims < 0.999)].mean()
    assert np.allclose(np.linalg.norm(prepared, axis=1), 1.0, atol=1e-5)


def test_cluster_recovers_known_groups_and_keeps_outliers_alone() -> None:
    x, truth = _groups([12, 7, 4, 1, 1], seed=1)
    labels = cluster(_space(x).prepare(x))
    assert _same_partition(labels, truth)
    assert labels.dtype == np.int64
    assert list(labels[:1]) == [0]  # numbered in order of first appearance
    assert sorted(set(labels.tolist())) == list(range(5))


def test_cluster_is_deterministic_and_order_free() -> None:
    x, _ = _groups([6, 6, 3, 2, 1], noise=1.5, seed=2)
    prepared = _space(x).prepare(x)
    first = cluster(prepared)
    assert np.array_equal(first, cluster(prepared.copy()))
    order = np.random.default_rng(3).permutation(len(x))
    shuffled = cluster(prepared[order])
    back = np.empty_like(shuffled)
    back[order] = shuffled
    assert _same_partition(first, back)


def test_cluster_edge_cases() -> None:
    assert cluster(np.zeros((0, 8), dtype=np.float32)).shape == (0,)
    assert cluster(np.ones((1, 8), dtype=np.float32) / np.sqrt(8)).tolist() == [0]
    with pytest.raises(ValueError):
        cluster(np.ones(8))


def test_threshold_controls_granularity() -> None:
    x, _ = _groups([8, 8], noise=1.0, seed=4)
    prepared = _space(x).prepare(x)
    strict = cluster(prepared, replace(DEFAULT, join_threshold=0.99))
    loose = cluster(prepared, replace(DEFAULT, join_threshold=-1.0))
    assert len(set(strict.tolist())) == len(x)
    assert len(set(loose.tolist())) == 1


def test_average_linkage_uses_the_mean_not_the_closest_pair() -> None:
    # a-b close, b-c medium, a-c far: single linkage would chain c in; average does not.
    sims = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.5], [0.0, 0.5, 1.0]])
    labels = average_linkage(sims, 0.3)
    assert labels[0] == labels[1] != labels[2]
    assert len(set(average_linkage(sims, 0.2).tolist())) == 1  # mean(0.0, 0.5) = 0.25
    assert len(set(average_linkage(sims, 0.95).tolist())) == 3


def test_average_linkage_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(2, 40))
        x = _unit(rng.normal(size=(n, 6)))
        sims = x @ x.T
        threshold = float(rng.uniform(-0.2, 0.8))
        dist = np.clip(1.0 - sims, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        tree = hierarchy.linkage(distance.squareform(dist, checks=False), "average")
        expected = hierarchy.fcluster(tree, 1.0 - threshold, "distance")
        assert _same_partition(average_linkage(sims, threshold), expected)


def test_refine_moves_a_misplaced_item() -> None:
    sims = np.array(
        [
            [1.0, 0.8, 0.8, 0.0],
            [0.8, 1.0, 0.8, 0.0],
            [0.8, 0.8, 1.0, 0.1],
            [0.0, 0.0, 0.1, 1.0],
        ]
    )
    labels = refine(sims, [0, 0, 1, 1], threshold=0.3, passes=5)
    assert labels.tolist() == [0, 0, 0, 1]
    # An item that fits nowhere leaves its topic.
    alone = refine(sims, [0, 0, 0, 0], threshold=0.3, passes=5)
    assert alone.tolist() == [0, 0, 0, 1]


def test_assign_joins_above_threshold_else_opens_a_topic() -> None:
    params = replace(DEFAULT, join_threshold=0.5)
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert assign(np.array([0.9, 0.1]), centroids, params)[0] == 0
    index, similarity = assign(np.array([0.1, 0.6]), centroids, params)
    assert index == 1 and similarity == pytest.approx(0.6)
    index, similarity = assign(np.array([0.3, 0.3]), centroids, params)
    assert index is None and similarity == pytest.approx(0.3)
    assert assign(np.array([0.5, 0.0]), centroids, params)[0] == 0  # at the threshold: joins
    assert assign(np.array([0.7, 0.7]), centroids, params)[0] == 0  # ties: lowest index
    assert assign(np.array([1.0, 0.0]), np.zeros((0, 2)), params) == (None, 0.0)


def test_assign_similarity_is_the_mean_similarity_to_members() -> None:
    x, _ = _groups([6], seed=6)
    members, item = x[:5], x[5]
    c = centroid(members)
    _, similarity = assign(item, c[None, :])
    assert similarity == pytest.approx(float(np.mean(members @ item)), abs=1e-5)


def test_centroid_updates_agree_with_the_mean() -> None:
    x, _ = _groups([7], seed=7)
    c, size = centroid(x[:1]), 1
    for v in x[1:4]:
        c, size = update_centroid(c, size, v)
    assert size == 4
    np.testing.assert_allclose(c, x[:4].mean(axis=0), atol=1e-6)
    merged, total = merge_centroids(c, size, centroid(x[4:]), 3)
    assert total == 7
    np.testing.assert_allclose(merged, x.mean(axis=0), atol=1e-6)
    sims = x[:4] @ x[4:].T
    assert topic_similarity(c, centroid(x[4:])) == pytest.approx(float(sims.mean()), abs=1e-5)
    with pytest.raises(ValueError):
        centroid(np.zeros((0, 3)))


def test_medoid_and_coherence() -> None:
    x = _unit(np.array([[1.0, 0.0, 0.0], [0.9, 0.3, 0.0], [0.9, -0.3, 0.0], [0.5, 0.0, 0.8]]))
    assert medoid(x) == 0
    assert medoid(x[:2]) == 0
    sims = x @ x.T
    off = sims[~np.eye(4, dtype=bool)]
    assert coherence(x) == pytest.approx(float(off.mean()))
    assert coherence(x[:1]) == 1.0


def test_topic_space_state_round_trip_and_cold_start() -> None:
    x, _ = _groups([5, 5], seed=8)
    fresh = TopicSpace()
    first = fresh.prepare(x[:1])  # one vector: barely centred, not zeroed
    assert np.all(np.isfinite(first)) and np.linalg.norm(first) == pytest.approx(1.0, abs=1e-5)
    space = TopicSpace(learn=False)
    space.observe(x)
    assert space.count == 10
    before = space.prepare(x)
    assert space.count == 10  # learn=False: prepare does not change the state
    again = TopicSpace.from_state(space.state(), learn=False)
    np.testing.assert_array_equal(again.prepare(x), before)


def test_lexical_space_mixes_both_channels() -> None:
    params = ClusterParams(lexical_dim=512)
    texts = [
        "Bluetooth keeps disconnecting from my watch",
        "My watch keeps disconnecting from bluetooth",
        "Please add a dark mode",
        "La montre se déconnecte du bluetooth",
    ]
    rng = np.random.default_rng(9)
    vectors = _unit(rng.normal(size=(4, 16)))
    space = TopicSpace(params, lexical=True, learn=False)
    space.observe(vectors, texts)
    prepared = space.prepare(vectors, texts)
    assert prepared.shape == (4, 16 + 512)
    emb, lex = prepared[:, :16], prepared[:, 16:]
    w = params.lexical_weight
    np.testing.assert_allclose(
        prepared @ prepared.T,
        (emb @ emb.T) + (lex @ lex.T),
        atol=1e-5,
    )
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1) ** 2, 1 - w, atol=1e-5)
    lex_sims = lex @ lex.T / w
    assert lex_sims[0, 1] > 0.5 > lex_sims[0, 2]
    with pytest.raises(ValueError):
        space.prepare(vectors)
    with pytest.raises(ValueError):
        TopicSpace().prepare(vectors, texts)
    # The regroup's path: the same dot products without the dense lexical channel, and the
    # same clusters from them.
    sims = space.similarities(vectors, texts)
    np.testing.assert_allclose(sims, prepared @ prepared.T, atol=1e-5)
    assert (cluster_similarities(sims.copy(), params) == cluster(prepared, params)).all()
    with pytest.raises(ValueError):
        TopicSpace().similarities(vectors, texts)


def test_char_ngrams_fold_case_accents_scripts_and_placeholders() -> None:
    assert char_ngrams("Déçu", 4, 4) == [" dec", "decu", "ecu "]
    assert "[email]" not in "".join(char_ngrams("mail me at [email] now"))
    assert char_ngrams("手表同步", 4, 6) == ["手表", "表同", "同步"]
    assert char_ngrams("a", 4, 6) == [" a "]
    small = ClusterParams(lexical_dim=64)
    counts = hashed_counts(["sync fails", "sync fails"], small)
    assert counts.shape == (2, 64) and np.array_equal(counts[0], counts[1])
    assert counts[0].sum() == len(char_ngrams("sync fails"))
