"""`userloop secret ...`: the installation's generated keys."""

from __future__ import annotations

import typer

from userloop.cli.context import fail, get

app = typer.Typer(help="The installation's secret keys.", no_args_is_help=True)


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Say where the keys come from (the setting, or generated and kept in the database)."""
    cli = get(ctx)
    services = cli.services()
    typer.echo(f"keys from: {services.keys.source}")
    if services.keys.source == "database":
        since = services.signing_key_created()
        typer.echo(f"signing key created: {since.isoformat() if since else 'unknown'}")


@app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Replace the generated signing key: every staff session ends and every "My reports" link
    stops working (reporters get a new one with their next report). Reporter pseudonyms keep
    their own key. Restart running servers so they read the new key."""
    cli = get(ctx)
    services = cli.services()
    if services.keys.source == "setting":
        fail(
            "secret_key is set in the configuration: rotate it there (see docs/security.md); "
            "this command rotates only a generated key"
        )
    services.rotate_signing_key("cli")
    cli.console.print("signing key rotated: restart every `userloop serve` to use it")
