"""`userloop demo`: a fresh database with the synthetic world, triaged and staged."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from userloop.cli.main import app
from userloop.store import Store


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
