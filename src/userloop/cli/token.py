"""`userloop token ...`: API tokens for ingestion and reading."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from userloop.cli.context import fail, get
from userloop.domain.enums import TokenScope

app = typer.Typer(help="API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    scope: Annotated[
        list[TokenScope],
        typer.Option("--scope", help="ingest, read, triage and/or release; repeat for several"),
    ],
    name: Annotated[str, typer.Option(help="What the token is for")] = "api",
) -> None:
    """Create a token; it is printed once on stdout and stored only as a hash."""
    try:
        issued = get(ctx).services().tokens.create(name, frozenset(scope))
    except ValueError as exc:
        fail(str(exc))
    get(ctx).console.print(
        f"token {issued.info.id} ({name}) with scopes {', '.join(sorted(issued.info.scopes))}; "
        "it will not be shown again:"
    )
    typer.echo(issued.token)


@app.command("list")
def list_tokens(ctx: typer.Context) -> None:
    """List tokens (never their secrets)."""
    table = Table("id", "name", "prefix", "scopes", "created", "revoked")
    for t in get(ctx).services().tokens.list():
        table.add_row(
            str(t.id),
            t.name,
            t.prefix + "…",
            ",".join(sorted(t.scopes)),
            t.created_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if t.revoked else "",
        )
    get(ctx).console.print(table)


@app.command("revoke")
def revoke(ctx: typer.Context, token_id: int) -> None:
    """Revoke a token by id; requests with it are refused from then on."""
    if not get(ctx).services().tokens.revoke(token_id):
        fail(f"no active token with id {token_id}")
    get(ctx).console.print(f"token {token_id} revoked")
