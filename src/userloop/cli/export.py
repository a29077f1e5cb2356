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
from userloop.domain.entities import Feedback
from userloop.store.feedback_repo import FeedbackFilter

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
)


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def feedback_record(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.id,
        "product": f.product,
        "source": f.source,
        "external_id": f.external_id,
        "text": f.text,
        "language": f.language,
        "rating": f.rating,
        "model": f.model,
        "build": f.build,
        "channel": f.channel.value if f.channel else None,
        "region": f.region,
        "created_at": f.created_at.isoformat(),
        "received_at": f.received_at.isoformat(),
        "redacted": list(f.redacted),
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
    with target as out, services.store.read() as conn:
        writer = _writer(out, fmt)
        for item in services.store.feedback.iterate(conn, filters):
            writer(feedback_record(item))
            count += 1
    get(ctx).console.print(f"exported {count} feedback item(s)")


def _writer(out: IO[str], fmt: ExportFormat) -> Any:
    if fmt is ExportFormat.JSONL:

        def write_json(record: dict[str, Any]) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        return write_json
    writer = csv.DictWriter(out, fieldnames=FEEDBACK_FIELDS)
    writer.writeheader()

    def write_csv(record: dict[str, Any]) -> None:
        record = dict(record, redacted=",".join(record["redacted"]))
        writer.writerow(record)

    return write_csv
