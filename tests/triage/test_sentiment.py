"""Sentiment at inference: the rating blend, the shipped head on sentences written for these
tests, shapes and loading. No data set is read here. Training is in ``test_training.py``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from userloop.triage.embed.use_m3 import UseM3Embedder
from userloop.triage.sentiment import (
    DEFAULT_SENTIMENT_MODEL,
    RATING_WEIGHT,
    SentimentModel,
    SentimentModelError,
    combine,
    rating_score,
)

POSITIVE = [
    "Fantastic watch app, everything syncs instantly and the charts are beautiful.",
    "Super appli, je l'utilise tous les jours et elle marche parfaitement.",
    "这个应用太棒了，界面漂亮又好用。",
    "Отличное приложение, всё работает быстро и удобно.",
    "Fantastische app, alles werkt snel en soepel.",
]
NEGATIVE = [
    "Terrible. It loses my data every week and support never answers.",
    "Nul, l'application plante sans arrêt et j'ai perdu toutes mes données.",
    "垃圾应用，天天闪退，数据全丢了。",
    "Ужасное приложение, постоянно вылетает и теряет данные.",
    "Waardeloze app, crasht steeds en mijn gegevens zijn weg.",
]


@pytest.fixture(scope="module")
def shipped() -> SentimentModel:
    return SentimentModel.load()


def test_rating_score_and_combine() -> None:
    assert [rating_score(r) for r in (1, 2, 3, 4, 5)] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    with pytest.raises(ValueError):
        rating_score(0)
    assert combine(None, 0.3) == pytest.approx(0.3)
    assert combine(None, 1.7) == 1.0
    assert combine(5, 0.0) == pytest.approx(RATING_WEIGHT)
    assert combine(1, -1.0) == pytest.approx(-1.0)
    # the text moves the score within a star level
    assert combine(4, -0.8) < combine(4, 0.8)
    assert combine(2, 1.0) < combine(4, -1.0)


def test_shipped_model_file(shipped: SentimentModel) -> None:
    assert shipped.version.startswith("sentiment-")
    assert shipped.embedder.startswith("use-m3@")
    assert shipped.dim == 512
    assert DEFAULT_SENTIMENT_MODEL.stat().st_size < 5 * 1024 * 1024
    meta = json.loads(DEFAULT_SENTIMENT_MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["version"] == shipped.version
    assert meta["training"]["target"] == "(stars - 3) / 2"


def test_shipped_model_in_five_languages(shipped: SentimentModel) -> None:
    embedder = UseM3Embedder(threads=2)
    texts = POSITIVE + NEGATIVE
    scores = shipped.predict(texts, embedder.embed(texts), [None] * len(texts))
    pos, neg = scores[: len(POSITIVE)], scores[len(POSITIVE) :]
    assert all(s > 0.2 for s in pos), pos
    assert all(s < -0.2 for s in neg), neg
    assert all(-1.0 <= s <= 1.0 for s in scores)


def test_predict_blends_ratings_and_checks_shapes(shipped: SentimentModel) -> None:
    v = np.random.default_rng(0).normal(size=(3, shipped.dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    text = shipped.text_scores(v)
    out = shipped.predict(["a", "b", "c"], v, [None, 5, 1])
    assert out[0] == pytest.approx(float(text[0]), abs=1e-6)
    assert out[1] == pytest.approx(combine(5, float(text[1])), abs=1e-6)
    assert out[2] == pytest.approx(combine(1, float(text[2])), abs=1e-6)
    assert shipped.predict(["a", "b", "c"], v, [None, 5, 1]) == out
    assert shipped.predict([], np.zeros((0, shipped.dim), dtype=np.float32), []) == []
    with pytest.raises(SentimentModelError):
        shipped.predict(["a"], v[:1], [])
    with pytest.raises(SentimentModelError, match="512-dim"):
        shipped.predict(["a"], np.ones((1, 8), dtype=np.float32), [None])


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(SentimentModelError, match="no sentiment model"):
        SentimentModel.load(tmp_path / "missing.npz")
