"""Entry point: `userloop` builds settings once and hands them to each command.

One module per command or command group, named after it (`import_` because `import` is a
keyword).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from userloop import __version__
from userloop.cli import db, export, model, release, secret, token, user
from userloop.cli import eval as evaluate  # not `eval`: that is a builtin
from userloop.cli.context import CliContext
from userloop.cli.demo import demo
from userloop.cli.emerging import emerging
from userloop.cli.import_ import import_file
from userloop.cli.install_base import install_base
from userloop.cli.priorities import priorities
from userloop.cli.release_check import release_check
from userloop.cli.serve import serve
from userloop.cli.settings import show_settings
from userloop.cli.simulate import simulate_command
from userloop.cli.triage import recluster, similar, triage, worker

app = typer.Typer(
    name="userloop",
    help="userloop: every user becomes your R&D.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(token.app, name="token")
app.add_typer(user.app, name="user")
app.add_typer(export.app, name="export")
app.add_typer(evaluate.app, name="eval")
app.add_typer(model.app, name="model")
app.add_typer(secret.app, name="secret")
app.add_typer(release.app, name="release")
release.app.command("check")(release_check)  # in its own module: the gates' job
app.command("import")(import_file)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("settings")(show_settings)
app.command("triage")(triage)
app.command("worker")(worker)
app.command("recluster")(recluster)
app.command("similar")(similar)
app.command("emerging")(emerging)
app.command("priorities")(priorities)
app.command("install-base")(install_base)
app.command("simulate")(simulate_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="USERLOOP_CONFIG", help="TOML settings file"),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Overrides USERLOOP_DATABASE_URL")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version")
    ] = False,
) -> None:
    cli = CliContext(config_file=config, overrides={"database_url": database_url})
    ctx.obj = cli
    ctx.call_on_close(cli.close)


def main() -> None:
    app()
