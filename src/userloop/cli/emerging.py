"""`userloop emerging`: topics that rose, or appeared, on a build (docs/insight.md)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from userloop.cli.context import fail, get
from userloop.cli.titles import english_titles
from userloop.insight.service import EmergingIssue, UnknownBuild, UnknownProduct


class EmergingFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


def emerging(
    ctx: typer.Context,
    build: Annotated[
        str | None, typer.Option("--build", help="The build to check (default: the latest)")
    ] = None,
    all_builds: Annotated[
        bool, typer.Option("--all-builds", help="Check every build against its earlier ones")
    ] = False,
    product: Annotated[str | None, typer.Option("--product", help="Only this product")] = None,
    fmt: Annotated[EmergingFormat, typer.Option("--format", help="table or jsonl")] = (
        EmergingFormat.TABLE
    ),
) -> None:
    """Topics whose rate rose significantly on a build, or that are new on it, with evidence."""
    cli = get(ctx)
    if build is not None and all_builds:
        fail("give --build or --all-builds, not both")
    services = cli.services()
    try:
        issues = services.emerging.emerging(build, all_builds, product)
    except (UnknownBuild, UnknownProduct) as exc:
        fail(str(exc.args[0]))
    if fmt is EmergingFormat.JSONL:
        for issue in issues:
            typer.echo(json.dumps(issue.record(), ensure_ascii=False))
    elif issues:
        _table(issues, english_titles(services, (issue.topic_id for issue in issues)))
    cli.console.print(f"{len(issues)} emerging topic(s)")


def _table(issues: list[EmergingIssue], titles: dict[int, str]) -> None:
    typer.echo(
        f"{'build':<14}  {'topic':>6}  {'reason':<6}  {'score':>6}  {'ratio':>6}  "
        f"{'count':>5}  {'before':>6}  title / terms"
    )
    for issue in issues:
        ratio = issue.evidence.get("ratio")
        shown = f"{ratio:.1f}" if isinstance(ratio, float) else "new"
        label = titles.get(issue.topic_id) or issue.title or ", ".join(issue.terms[:5])
        typer.echo(
            f"{issue.build:<14}  {issue.topic_id:>6}  {issue.reason:<6}  {issue.score:>6.2f}  "
            f"{shown:>6}  {issue.evidence['count']:>5}  {issue.evidence['count_before']:>6}  "
            f"{label}"
        )
