"""The priority sentence from stored parts: English without catalogues (the CLI), counts-only
and empty parts, plural-safe counts, and the words for trend, segment, kind and sentiment."""

from __future__ import annotations

from typing import Any

from userloop.views.priority_sentence import PlainEnglish, priority_sentence, share_text


def _parts(**changes: Any) -> dict[str, Any]:
    parts: dict[str, Any] = {
        "mode": "devices",
        "window": {"days": 28},
        "reach": {"reporters": 12},
        "where": {
            "models": ["Lumo 12"],
            "builds": ["3.4.2639"],
            "regions": ["RU", "CN"],
            "share": 0.021,
        },
        "trend": {"last_7_days": 17, "previous_7_days": 5},
        "mostly": "pro",
        "kind": "bug",
        "sentiment": -0.8,
    }
    parts.update(changes)
    return parts


def test_the_sentence_of_the_issue() -> None:
    assert priority_sentence(PlainEnglish(), _parts()) == (
        "about 2.1% of Lumo 12 on build 3.4.2639 in RU and CN; 3.4× last week; "
        "mostly pro users; bug, very negative"
    )


def test_counts_only_plurals_and_missing_parts() -> None:
    t = PlainEnglish()
    one = _parts(
        mode="counts",
        reach={"reporters": 1},
        where={"models": [], "builds": ["1.0", "1.1"], "regions": [], "share": 0.5},
        trend={"last_7_days": 1, "previous_7_days": 0},
        mostly=None,
        kind="feature",
        sentiment=0.1,
    )
    assert priority_sentence(t, one) == (
        "1 reporter on any model on builds 1.0 and 1.1; new this week; feature request, neutral"
    )
    none = _parts(reach={"reporters": 0}, trend={}, mostly=None, kind=None)
    assert priority_sentence(t, none) == "no reports in the last 28 days"
    assert priority_sentence(t, {}) == ""
    quiet = _parts(trend={"last_7_days": 0, "previous_7_days": 4}, mostly=None, kind=None)
    assert priority_sentence(t, quiet).endswith("; none in the last 7 days")
    steady = _parts(where={"share": 0.12}, trend={"last_7_days": 10, "previous_7_days": 9})
    assert priority_sentence(t, steady).startswith(
        "about 12% of all devices; about as many as last week"
    )


def test_shares_keep_two_significant_digits() -> None:
    en = PlainEnglish().locale
    assert [share_text(en, s) for s in (0.021, 0.00035, 0.12, 0.0)] == [
        "2.1%",
        "0.035%",
        "12%",
        "0%",
    ]
