"""`userloop db upgrade` and `db current`."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run
from userloop.store import migrations

# The newest migration's id: the file names start with it.
HEAD_REVISION = max(
    p.name[:4] for p in (Path(migrations.__file__).parent / "versions").glob("0*.py")
)


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
