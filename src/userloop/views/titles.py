"""Topic titles as readers see them: which title, and the language it is written in.

Triage stores a title's language with the title (``topics.title_language``). Titles stored
before that was recorded (or by code that did not know it) fall back to a guess from the
title's script, the topic's languages and its representative reports; migration 0006 filled
existing rows with that same guess.

A reader whose language a topic has no title in gets a fallback (``reader_title``): the
topic's one title with its language, and the topic's top keywords to go with it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from userloop.domain.language_tags import reader_language_match


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
# Keywords shown with a fallback title: enough to say what the topic is about, still short.
FALLBACK_KEYWORDS = 3


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


class _Keyworded(_Titled, Protocol):
    """A titled topic with its keywords per language (from its members in each language)."""

    @property
    def keywords(self) -> Mapping[str, Sequence[str]]: ...


@dataclass(frozen=True, slots=True)
class ReaderTitle:
    """A topic's title as one reader sees it.

    `fallback` is true when the topic has no title in the reader's language and its one
    title is written in another (known) language: screens then show `keywords` (at most
    ``FALLBACK_KEYWORDS``, in `keywords_language`), the title marked with its `language` and
    that language's name."""

    text: str
    language: str  # the tag `text` is written in, for its lang attribute ("und": unknown)
    fallback: bool = False
    keywords: tuple[str, ...] = ()
    keywords_language: str | None = None


def reader_title(
    topic: _Keyworded, reader_language: str, representatives: Sequence[_Sample] = ()
) -> ReaderTitle:
    """The title of a topic for a reader of `reader_language`: the title the topic's own
    reports in that language give, where it has any that say enough; else the topic's one
    title in whatever language it is written, as a fallback with the topic's top keywords
    (in the reader's language where the topic has some, else in the title's).

    A title in the reader's language (the same language in another script or region
    included) or in an unknown one ("und") is no fallback: nothing says it is foreign."""
    text, language = title_for_reader(topic, reader_language, representatives)
    if (
        not text
        or language == "und"
        or reader_language_match(reader_language, {language: text}) is not None
    ):
        return ReaderTitle(text, language)
    words = {tag: list(ws) for tag, ws in topic.keywords.items() if ws}
    chosen = reader_language_match(reader_language, words) or reader_language_match(language, words)
    return ReaderTitle(
        text,
        language,
        fallback=True,
        keywords=tuple(words[chosen][:FALLBACK_KEYWORDS]) if chosen else (),
        keywords_language=chosen,
    )


def title_for_reader(
    topic: _Titled, reader_language: str, representatives: Sequence[_Sample] = ()
) -> tuple[str, str]:
    """(title, its language tag) of a topic for a reader of `reader_language`: the title the
    topic's own reports in that language give, where it has any that say enough; else the
    topic's one title, in whatever language it is written (its `lang` marks it). Screens use
    ``reader_title``, which also says whether that is a fallback, with keywords."""
    match = reader_language_match(reader_language, topic.titles)
    if match is not None and topic.titles[match]:
        return topic.titles[match], match
    language = title_language(
        topic.title, topic.languages, representatives, stored=topic.title_language
    )
    return topic.title, language
