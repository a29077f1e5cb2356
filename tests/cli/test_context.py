"""What every command shares (`userloop.cli.context`): no database is created by accident."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run


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
