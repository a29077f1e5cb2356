"""`userloop demo`: a fresh database with the synthetic world, triaged and staged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from userloop.cli.main import app
from userloop.demo import generate
from userloop.store import Store
from userloop.store.tables import feedback, votes


@pytest.mark.slow
def test_demo_loads_the_world_without_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "demo.db"
    today = datetime.now(UTC).date()
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
        last = conn.execute(select(func.max(feedback.c.created_at))).scalar_one()
        cast = conn.execute(select(func.count()).select_from(votes)).scalar_one()
    assert last.date() == today  # the world ends on the day the demo runs
    world = generate(seed=7, n_feedback=400, end=today)
    assert 0 < cast <= len(world.votes)  # votes on the topics of their problems
    shipped = [t for t in topics if t.status == "shipped"]
    assert len(shipped) == 1 and shipped[0].fixed_build == world.builds[3].version  # Bluetooth
    assert {"planned", "in_progress"} <= {t.status for t in topics}
    store.close()


def test_demo_files_reports_without_a_product_under_its_own(tmp_path: Path) -> None:
    """A report sent to the demo through its portal (which names no product) is about the
    demo's phones: it must reach the demo's topics, not open an empty product of its own."""
    from userloop.cli.demo import demo_settings
    from userloop.container import Services
    from userloop.demo.catalog import PRODUCT

    settings = demo_settings(None, {"database_url": None}, tmp_path / "demo.db")
    assert settings.default_product == PRODUCT
    services = Services.build(settings)
    try:
        services.upgrade_schema()
        result = services.intake.submit({"text": "Camera crashes in night mode"})
        assert result.id is not None
        stored = services.feedback.get(result.id)
        assert stored is not None and stored.product == PRODUCT
    finally:
        services.close()
