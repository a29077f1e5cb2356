"""Languages of the web pages: every message translated, tags negotiated, values localised."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from userloop.web.catalogue_tools import extract, problems
from userloop.web.i18n import BY_TAG, LANGUAGES, Catalogues, load_catalogue, match_tag, negotiate
from userloop.web.labels import language_display_name


def test_every_message_is_translated_in_every_catalogue() -> None:
    found = list(problems())
    assert not found, "\n".join(found[:40])


def test_extraction_sees_templates_python_and_plurals() -> None:
    ids = {m.id for m in extract()}
    assert "Skip to content" in ids  # base.html
    assert "This page does not exist." in ids  # N_() in setup.py
    assert "Feature request" in ids  # labels.py


def test_missing_translation_is_reported(tmp_path: Path) -> None:
    # An empty set of catalogues: every message must be reported missing, for every language.
    for lang in LANGUAGES:
        (tmp_path / lang.locale / "LC_MESSAGES").mkdir(parents=True)
    found = list(problems(tmp_path))
    assert len(found) == len(extract()) * len(LANGUAGES)
    assert any(line.startswith("ru: missing 'Skip to content'") for line in found)


@pytest.mark.parametrize(
    ("header", "tag"),
    [
        (None, "en"),
        ("", "en"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK,en;q=0.5", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("de-DE,nl;q=0.7,en;q=0.6", "nl"),
        ("fr, en;q=0.1", "en"),
        ("ru;q=0, nl", "nl"),
        ("xx, *", "en"),
        ("en;q=garbage, ru", "ru"),
    ],
)
def test_negotiate_accept_language(header: str | None, tag: str) -> None:
    assert negotiate(header).tag == tag


def test_match_tag() -> None:
    assert match_tag("zh_TW") is BY_TAG["zh-hant"]
    assert match_tag("NL-be") is BY_TAG["nl"]
    assert match_tag("") is None
    assert match_tag("klingon") is None


def test_translator_localises_messages_numbers_and_dates() -> None:
    catalogues = Catalogues()
    ru = catalogues.translator(BY_TAG["ru"])
    assert ru.gettext("Sign out") == "Выйти"
    assert ru.number(12345) == "12\xa0345"
    when = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    assert "2026" in ru.date(when) and "мар" in ru.date(when)
    zh = catalogues.translator(BY_TAG["zh-hans"])
    assert zh.date(when) == "2026年3月5日"
    hant = catalogues.translator(BY_TAG["zh-hant"])
    assert hant.gettext("Sign out") == "登出"
    nl = catalogues.translator(BY_TAG["nl"])
    assert nl.number(1234.5) == "1.234,5"
    assert nl.gettext("Some fields are missing or invalid: %(fields)s", fields="x").endswith(": x")


def test_language_names_come_from_the_catalogue_else_from_babel() -> None:
    catalogues = Catalogues()
    en, ru = catalogues.translator(BY_TAG["en"]), catalogues.translator(BY_TAG["ru"])
    zh = catalogues.translator(BY_TAG["zh-hans"])
    assert language_display_name("zh", en) == "Chinese"
    assert language_display_name("zh", zh) == "中文"  # the catalogue's
    assert language_display_name("zh-Hans", ru) == ru.gettext("Chinese (Simplified)")
    assert language_display_name("pt-BR", en) == "Portuguese"  # a region of a named language
    assert language_display_name("vi", en) == "Vietnamese"  # no catalogue entry: Babel's
    assert language_display_name("vi", zh) == "越南语"
    assert language_display_name("qaa", en) == "qaa"  # nobody's name: the tag


def test_catalogue_parts_are_merged(tmp_path: Path) -> None:
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for part, (msgid, msgstr) in {"a": ("One", "Een"), "b": ("Two", "Twee")}.items():
        (folder / f"{part}.po").write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
            f'msgid "{msgid}"\nmsgstr "{msgstr}"\n',
            encoding="utf-8",
        )
    catalogue = load_catalogue("nl", tmp_path)
    assert catalogue.gettext("One") == "Een"
    assert catalogue.gettext("Two") == "Twee"
    assert catalogue.gettext("Three") == "Three"
