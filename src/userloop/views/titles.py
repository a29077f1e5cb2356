"""Topic titles as readers see them: which title, and the language it is written in.

Triage stores a title's language with the title (``topics.title_language``). Titles stored
before that was recorded (or by code that did not know it) fall back to a guess from the
title's script, the topic's languages and its representative reports; migration 0006 filled
existing rows with that same guess."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol


class _Sample(Protocol):
    """A report shown with a topic: its language and text."""

    @property
    def language(self) -> str: ...

    @property
    def text(self) -> str: ...


# Scripts that narrow down which of a topic's languages a title is written in.
_SCRIPTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    (re.compile(r"[\uac00-\ud7af]"), ("ko",)),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"), ("zh", "ja")),
    (re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "be", "bg", "sr", "mk", "kk")),
    (re.compile(r"[\u0600-\u06ff]"), ("ar", "fa", "ur")),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
)
_NON_LATIN = {p for _, prefixes in _SCRIPTS for p in prefixes}
# A title is a sentence of one report; its first characters are enough to find that report.
_HEAD_CHARS = 12


def title_language(
    title: str,
    languages: Mapping[str, int],
    representatives: Sequence[_Sample] = (),
    stored: str | None = None,
) -> str:
    """The language tag of a topic title, for its `lang` attribute.

    The stored language when there is one. Otherwise: a representative report that holds the
    title's sentence gives it away; else the topic's most frequent language written in the
    title's script (a Chinese title in a mostly English topic is still zh); "und" when nothing
    is known."""
    if stored:
        return stored
    head = " ".join(title.split())[:_HEAD_CHARS]
    if head:
        for rep in representatives:
            if head in " ".join(rep.text.split()):
                return rep.language
    ranked = [tag for tag, _ in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))]
    for pattern, prefixes in _SCRIPTS:
        if pattern.search(title):
            fitting = [tag for tag in ranked if tag.split("-")[0] in prefixes]
            return fitting[0] if fitting else prefixes[0]
    latin = [tag for tag in ranked if tag.split("-")[0] not in _NON_LATIN]
    return latin[0] if latin else "und"


class _Titled(Protocol):
    """Anything shown with a topic title: the title, the language stored with it, the titles
    per language and the topic's reports per language."""

    @property
    def title(self) -> str: ...

    @property
    def title_language(self) -> str | None: ...

    @property
    def titles(self) -> Mapping[str, str]: ...

    @property
    def languages(self) -> Mapping[str, int]: ...


def reader_language_match(reader: str, available: Mapping[str, object]) -> str | None:
    """The tag among `available` a reader of `reader` reads: the same tag, else the same
    language in another script or region (zh-Hant for a zh-Hans reader), else None."""
    if reader in available:
        return reader
    base = reader.split("-")[0].lower()
    same = sorted(tag for tag in available if tag.split("-")[0].lower() == base)
    return same[0] if same else None


def title_for_reader(
    topic: _Titled, reader_language: str, representatives: Sequence[_Sample] = ()
) -> tuple[str, str]:
    """(title, its language tag) of a topic for a reader of `reader_language`: the title the
    topic's own reports in that language give, where it has any that say enough; else the
    topic's one title, in whatever language it is written (its `lang` marks it)."""
    match = reader_language_match(reader_language, topic.titles)
    if match is not None and topic.titles[match]:
        return topic.titles[match], match
    language = title_language(
        topic.title, topic.languages, representatives, stored=topic.title_language
    )
    return topic.title, language
