"""Kind classification (inference): a score per kind, the kinds above their thresholds, and a
primary kind.

One logistic head per kind (one-vs-rest, so an item can be both a bug and a wish), with a
decision threshold per kind chosen by cross-validation on the training data. Each head is

    logit = vector @ w + cues(text) @ u + b  +  lexical(text) @ v

* ``vector @ w + cues(text) @ u + b``: a logistic regression on the sentence embedding
  (multilingual: it carries what a text is about, in any language the embedder knows),
  optionally joined with a few 0/1 request cues (``kind.cues.request_cues``: "would be nice",
  "please add", "ce serait bien", "希望", ... in seven languages). The embedding says what a
  text is about more than whether it asks for something; the cues name that speech act in
  languages the head was not trained on. They enter scaled by ``cue_scale`` (the fit is
  regularised, so the scale sets how cheaply a cue can earn weight; the stored ``u`` has the
  scale folded in; :data:`CUE_SCALE`). On Mini-BAR they raise feature F1 from English to
  French training (en -> fr) and change nothing across apps, where the lexical residual
  below already learns the same phrases: they are for the languages training never saw;
* ``lexical(text) @ v``: a residual on hashed words and word pairs (``kind.features.hash_texts``,
  no vocabulary stored), fitted *after* the embedding part with that part's logits as a fixed
  offset, so it only learns what the embedding misses ("would be nice", "pourriez-vous").
  Fitted jointly instead, the embedding part leans on the words and loses strength on
  languages the words were not seen in; as a residual, a text in an unseen language gets
  (almost) no lexical term and falls back to the full-strength embedding head. Buckets used by
  fewer than two training texts are dropped.

Inference is numpy (a matrix product, a hash, a sigmoid), with no scikit-learn object; training
(``triage.training.kind.train_kind``) fits the same heads with scikit-learn and scipy.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.triage import model_files
from userloop.triage.embed.base import Vectors
from userloop.triage.kind.cues import CUE_NAMES, CUES_VERSION, request_cues
from userloop.triage.kind.features import FEATURES_VERSION, HashedRows, hash_texts, sigmoid
from userloop.triage.stages import KindPrediction

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_KIND_MODEL = MODELS_DIR / "kind.npz"

#: One prediction: ``scores`` per kind in [0, 1], primary ``kind``, ``labels`` above threshold.
KindResult = KindPrediction

# Tiers of the primary kind: the first tier holding a label wins, and within it the label
# furthest above its threshold. Questions compete with bugs and wishes: Mini-BAR calls many
# how-to questions problem reports, so a tier of their own below bugs buried them.
_TIERS: tuple[tuple[str, ...], ...] = (("bug", "feature", "question"), ("praise", "other"))
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
