"""`userloop import FILE`: the summary, the rejects file, a bad mapping."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import run
from userloop.config import Settings
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
