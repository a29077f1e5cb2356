"""Shared by the kind and sentiment heads: hashed lexical features and numpy model fitting.

Lexical features (pure numpy, no vocabulary), used by the kind head's residual
(``classify``). A sentence embedding says what a text is *about*; whether it *asks* for
something ("would be nice", "please add", "pourriez-vous", "希望") or reports a fault is partly
carried by a few words. These features add that signal without shipping any vocabulary:
each token is hashed with CRC-32 (stable across processes and machines, unlike Python's
salted ``hash``) into one of ``n_features`` buckets, like scikit-learn's
``HashingVectorizer(alternate_sign=False)``, so a fitted model holds one weight per bucket
and no text from its training data.

Tokens of a text (NFKC-normalised, case-folded):

* words (``\\w+`` runs outside CJK scripts) and word bigrams;
* for CJK runs, which have no spaces, single characters and character bigrams;
* the marks ``?`` and ``!`` (full-width forms become ASCII under NFKC) as their own tokens;
* a word's last four letters (``~ment``), which carries French and Russian inflections.

Each distinct token counts once (binary presence); a text's row is L2-normalised.

Fitting: logistic and ridge regression, folds and thresholds, in numpy only, so that a model
can be trained (``userloop model train-kind``, the tests) without scikit-learn.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FEATURES_VERSION = "lex1"

# Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+|[?!]")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_SUFFIX_MIN_WORD = 6  # words at least this long also give their last four letters


def tokens(text: str) -> list[str]:
    """The distinct features of one text, in first-seen order (before hashing)."""
    clean = unicodedata.normalize("NFKC", text).casefold()
    words: list[str] = []
    for run in _TOKEN.findall(clean):
        if _CJK_RUN.match(run):
            words.extend(run)  # one token per character; bigrams below join them
        else:
            words.append(run)
    feats = ["w:" + w for w in words]
    feats += ["b:" + a + " " + b for a, b in itertools.pairwise(words)]
    feats += ["s:" + w[-4:] for w in words if len(w) >= _SUFFIX_MIN_WORD]
    return list(dict.fromkeys(feats))


@dataclass(frozen=True, slots=True)
class HashedRows:
    """A sparse (n_texts, n_features) matrix in CSR form with L2-normalised rows."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    data: npt.NDArray[np.float32]
    n_features: int

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indptr) - 1, self.n_features)

    def dot(self, weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``rows @ weights`` for a dense ``(n_features, k)`` matrix: ``(n_texts, k)``."""
        n = len(self.indptr) - 1
        out = np.zeros((n, weights.shape[1]), dtype=np.float32)
        if len(self.indices) == 0:
            return out
        contrib = weights[self.indices] * self.data[:, None]
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        np.add.at(out, rows, contrib)
        return out


def hash_texts(texts: Sequence[str], n_features: int) -> HashedRows:
    """Hash every text's :func:`tokens` into ``n_features`` buckets (binary, L2-normalised)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        buckets = sorted({zlib.crc32(t.encode("utf-8")) % n_features for t in tokens(text)})
        if buckets:
            indices.extend(buckets)
            values.extend([1.0 / float(np.sqrt(len(buckets)))] * len(buckets))
        indptr.append(len(indices))
    return HashedRows(
        indptr=np.asarray(indptr, dtype=np.int64),
        indices=np.asarray(indices, dtype=np.int64),
        data=np.asarray(values, dtype=np.float32),
        n_features=n_features,
    )


# --- fitting (training time only; pure numpy, deterministic) ------------------------------

F64 = npt.NDArray[np.float64]


def stratified_folds(y: npt.NDArray[np.bool_], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold number in ``[0, folds)`` per row, each fold holding its share of both classes."""
    rng = np.random.default_rng(seed)
    out = np.empty(len(y), dtype=np.int64)
    for value in (False, True):
        idx = np.flatnonzero(y == value)
        idx = idx[rng.permutation(len(idx))]
        out[idx] = np.arange(len(idx)) % folds
    return out


def fit_logistic(
    x: npt.NDArray[np.floating[Any]],
    y: npt.NDArray[np.bool_],
    c: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
    max_iter: int = 100,
) -> tuple[F64, float]:
    """L2-regularised logistic regression by Newton's method: ``(weights, bias)``.

    Minimises ``0.5 * |w|^2 + c * sum_i s_i * logloss_i`` (scikit-learn's ``C`` convention;
    the bias is not penalised), with a backtracking line search, so it converges on separable
    data too. Dense features of a few hundred dimensions: each step solves one (d+1)^2 system.
    """
    n, d = x.shape
    xb = np.hstack([np.asarray(x, dtype=np.float64), np.ones((n, 1))])
    t = y.astype(np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    reg = np.ones(d + 1)
    reg[d] = 0.0
    theta = np.zeros(d + 1)
    prior = float(np.clip(np.average(t, weights=s), 1e-6, 1 - 1e-6))
    theta[d] = np.log(prior / (1 - prior))

    def loss(th: F64) -> float:
        z = xb @ th
        return float(0.5 * th @ (reg * th) + c * np.sum(s * (np.logaddexp(0.0, z) - t * z)))

    current = loss(theta)
    for _ in range(max_iter):
        z = xb @ theta
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, without overflow
        grad = reg * theta + c * (xb.T @ (s * (p - t)))
        curv = c * s * p * (1.0 - p) + 1e-12
        hess = (xb * curv[:, None]).T @ xb
        hess[np.diag_indices_from(hess)] += reg + 1e-10
        step = np.linalg.solve(hess, grad)
        decrement = float(grad @ step)
        if decrement < 1e-10 * max(1.0, abs(current)):
            break
        alpha = 1.0
        while True:
            candidate = theta - alpha * step
            value = loss(candidate)
            if value <= current - 1e-4 * alpha * decrement or alpha < 1e-8:
                break
            alpha *= 0.5
        theta, current = candidate, value
    return theta[:d], float(theta[d])


def fit_ridge(
    x: npt.NDArray[np.floating[Any]],
    y: npt.NDArray[np.floating[Any]],
    alpha: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
) -> tuple[F64, float]:
    """Ridge regression with an unpenalised intercept, in closed form: ``(weights, bias)``."""
    xf = np.asarray(x, dtype=np.float64)
    yf = np.asarray(y, dtype=np.float64)
    s = np.ones(len(yf)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    mx = np.average(xf, axis=0, weights=s)
    my = float(np.average(yf, weights=s))
    xc = xf - mx
    gram = (xc * s[:, None]).T @ xc
    gram[np.diag_indices_from(gram)] += alpha
    w = np.asarray(np.linalg.solve(gram, (xc * s[:, None]).T @ (yf - my)), dtype=np.float64)
    return w, my - float(mx @ w)


def sigmoid(z: npt.NDArray[np.floating[Any]]) -> F64:
    """The logistic function, computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def f1_at(y: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    """F1 of the positive class (0 when nothing is predicted or nothing is positive)."""
    tp = float(np.sum(y & predicted))
    denom = float(np.sum(y) + np.sum(predicted))
    return 0.0 if denom == 0 else 2.0 * tp / denom


def best_threshold(
    y: npt.NDArray[np.bool_], scores: npt.NDArray[np.floating[Any]]
) -> tuple[float, float]:
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


def fit_logistic_sparse(
    rows: HashedRows,
    y: npt.NDArray[np.bool_],
    offset: npt.NDArray[np.floating[Any]],
    c: float,
    sample_weight: npt.NDArray[np.floating[Any]] | None = None,
    max_iter: int = 300,
    memory: int = 10,
) -> F64:
    """Weights ``w`` of the logistic model ``sigmoid(offset + rows @ w)`` (no bias), by
    L-BFGS: minimises ``0.5 * |w|^2 + c * sum_i s_i * logloss_i``.

    ``offset`` holds each row's fixed logit from another model, so ``w`` learns only what
    that model misses (a residual); buckets that no row uses keep a weight of exactly 0.
    """
    n, d = rows.shape
    counts = np.diff(rows.indptr)
    row_of = np.repeat(np.arange(n), counts)
    t = y.astype(np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    off = np.asarray(offset, dtype=np.float64)
    data = rows.data.astype(np.float64)

    def matvec(w: F64) -> F64:
        return np.asarray(np.bincount(row_of, weights=data * w[rows.indices], minlength=n))

    def value_grad(w: F64) -> tuple[float, F64]:
        z = off + matvec(w)
        r = c * s * (sigmoid(z) - t)
        g = w + np.bincount(rows.indices, weights=data * r[row_of], minlength=d)
        return float(0.5 * w @ w + c * np.sum(s * (np.logaddexp(0.0, z) - t * z))), g

    w = np.zeros(d)
    f, g = value_grad(w)
    hist_s: list[F64] = []
    hist_y: list[F64] = []
    for _ in range(max_iter):
        # two-loop recursion: direction = -H g
        q = g.copy()
        alphas: list[float] = []
        for sv, yv in zip(reversed(hist_s), reversed(hist_y), strict=True):
            a = float(sv @ q) / float(yv @ sv)
            alphas.append(a)
            q -= a * yv
        if hist_s:
            q *= float(hist_s[-1] @ hist_y[-1]) / float(hist_y[-1] @ hist_y[-1])
        for sv, yv, a in zip(hist_s, hist_y, reversed(alphas), strict=True):
            q += sv * (a - float(yv @ q) / float(yv @ sv))
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            hist_s.clear()
            hist_y.clear()
            direction, slope = -g, -float(g @ g)
        step = 1.0
        while True:
            w_new = w + step * direction
            f_new, g_new = value_grad(w_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        sv, yv = w_new - w, g_new - g
        if float(sv @ yv) > 1e-12:
            hist_s.append(sv)
            hist_y.append(yv)
            if len(hist_s) > memory:
                hist_s.pop(0)
                hist_y.pop(0)
        converged = f - f_new <= 1e-9 * max(1.0, abs(f))
        w, f, g = w_new, f_new, g_new
        if converged or float(np.max(np.abs(g))) < 1e-6:
            break
    return w


def keep_buckets(rows: HashedRows, buckets: npt.NDArray[np.int64]) -> HashedRows:
    """``rows`` with only the entries in ``buckets`` (sorted), other entries dropped."""
    keep = np.isin(rows.indices, buckets)
    kept_per_row = np.add.reduceat(np.append(keep, False).astype(np.int64), rows.indptr[:-1]) * (
        np.diff(rows.indptr) > 0
    )
    indptr = np.zeros(len(rows.indptr), dtype=np.int64)
    np.cumsum(kept_per_row, out=indptr[1:])
    return HashedRows(indptr, rows.indices[keep], rows.data[keep], rows.n_features)


def document_frequency(rows: HashedRows) -> npt.NDArray[np.int64]:
    """How many rows use each bucket: ``(n_features,)``."""
    return np.asarray(np.bincount(rows.indices, minlength=rows.n_features), dtype=np.int64)
