"""`userloop priorities`: topics ranked by their stored priority, each with its sentence
(docs/insight.md, "Priority")."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from userloop.cli.context import fail, get
from userloop.cli.titles import english_titles
from userloop.insight.priority_service import MAX_LIMIT, RankedTopic, UnknownProduct
from userloop.views.priority_sentence import PlainEnglish, priority_sentence


class PriorityFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


def priorities(
    ctx: typer.Context,
    product: Annotated[str | None, typer.Option("--product", help="Only this product")] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_LIMIT, help="Topics to show")
    ] = 20,
    model: Annotated[str | None, typer.Option("--model", help="Rank within this model")] = None,
    build: Annotated[str | None, typer.Option("--build", help="Rank within this build")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Rank within this region")] = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Rank within this segment (novice, advanced, pro, unknown)"),
    ] = None,
    fmt: Annotated[PriorityFormat, typer.Option("--format", help="table or jsonl")] = (
        PriorityFormat.TABLE
    ),
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Recompute the priorities first")
    ] = False,
) -> None:
    """Topics ranked by priority (reach, severity, segment, votes, trend, recency), each with
    the sentence that explains it. Reads the stored priorities; computes them once when none
    are stored, or first with --refresh."""
    cli = get(ctx)
    service = cli.services().priorities
    try:
        if refresh or not service.stored_any():
            service.recompute(product)
        page = service.ranked(product, model, build, region, segment, limit=limit)
    except UnknownProduct as exc:
        fail(str(exc.args[0]))
    except ValueError as exc:
        fail(str(exc))
    english = PlainEnglish()
    if fmt is PriorityFormat.JSONL:
        for item in page.items:
            record = {**item.record(), "sentence": priority_sentence(english, item.parts)}
            typer.echo(json.dumps(record, ensure_ascii=False))
    elif page.items:
        titles = english_titles(cli.services(), (item.topic_id for item in page.items))
        _table(page.items, english, titles)
    note = " (counts only: no install base in the window)" if page.counts_only else ""
    cli.console.print(f"{len(page.items)} of {page.total} topic(s){note}")


def _table(items: list[RankedTopic], english: PlainEnglish, titles: dict[int, str]) -> None:
    typer.echo(f"{'topic':>6}  {'score':>8}  title / why")
    for item in items:
        title = titles.get(item.topic_id) or item.title or "(no title yet)"
        typer.echo(f"{item.topic_id:>6}  {item.score:>8.3f}  {title}")
        typer.echo(f"{'':>6}  {'':>8}  {priority_sentence(english, item.parts)}")
