"""Sentiment (inference): a score in [-1, 1] per feedback item.

The text score is a ridge regression over the sentence embedding, trained on star ratings as
weak labels, ``(stars - 3) / 2`` (1 star = -1, 3 stars = 0, 5 stars = +1), and clipped to
[-1, 1]. Inference is one dot product in numpy; training (``triage.training.sentiment``) fits the
ridge regression with scikit-learn.

When the item carries a star rating, the score blends both (:func:`combine`):
``0.75 * (rating - 3) / 2 + 0.25 * text_score``. The rating is the reporter's own judgement
and exactly what the text score was trained to guess, so it dominates; the text moves the
score within a star level (a 4-star "great, but the sync fails daily" ends lower than a
4-star "great"). Without a rating the text score is the sentiment.
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

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_SENTIMENT_MODEL = MODELS_DIR / "sentiment.npz"

#: Weight of the star rating in :func:`combine` (the text score gets the rest).
RATING_WEIGHT = 0.75
_FORMAT = 1

F32 = npt.NDArray[np.float32]


class SentimentModelError(ValueError):
    """A sentiment model file is missing, malformed, or does not fit the vectors given."""


def rating_score(rating: int) -> float:
    """A 1-5 star rating on the [-1, 1] scale: ``(rating - 3) / 2``."""
    if not 1 <= rating <= 5:
        raise ValueError(f"rating must be 1..5, got {rating}")
    return (rating - 3) / 2


def combine(rating: int | None, model_score: float, rating_weight: float = RATING_WEIGHT) -> float:
    """The sentiment of an item: the text score, blended with the rating when there is one."""
    if rating is None:
        return float(np.clip(model_score, -1.0, 1.0))
    mixed = rating_weight * rating_score(rating) + (1.0 - rating_weight) * model_score
    return float(np.clip(mixed, -1.0, 1.0))


@dataclass(frozen=True)
class SentimentModel:
    """A linear text score over embeddings of ``embedder`` (``name@version``)."""

    weights: F32  # (dim,)
    bias: float
    embedder: str
    rating_weight: float = RATING_WEIGHT
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    @cached_property
    def version(self) -> str:
        """``sentiment-`` and a digest of the weights and blend: changes whenever a score would."""
        h = hashlib.sha256(np.ascontiguousarray(self.weights, dtype=np.float32).tobytes())
        h.update(f"{float(np.float32(self.bias))!r}|{self.rating_weight!r}".encode())
        return f"sentiment-{h.hexdigest()[:12]}"

    def text_scores(self, vectors: Vectors) -> F32:
        """The text score of each vector, in [-1, 1]: ``(n,)``."""
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise SentimentModelError(
                f"sentiment model expects {self.dim}-dim vectors from {self.embedder}, "
                f"got shape {v.shape}"
            )
        out: F32 = np.clip(v @ self.weights + np.float32(self.bias), -1.0, 1.0).astype(np.float32)
        return out

    def predict(
        self, texts: Sequence[str], vectors: Vectors, ratings: Sequence[int | None]
    ) -> list[float]:
        """One score in [-1, 1] per text; ``ratings`` (1-5 stars or None) are blended in."""
        if not len(texts) == len(vectors) == len(ratings):
            raise SentimentModelError(
                f"{len(texts)} texts, {len(vectors)} vectors and {len(ratings)} ratings"
            )
        if len(texts) == 0:
            return []
        scores = self.text_scores(vectors)
        return [
            combine(r, float(s), self.rating_weight) for r, s in zip(ratings, scores, strict=True)
        ]

    # ---------- persistence ----------

    def save(self, path: str | Path) -> Path:
        """Write ``path`` (.npz arrays) and the same name with ``.json`` (metadata)."""
        arrays = {
            "weights": self.weights.astype(np.float32),
            "bias": np.array([self.bias], dtype=np.float32),
        }
        meta = {
            **self.meta,
            "format": _FORMAT,
            "version": self.version,
            "embedder": self.embedder,
            "dim": self.dim,
            "rating_weight": self.rating_weight,
        }
        return model_files.save(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """The model at ``path`` (.npz with its .json beside it), or the shipped one."""
        npz = Path(path) if path is not None else DEFAULT_SENTIMENT_MODEL
        meta, arrays = model_files.load(npz, _FORMAT, SentimentModelError, "sentiment model")
        weights = arrays["weights"].astype(np.float32)
        bias = float(arrays["bias"].astype(np.float32)[0])
        model = cls(
            weights=weights,
            bias=bias,
            embedder=str(meta["embedder"]),
            rating_weight=float(meta.get("rating_weight", RATING_WEIGHT)),
            meta={k: v for k, v in meta.items() if k not in _DERIVED_META},
        )
        if meta.get("version") not in (None, model.version):
            raise SentimentModelError(f"{npz}: arrays do not match the version in its .json")
        return model


_DERIVED_META = frozenset({"format", "version", "embedder", "dim", "rating_weight"})
