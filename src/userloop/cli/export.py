"""`userloop export ...`: stream stored data out as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from userloop.cli.context import get
from userloop.domain.entities import Feedback, TriageResult
from userloop.domain.filters import FeedbackFilter

app = typer.Typer(help="Export stored data.", no_args_is_help=True)

FEEDBACK_FIELDS = (
    "id",
    "product",
    "source",
    "external_id",
    "text",
    "language",
    "rating",
    "model",
    "build",
    "channel",
    "region",
    "created_at",
    "received_at",
    "redacted",
    "kind",
    "labels",
    "kind_scores",
    "sentiment",
    "topic_id",
)
TOPIC_FIELDS = ("topic_id", "size", "status", "languages", "title", "keywords", "member_ids")


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def feedback_record(f: Feedback, t: TriageResult | None = None) -> dict[str, Any]:
    """One exported item; triage fields are null until the item has been triaged."""
    return {
        "id": f.id,
        "product": f.product,
        "source": f.source,
        "external_id": f.external_id,
        "text": f.text,
        "language": t.language if t else f.language,
        "rating": f.rating,
        "model": f.model,
        "build": f.build,
        "channel": f.channel.value if f.channel else None,
        "region": f.region,
        "created_at": f.created_at.isoformat(),
        "received_at": f.received_at.isoformat(),
        "redacted": list(f.redacted),
        "kind": t.kind if t else None,
        "labels": list(t.labels) if t else None,
        "kind_scores": t.kind_scores if t else None,
        "sentiment": t.sentiment if t else None,
        "topic_id": t.topic_id if t else None,
    }


@app.command("feedback")
def export_feedback(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv")] = (
        ExportFormat.JSONL
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout if omitted")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source")] = None,
    product: Annotated[str | None, typer.Option(help="Only this product")] = None,
) -> None:
    """Write every stored feedback item, one object (or CSV row) per item, in id order."""
    services = get(ctx).services()
    filters = FeedbackFilter(product=product, source=source)
    target: Any = (
        output.open("w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout)
    )
    count = 0
    with target as out:
        writer = _writer(out, fmt, FEEDBACK_FIELDS)
        for item in services.feedback.export(filters):
            writer(feedback_record(item.feedback, item.triage))
            count += 1
    get(ctx).console.print(f"exported {count} feedback item(s)")


@app.command("topics")
def export_topics(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv")] = (
        ExportFormat.JSONL
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; stdout if omitted")
    ] = None,
    product: Annotated[str | None, typer.Option(help="Only this product")] = None,
) -> None:
    """Write every live topic with its members: one object (or CSV row) per topic."""
    services = get(ctx).services()
    target: Any = (
        output.open("w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout)
    )
    count = 0
    with target as out:
        writer = _writer(out, fmt, TOPIC_FIELDS)
        for entry in services.feedback.topics_export(product):
            topic = entry.topic
            writer(
                {
                    "topic_id": topic.id,
                    "size": topic.size,
                    "status": topic.status,
                    "languages": topic.languages,
                    "title": topic.title,
                    "keywords": topic.keywords,
                    "member_ids": entry.member_ids,
                }
            )
            count += 1
    get(ctx).console.print(f"exported {count} topic(s)")


def _writer(out: IO[str], fmt: ExportFormat, fields: tuple[str, ...]) -> Any:
    if fmt is ExportFormat.JSONL:

        def write_json(record: dict[str, Any]) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        return write_json
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()

    def write_csv(record: dict[str, Any]) -> None:
        writer.writerow({k: csv_cell(v) for k, v in record.items()})

    return write_csv


def csv_cell(value: Any) -> Any:
    """A plain spreadsheet cell: a list is joined with ";" (`phone;email`, `12;15;31`), a map
    becomes `key=value` pairs joined with ";" (`bug=0.9;feature=0.1`), a list inside a map is
    joined with "," (`en=battery,drain;ru=батарея`); None is an empty cell."""
    if isinstance(value, dict):
        return ";".join(f"{k}={_joined(v, ',')}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return _joined(value, ";")
    return value


def _joined(value: Any, sep: str) -> str:
    if isinstance(value, list | tuple):
        return sep.join("" if v is None else str(v) for v in value)
    return "" if value is None else str(value)
