"""How a topic is summarised for people: its medoid, keywords per language, a title."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.triage.text import PLACEHOLDER, runs
from userloop.triage.topics import keywords as kw
from userloop.triage.topics.cluster import medoid

__all__ = ["informative", "medoid", "title_member", "topic_keywords", "topic_title"]

# A title says what the problem is: at least this many words (or characters of a script
# written without spaces, where a word is one or two characters).
MIN_TITLE_WORDS = 3
MIN_TITLE_UNSPACED_CHARS = 6


def topic_keywords(texts_by_language: dict[str, list[str]], k: int = 8) -> dict[str, list[str]]:
    return kw.keywords(texts_by_language, k=k)


def topic_title(keywords: list[str], representative: str, limit: int = 80) -> str:
    return kw.title(keywords, representative, limit) if representative else ""


def informative(text: str) -> bool:
    """Whether a report can serve as a title: not a redaction placeholder, a greeting or a
    one-word text, but a few words (or characters of an unspaced script) saying something:
    at least three words of which two have three letters or more ("My IMEI is [imei]" and
    "good app" do not), or six characters of an unspaced script."""
    words = 0
    long_words = 0
    chars = 0
    for token, unspaced in runs(PLACEHOLDER.sub(" ", text)):
        if unspaced:
            chars += len(token)
        elif not token.isdigit():
            words += 1
            long_words += len(token) >= 3
    return (words >= MIN_TITLE_WORDS and long_words >= 2) or chars >= MIN_TITLE_UNSPACED_CHARS


def title_member(vectors: npt.ArrayLike, texts: Sequence[str]) -> int | None:
    """The member whose text titles the group: the most typical one (the medoid) when it is
    informative, else the informative member closest to it; None when no text is."""
    matrix = np.asarray(vectors, dtype=np.float32)
    center = medoid(matrix)
    if informative(texts[center]):
        return center
    order = np.argsort(-(matrix @ matrix[center]), kind="stable")
    return next((int(i) for i in order if informative(texts[int(i)])), None)
