"""Topic titles in the tables the CLI prints: the CLI speaks English (its sentences, its
headers), so a topic is shown by the title its English reports give, as the console shows an
English reader; a topic with no English report keeps its one title, marked with its language."""

from __future__ import annotations

from collections.abc import Iterable

from userloop.container import Services
from userloop.views.titles import reader_title

READER = "en"


def english_titles(services: Services, topic_ids: Iterable[int]) -> dict[int, str]:
    """Topic id -> its title for an English reader ("text [zh-Hans]" when the topic has no
    English title); topics that no longer exist are left out."""
    out: dict[int, str] = {}
    for topic_id in dict.fromkeys(topic_ids):
        topic = services.topics.get(topic_id)
        if topic is None:
            continue
        shown = reader_title(topic, READER)
        if shown.text:
            out[topic_id] = f"{shown.text} [{shown.language}]" if shown.fallback else shown.text
    return out
