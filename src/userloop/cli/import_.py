"""`userloop import FILE`: bulk import of feedback, install-base aggregates or returns."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from userloop.cli.context import fail, get


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or JSONL file", exists=True, dir_okay=False)],
    fmt: Annotated[
        FileFormat | None,
        typer.Option("--format", help="csv or jsonl; from the extension if omitted"),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            help="Column mapping of a store's review export: google-play, app-store, or a "
            "preset a plugin registers (docs/import.md)"
        ),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--map", help="field=column pairs, e.g. text=content,rating=score"),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Source name; the preset's or the file name by default")
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Rejects file; FILE.rejects.jsonl by default")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Rows per transaction [setting: import_batch_size]")
    ] = None,
    install_base: Annotated[
        bool, typer.Option("--install-base", help="The file holds daily install-base aggregates")
    ] = False,
    returns: Annotated[
        bool, typer.Option("--returns", help="The file holds returns / RMA records")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar")] = True,
) -> None:
    """Import feedback (or --install-base aggregates, or --returns); safe to re-run after an
    interruption."""
    from userloop.intake import importers

    cli = get(ctx)
    if install_base and returns:
        fail("--install-base and --returns cannot be combined: a file holds one kind of record")
    if returns and (preset or mapping or source):
        fail(
            "--preset, --map and --source are for feedback files; a returns file has the "
            "columns of docs/import.md (its records name their source, 'returns' if absent)"
        )
    services = cli.services()
    try:
        if returns:
            summary = importers.run_returns_import(
                services.intake,
                file,
                fmt=fmt.value if fmt else None,
                batch_size=batch_size,
                rejects_path=rejects,
                progress=progress,
                console=cli.console,
            )
        elif install_base:
            summary = importers.run_install_base_import(
                services.intake,
                file,
                fmt=fmt.value if fmt else None,
                batch_size=batch_size,
                rejects_path=rejects,
                progress=progress,
                console=cli.console,
            )
        else:
            summary = importers.run_import(
                services.intake,
                file,
                fmt=fmt.value if fmt else None,
                preset=preset,
                mapping=mapping,
                source=source,
                batch_size=batch_size,
                rejects_path=rejects,
                progress=progress,
                console=cli.console,
            )
    except importers.ImportFailed as exc:
        if exc.summary is None:  # found before anything was written
            fail(str(exc))
        # The file turned unreadable part-way: what came before it is stored; say exactly what.
        cli.console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        importers.render_summary(exc.summary, cli.console)
        raise typer.Exit(1) from None
    importers.render_summary(summary, cli.console)
    if summary.interrupted:
        raise typer.Exit(130)
