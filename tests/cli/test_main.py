"""The `userloop` root: its options, and settings built once for every command."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from userloop.cli.main import app


def test_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("port = 'eighty'\n")
    result = CliRunner().invoke(app, ["--config", str(cfg), "settings"])
    assert result.exit_code == 1
    assert "invalid settings: port" in result.stderr
