"""`userloop export feedback` and `export topics`. The other commands' tests sit next to this
file, one per module of `userloop.cli` (test_token.py, test_triage.py, ...)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from tests.cli.support import run
from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store


def test_export_jsonl_and_csv(store: Store, settings: Settings, tmp_path: Path) -> None:
    intake = IntakeService(store, settings)
    intake.submit_batch(
        [
            {"text": "Экран мерцает", "source": "forum", "external_id": "1", "region": "RU"},
            {
                "text": "屏幕闪烁, 电话 13800138000",
                "source": "app",
                "external_id": "2",
                "rating": 2,
            },
        ]
    )
    code, out, _ = run(settings.database_url, "export", "feedback", "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["external_id"] for r in rows] == ["1", "2"]
    expected = {"id", "source", "external_id", "text", "language", "rating", "model", "build"}
    assert expected | {"channel", "region", "created_at"} <= set(rows[0])
    assert rows[1]["text"] == "屏幕闪烁, 电话 [phone]"
    target = tmp_path / "out.csv"
    code, _, _ = run(
        settings.database_url, "export", "feedback", "--format", "csv", "-o", str(target)
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["text"] for r in table] == ["Экран мерцает", "屏幕闪烁, 电话 [phone]"]
    assert table[1]["redacted"] == "phone" and table[1]["rating"] == "2"


def _documented_fields(command: str) -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    section = text.split(f"## `userloop export {command}`", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"Fields, in order: `([^`]+)`", section.replace("\n", " "))
    assert found, f"docs/cli.md: export {command} lacks 'Fields, in order: `...`'"
    return [f.strip() for f in found.group(1).split(",")]


def test_export_csv_cells_are_plain_and_fields_match_the_docs(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    from tests.triage_fakes import fake_triage

    triage = fake_triage(store, settings)
    IntakeService(store, settings).submit_batch(
        [
            {"text": "Battery drains overnight, mail a@b.nl", "external_id": "1", "rating": 2},
            {"text": "Батарея садится за ночь", "external_id": "2"},
        ],
        default_source="forum",
    )
    triage.drain()
    url = settings.database_url
    for command in ("feedback", "topics"):
        documented = _documented_fields(command)
        code, out, err = run(url, "export", command)
        assert code == 0, err
        rows = [json.loads(line) for line in out.splitlines()]
        assert rows and all(list(r) == documented for r in rows), command
        target = tmp_path / f"{command}.csv"
        code, _, err = run(url, "export", command, "--format", "csv", "-o", str(target))
        assert code == 0, err
        with target.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            assert next(reader) == documented, command
            cells = [cell for row in reader for cell in row]
        assert not [c for c in cells if c.startswith(("[", "{"))], command  # no JSON in cells
    feedback = list(csv.DictReader((tmp_path / "feedback.csv").open(encoding="utf-8")))
    first = feedback[0]
    assert first["redacted"] == "email"
    assert first["labels"] == "bug" and first["kind"] == "bug"
    assert first["kind_scores"].startswith("bug=0.9;") and "feature=0.1" in first["kind_scores"]
    (topic,) = csv.DictReader((tmp_path / "topics.csv").open(encoding="utf-8"))
    assert topic["member_ids"] == "1;2"
    assert {"en=1", "ru=1"} == set(topic["languages"].split(";"))
    assert re.fullmatch(r"(\w[\w-]*=[^;=]+)(;\w[\w-]*=[^;=]+)*", topic["keywords"])
