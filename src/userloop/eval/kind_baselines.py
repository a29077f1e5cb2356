"""Comparisons for ``userloop eval kind`` on scikit-learn: the issue's char TF-IDF + logistic
regression baseline, and one joint logistic regression over the embedding and the hashed
words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn import linear_model as linear
from sklearn.feature_extraction import text

from userloop.eval.kind import BoolArray, Review, prf
from userloop.triage.embed.base import Vectors
from userloop.triage.kind.features import hash_texts
from userloop.triage.training.fitting import best_threshold, stratified_folds


def _binary_rows(
    train_y: dict[str, BoolArray],
    test_y: dict[str, BoolArray],
    fit_predict: Callable[[BoolArray], tuple[npt.NDArray[np.float64], float]],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("bug", "feature"):
        probs, threshold = fit_predict(train_y[name])
        row = prf(test_y[name], probs >= threshold)
        _, oracle = best_threshold(test_y[name], probs)
        row["oracle F1"] = round(oracle, 4)
        out[name] = row
    return out


def _labels(reviews: Sequence[Review]) -> dict[str, BoolArray]:
    return {
        "bug": np.array([r.bug for r in reviews]),
        "feature": np.array([r.feature for r in reviews]),
    }


def tfidf_baseline(train: Sequence[Review], test: Sequence[Review]) -> dict[str, Any]:
    """Char (2-5, word-bounded) TF-IDF + logistic regression (balanced), threshold 0.5."""
    vec = text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    a = vec.fit_transform([r.text for r in train])
    b = vec.transform([r.text for r in test])

    def fit_predict(y: BoolArray) -> tuple[npt.NDArray[np.float64], float]:
        clf = linear.LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000)
        clf.fit(a, y)
        return np.asarray(clf.predict_proba(b)[:, 1], dtype=np.float64), 0.5

    return _binary_rows(_labels(train), _labels(test), fit_predict)


def joint_lexical(
    train: Sequence[Review], train_v: Vectors, test: Sequence[Review], test_v: Vectors
) -> dict[str, Any]:
    """One logistic regression (C=4) on embedding and hashed lexical features together
    (2^15 buckets; bug and feature only; threshold by 5-fold CV on the training side): the
    joint alternative to the head's residual, which does worse across languages."""
    n = 1 << 15

    def design(reviews: Sequence[Review], vectors: Vectors) -> Any:
        h = hash_texts([r.text for r in reviews], n)
        lex = sparse.csr_matrix((h.data, h.indices, h.indptr), shape=h.shape)
        return sparse.hstack([sparse.csr_matrix(vectors), lex]).tocsr()

    a, b = design(train, train_v), design(test, test_v)

    def fit_predict(y: BoolArray) -> tuple[npt.NDArray[np.float64], float]:
        fold = stratified_folds(y, 5, 0)
        oof = np.empty(len(y))
        for f in range(5):
            m = fold == f
            clf = linear.LogisticRegression(C=4.0, max_iter=3000).fit(a[~m], y[~m])
            oof[m] = clf.predict_proba(a[m])[:, 1]
        threshold, _ = best_threshold(y, oof)
        clf = linear.LogisticRegression(C=4.0, max_iter=3000).fit(a, y)
        return np.asarray(clf.predict_proba(b)[:, 1], dtype=np.float64), threshold

    return _binary_rows(_labels(train), _labels(test), fit_predict)
