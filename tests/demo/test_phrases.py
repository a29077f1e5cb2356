"""The demo's phrase banks: data files shipped in the package, complete for every language."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

import pytest

from userloop.demo import catalog, phrases
from userloop.demo.generator import LANGUAGE_BY_REGION

LANGUAGES = {lang for pairs in LANGUAGE_BY_REGION.values() for lang, _ in pairs}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_the_texts_are_utf8_json_inside_the_package() -> None:
    texts = files("userloop.demo") / "texts"
    names = sorted(p.name for p in texts.iterdir() if p.name.endswith(".json"))
    assert names == ["bugs.json", "other.json", "variations.json"]
    for name in names:
        raw = (texts / name).read_bytes()
        assert json.loads(raw.decode("utf-8"))  # valid UTF-8 and JSON, not empty
        assert b"\\u" not in raw  # readable: the file holds the characters, not escapes


def test_every_problem_has_sentences_in_every_language() -> None:
    banks = {**phrases.BUG_PHRASES, **phrases.OTHER_PHRASES}
    assert set(banks) == {p.key for p in catalog.PROBLEMS}
    for key, by_language in banks.items():
        assert set(by_language) == LANGUAGES, key
        for language, sentences in by_language.items():
            assert sentences and all(s.strip() for s in sentences), (key, language)
            assert len(set(sentences)) == len(sentences), (key, language)


def test_the_pieces_cover_every_language_region_and_kind() -> None:
    for pieces in (phrases.BUG_PREFIX, phrases.BUG_SUFFIX, phrases.FEATURE_SUFFIX):
        assert set(pieces) == LANGUAGES
    assert set(phrases.STILL_BROKEN) == LANGUAGES
    assert set(phrases.PII_TEMPLATES) == LANGUAGES
    assert set(phrases.EMOJI) == set(catalog.KINDS)
    assert set(phrases.NAME_PARTS) == set(catalog.REGIONS) == set(phrases.EMAIL_DOMAIN)
    for first, last in phrases.NAME_PARTS.values():
        assert first and last and all(n.isascii() and n.isalpha() for n in first + last)


def test_placeholders_are_the_ones_the_generator_fills() -> None:
    sentences = [
        s
        for bank in (
            phrases.BUG_PHRASES,
            phrases.OTHER_PHRASES,
            {"pieces": phrases.BUG_PREFIX},
            {"pieces": phrases.BUG_SUFFIX},
            {"pieces": phrases.FEATURE_SUFFIX},
        )
        for by_language in bank.values()
        for group in by_language.values()
        for s in group
    ]
    used = {name for s in sentences for name in PLACEHOLDER.findall(s)}
    assert used == {"model", "build"}
    templates = [t for group in phrases.PII_TEMPLATES.values() for t in group]
    assert {n for t in templates for n in PLACEHOLDER.findall(t)} == {
        "email",
        "phone",
        "imei",
        "serial",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"en": "one sentence"}, "x.en: expected a list of strings"),
        ({"en": ["ok", 3]}, "x.en: expected a list of strings"),
        (["en"], "x: expected an object"),
    ],
)
def test_a_malformed_file_is_a_clear_error(value: Any, message: str) -> None:
    with pytest.raises(phrases.PhraseFileError, match=re.escape(message)):
        phrases._lists(value, "x")


def test_name_parts_need_first_and_last_names() -> None:
    with pytest.raises(phrases.PhraseFileError, match=r"x\.US\.last"):
        phrases._name_parts({"US": {"first": ["kim"]}}, "x")
