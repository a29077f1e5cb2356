"""`userloop user ...`: staff accounts of the console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from userloop.cli.context import fail, get
from userloop.domain.enums import Role

app = typer.Typer(help="Staff accounts of the console.", no_args_is_help=True)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name: lowercase letters, digits . _ -")],
    role: Annotated[Role, typer.Option("--role", help="admin, triager or viewer")] = Role.VIEWER,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin"),
    ] = False,
) -> None:
    """Create a staff account; the password is asked for (twice) unless piped in."""
    from userloop.accounts.users import UserError

    password = _password(password_stdin)
    try:
        user = get(ctx).services().users.create(username, password, role)
    except UserError as exc:
        fail(str(exc))
    get(ctx).console.print(f"user {user.username} created with role {user.role.value}")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """List staff accounts (never their passwords)."""
    table = Table("id", "username", "role", "created", "disabled")
    for u in get(ctx).services().users.list():
        table.add_row(
            str(u.id),
            u.username,
            u.role.value,
            u.created_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if u.disabled else "",
        )
    get(ctx).console.print(table)


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    username: str,
    role: Annotated[Role, typer.Option("--role", help="admin, triager or viewer")],
) -> None:
    """Change a staff account's role."""
    from userloop.accounts.users import UserError

    try:
        user = get(ctx).services().users.set_role(username, role)
    except UserError as exc:
        fail(str(exc))
    get(ctx).console.print(f"user {user.username} now has role {user.role.value}")


@app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: str,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin"),
    ] = False,
) -> None:
    """Set a new password for a staff account."""
    from userloop.accounts.users import UserError

    try:
        get(ctx).services().users.set_password(username, _password(password_stdin))
    except UserError as exc:
        fail(str(exc))
    get(ctx).console.print(f"password of {username} changed")


@app.command("disable")
def disable(ctx: typer.Context, username: str) -> None:
    """Disable a staff account: it can no longer sign in."""
    from userloop.accounts.users import UserError

    try:
        get(ctx).services().users.set_disabled(username, True)
    except UserError as exc:
        fail(str(exc))
    get(ctx).console.print(f"user {username} disabled")
