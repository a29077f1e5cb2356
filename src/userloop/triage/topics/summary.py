"""How a topic is summarised for people: its medoid, keywords per language, a title."""

from __future__ import annotations

from userloop.triage.topics import keywords as kw
from userloop.triage.topics.cluster import medoid

__all__ = ["medoid", "topic_keywords", "topic_title"]


def topic_keywords(texts_by_language: dict[str, list[str]], k: int = 8) -> dict[str, list[str]]:
    return kw.keywords(texts_by_language, k=k)


def topic_title(keywords: list[str], representative: str, limit: int = 80) -> str:
    return kw.title(keywords, representative, limit) if representative else ""
