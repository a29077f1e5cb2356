"""`userloop settings`."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run


def test_settings_lists_every_setting(tmp_path: Path) -> None:
    code, out, _ = run(f"sqlite:///{tmp_path / 'x.db'}", "settings")
    assert code == 0
    assert "import_batch_size = 1000" in out
    assert "secret_key = (generated per installation)" in out
