"""The language of a topic title, and the title a reader sees (with its fallback), written once
for the portal and the console."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from types import ModuleType

import pytest

from userloop.domain.entities import Topic
from userloop.domain.enums import TopicStatus
from userloop.store import migrations
from userloop.views.portal_models import Representative
from userloop.views.titles import ReaderTitle, reader_title, title_for_reader, title_language


def test_title_language_follows_the_script() -> None:
    counts = {"en": 5, "ru": 2, "zh-Hant": 1, "zh-Hans": 1}
    assert title_language("Battery drains", counts) == "en"
    assert title_language("Батарея садится", counts) == "ru"
    assert title_language("電池耗電", counts) == "zh-Hans"  # ties: by tag
    assert title_language("電池耗電", {"zh-Hant": 2, "zh-Hans": 1}) == "zh-Hant"
    assert title_language("電池", {"en": 3}) == "zh"
    assert title_language("Accu leeg", {"zh-Hans": 3, "nl": 1}) == "nl"
    assert title_language("Accu leeg", {}) == "und"


def test_a_representative_holding_the_title_gives_its_language() -> None:
    reps = [
        Representative("de", "Der Akku ist nach dem Update leer"),
        Representative("nl", "Accu  leeg na de update, elke nacht"),
    ]
    # The Dutch sentence is the title, though German is more frequent.
    assert title_language("Accu leeg na de update", {"de": 4, "nl": 1}, reps) == "nl"
    assert title_language("Something else", {"de": 4, "nl": 1}, reps) == "de"


def test_a_stored_language_wins() -> None:
    assert title_language("Battery drains", {"en": 5}, stored="en-GB") == "en-GB"
    assert title_language("Battery drains", {"en": 5}, stored=None) == "en"


def _topic(title: str, languages: dict[str, int], stored: str | None) -> Topic:
    return Topic(
        id=1,
        product="phone",
        status=TopicStatus.NEW,
        title=title,
        merged_into=None,
        size=sum(languages.values()),
        first_seen=None,
        last_seen=None,
        keywords={},
        representatives={},
        languages=languages,
        builds={},
        models={},
        created_at=datetime.now(UTC),
        title_language=stored,
    )


def test_title_for_reader_is_the_one_title_with_its_language() -> None:
    topic = _topic("Battery drains", {"en": 3, "de": 5}, stored="en")
    assert title_for_reader(topic, "de") == ("Battery drains", "en")
    assert title_for_reader(topic, "en") == ("Battery drains", "en")
    unknown = _topic("Батарея садится", {"en": 3, "ru": 1}, stored=None)
    assert title_for_reader(unknown, "en") == ("Батарея садится", "ru")


def _migration_0006() -> ModuleType:
    from pathlib import Path

    (path,) = (Path(migrations.__file__).parent / "versions").glob("0006_*.py")
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("title", "languages", "reps"),
    [
        ("Battery drains", {"en": 5, "ru": 2}, []),
        ("Батарея садится", {"en": 5, "ru": 2, "uk": 2}, []),
        ("電池", {"en": 3}, []),
        ("Accu leeg", {}, []),
        ("Accu leeg na de update", {"de": 4, "nl": 1}, [("nl", "Accu leeg na de update!")]),
        ("バッテリー", {"ja": 1, "zh-Hans": 3}, [("zh-Hans", "电池")]),
    ],
)
def test_the_migration_fills_titles_with_the_same_rule(
    title: str, languages: dict[str, int], reps: list[tuple[str, str]]
) -> None:
    frozen = _migration_0006().guess_title_language
    samples = [Representative(lang, text) for lang, text in reps]
    assert frozen(title, languages, reps) == title_language(title, languages, samples)


def _multilingual_topic(
    titles: dict[str, str],
    title: str = "更新后电池耗电很快",
    keywords: dict[str, list[str]] | None = None,
) -> Topic:
    return Topic(
        id=1,
        product="phone",
        status=TopicStatus.NEW,
        title=title,
        merged_into=None,
        size=6,
        first_seen=None,
        last_seen=None,
        keywords=keywords or {},
        representatives={},
        languages={"zh-Hans": 3, "en": 2, "ru": 1},
        builds={},
        models={},
        title_language="zh-Hans",
        titles=titles,
    )


def test_the_reader_gets_the_title_in_their_language() -> None:
    topic = _multilingual_topic({"en": "Battery drains overnight", "zh-Hans": "更新后电池耗电很快"})
    assert title_for_reader(topic, "en") == ("Battery drains overnight", "en")
    assert title_for_reader(topic, "en-GB") == ("Battery drains overnight", "en")
    assert title_for_reader(topic, "zh-Hant") == ("更新后电池耗电很快", "zh-Hans")
    # No title in the reader's language: the one title, marked with its own language.
    assert title_for_reader(topic, "de") == ("更新后电池耗电很快", "zh-Hans")
    assert title_for_reader(_multilingual_topic({}), "en") == ("更新后电池耗电很快", "zh-Hans")


_KEYWORDS = {
    "zh-Hans": ["电池", "耗电", "更新", "一晚上"],
    "ru": ["батарея", "садится"],
    "en": [],
}


def test_a_title_in_the_readers_language_is_no_fallback() -> None:
    topic = _multilingual_topic({"en": "Battery drains overnight"}, keywords=_KEYWORDS)
    assert reader_title(topic, "en") == ReaderTitle("Battery drains overnight", "en")
    # The one title, in the reader's language (or its other script): no fallback either.
    assert reader_title(topic, "zh-Hant") == ReaderTitle("更新后电池耗电很快", "zh-Hans")
    english = _topic("Battery drains", {"en": 3, "de": 5}, stored="en-GB")
    assert reader_title(english, "en") == ReaderTitle("Battery drains", "en-GB")
    # Nothing says a title in an unknown language is foreign to the reader.
    assert not reader_title(_topic("Accu leeg", {}, stored=None), "en").fallback
    # No title yet: nothing to fall back on.
    assert reader_title(_multilingual_topic({}, title=""), "en") == ReaderTitle("", "zh-Hans")


def test_the_fallback_gives_the_original_its_language_and_top_keywords() -> None:
    topic = _multilingual_topic({"zh-Hans": "更新后电池耗电很快"}, keywords=_KEYWORDS)
    shown = reader_title(topic, "en")
    assert shown == ReaderTitle(
        "更新后电池耗电很快",
        "zh-Hans",
        fallback=True,
        keywords=("电池", "耗电", "更新"),  # at most three, best first
        keywords_language="zh-Hans",  # none in English: those of the title's language
    )
    # The tuple helper still gives (title, language) for the same topic.
    assert title_for_reader(topic, "en") == (shown.text, shown.language)


def test_the_fallback_prefers_keywords_in_the_readers_language() -> None:
    topic = _multilingual_topic({"zh-Hans": "更新后电池耗电很快"}, keywords=_KEYWORDS)
    shown = reader_title(topic, "ru")
    assert shown.fallback and shown.text == "更新后电池耗电很快"
    assert (shown.keywords, shown.keywords_language) == (("батарея", "садится"), "ru")
    # A reader of Dutch: no Dutch keywords, so those of the title's language.
    assert reader_title(topic, "nl").keywords_language == "zh-Hans"


def test_a_fallback_without_keywords_still_names_its_language() -> None:
    topic = _multilingual_topic({}, keywords={"ru": []})
    assert reader_title(topic, "en") == ReaderTitle("更新后电池耗电很快", "zh-Hans", fallback=True)
    stored = _topic("Батарея садится", {"ru": 2}, stored="ru")
    assert reader_title(stored, "en") == ReaderTitle("Батарея садится", "ru", fallback=True)
