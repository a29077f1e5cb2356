"""Training the kind heads (:func:`train_kind`): see ``triage.kind.model`` for what a head is.

Per kind: the embedding part (plus the request cues for :data:`CUE_KINDS`) is a scikit-learn
logistic regression with ``C`` chosen by out-of-fold F1; then the lexical residual is fitted on
the hashed words with that part's logits as a fixed offset (scipy's L-BFGS-B, see
``training.fitting``); the threshold is the best out-of-fold F1 of the whole head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.kind.cues import request_cues
from userloop.triage.kind.features import hash_texts, sigmoid
from userloop.triage.kind.model import MODELS_DIR, KindModel, KindModelError
from userloop.triage.stages import KINDS
from userloop.triage.training.fitting import (
    best_threshold,
    fit_logistic,
    fit_logistic_sparse,
    stratified_folds,
    to_csr,
    training_vectors,
)

SEED_EXAMPLES = MODELS_DIR / "seed_examples.jsonl"

#: A training target: one kind (positive for it, negative for every other kind), or a mapping
#: kind -> True / False / None (None or a missing kind: unknown, left out of that kind's fit).
KindTarget = str | Mapping[str, bool | None]


_C_GRID = (0.5, 2.0, 8.0)

_MIN_POSITIVES = 2  # a kind with fewer positives (or negatives) is not fitted: it never fires

LEXICAL_BUCKETS = 1 << 18
_LEXICAL_C = 2.0
_LEXICAL_MIN_DF = 2

#: Request cues join the embedding part as ``cue_scale`` * 0/1 (0: no cues). 0.5 was the best
#: of 0.25, 0.5, 1 and 2 on the Mini-BAR splits (see BENCHMARKS.md).
CUE_SCALE = 0.5

#: The heads the cues join. A cue is evidence *for* a request; a bug head given the cues learns
#: that request phrasing means "not a bug" (few reviews are both), and then misses the bug in
#: "the graph is empty since the update; also, please add an export".
CUE_KINDS = frozenset({"feature"})

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ClassFit:
    """How one kind was fitted: chosen ``c``, threshold and its cross-validated F1."""

    c: float
    threshold: float
    cv_f1: float
    positives: int
    negatives: int


def targets_matrix(
    labels: Sequence[KindTarget], classes: Sequence[str] = KINDS
) -> npt.NDArray[np.int8]:
    """``(n, n_classes)`` of 1 (positive), 0 (negative) and -1 (unknown: not fitted on)."""
    out = np.full((len(labels), len(classes)), -1, dtype=np.int8)
    index = {c: j for j, c in enumerate(classes)}
    for i, target in enumerate(labels):
        if isinstance(target, str):
            if target not in index:
                raise KindModelError(f"unknown kind {target!r}; expected one of {classes}")
            out[i] = 0
            out[i, index[target]] = 1
            continue
        for c, value in target.items():
            if c not in index:
                raise KindModelError(f"unknown kind {c!r}; expected one of {classes}")
            if value is not None:
                out[i, index[c]] = 1 if value else 0
    return out


def train_kind(
    texts: Sequence[str],
    labels: Sequence[KindTarget],
    embedder: Embedder | None,
    *,
    vectors: Vectors | None = None,
    sample_weight: Sequence[float] | npt.NDArray[np.floating[Any]] | None = None,
    classes: Sequence[str] = KINDS,
    c_grid: Sequence[float] = _C_GRID,
    lexical_buckets: int = LEXICAL_BUCKETS,
    lexical_c: float = _LEXICAL_C,
    cue_scale: float = CUE_SCALE,
    folds: int = 5,
    seed: int = 0,
    embedder_id: str | None = None,
    description: str = "",
) -> KindModel:
    """Fit one head per kind (embedding logistic regression + lexical residual).

    ``labels``: one :data:`KindTarget` per text (a kind name, or a mapping with unknowns).
    ``vectors``: precomputed embeddings of ``texts`` by ``embedder`` (else it embeds them).
    ``sample_weight``: per text (e.g. more for staff corrections). ``lexical_buckets=0``
    leaves the lexical residual out; ``cue_scale=0`` the request cues (else they join the
    embedding as ``cue_scale`` * 0/1). Per kind, the embedding part's regularisation ``c`` is
    the one of ``c_grid`` with the best out-of-fold F1 (ties: the smaller), and the decision
    threshold the one with the best out-of-fold F1 of the whole head; folds are stratified and
    seeded, so the same data give the same model. A kind with fewer than two positives or
    negatives gets zero weights and never fires.
    """
    if len(texts) != len(labels):
        raise KindModelError(f"{len(texts)} texts but {len(labels)} labels")
    x, embedder_id = training_vectors(
        texts, vectors, embedder, embedder_id, KindModelError, "train_kind"
    )
    dim = x.shape[1]
    if cue_scale:
        x = np.hstack([x, np.float32(cue_scale) * request_cues(texts)])
    y = targets_matrix(labels, classes)
    w_all = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    rows: Any = None  # a scipy.sparse CSR matrix (n, lexical_buckets)
    if lexical_buckets:
        rows = to_csr(hash_texts(texts, lexical_buckets))
        df = np.asarray(rows.getnnz(axis=0))
        # Buckets fewer than _LEXICAL_MIN_DF texts use are dropped (their entries zeroed).
        rows = (rows @ sparse.diags((df >= _LEXICAL_MIN_DF).astype(np.float64))).tocsr()
        rows.eliminate_zeros()
    k = len(classes)
    weights = np.zeros((k, x.shape[1]), dtype=np.float32)  # embedding, then cues
    bias = np.full(k, -20.0, dtype=np.float32)
    thresholds = np.full(k, 0.5, dtype=np.float32)
    lex_full = np.zeros((k, lexical_buckets), dtype=np.float32)
    fits: dict[str, dict[str, float]] = {}
    for j, c in enumerate(classes):
        known = y[:, j] >= 0
        ys, ws = y[known, j] == 1, w_all[known]
        pos, neg = int(ys.sum()), int((~ys).sum())
        if pos < _MIN_POSITIVES or neg < _MIN_POSITIVES:
            fits[c] = {"positives": pos, "negatives": neg, "fitted": 0}
            continue
        xj = x if c in CUE_KINDS else x[:, :dim]
        head = _Head(xj[known], None if rows is None else rows[known], ws)
        fit = head.select(ys, c_grid, lexical_c, folds, seed)
        wj, bj, vj = head.fit(ys, fit.c, lexical_c)
        weights[j, : len(wj)], bias[j], thresholds[j] = wj, bj, fit.threshold
        if vj is not None:
            lex_full[j] = vj
        fits[c] = {
            "positives": pos,
            "negatives": neg,
            "fitted": 1,
            "C": fit.c,
            "threshold": fit.threshold,
            "cv_f1": round(fit.cv_f1, 4),
        }
    cue_weights = (weights[:, dim:] * np.float32(cue_scale)).astype(np.float32)
    weights = np.ascontiguousarray(weights[:, :dim])
    index = np.flatnonzero(np.any(lex_full != 0, axis=0)).astype(np.int64)
    lex = lex_full[:, index].astype(np.float16).astype(np.float32)
    meta = {
        "training": {
            "description": description,
            "texts": len(texts),
            "seed": seed,
            "folds": folds,
            "c_grid": list(c_grid),
            "lexical_c": lexical_c if lexical_buckets else None,
            "lexical_min_df": _LEXICAL_MIN_DF,
            "cue_scale": cue_scale,
            "per_class": fits,
        }
    }
    return KindModel(
        tuple(classes),
        weights,
        bias,
        thresholds,
        embedder_id,
        meta,
        lexical_buckets=lexical_buckets,
        lexical_index=index,
        lexical_weights=lex,
        cue_weights=cue_weights,
    )


@dataclass(frozen=True, slots=True)
class _Head:
    """The training data of one kind: vectors, hashed rows (or None) and row weights."""

    x: F32
    rows: Any  # scipy.sparse CSR matrix, or None
    w: npt.NDArray[np.float64]

    def subset(self, mask: npt.NDArray[np.bool_]) -> _Head:
        rows = None if self.rows is None else self.rows[mask]
        return _Head(self.x[mask], rows, self.w[mask])

    def fit(
        self, y: npt.NDArray[np.bool_], c: float, lexical_c: float
    ) -> tuple[npt.NDArray[np.float64], float, npt.NDArray[np.float64] | None]:
        """Embedding weights and bias, then the lexical residual on their logits."""
        w, b = fit_logistic(self.x, y, c, self.w)
        if self.rows is None:
            return w, b, None
        return w, b, fit_logistic_sparse(self.rows, y, self.x @ w + b, lexical_c, self.w)

    def logits(
        self, fitted: tuple[npt.NDArray[np.float64], float, npt.NDArray[np.float64] | None]
    ) -> npt.NDArray[np.float64]:
        w, b, v = fitted
        z = self.x @ w + b
        if v is not None and self.rows is not None:
            z = z + self.rows @ v
        return np.asarray(z, dtype=np.float64)

    def select(
        self,
        y: npt.NDArray[np.bool_],
        c_grid: Sequence[float],
        lexical_c: float,
        folds: int,
        seed: int,
    ) -> ClassFit:
        """``c`` by out-of-fold F1 of the embedding part (ties: the smaller ``c``), then the
        threshold by out-of-fold F1 of the whole head with that ``c``."""
        k = max(2, min(folds, int(y.sum()), int((~y).sum())))
        fold = stratified_folds(y, k, seed)

        def out_of_fold(head: _Head, c: float) -> npt.NDArray[np.float64]:
            oof = np.empty(len(y))
            for f in range(k):
                test = fold == f
                oof[test] = head.subset(test).logits(head.subset(~test).fit(y[~test], c, lexical_c))
            return oof

        emb_only = _Head(self.x, None, self.w)
        best_c, best_f1, oof_all = 0.0, -1.0, np.empty(0)
        for c in sorted(c_grid):
            oof = out_of_fold(emb_only, c)
            _, f1 = best_threshold(y, sigmoid(oof))
            if f1 > best_f1 + 1e-9:
                best_c, best_f1, oof_all = c, f1, oof
        if self.rows is not None:
            oof_all = out_of_fold(self, best_c)
        threshold, f1 = best_threshold(y, sigmoid(oof_all))
        return ClassFit(best_c, threshold, f1, int(y.sum()), int((~y).sum()))


def seed_examples_digest(path: Path = SEED_EXAMPLES) -> str:
    """SHA-256 of the seed examples file, recorded in a model's metadata when it used them."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_seed_examples(path: Path = SEED_EXAMPLES) -> list[tuple[str, str, str]]:
    """Our own short examples per kind and language: ``(text, kind, language)``."""
    out: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((str(row["text"]), str(row["kind"]), str(row.get("lang", "und"))))
    return out
