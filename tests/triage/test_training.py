"""Training the kind and sentiment heads (``triage.training``): from scratch on tiny
synthetic sets, saving and loading, seed examples, and the fitting helpers against their
definitions. No data set is read here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.triage.test_kind import BUGS, FEATURES, OTHER_QUESTIONS, PRAISE, QUESTIONS
from userloop.triage.embed.hashing import HashingEmbedder
from userloop.triage.kind import KindModel, KindModelError
from userloop.triage.kind.cues import CUE_NAMES, CUES_VERSION, request_cues
from userloop.triage.kind.features import FEATURES_VERSION, hash_texts, sigmoid
from userloop.triage.sentiment import SentimentModel
from userloop.triage.stages import KINDS
from userloop.triage.training.fitting import (
    best_threshold,
    fit_logistic,
    fit_logistic_sparse,
    fit_ridge,
    stratified_folds,
)
from userloop.triage.training.kind import load_seed_examples, targets_matrix, train_kind
from userloop.triage.training.sentiment import train_sentiment

# ---------- kind: training, saving, loading ----------

SYNTHETIC = {
    "bug": [
        "the {} crashes when I open it",
        "{} stopped working after the update",
        "error every time I use the {}",
        "the {} freezes and restarts",
    ],
    "feature": [
        "please add a {} option",
        "I wish the {} had more settings",
        "would be nice to have a {} mode",
        "suggestion: support for the {}",
    ],
    "question": [
        "how do I use the {}?",
        "where is the {}?",
        "can I change the {}?",
        "what does the {} do?",
    ],
    "praise": [
        "love the {}, great job",
        "the {} is excellent",
        "amazing {}, thank you",
        "the {} works perfectly, five stars",
    ],
    "other": ["my {} arrived", "bought a {} today", "{}", "hello {}"],
}
NOUNS = ["camera", "battery", "screen", "widget", "keyboard", "map"]


def _synthetic() -> tuple[list[str], list[str]]:
    texts, kinds = [], []
    for kind, templates in SYNTHETIC.items():
        for t in templates:
            for noun in NOUNS:
                texts.append(t.format(noun))
                kinds.append(kind)
    return texts, kinds


@pytest.mark.slow
def test_train_on_tiny_synthetic_set_then_round_trip(tmp_path: Path) -> None:
    texts, kinds = _synthetic()
    embedder = HashingEmbedder(256)
    model = train_kind(texts, kinds, embedder, c_grid=(1.0, 10.0), folds=3)
    assert model.embedder == f"hashing@{embedder.version}"
    assert model.classes == KINDS
    vectors = embedder.embed(texts)
    results = model.predict(texts, vectors)
    accuracy = np.mean([r.kind == k for r, k in zip(results, kinds, strict=True)])
    assert accuracy >= 0.9
    # deterministic: the same data give the same model
    assert train_kind(texts, kinds, embedder, c_grid=(1.0, 10.0), folds=3).version == (
        model.version
    )

    path = model.save(tmp_path / "custom.npz")
    assert path.with_suffix(".json").is_file()
    loaded = KindModel.load(path)
    assert loaded.version == model.version
    assert loaded.predict(texts, vectors) == results
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["training"]["per_class"]["bug"]["positives"] == len(texts) // 5
    # no training text is stored anywhere
    blob = path.read_bytes() + path.with_suffix(".json").read_bytes()
    assert b"crashes" not in blob and b"camera" not in blob


@pytest.mark.slow
def test_lexical_residual_is_the_sparse_product_of_hashed_words() -> None:
    texts, kinds = _synthetic()
    embedder = HashingEmbedder(64)
    model = train_kind(
        texts, kinds, embedder, c_grid=(1.0,), folds=3, lexical_buckets=1 << 12, cue_scale=0.5
    )
    assert model.lexical_buckets == 1 << 12
    assert 0 < len(model.lexical_index) <= 1 << 12
    dense = np.zeros((1 << 12, len(KINDS)), dtype=np.float32)
    dense[model.lexical_index] = model.lexical_weights.T
    probe = [*texts[:5], "a text with words never seen", "", "升级后闪退"]
    v = embedder.embed(probe)
    logits = v @ model.weights.T + model.bias + hash_texts(probe, 1 << 12).dot(dense)
    logits += request_cues(probe) @ model.cue_weights.T
    np.testing.assert_allclose(model.scores(probe, v), sigmoid(logits), rtol=1e-5, atol=1e-6)
    # without the residual the head is the embedding part alone
    plain = train_kind(
        texts, kinds, embedder, c_grid=(1.0,), folds=3, lexical_buckets=0, cue_scale=0.5
    )
    assert plain.lexical_buckets == 0 and plain.lexical_weights.size == 0
    np.testing.assert_allclose(plain.weights, model.weights)


def test_train_with_unknowns_and_a_missing_class() -> None:
    texts, kinds = _synthetic()
    labels = [{"bug": k == "bug", "feature": k == "feature" or None} for k in kinds]
    model = train_kind(texts, labels, HashingEmbedder(128), c_grid=(1.0,), folds=3)
    fits = model.meta["training"]["per_class"]
    assert fits["feature"]["negatives"] == 0 and fits["feature"]["fitted"] == 0
    assert fits["question"]["fitted"] == 0
    # an unfitted kind never fires
    r = model.predict(texts, HashingEmbedder(128).embed(texts))
    assert not any("question" in x.labels or "feature" in x.labels for x in r)


def test_targets_matrix() -> None:
    y = targets_matrix(["bug", {"feature": True, "praise": None, "other": False}])
    assert y.tolist() == [[1, 0, 0, 0, 0], [-1, 1, -1, -1, 0]]
    with pytest.raises(KindModelError, match="unknown kind"):
        targets_matrix(["complaint"])


def test_seed_examples_cover_every_kind_and_language() -> None:
    seeds = load_seed_examples()
    assert 100 <= len(seeds) <= 300
    assert {k for _, k, _ in seeds} == set(KINDS)
    assert {lang for _, _, lang in seeds} == {"en", "zh-Hans", "ru", "nl", "fr"}
    # the test sentences above are not training examples
    seed_texts = {t for t, _, _ in seeds}
    for group in (BUGS, FEATURES, PRAISE, QUESTIONS):
        assert not seed_texts & set(group.values())
    assert not seed_texts & set(OTHER_QUESTIONS)


def test_request_cues_in_training_saving_and_loading(tmp_path: Path) -> None:
    texts, kinds = _synthetic()
    embedder = HashingEmbedder(64)
    model = train_kind(
        texts, kinds, embedder, c_grid=(1.0,), folds=3, lexical_buckets=0, cue_scale=1.0
    )
    assert model.cue_weights.shape == (len(KINDS), len(CUE_NAMES))
    # "please add" / "I wish" / "would be nice" are all feature templates: their cues lean to it
    feature = KINDS.index("feature")
    for name in ("please_add", "wish", "nice_if"):
        assert model.cue_weights[feature, CUE_NAMES.index(name)] > 0
    # only the feature head reads them: a request cue is no evidence against a bug
    assert not np.delete(model.cue_weights, feature, axis=0).any()
    v = embedder.embed(texts)
    logits = v @ model.weights.T + model.bias + request_cues(texts) @ model.cue_weights.T
    np.testing.assert_allclose(model.scores(texts, v), sigmoid(logits), rtol=1e-5, atol=1e-6)
    # the scale is folded into the stored weights; 0 leaves the cues out
    none = train_kind(
        texts, kinds, embedder, c_grid=(1.0,), folds=3, lexical_buckets=0, cue_scale=0.0
    )
    assert none.cue_weights.size == 0 and none.version != model.version
    assert none.features_version == FEATURES_VERSION
    assert model.features_version == f"{FEATURES_VERSION}+{CUES_VERSION}"

    path = model.save(tmp_path / "cues.npz")
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["lexical"] == {
        "features": f"{FEATURES_VERSION}+{CUES_VERSION}",
        "buckets": 0,
        "cues": list(CUE_NAMES),
    }
    loaded = KindModel.load(path)
    np.testing.assert_array_equal(loaded.cue_weights, model.cue_weights)
    assert loaded.version == model.version
    # a model made with other features (other cues, or cues unknown to the reader) is refused
    for lexical in (
        {**meta["lexical"], "features": FEATURES_VERSION},
        {**meta["lexical"], "features": f"{FEATURES_VERSION}+cues0"},
        {**meta["lexical"], "cues": list(CUE_NAMES[:-1])},
    ):
        meta_path.write_text(json.dumps({**meta, "lexical": lexical}), encoding="utf-8")
        with pytest.raises(KindModelError, match="retrain"):
            KindModel.load(path)


# ---------- sentiment ----------


def test_train_sentiment_on_tiny_synthetic_set_then_round_trip(tmp_path: Path) -> None:
    good = ["great {}", "love the {}", "excellent {}, thanks", "the {} is perfect"]
    bad = ["awful {}", "hate the {}", "broken {}, useless", "the {} is terrible"]
    nouns = ["camera", "battery", "screen", "app", "watch", "sync"]
    texts = [t.format(n) for t in good + bad for n in nouns]
    ratings = [5] * (len(good) * len(nouns)) + [1] * (len(bad) * len(nouns))
    embedder = HashingEmbedder(256)
    model = train_sentiment(texts, ratings, embedder, alpha_grid=(0.1, 1.0), folds=3)
    vectors = embedder.embed(texts)
    scores = np.array(model.predict(texts, vectors, [None] * len(texts)))
    assert np.mean(np.sign(scores) == np.sign(np.array(ratings) - 3)) >= 0.9
    again = train_sentiment(texts, ratings, embedder, alpha_grid=(0.1, 1.0), folds=3)
    assert again.version == model.version

    path = model.save(tmp_path / "s.npz")
    loaded = SentimentModel.load(path)
    assert loaded.version == model.version
    assert loaded.predict(texts, vectors, [None] * len(texts)) == list(scores)
    blob = path.read_bytes() + path.with_suffix(".json").read_bytes()
    assert b"camera" not in blob


# ---------- fitting helpers (scikit-learn, scipy) against their definitions ----------


def _logistic_objective(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, c: float) -> float:
    z = x @ w + b
    return float(0.5 * w @ w + c * np.sum(np.logaddexp(0.0, z) - y * z))


def test_fit_logistic_minimises_the_c_objective_with_a_free_bias() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5))
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0, 0.0]) + 0.8 + rng.normal(size=200)) > 0
    w, b = fit_logistic(x, y, 0.5)
    best = _logistic_objective(x, y, w, b, 0.5)
    # the gradient vanishes: any small move makes the objective worse
    for step in np.eye(6) * 1e-3:
        assert _logistic_objective(x, y, w + step[:5], b + step[5], 0.5) >= best - 1e-9
        assert _logistic_objective(x, y, w - step[:5], b - step[5], 0.5) >= best - 1e-9
    # separable data still converge to finite weights
    w_sep, _ = fit_logistic(x, x[:, 0] > 0, 1.0)
    assert np.isfinite(w_sep).all()


def test_fit_ridge_is_the_closed_form_with_an_unpenalised_intercept() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4))
    y = x @ np.array([1.0, 0.0, -1.0, 2.0]) + 3.0 + 0.1 * rng.normal(size=50)
    s = rng.uniform(0.5, 2.0, size=50)
    w, b = fit_ridge(x, y, 2.0, s)
    mx, my = np.average(x, axis=0, weights=s), np.average(y, weights=s)
    xc = x - mx
    expected = np.linalg.solve(
        (xc * s[:, None]).T @ xc + 2.0 * np.eye(4), (xc * s[:, None]).T @ (y - my)
    )
    np.testing.assert_allclose(w, expected, rtol=1e-6, atol=1e-8)
    assert b == pytest.approx(my - mx @ expected)


def test_fit_logistic_sparse_learns_a_residual_and_leaves_unused_buckets_at_zero() -> None:
    texts = ["please add maps", "add maps please", "it crashes", "crashes again"] * 5
    y = np.array([True, True, False, False] * 5)
    rows = hash_texts(texts, 1 << 10)
    offset = np.zeros(len(texts))
    w = fit_logistic_sparse(rows, y, offset, c=4.0)
    used = np.unique(rows.indices)
    assert w.shape == (1 << 10,) and not np.delete(w, used).any()
    z = rows.dot(w[:, None].astype(np.float32))[:, 0]
    assert (z[y] > 0).all() and (z[~y] < 0).all()
    # an offset that already explains the labels leaves little for the residual
    w_off = fit_logistic_sparse(rows, y, np.where(y, 8.0, -8.0), c=4.0)
    assert np.abs(w_off).max() < 0.1 * np.abs(w).max()


def test_stratified_folds_share_both_classes_and_are_seeded() -> None:
    y = np.array([True] * 10 + [False] * 20)
    fold = stratified_folds(y, 5, seed=3)
    assert set(fold.tolist()) == set(range(5))
    for f in range(5):
        assert y[fold == f].sum() == 2 and (~y[fold == f]).sum() == 4
    np.testing.assert_array_equal(fold, stratified_folds(y, 5, seed=3))
    # fewer rows of a class than folds: still one fold per row
    few = stratified_folds(np.array([True, True, False, False, False, False]), 3, seed=0)
    assert sorted(set(few.tolist())) == [0, 1, 2]


def test_best_threshold_takes_the_middle_of_the_best_run() -> None:
    y = np.array([False, False, True, True])
    scores = np.array([0.1, 0.2, 0.8, 0.9])
    threshold, f1 = best_threshold(y, scores)
    assert f1 == 1.0 and 0.2 < threshold <= 0.8
    assert threshold == pytest.approx(0.5, abs=0.02)
