"""The script table, the redaction placeholder and the tokeniser family of ``triage.text``."""

from __future__ import annotations

import re

import pytest

from userloop.intake.redaction import PersonalDataKind, redact
from userloop.triage.text import (
    HAN,
    HAN_KANA,
    HANGUL,
    LEX1_CJK,
    PLACEHOLDER,
    THAI,
    UNSPACED,
    bigrams,
    char_ngrams,
    content_words,
    fold_accents,
    index_terms,
    lex1_words,
    runs,
    without_model,
)


def test_placeholder_matches_every_redaction_placeholder() -> None:
    for kind in PersonalDataKind:
        assert PLACEHOLDER.fullmatch(f"[{kind.value}]"), kind
    redacted = redact("mail me at jo@example.com or call +1 415 555 0134").text
    assert PLACEHOLDER.search(redacted)
    assert not PLACEHOLDER.sub("", redacted).count("[")


@pytest.mark.parametrize(
    ("char", "tables"),
    [
        ("ไ", {THAI, UNSPACED}),
        ("한", {HANGUL, UNSPACED, LEX1_CJK}),
        ("ᄀ", {HANGUL, UNSPACED}),  # a jamo: not in the frozen lex1 table
        ("か", {HAN_KANA, UNSPACED, LEX1_CJK}),
        ("ｶ", {HAN_KANA, UNSPACED}),  # half-width katakana
        ("中", {HAN, HAN_KANA, UNSPACED, LEX1_CJK}),
        ("𠀀", {HAN, HAN_KANA, UNSPACED}),  # Han extension B
        ("a", set()),
        ("ж", set()),
    ],
)
def test_script_tables(char: str, tables: set[str]) -> None:
    for table in (THAI, HANGUL, HAN_KANA, HAN, UNSPACED, LEX1_CJK):
        assert bool(re.fullmatch(f"[{table}]", char)) == (table in tables), (char, table)


def test_runs_and_bigrams() -> None:
    assert list(runs("sync 手表同步 ok")) == [("sync", False), ("手表同步", True), ("ok", False)]
    assert bigrams("手表同步") == ["手表", "表同", "同步"] and bigrams("手") == ["手"]
    assert fold_accents("Déçu ÉTÉ") == "decu ete"


def test_index_terms() -> None:
    assert index_terms("The getFileStatus 手表同步", stopwords={"the"}) == [
        "getfilestatus",
        "get",
        "file",
        "status",
        "手表",
        "表同",
        "同步",
    ]
    assert index_terms("getFileStatus", split_identifiers=False) == ["getfilestatus"]
    assert index_terms("a bc", min_length=2) == ["bc"]
    assert index_terms("시계가 동기화") == ["시계", "계가", "동기", "기화"]


def test_char_ngrams_drop_placeholders() -> None:
    assert char_ngrams("[email] Déçu", 4, 4) == [" dec", "decu", "ecu "]


def test_content_words() -> None:
    assert content_words("It's the app's 2 crash! [url]", stopwords={"the"}) == [
        "it's",
        "app's",
        "crash",
    ]
    assert content_words("手表同步") == ["手表", "表同", "同步"]
    assert content_words("手表 同步", segment=lambda t: t.split(" ")) == ["手表", "同步"]
    assert content_words("手 か", segment=lambda t: t.split(" ")) == ["手"]


def test_lex1_words() -> None:
    assert lex1_words("Ｐlease ADD 地图? snake_case!") == [
        "please",
        "add",
        "地",
        "图",
        "?",
        "snake_case",
        "!",
    ]
    # Thai is not in the frozen lex1 table: it splits as \w runs do
    assert lex1_words("ไม่") != ["ไ", "ม", "่"]


@pytest.mark.parametrize(
    ("text", "model", "expected"),
    [
        ("I have a Lumo 12. Bluetooth cuts out", "Lumo 12", "I have a . Bluetooth cuts out"),
        ("my lumo12 gets hot", "Lumo 12", "my gets hot"),
        ("LumoNote5定位不准", "Lumo Note 5", "定位不准"),  # no spaces around it in Chinese
        ("Note 5定位不准", "Lumo Note 5", "定位不准"),  # without the brand
        ("My 12 Pro drains 12 hours", "Lumo 12 Pro", "My drains 12 hours"),
        ("battery lasts 12 hours", "Lumo 12", "battery lasts 12 hours"),  # a bare number stays
        ("the Lumo 120 is fine", "Lumo 12", "the Lumo 120 is fine"),  # another model stays
        ("Lumo 12", "Lumo 12", "Lumo 12"),  # nothing left: the text as it was
        ("Lumo 12 crashes", None, "Lumo 12 crashes"),
    ],
)
def test_without_model(text: str, model: str | None, expected: str) -> None:
    assert without_model(text, model) == expected
