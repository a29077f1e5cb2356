"""`userloop install-base`: each build's adoption, device-days, crash and return rates with
their 95% intervals (docs/insight.md)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from userloop.cli.context import fail, get
from userloop.insight.install_base import (
    InstallBaseReport,
    InvalidFilter,
    Rate,
    UnknownProduct,
)

PER = 1000  # rates are shown per 1,000 device-days


class InstallBaseFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


def install_base(
    ctx: typer.Context,
    product: Annotated[
        str | None,
        typer.Option("--product", help="The product (default: the one with an install base)"),
    ] = None,
    fmt: Annotated[InstallBaseFormat, typer.Option("--format", help="table or jsonl")] = (
        InstallBaseFormat.TABLE
    ),
) -> None:
    """Per build: adoption on the latest day, device-days, crash and return rates (95% interval)."""
    cli = get(ctx)
    services = cli.services()
    try:
        report = services.install_base.report(product)
    except (UnknownProduct, InvalidFilter) as exc:
        fail(str(exc.args[0]))
    if not report.has_install_base:
        fail(f"{report.product}: {report.hint}")
    if fmt is InstallBaseFormat.JSONL:
        for row in report.record()["per_build"]:
            typer.echo(json.dumps({"product": report.product, **row}, ensure_ascii=False))
    else:
        _table(report)
    cli.console.print(
        f"{len(report.per_build)} build(s) of {report.product}, "
        f"{len(report.days)} day(s) to {report.latest_day}"
    )


def _rate(r: Rate) -> str:
    return f"{r.rate * PER:.2f} [{r.low * PER:.2f}, {r.high * PER:.2f}]"


def _table(report: InstallBaseReport) -> None:
    typer.echo(
        f"{'build':<14}  {'adoption':>8}  {'device-days':>11}  {'crashes':>7}  "
        f"{'crashes per 1k device-days':<28}  {'returns':>7}  returns per 1k device-days"
    )
    for b in report.per_build:
        typer.echo(
            f"{b.build:<14}  {b.latest_share:>8.1%}  {b.device_days:>11,}  "
            f"{b.crashes.count:>7,}  {_rate(b.crashes):<28}  {b.returns.count:>7,}  "
            f"{_rate(b.returns)}"
        )
