"""The command line, run in-process: db, tokens, export, settings, demo."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from userloop.cli.main import app
from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--database-url", database_url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_commands_refuse_a_database_without_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, _, err = run(url, "token", "list")
    assert code == 1
    assert "run `userloop db upgrade` first" in err.replace("\n", " ")
    code, _, err = run(url, "db", "upgrade")
    assert code == 0 and "revision 0003" in err
    code, out, _ = run(url, "db", "current")
    assert code == 0 and out.startswith("0003 (head 0003)")


def test_token_lifecycle(store: Store, settings: Settings) -> None:
    url = settings.database_url
    code, out, err = run(url, "token", "create", "--scope", "ingest", "--scope", "read")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("ul_") and len(token) > 40
    code, _, err = run(url, "token", "list")
    assert code == 0 and "ingest,read" in err and token not in err
    assert run(url, "token", "revoke", "1")[0] == 0
    code, _, err = run(url, "token", "revoke", "1")
    assert code == 1 and "no active token with id 1" in err
    code, _, err = run(url, "token", "create", "--scope", "admin")
    assert code == 2 and "admin" in err


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


def test_settings_lists_every_setting(tmp_path: Path) -> None:
    code, out, _ = run(f"sqlite:///{tmp_path / 'x.db'}", "settings")
    assert code == 0
    assert "import_batch_size = 1000" in out
    assert "secret_key = (hidden)" in out


def test_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("port = 'eighty'\n")
    result = CliRunner().invoke(app, ["--config", str(cfg), "settings"])
    assert result.exit_code == 1
    assert "invalid settings: port" in result.stderr


@pytest.mark.slow
def test_demo_loads_the_world_without_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(db), "--size", "400", "--no-serve"])
    assert result.exit_code == 0, result.stderr
    assert "400 feedback items" in result.stderr
    token = result.stderr.split("demo API token (ingest, read): ")[1].split()[0]
    assert token.startswith("ul_")
    assert "demo console sign-in: user admin, password " in result.stderr
    store = Store.from_url(f"sqlite:///{db}")
    with store.read() as conn:
        assert store.feedback.count(conn) == 400
        assert store.install_base.count(conn) > 1000
        topics = store.topics.all(conn)
        # Triaged before serving: every item sits in a topic.
        assert sum(len(store.triage.members(conn, t.id)) for t in topics) == 400
        assert [u.username for u in store.users.all(conn)] == ["admin"]
    shipped = [t for t in topics if t.status == "shipped"]
    assert len(shipped) == 1 and shipped[0].fixed_build == "3.4.2640"  # build #4 fixes Bluetooth
    assert {"planned", "in_progress"} <= {t.status for t in topics}
    store.close()


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
