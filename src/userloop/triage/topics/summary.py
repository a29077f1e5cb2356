"""How a topic is summarised for people: its medoid, keywords per language, a title."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.triage.text import informative
from userloop.triage.topics import keywords as kw
from userloop.triage.topics.cluster import medoid

__all__ = ["informative", "medoid", "title_member", "topic_keywords", "topic_title"]

# A title says what the problem is: at least this many words (or characters of a script
# written without spaces, where a word is one or two characters).


def topic_keywords(texts_by_language: dict[str, list[str]], k: int = 8) -> dict[str, list[str]]:
    return kw.keywords(texts_by_language, k=k)


def topic_title(keywords: list[str], representative: str, limit: int = 80) -> str:
    return kw.title(keywords, representative, limit) if representative else ""


def title_member(vectors: npt.ArrayLike, texts: Sequence[str]) -> int | None:
    """The member whose text titles the group: the most typical one (the medoid) when it is
    informative, else the informative member closest to it; None when no text is."""
    matrix = np.asarray(vectors, dtype=np.float32)
    center = medoid(matrix)
    if informative(texts[center]):
        return center
    order = np.argsort(-(matrix @ matrix[center]), kind="stable")
    return next((int(i) for i in order if informative(texts[int(i)])), None)
