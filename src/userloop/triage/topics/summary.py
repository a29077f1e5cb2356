"""How a topic is summarised for people: its medoid, keywords per language, a title."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.triage.text import informative
from userloop.triage.topics import keywords as kw
from userloop.triage.topics.cluster import medoid
from userloop.triage.topics.keywords import keyword_sentence

F64 = npt.NDArray[np.float64]

__all__ = [
    "closest_sentence",
    "informative",
    "keyword_sentence",
    "medoid",
    "title_member",
    "title_sentences",
    "topic_keywords",
    "topic_title",
    "trim",
]


def topic_keywords(texts_by_language: dict[str, list[str]], k: int = 8) -> dict[str, list[str]]:
    return kw.keywords(texts_by_language, k=k)


def topic_title(keywords: list[str], representative: str, limit: int = 80) -> str:
    return kw.title(keywords, representative, limit) if representative else ""


def title_sentences(text: str) -> list[str]:
    """The sentences of a title member that could title its topic on their own (not a
    greeting fragment, a placeholder or one word: :func:`informative`)."""
    return [s for s in kw.sentences(text) if informative(s)]


def closest_sentence(sentences: Sequence[str], vectors: npt.ArrayLike, direction: F64) -> str:
    """The sentence whose (prepared) vector is closest to the topic's direction: the one that
    says what the topic is about, rather than a greeting, a build number or "still not fixed",
    which every topic's reports share and which the centred space maps near its origin."""
    scores = np.asarray(vectors, dtype=np.float64) @ direction
    return sentences[int(np.argmax(scores))]


def trim(text: str, limit: int = 80) -> str:
    return kw.trim(text, limit)


def title_member(vectors: npt.ArrayLike, texts: Sequence[str]) -> int | None:
    """The member whose text titles the group: the most typical one (the medoid) when it is
    informative, else the informative member closest to it; None when no text is."""
    matrix = np.asarray(vectors, dtype=np.float32)
    center = medoid(matrix)
    if informative(texts[center]):
        return center
    order = np.argsort(-(matrix @ matrix[center]), kind="stable")
    return next((int(i) for i in order if informative(texts[int(i)])), None)
