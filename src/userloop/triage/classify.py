"""Kind classification: a score per kind, the kinds above their thresholds, and a primary kind.

One logistic head per kind (one-vs-rest, so an item can be both a bug and a wish), with a
decision threshold per kind chosen by cross-validation on the training data. Each head is

    logit = vector @ w + cues(text) @ u + b  +  lexical(text) @ v

* ``vector @ w + cues(text) @ u + b``: a logistic regression on the sentence embedding
  (multilingual: it carries what a text is about, in any language the embedder knows),
  optionally joined with a few 0/1 request cues (``features.request_cues``: "would be nice",
  "please add", "ce serait bien", "希望", ... in seven languages). The embedding says what a
  text is about more than whether it asks for something; the cues name that speech act in
  languages the head was not trained on. They enter scaled by ``cue_scale`` (the fit is
  regularised, so the scale sets how cheaply a cue can earn weight; the stored ``u`` has the
  scale folded in; :data:`CUE_SCALE`). On Mini-BAR they raise feature F1 from English to
  French training (en -> fr) and change nothing across apps, where the lexical residual
  below already learns the same phrases: they are for the languages training never saw;
* ``lexical(text) @ v``: a residual on hashed words and word pairs (``features.hash_texts``,
  no vocabulary stored), fitted *after* the embedding part with that part's logits as a fixed
  offset, so it only learns what the embedding misses ("would be nice", "pourriez-vous").
  Fitted jointly instead, the embedding part leans on the words and loses strength on
  languages the words were not seen in; as a residual, a text in an unseen language gets
  (almost) no lexical term and falls back to the full-strength embedding head. Buckets used by
  fewer than two training texts are dropped.

Inference is numpy (a matrix product, a hash, a sigmoid); so is training (:func:`train_kind`:
Newton's method and L-BFGS in ``features``): neither needs scikit-learn.

Saved state is an ``.npz`` of arrays (weights, biases, thresholds, the request cues' weights,
the used hash buckets and their weights; no text) and a ``.json`` of metadata beside it
(classes, embedder, training data description, metrics). The shipped model lives in
``triage/models/`` and is rebuilt by ``scripts/train_models.py``.

Primary kind: among the kinds above their threshold, one that asks for an answer first
(``bug``, ``feature`` or ``question``, whichever is furthest above its own threshold in
log-odds), else ``praise`` or ``other`` (furthest above); when no kind reaches its threshold,
the kind closest to its threshold. So "great app, but the sync fails" is a bug with a praise
label, and "is there a dark mode?" whichever of feature and question is the clearer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.triage import model_files
from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.features import (
    CUE_NAMES,
    CUES_VERSION,
    FEATURES_VERSION,
    HashedRows,
    best_threshold,
    document_frequency,
    fit_logistic,
    fit_logistic_sparse,
    hash_texts,
    keep_buckets,
    request_cues,
    sigmoid,
    stratified_folds,
)
from userloop.triage.stages import KINDS, KindPrediction

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_KIND_MODEL = MODELS_DIR / "kind.npz"
SEED_EXAMPLES = MODELS_DIR / "seed_examples.jsonl"

#: One prediction: ``scores`` per kind in [0, 1], primary ``kind``, ``labels`` above threshold.
KindResult = KindPrediction

#: A training target: one kind (positive for it, negative for every other kind), or a mapping
#: kind -> True / False / None (None or a missing kind: unknown, left out of that kind's fit).
KindTarget = str | Mapping[str, bool | None]

# Tiers of the primary kind: the first tier holding a label wins, and within it the label
# furthest above its threshold. Questions compete with bugs and wishes: Mini-BAR calls many
# how-to questions problem reports, so a tier of their own below bugs buried them.
_TIERS: tuple[tuple[str, ...], ...] = (("bug", "feature", "question"), ("praise", "other"))
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
_FORMAT = 1

F32 = npt.NDArray[np.float32]


class KindModelError(ValueError):
    """A kind model file is missing, malformed, or does not fit the vectors it is given."""


@dataclass(frozen=True)
class KindModel:
    """One-vs-rest logistic heads over embeddings of ``embedder`` (``name@version``)."""

    classes: tuple[str, ...]
    weights: F32  # (n_classes, dim)
    bias: F32  # (n_classes,)
    thresholds: F32  # (n_classes,) on the probability scale
    embedder: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    lexical_buckets: int = 0  # hash space of the lexical residual; 0: none
    lexical_index: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )  # (n_used,) sorted bucket ids with a weight
    lexical_weights: F32 = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.float32)
    )  # (n_classes, n_used)
    cue_weights: F32 = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.float32)
    )  # (n_classes, len(CUE_NAMES)) on the 0/1 request cues; empty: none

    def __post_init__(self) -> None:
        k = len(self.classes)
        if self.weights.ndim != 2 or self.weights.shape[0] != k:
            raise KindModelError(f"weights must be (n_classes, dim), got {self.weights.shape}")
        if self.bias.shape != (k,) or self.thresholds.shape != (k,):
            raise KindModelError("bias and thresholds need one value per class")
        if self.lexical_buckets and self.lexical_weights.shape != (k, len(self.lexical_index)):
            raise KindModelError("lexical weights must be (n_classes, len(lexical_index))")
        if self.cue_weights.size and self.cue_weights.shape != (k, len(CUE_NAMES)):
            raise KindModelError(
                f"cue weights must be (n_classes, {len(CUE_NAMES)}), got {self.cue_weights.shape}"
            )

    # ---------- identity ----------

    @property
    def dim(self) -> int:
        return int(self.weights.shape[1])

    @cached_property
    def version(self) -> str:
        """``kind-`` and a digest of the arrays and classes: changes whenever a score would."""
        h = hashlib.sha256()
        h.update(",".join(self.classes).encode())
        for a in (self.weights, self.bias, self.thresholds, self.lexical_weights):
            h.update(np.ascontiguousarray(a, dtype=np.float32).tobytes())
        if self.lexical_buckets:
            h.update(f"{FEATURES_VERSION}:{self.lexical_buckets}".encode())
            h.update(np.ascontiguousarray(self.lexical_index, dtype=np.int64).tobytes())
        if self.cue_weights.size:
            h.update(f"{CUES_VERSION}:{','.join(CUE_NAMES)}".encode())
            h.update(np.ascontiguousarray(self.cue_weights, dtype=np.float32).tobytes())
        return f"kind-{h.hexdigest()[:12]}"

    @property
    def features_version(self) -> str:
        """The text features this model needs: ``FEATURES_VERSION``, plus ``+CUES_VERSION``
        when it uses the request cues (what ``save`` records and ``load`` checks)."""
        return FEATURES_VERSION + (f"+{CUES_VERSION}" if self.cue_weights.size else "")

    # ---------- inference ----------

    def scores(self, texts: Sequence[str], vectors: Vectors) -> F32:
        """Probability per kind: ``(n, n_classes)``."""
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise KindModelError(
                f"kind model expects {self.dim}-dim vectors from {self.embedder}, "
                f"got shape {v.shape}"
            )
        if len(texts) != len(v):
            raise KindModelError(f"{len(texts)} texts but {len(v)} vectors")
        logits = v @ self.weights.T + self.bias
        if self.cue_weights.size:
            logits += request_cues(texts) @ self.cue_weights.T
        if self.lexical_buckets:
            logits += self._lexical(hash_texts(texts, self.lexical_buckets))
        return sigmoid(logits).astype(np.float32)

    def _lexical(self, rows: HashedRows) -> F32:
        """``rows @ v`` for the stored buckets (every other bucket weighs 0): (n, n_classes)."""
        n, k = rows.shape[0], len(self.classes)
        pos = np.searchsorted(self.lexical_index, rows.indices)
        pos = np.minimum(pos, max(len(self.lexical_index) - 1, 0))
        hit = self.lexical_index[pos] == rows.indices if len(self.lexical_index) else pos < 0
        row_of = np.repeat(np.arange(n), np.diff(rows.indptr))[hit]
        contrib = self.lexical_weights[:, pos[hit]] * rows.data[hit]
        out = np.zeros((n, k), dtype=np.float32)
        for j in range(k):
            out[:, j] = np.bincount(row_of, weights=contrib[j], minlength=n)
        return out

    def predict(self, texts: Sequence[str], vectors: Vectors) -> list[KindResult]:
        """Scores, primary kind and labels for each text."""
        if len(texts) != len(vectors):
            raise KindModelError(f"{len(texts)} texts but {len(vectors)} vectors")
        if len(texts) == 0:
            return []
        probs = self.scores(texts, vectors)
        margins = _logit(probs) - _logit(self.thresholds)
        return [self._decide(p, m) for p, m in zip(probs, margins, strict=True)]

    def _decide(self, probs: F32, margins: F32) -> KindResult:
        scores = {c: round(float(p), 6) for c, p in zip(self.classes, probs, strict=True)}
        above = {c: float(m) for c, m in zip(self.classes, margins, strict=True) if m >= 0}
        labels = tuple(c for c in self.classes if c in above)
        kind = ""
        for tier in _TIERS:
            hits = [c for c in tier if c in above]
            if hits:
                kind = max(hits, key=lambda c: above[c])
                break
        if not kind and labels:  # a class outside the tiers (a custom model)
            kind = max(labels, key=lambda c: above[c])
        if not kind:
            kind = self.classes[int(np.argmax(margins))]
        return KindResult(scores=scores, kind=kind, labels=labels)

    # ---------- persistence ----------

    def save(self, path: str | Path) -> Path:
        """Write ``path`` (.npz arrays) and the same name with ``.json`` (metadata)."""
        arrays = {
            "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32),
            "thresholds": self.thresholds.astype(np.float32),
            "lexical_index": self.lexical_index.astype(np.int32),
            "lexical_weights": _compact(self.lexical_weights),
            "cue_weights": self.cue_weights.astype(np.float32),
        }
        meta = {
            **self.meta,
            "format": _FORMAT,
            "version": self.version,
            "classes": list(self.classes),
            "embedder": self.embedder,
            "dim": self.dim,
            "lexical": {
                "features": self.features_version,
                "buckets": self.lexical_buckets,
                "cues": list(CUE_NAMES) if self.cue_weights.size else [],
            },
            "thresholds": {
                c: round(float(t), 4) for c, t in zip(self.classes, self.thresholds, strict=True)
            },
        }
        return model_files.save(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | None = None) -> KindModel:
        """The model at ``path`` (.npz with its .json beside it), or the shipped one."""
        npz = Path(path) if path is not None else DEFAULT_KIND_MODEL
        meta_path = npz.with_suffix(".json")
        meta, arrays = model_files.load(npz, _FORMAT, KindModelError, "kind model")
        weights = arrays["weights"].astype(np.float32)
        bias = arrays["bias"].astype(np.float32)
        thresholds = arrays["thresholds"].astype(np.float32)
        lexical_index = arrays["lexical_index"].astype(np.int64)
        lexical_weights = arrays["lexical_weights"].astype(np.float32)
        cue_weights = arrays.get("cue_weights", np.zeros((0, 0))).astype(np.float32)
        lexical = meta.get("lexical") or {}
        uses_text = bool(lexical.get("buckets")) or cue_weights.size > 0
        expected = FEATURES_VERSION + (f"+{CUES_VERSION}" if cue_weights.size else "")
        if uses_text and lexical.get("features") != expected:
            raise KindModelError(
                f"{meta_path}: lexical features {lexical.get('features')!r}, "
                f"this userloop computes {expected!r}; retrain the model"
            )
        if cue_weights.size and list(lexical.get("cues") or []) != list(CUE_NAMES):
            raise KindModelError(
                f"{meta_path}: request cues {lexical.get('cues')!r}, this userloop computes "
                f"{list(CUE_NAMES)!r}; retrain the model"
            )
        model = cls(
            classes=tuple(meta["classes"]),
            weights=weights,
            bias=bias,
            thresholds=thresholds,
            embedder=str(meta["embedder"]),
            meta={k: v for k, v in meta.items() if k not in _DERIVED_META},
            lexical_buckets=int(lexical.get("buckets") or 0),
            lexical_index=lexical_index,
            lexical_weights=lexical_weights,
            cue_weights=cue_weights,
        )
        if meta.get("version") not in (None, model.version):
            raise KindModelError(f"{npz}: arrays do not match the version in {meta_path.name}")
        return model


_DERIVED_META = frozenset(
    {"format", "version", "classes", "embedder", "dim", "thresholds", "lexical"}
)


def _compact(a: F32) -> npt.NDArray[np.floating[Any]]:
    """``a`` as float16 when that loses nothing (trained models are rounded to it), else as is."""
    half = a.astype(np.float16)
    return half if np.array_equal(half.astype(np.float32), a) else a.astype(np.float32)


def _logit(p: npt.NDArray[np.floating[Any]]) -> F32:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(q / (1 - q)).astype(np.float32)


# --- training ----------------------------------------------------------------------------


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
    x, embedder_id = model_files.training_vectors(
        texts, vectors, embedder, embedder_id, KindModelError, "train_kind"
    )
    dim = x.shape[1]
    if cue_scale:
        x = np.hstack([x, np.float32(cue_scale) * request_cues(texts)])
    y = targets_matrix(labels, classes)
    w_all = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    rows: HashedRows | None = None
    if lexical_buckets:
        hashed = hash_texts(texts, lexical_buckets)
        used = np.flatnonzero(document_frequency(hashed) >= _LEXICAL_MIN_DF)
        rows = keep_buckets(hashed, used)
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
        head = _Head(xj[known], None if rows is None else _select_rows(rows, known), ws)
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


def _select_rows(rows: HashedRows, mask: npt.NDArray[np.bool_]) -> HashedRows:
    """The rows of ``rows`` where ``mask`` holds, in order."""
    starts, ends = rows.indptr[:-1][mask], rows.indptr[1:][mask]
    lengths = ends - starts
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    take = np.repeat(starts - indptr[:-1], lengths) + np.arange(int(indptr[-1]))
    return HashedRows(indptr, rows.indices[take], rows.data[take], rows.n_features)


@dataclass(frozen=True, slots=True)
class _Head:
    """The training data of one kind: vectors, hashed rows (or None) and row weights."""

    x: F32
    rows: HashedRows | None
    w: npt.NDArray[np.float64]

    def subset(self, mask: npt.NDArray[np.bool_]) -> _Head:
        rows = None if self.rows is None else _select_rows(self.rows, mask)
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
            z = z + self.rows.dot(v[:, None].astype(np.float32))[:, 0]
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
