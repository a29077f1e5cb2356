"""Sentiment at inference (``model``). Training lives in ``triage.training.sentiment``."""

from userloop.triage.sentiment.model import (
    DEFAULT_SENTIMENT_MODEL,
    MODELS_DIR,
    RATING_WEIGHT,
    SentimentModel,
    SentimentModelError,
    combine,
    rating_score,
)

__all__ = [
    "DEFAULT_SENTIMENT_MODEL",
    "MODELS_DIR",
    "RATING_WEIGHT",
    "SentimentModel",
    "SentimentModelError",
    "combine",
    "rating_score",
]
