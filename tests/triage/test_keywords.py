"""Topic keywords and titles on small texts of our own (Chinese, Russian, English)."""

from __future__ import annotations

import pytest

from userloop.triage.topics import keywords as kw
from userloop.triage.topics.keywords import (
    base_language,
    keywords,
    sentences,
    title,
    tokenize,
    trim,
)

ZH = [
    "更新后手表无法同步步数数据",
    "手表同步失败，蓝牙一直断开",
    "步数同步太慢了，蓝牙连接不稳定",
]
RU = [
    "После обновления часы не синхронизируются с телефоном",
    "Часы не синхронизируются, шаги не считаются",
    "Часы теряют связь по Bluetooth и не синхронизируются",
]
EN = [
    "The watch does not sync steps after the update",
    "Sync fails every time and the watch keeps disconnecting",
    "Data arrives slowly, my watch drops the connection",
]
BACKGROUND = {
    "en": [
        "I love my new watch, great battery",
        "Please add a dark mode to the watch face",
        "The watch is comfortable and pretty",
    ],
    "ru": ["Добавьте тёмную тему", "Часы отличные, батарея держит долго"],
    "zh": ["请增加深色模式", "电池耗电太快"],
}


def test_chinese_is_segmented_into_words_with_jieba() -> None:
    tokens = tokenize(ZH[1], "zh-Hans")
    assert "同步" in tokens and "蓝牙" in tokens
    assert "，" not in tokens
    assert keywords({"zh": ZH}, k=3)["zh"][0] == "同步"


def test_chinese_falls_back_to_bigrams_without_jieba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kw, "_jieba_cut", lambda: None)
    tokens = tokenize("手表同步", "zh")
    assert tokens == ["手表", "表同", "同步"]
    assert "同步" in keywords({"zh": ZH}, k=5)["zh"]


def test_keywords_per_language_skip_stopwords() -> None:
    result = keywords({"ru": RU, "en": EN, "zh": ZH}, k=4)
    assert set(result) == {"ru", "en", "zh"}
    assert "синхронизируются" in result["ru"]
    assert "sync" in result["en"]
    stop = kw.STOPWORDS["en"] | kw.STOPWORDS["ru"]
    assert not any(word in stop for words in result.values() for word in words)
    assert all(len(words) <= 4 for words in result.values())


def test_background_pushes_down_words_every_topic_uses() -> None:
    alone = keywords({"en": EN}, k=8)["en"]
    against = keywords({"en": EN}, k=8, background=BACKGROUND)["en"]
    assert alone[0] == "watch"  # in all three texts: first by frequency
    assert against[0] == "sync"  # "watch" is in every background text too
    assert "watch" not in against[:3]


def test_phrases_need_two_texts_and_replace_their_words() -> None:
    texts = ["Please add dark mode", "Dark mode would be great", "I want a dark mode option"]
    result = keywords({"en": texts}, k=3)["en"]
    assert result[0] == "dark mode"
    assert "dark" not in result and "mode" not in result
    assert "mode option" not in result  # in one text only


def test_placeholders_numbers_and_empty_languages() -> None:
    result = keywords({"en": ["Send logs to [email] 2024 now", "logs [email]"], "fr": ["le la"]})
    assert "email" not in result["en"] and "2024" not in result["en"]
    assert result["en"][0] == "logs"
    assert "fr" not in result  # nothing but stopwords


def test_base_language() -> None:
    assert base_language("zh-Hans") == "zh"
    assert base_language("pt_BR") == "pt"
    assert base_language(" EN ") == "en"


def test_title_uses_the_sentence_with_a_keyword_trimmed() -> None:
    text = (
        "Great watch!! But since the last update the app cannot sync my steps anymore and I "
        "have to restart the phone every single day to get it going again."
    )
    t = title(["sync", "steps"], text)
    assert t.startswith("But since the last update")
    assert len(t) <= 80 and t.endswith("…")
    assert not t[:-1].endswith(" ")
    assert title(["battery"], "Short one. Second sentence.") == "Short one"
    zh = "更新后手表无法同步步数数据。其他都很好。"
    assert title(["同步"], zh) == "更新后手表无法同步步数数据"
    assert title(["sync", "bluetooth"], "") == "sync, bluetooth"


def test_trim() -> None:
    assert trim("  a   b  ") == "a b"
    long = "word " * 40
    cut = trim(long, 30)
    assert len(cut) <= 30 and cut.endswith("…") and "wor…" not in cut
    assert trim("长" * 100, 10) == "长" * 9 + "…"


def test_large_topics_take_keywords_from_an_even_spread_of_texts() -> None:
    from userloop.topics.lifecycle import KEYWORD_TEXTS, spread

    items = list(range(1000))
    picked = spread(items, 10)
    assert picked == list(range(0, 1000, 100))
    assert spread(items, 10) == picked  # the same every time
    assert spread(items[:7], 10) == items[:7]
    assert len(spread(items * 3, KEYWORD_TEXTS)) == KEYWORD_TEXTS


def test_sentences_split_where_readers_see_a_new_sentence() -> None:
    # NFKC turns "？" into "?", which no space follows in Chinese
    assert sentences("怎么回事?还是没修好。更新后夜景模式坏了") == [
        "怎么回事?",
        "还是没修好。",
        "更新后夜景模式坏了",
    ]
    assert sentences("Не знаю, известно ли вам, но: Экран мерцает.") == [
        "Не знаю, известно ли вам, но:",
        "Экран мерцает.",
    ]
    # a colon inside a clause, a time, a question mark before a Latin word: one sentence each
    assert sentences("Feature request: built-in app locker.") == [
        "Feature request: built-in app locker."
    ]
    assert sentences("Time: 10:30 pm. Why?not") == ["Time: 10:30 pm.", "Why?not"]
    assert sentences("  \n ") == []
