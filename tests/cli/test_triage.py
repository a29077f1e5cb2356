"""`userloop similar` (the triage commands' query): checking the question, printing answers."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from tests.cli.support import run
from userloop import container
from userloop.cli.context import CliContext
from userloop.config import Settings
from userloop.store import Store
from userloop.topics.similar import SimilarItem, SimilarTopic


class _StubSimilar:
    """What the similar service answers, fixed: the CLI's part is checking and printing."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def topics(self, text: str, language: str | None = None, k: int = 5) -> list[Any]:
        self.asked.append(text)
        rows = [
            SimilarTopic(
                7, 0.8123, "Battery drains overnight", "en", "open", 12, 3, "Battery", "en"
            ),
            SimilarTopic(9, 0.0, "Camera crashes", "en", "open", 4, None, None, None),
            SimilarTopic(2, -0.2, "Dark mode", None, "planned", 3, None, None, None),
        ]
        return [r for r in rows if "zzz" not in text][:k]

    def items(self, **kwargs: Any) -> list[Any]:
        return [
            SimilarItem(5, 0.7, 0.65, "forum", "f5", "Battery dies at night", 7),
            SimilarItem(6, -0.1, -0.05, "forum", "f6", "Unrelated", None),
        ]


def test_similar_refuses_empty_text_and_drops_weak_results(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = _StubSimilar()
    monkeypatch.setattr(CliContext, "triage", lambda self: SimpleNamespace())  # no models
    monkeypatch.setattr(container, "build_similar", lambda triage: stub)
    url = settings.database_url
    for empty in ("", "   \n "):
        code, out, err = run(url, "similar", "--text", empty)
        assert code == 1 and out == ""
        assert "--text is empty" in err
    assert stub.asked == []

    code, out, _ = run(url, "similar", "--text", "battery", "--k", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["similarity", "topic", "size", "status", "title"]
    assert len(lines) == 2 and lines[1].split()[:2] == ["0.812", "7"]  # 0.0 and -0.2 dropped
    code, out, _ = run(url, "similar", "--text", "battery", "--json")
    assert [r["topic_id"] for r in json.loads(out)] == [7]

    code, out, err = run(url, "similar", "--text", "zzz")
    assert code == 0 and out == "" and "no similar topics" in err
    code, out, _ = run(url, "similar", "--source", "forum", "--external-id", "f1")
    lines = out.splitlines()
    assert lines[0].split() == ["score", "similarity", "item", "topic", "text"]
    assert len(lines) == 2 and lines[1].split()[:4] == ["0.650", "0.700", "5", "7"]
