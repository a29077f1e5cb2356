"""`userloop eval emerging`: IDEA's file formats and its scoring, on small inputs written here
(the real runs read IDEA's apps from ../shared, which tests never need)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tests.triage_fakes import components
from userloop.config import Settings
from userloop.eval.idea import (
    Review,
    SimilarWords,
    idea_versions,
    label_words,
    parse_changelog,
    parse_reviews,
    read_app,
    run_idea_eval,
    score,
    version_labels,
    words_match,
)


def test_reviews_of_both_stores_are_read() -> None:
    lines = [
        "2.0******keyboard crash on start******2015-05-25******5.0.2.4",
        "5******map be slow******slow******Apr 30, 2016******3.8******US",
        "x******no rating here******2015-05-26******5.0.2.4",
        "broken line without fields",
    ]
    reviews = parse_reviews(lines)
    assert [(r.line, r.rating, r.version) for r in reviews] == [
        (1, 2, "5.0.2.4"),
        (2, 5, "3.8"),
        (3, None, "5.0.2.4"),
    ]
    assert reviews[0].created_at is not None and reviews[0].created_at.year == 2015
    assert reviews[1].created_at is not None and reviews[1].created_at.month == 4
    assert reviews[1].text == "map be slow"


def test_versions_are_those_with_enough_reviews_in_numeric_order() -> None:
    def many(version: str, n: int) -> list[Review]:
        return [Review(i, 5, "ok", None, version) for i in range(n)]

    reviews = many("3.15", 3) + many("3.9", 3) + many("3.10", 1) + many("Unknown", 5)
    assert idea_versions(reviews, min_reviews=2) == ["3.9", "3.15"]


def test_changelog_lines_are_issues_of_key_words() -> None:
    assert parse_changelog(["warn alert, forecast,  ", "", "auto location track"]) == [
        [["warn", "alert"], ["forecast"]],
        [],
        [["auto", "location", "track"]],
    ]


def test_words_match_by_part_and_plural() -> None:
    assert words_match("alert", "alerts")
    assert words_match("location", "auto_location")
    assert words_match("theme", "dark theme")
    assert not words_match("alert", "alarm")
    assert not words_match("", "alarm")


def _embed(texts: Sequence[str]) -> np.ndarray:
    """Hand-made vectors: warn and alert point the same way, the rest apart."""
    table = {"warn": [1.0, 0.1, 0.0], "alert": [1.0, 0.0, 0.0], "radar": [0.0, 1.0, 0.0]}
    return np.array([table.get(t, [0.0, 0.0, 1.0]) for t in texts])


def test_similar_words_use_the_embedding_cosine() -> None:
    similar = SimilarWords(_embed)
    similar.prepare(["warn", "radar_alert"])
    assert similar("warn", "radar_alert")  # cosine of warn and alert ~ 0.995
    assert not similar("warn", "radar")
    assert similar("radars", "radar")  # equal words match without the embedder
    assert SimilarWords(_embed, threshold=0.999)("warn", "alert") is False


def test_label_words_skip_stop_words() -> None:
    assert label_words({"en": ["the", "great", "crash", "it say", "keyboard", "theme"]}) == [
        "crash",
        "it say",
        "keyboard",
    ]


def test_version_labels_skip_words_a_larger_topic_shows() -> None:
    topics = [
        {"en": ["weather", "radar", "accurate"]},
        {"en": ["radar", "weather", "alert", "storm", "warn"]},
        {"en": ["storm warning", "apple watch", "watch face", "ipad"]},
        {"en": ["weather", "radar"]},  # nothing left: dropped
    ]
    assert version_labels(topics) == [
        ["weather", "radar", "accurate"],
        ["alert", "storm", "warn"],
        # "storm warning" shares "storm" with the larger topic; words of one topic may overlap
        ["apple watch", "watch face", "ipad"],
    ]


def test_scoring_follows_idea() -> None:
    versions = ["1", "2", "3", "4"]
    changelog = [
        [["dark", "theme"]],
        [["battery", "drain"], ["widget"]],
        [],
        [["crash"]],
    ]
    labels = {
        "1": [["theme", "color"]],  # covers 1 of 3 issues (its own and version 2's)
        "2": [["battery"], ["widget", "size"]],  # covers both issues of version 2
        "4": [["login"]],  # covers none
    }
    emerging = {
        "2": [["battery", "drain"], ["ads", "price"]],  # 1 of 2 right
        "3": [["crash"]],  # version 3 has no changelog: not scored
        "4": [],  # no flags: no precision for version 4
    }
    result = score(versions, changelog, labels, emerging)
    rows = {row["version"]: row for row in result["versions"]}
    assert set(rows) == {"1", "2", "4"}
    assert rows["1"]["recall"] == pytest.approx(1 / 3)
    assert rows["2"]["recall"] == pytest.approx(1.0)  # version 3 has no changelog to add
    assert rows["4"]["recall"] == 0.0
    assert rows["2"]["precision"] == pytest.approx(0.5)
    assert rows["2"]["emerging_recall"] == pytest.approx(0.5)
    assert "precision" not in rows["4"] and "precision" not in rows["1"]
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx((1 / 3 + 1 + 0) / 3)
    p, r = result["precision"], result["recall"]
    assert result["f_hybrid"] == pytest.approx(2 * p * r / (p + r))
    assert result["versions_with_flags"] == 1 and result["versions_scored"] == 3


def test_duplicate_issues_count_once_in_the_numerator_as_in_idea() -> None:
    result = score(["1", "2"], [[["chat"]], [["chat"]]], {"1": [["chat"]]}, {})
    assert result["versions"][0]["recall"] == pytest.approx(0.5)


def _write_app(folder: Path) -> None:
    folder.mkdir(parents=True)
    lines = [
        f"4.0******dark theme please {i}******2020-01-{1 + i % 20:02d}******1.0" for i in range(60)
    ]
    lines += [
        f"1.0******battery drain since update {i}******2020-02-{1 + i % 20:02d}******1.1"
        for i in range(40)
    ]
    lines += [
        f"4.0******dark theme please {i}******2020-02-{1 + i % 20:02d}******1.1" for i in range(20)
    ]
    (folder / "total_info.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "changelog_tiny.txt").write_text("dark theme\nbattery drain\n", encoding="utf-8")


def test_a_tiny_app_end_to_end(tmp_path: Path) -> None:
    _write_app(tmp_path / "idea" / "tiny")
    app = read_app(tmp_path / "idea" / "tiny")
    assert app.versions == ["1.0", "1.1"] and len(app.reviews) == 120
    lines: list[str] = []
    result = run_idea_eval(
        tmp_path,
        settings=Settings(),
        components=lambda s: components(0.6),
        embed=_embed,
        out=lines.append,
    )
    tiny = result["apps"]["tiny"]
    assert tiny["exact"]["precision"] == pytest.approx(1.0)
    assert tiny["store_order_matches"]
    assert tiny["flags"] >= 1
    assert tiny["precision"] == pytest.approx(1.0)
    assert tiny["recall"] > 0 and tiny["f_hybrid"] > 0
    assert any(line.startswith("tiny") for line in lines)


def test_a_changelog_that_does_not_fit_the_versions_is_refused(tmp_path: Path) -> None:
    _write_app(tmp_path / "idea" / "tiny")
    (tmp_path / "idea" / "tiny" / "changelog_tiny.txt").write_text("one line\n")
    with pytest.raises(ValueError, match="1 changelog lines for 2 versions"):
        read_app(tmp_path / "idea" / "tiny")
    with pytest.raises(FileNotFoundError):
        run_idea_eval(tmp_path, settings=Settings(), app="other")
