"""`userloop db ...`: schema migrations, an explicit step."""

from __future__ import annotations

import typer

from userloop.cli.context import get
from userloop.store import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the current version."""
    cli = get(ctx)
    store = cli.services(require_schema=False, create=True).store
    store.upgrade()
    cli.console.print(f"database at revision {migrate.current_revision(store.engine)}")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the database's schema revision and whether it is up to date."""
    store = get(ctx).services(require_schema=False).store
    rev = migrate.current_revision(store.engine)
    head = migrate.head_revision(store.engine)
    typer.echo(f"{rev or 'empty'} (head {head}){'' if rev == head else ' - upgrade needed'}")
