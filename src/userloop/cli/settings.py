"""`userloop settings`: every setting with its value, default and help."""

from __future__ import annotations

import textwrap

import typer
from pydantic import SecretStr

from userloop.cli.context import get
from userloop.config import describe_settings


def show_settings(ctx: typer.Context) -> None:
    """Print every setting: environment variable, current value, default and help."""
    settings = get(ctx).settings
    for info in describe_settings():
        value = getattr(settings, info.name)
        if isinstance(value, SecretStr):
            shown = "(hidden)"
        elif info.name == "secret_key":
            shown = "(generated per installation)"
        else:
            shown = str(value)
        typer.echo(f"{info.name} = {shown}    [{info.env_var}, default: {info.default}]")
        typer.echo(textwrap.indent(textwrap.fill(info.help, 90), "    "))
