"""Running the command line in-process, for the CLI tests."""

from __future__ import annotations

from typer.testing import CliRunner

from userloop.cli.main import app


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `userloop --database-url URL ARGS...`."""
    result = CliRunner().invoke(app, ["--database-url", database_url, *args])
    return result.exit_code, result.stdout, result.stderr
