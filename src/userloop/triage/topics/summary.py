"""How a topic is summarised for people: its medoid, keywords per language, a title."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def medoid(vectors: npt.NDArray[np.float32]) -> int:
    """Index of the member most similar to all others (the most typical report)."""
    if len(vectors) <= 2:
        return 0
    sims = vectors @ vectors.T
    return int(np.argmax(sims.sum(axis=1)))


def topic_keywords(texts_by_language: dict[str, list[str]], k: int = 8) -> dict[str, list[str]]:
    from userloop.triage.topics import keywords as kw

    return kw.keywords(texts_by_language, k=k)


def topic_title(keywords: list[str], representative: str, limit: int = 80) -> str:
    from userloop.triage.topics import keywords as kw

    return kw.title(keywords, representative)[:limit] if representative else ""


def first_sentence(text: str, limit: int = 80) -> str:
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
