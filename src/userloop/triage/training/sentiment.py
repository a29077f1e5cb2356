"""Training the sentiment head (:func:`train_sentiment`): ridge regression of the star rating
on the sentence embedding, with the penalty chosen by cross-validation (scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.sentiment.model import (
    RATING_WEIGHT,
    SentimentModel,
    SentimentModelError,
    rating_score,
)
from userloop.triage.training.fitting import fit_ridge, stratified_folds, training_vectors

_ALPHA_GRID = (1.0, 3.0, 10.0, 30.0)


def train_sentiment(
    texts: Sequence[str],
    ratings: Sequence[int],
    embedder: Embedder | None,
    *,
    vectors: Vectors | None = None,
    alpha_grid: Sequence[float] = _ALPHA_GRID,
    folds: int = 5,
    seed: int = 0,
    embedder_id: str | None = None,
    description: str = "",
) -> SentimentModel:
    """Ridge regression of ``(rating - 3) / 2`` on embeddings of ``texts``.

    The penalty ``alpha`` is the one of ``alpha_grid`` with the lowest ``folds``-fold
    cross-validated squared error on these data (seeded: the same data give the same model).
    """
    if len(texts) != len(ratings):
        raise SentimentModelError(f"{len(texts)} texts but {len(ratings)} ratings")
    x, embedder_id = training_vectors(
        texts, vectors, embedder, embedder_id, SentimentModelError, "train_sentiment"
    )
    y = np.array([rating_score(r) for r in ratings], dtype=np.float64)
    k = max(2, min(folds, len(y) // 2))
    fold = stratified_folds(y > 0, k, seed)
    errors: dict[float, float] = {}
    for alpha in alpha_grid:
        pred = np.empty(len(y))
        for f in range(k):
            test = fold == f
            w, b = fit_ridge(x[~test], y[~test], alpha)
            pred[test] = np.clip(x[test] @ w + b, -1.0, 1.0)
        errors[alpha] = float(np.mean((pred - y) ** 2))
    alpha = min(alpha_grid, key=lambda a: (errors[a], -a))
    w, b = fit_ridge(x, y, alpha)
    meta = {
        "training": {
            "description": description,
            "texts": len(texts),
            "target": "(stars - 3) / 2",
            "seed": seed,
            "folds": k,
            "alpha": alpha,
            "cv_mse": {str(a): round(e, 4) for a, e in errors.items()},
        }
    }
    return SentimentModel(w.astype(np.float32), float(b), embedder_id, RATING_WEIGHT, meta)
