"""`userloop model train-kind`: retrain the kind classifier, staff corrections included."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from userloop.cli.context import fail, get

app = typer.Typer(help="Train triage models.", no_args_is_help=True)


@app.command("train-kind")
def train_kind(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option(help="Where to write the model (.npz, with a .json beside it)")
    ] = Path("userloop-kind.npz"),
    datasets: Annotated[
        Path | None,
        typer.Option(help="Folder with minibar/ to train on as well (skipped if absent)"),
    ] = Path("../shared/datasets"),
    corrections: Annotated[
        Path | None, typer.Option(help="Extra corrections: JSONL of {text, kind} objects")
    ] = None,
) -> None:
    """Train the kind head on Mini-BAR (if present), our seed examples, the staff corrections
    stored in the database and an optional corrections file. Use the result with
    `USERLOOP_KIND_MODEL_PATH`."""
    from userloop.eval.kind import read_corrections, train_kind_model
    from userloop.triage.embed.registry import build_embedder

    cli = get(ctx)
    services = cli.services()
    labelled = services.triage.corrections()
    if corrections is not None:
        try:
            labelled += read_corrections(corrections)
        except (OSError, ValueError) as exc:
            fail(str(exc))
    data_dir = datasets if datasets is not None and datasets.is_dir() else None
    settings = services.settings
    embedder = build_embedder(settings.embedder, threads=settings.embedder_threads)
    cli.console.print(
        f"training on {'Mini-BAR, ' if data_dir else ''}seed examples and "
        f"{len(labelled)} correction(s) with {embedder.name}…"
    )
    model = train_kind_model(data_dir, embedder, corrections=labelled)
    model.save(output)
    cli.console.print(f"wrote {output.with_suffix('.npz')}; set USERLOOP_KIND_MODEL_PATH to use it")
