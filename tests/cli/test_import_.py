"""`userloop import FILE`: the summary, the rejects file, a bad mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run
from userloop.config import Settings
from userloop.intake.importers import presets
from userloop.intake.importers.presets import PRESETS, Preset, _plain
from userloop.registry import Registry
from userloop.store import Store


def test_import_command_reports_and_rejects(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "forum.jsonl"
    src.write_text(
        '{"external_id": "f1", "text": "Wifi drops after update", "region": "NL"}\n'
        "not json\n"
        '{"external_id": "f2", "text": "Wifi valt weg na de update", "rating": 9}\n',
        encoding="utf-8",
    )
    code, _, err = run(settings.database_url, "import", str(src), "--no-progress")
    assert code == 0, err
    assert "imported" in err and "rejected" in err
    rejects = [
        json.loads(x) for x in (tmp_path / "forum.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejects] == [2, 3]
    table = tmp_path / "survey.csv"
    table.write_text("body,stars\nBattery is great,5\n", encoding="utf-8")
    code, _, err = run(settings.database_url, "import", str(table), "--map", "text=missing")
    assert code == 1 and "missing" in err
    with store.read() as conn:
        assert store.feedback.count(conn) == 1


def test_presets_come_from_the_registry_and_an_unknown_one_stores_nothing(
    store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "reviews.csv"
    src.write_text("Review Text,Star Rating\nBattery drains overnight,1\n", encoding="utf-8")
    code, _, err = run(settings.database_url, "import", str(src), "--preset", "itunes")
    assert code == 1 and "unknown preset 'itunes'; presets are google-play, app-store" in err
    with store.read() as conn:
        assert store.feedback.count(conn) == 0
    # A preset a plugin registers is accepted by the command as the built-in ones are.
    fresh = Registry[Preset]("import preset", "userloop.import_presets.test")
    for plugin in PRESETS:
        fresh.register(plugin.name, plugin.factory, plugin.help)
    texts_only = Preset(
        name="texts-only",
        source="texts",
        title="Texts only",
        fields={"text": _plain("Review Text", required=True)},
        columns=("Review Text", "Star Rating"),
    )
    fresh.register("texts-only", texts_only, "test preset")
    monkeypatch.setattr(presets, "PRESETS", fresh)
    code, _, err = run(settings.database_url, "import", str(src), "--preset", "texts-only")
    assert code == 0, err
    with store.read() as conn:
        assert store.feedback.count(conn) == 1
