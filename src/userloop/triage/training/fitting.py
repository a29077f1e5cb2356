"""Model fitting for the triage heads, on scikit-learn and scipy (training time only).

What the fitted models keep is plain arrays (weights, biases, thresholds): inference
(``triage.kind``, ``triage.sentiment``) is our own numpy and never holds an sklearn object.

* :func:`fit_logistic`: ``LogisticRegression`` (L2, ``C``, unpenalised intercept);
* :func:`fit_ridge`: ``Ridge`` (unpenalised intercept);
* :func:`fit_logistic_sparse`: a logistic residual on hashed words with a fixed per-row offset
  (another model's logits), which ``LogisticRegression`` cannot take: scipy's L-BFGS-B on a
  ``scipy.sparse`` matrix;
* :func:`stratified_folds`: ``StratifiedKFold`` (shuffled, seeded);
* :func:`best_threshold` / :func:`f1_at`: ours, as the rule "middle of the longest run of best
  thresholds" has no library equivalent (``TunedThresholdClassifierCV`` takes the first best).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold

from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.kind.features import HashedRows, sigmoid

F64 = npt.NDArray[np.float64]
FloatArray = npt.NDArray[np.floating[Any]]


def stratified_folds(y: npt.NDArray[np.bool_], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold number in ``[0, folds)`` per row, each fold holding its share of both classes."""
    out = np.zeros(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # A class with fewer rows than folds is fine here: some folds just lack it.
        warnings.simplefilter("ignore", UserWarning)
        for f, (_, test) in enumerate(splitter.split(np.zeros((len(y), 1)), np.asarray(y))):
            out[test] = f
    return out


def fit_logistic(
    x: FloatArray,
    y: npt.NDArray[np.bool_],
    c: float,
    sample_weight: FloatArray | None = None,
    max_iter: int = 100,
) -> tuple[F64, float]:
    """L2-regularised logistic regression: ``(weights, bias)``. Minimises
    ``0.5 * |w|^2 + c * sum_i s_i * logloss_i`` (the bias is not penalised). Newton steps with
    a Cholesky solve: dense features of a few hundred dimensions, as the embedding heads have."""
    clf = LogisticRegression(C=c, solver="newton-cholesky", max_iter=max_iter, tol=1e-8)
    clf.fit(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=bool), sample_weight=sample_weight)
    return np.asarray(clf.coef_[0], dtype=np.float64), float(clf.intercept_[0])


def fit_ridge(
    x: FloatArray,
    y: FloatArray,
    alpha: float,
    sample_weight: FloatArray | None = None,
) -> tuple[F64, float]:
    """Ridge regression with an unpenalised intercept: ``(weights, bias)``."""
    reg = Ridge(alpha=alpha, fit_intercept=True, solver="cholesky")
    reg.fit(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), sample_weight)
    return np.asarray(reg.coef_, dtype=np.float64), float(reg.intercept_)


def to_csr(rows: HashedRows) -> Any:
    """``rows`` as a ``scipy.sparse.csr_matrix`` of float64."""
    return sparse.csr_matrix(
        (rows.data.astype(np.float64), rows.indices, rows.indptr), shape=rows.shape
    )


def fit_logistic_sparse(
    rows: Any,
    y: npt.NDArray[np.bool_],
    offset: FloatArray,
    c: float,
    sample_weight: FloatArray | None = None,
    max_iter: int = 300,
    memory: int = 10,
) -> F64:
    """Weights ``w`` of the logistic model ``sigmoid(offset + rows @ w)`` (no bias), by scipy's
    L-BFGS-B: minimises ``0.5 * |w|^2 + c * sum_i s_i * logloss_i``.

    ``rows``: a sparse (or dense) ``(n, d)`` matrix, or :class:`HashedRows`. ``offset`` holds
    each row's fixed logit from another model, so ``w`` learns only what that model misses (a
    residual). Only the columns some row uses are optimised; the others keep exactly 0.
    """
    m = to_csr(rows) if isinstance(rows, HashedRows) else sparse.csr_matrix(rows, dtype=np.float64)
    n, d = m.shape
    used = np.flatnonzero(np.asarray(m.getnnz(axis=0)) > 0)
    a = m[:, used]
    t = np.asarray(y, dtype=np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    off = np.asarray(offset, dtype=np.float64)

    def value_grad(w: F64) -> tuple[float, F64]:
        z = off + a @ w
        g = w + a.T @ (c * s * (sigmoid(z) - t))
        return float(0.5 * w @ w + c * np.sum(s * (np.logaddexp(0.0, z) - t * z))), g

    result = optimize.minimize(
        value_grad,
        np.zeros(len(used)),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "maxcor": memory, "ftol": 1e-9, "gtol": 1e-6},
    )
    w = np.zeros(d)
    w[used] = result.x
    return w


def f1_at(y: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    """F1 of the positive class (0 when nothing is predicted or nothing is positive)."""
    tp = float(np.sum(y & predicted))
    denom = float(np.sum(y) + np.sum(predicted))
    return 0.0 if denom == 0 else 2.0 * tp / denom


def best_threshold(y: npt.NDArray[np.bool_], scores: FloatArray) -> tuple[float, float]:
    """The threshold on ``scores`` (0.05 .. 0.95 by 0.01) with the highest F1: ``(thr, F1)``.

    Ties go to the middle of the best run of thresholds, which moves least when the data does.
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = np.array([f1_at(y, scores >= g) for g in grid])
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    # the longest run of consecutive best thresholds, then its middle
    runs = np.split(best, np.flatnonzero(np.diff(best) != 1) + 1)
    run = max(runs, key=len)
    return float(grid[run[len(run) // 2]]), float(f1.max())


def training_vectors(
    texts: Sequence[str],
    vectors: Vectors | npt.ArrayLike | None,
    embedder: Embedder | None,
    embedder_id: str | None,
    error: type[Exception],
    trainer: str,
) -> tuple[npt.NDArray[np.float32], str]:
    """The (n, dim) training matrix for ``texts`` (embedding them when no vectors are given)
    and the id of the embedder that made it."""
    if vectors is None:
        if embedder is None:
            raise error(f"{trainer} needs an embedder or precomputed vectors")
        vectors = embedder.embed(list(texts))
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != len(texts):
        raise error(f"vectors must be ({len(texts)}, dim), got {x.shape}")
    if embedder_id is None:
        embedder_id = f"{embedder.name}@{embedder.version}" if embedder is not None else "unknown"
    return x, embedder_id
