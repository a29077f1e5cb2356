"""The command line, run in-process: db, tokens, export, settings, demo."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from userloop.cli.context import CliContext
from userloop.cli.main import app
from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store, migrations
from userloop.topics.similar import SimilarItem, SimilarTopic

# The newest migration's id: the file names start with it.
HEAD_REVISION = max(
    p.name[:4] for p in (Path(migrations.__file__).parent / "versions").glob("0*.py")
)


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--database-url", database_url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_commands_refuse_a_database_without_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, _, err = run(url, "token", "list")
    assert code == 1
    assert "run `userloop db upgrade` first" in err.replace("\n", " ")
    head = HEAD_REVISION
    code, _, err = run(url, "db", "upgrade")
    assert code == 0 and f"revision {head}" in err
    code, out, _ = run(url, "db", "current")
    assert code == 0 and out.startswith(f"{head} (head {head})")


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
    assert "secret_key = (generated per installation)" in out


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


def test_a_missing_sqlite_file_is_refused_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nothing-here.db"
    url = f"sqlite:///{db}"
    for args in (
        ("token", "list"),
        ("db", "current"),
        ("export", "feedback"),
        ("import", str(tmp_path / "x.jsonl")),
        ("similar", "--text", "battery"),
    ):
        if args[0] == "import":
            (tmp_path / "x.jsonl").write_text('{"text": "hi"}\n', encoding="utf-8")
        code, _, err = run(url, *args)
        assert code == 1, (args, err)
        text = " ".join(err.split())
        assert f"no database at {db}; run `userloop db upgrade` first" in text, args
        assert not db.exists(), args
        assert not list(tmp_path.glob("nothing-here.db*")), args
    code, _, err = run(url, "db", "upgrade")
    assert code == 0, err
    assert db.is_file()
    assert run(url, "token", "list")[0] == 0


class _StubSimilar:
    """What `Triage.similar` answers, fixed: the CLI's part is checking and printing."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def topics(self, text: str, language: str | None = None, k: int = 5) -> list[Any]:
        self.asked.append(text)
        rows = [
            SimilarTopic(7, 0.8123, "Battery drains overnight", "open", 12, 3, "Battery", "en"),
            SimilarTopic(9, 0.0, "Camera crashes", "open", 4, None, None, None),
            SimilarTopic(2, -0.2, "Dark mode", "planned", 3, None, None, None),
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
    monkeypatch.setattr(CliContext, "triage", lambda self: SimpleNamespace(similar=stub))
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


def test_readme_eval_example_needs_no_folder_the_user_lacks() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (line,) = [x for x in readme.splitlines() if x.startswith("userloop eval")]
    assert "../shared" not in line and "--datasets" in line
    assert "minibar/clustering/" in readme
