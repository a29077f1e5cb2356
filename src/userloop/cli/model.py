"""`userloop model train-kind` / `train-sentiment`: retrain the triage heads (for example for
another embedder), with what the database holds: staff kind corrections, rated feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from userloop.cli.context import fail, get

app = typer.Typer(help="Train triage models.", no_args_is_help=True)

OutputOpt = Annotated[
    Path, typer.Option(help="Where to write the model (.npz, with a .json beside it)")
]
DatasetsOpt = Annotated[
    Path | None,
    typer.Option(help="Folder with minibar/ to train on as well (skipped if absent)"),
]
DEFAULT_DATASETS = Path("../shared/datasets")


def _datasets_dir(datasets: Path | None) -> Path | None:
    return datasets if datasets is not None and datasets.is_dir() else None


@app.command("train-kind")
def train_kind(
    ctx: typer.Context,
    output: OutputOpt = Path("userloop-kind.npz"),
    datasets: DatasetsOpt = DEFAULT_DATASETS,
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
    data_dir = _datasets_dir(datasets)
    settings = services.settings
    embedder = build_embedder(settings.embedder, threads=settings.embedder_threads)
    cli.console.print(
        f"training on {'Mini-BAR, ' if data_dir else ''}seed examples and "
        f"{len(labelled)} correction(s) with {embedder.name}…"
    )
    model = train_kind_model(data_dir, embedder, corrections=labelled)
    model.save(output)
    cli.console.print(f"wrote {output.with_suffix('.npz')}; set USERLOOP_KIND_MODEL_PATH to use it")


@app.command("train-sentiment")
def train_sentiment_cmd(
    ctx: typer.Context,
    output: OutputOpt = Path("userloop-sentiment.npz"),
    datasets: DatasetsOpt = DEFAULT_DATASETS,
    limit: Annotated[
        int, typer.Option(min=0, help="At most this many rated items from the database")
    ] = 50_000,
) -> None:
    """Train the sentiment head on star ratings as weak labels: the rated reviews of Mini-BAR
    (if present) and the newest rated feedback in the database, embedded with the configured
    embedder. Use the result with `USERLOOP_SENTIMENT_MODEL_PATH`."""
    from userloop.eval.kind import read_minibar
    from userloop.triage.embed.registry import build_embedder
    from userloop.triage.sentiment import SentimentModelError
    from userloop.triage.training.sentiment import train_sentiment

    cli = get(ctx)
    services = cli.services()
    rated = services.triage.rated(limit)
    data_dir = _datasets_dir(datasets)
    if data_dir is not None:
        rated += [(r.text, r.stars) for r in read_minibar(data_dir) if r.stars]
    if len(rated) < 20:
        fail(f"only {len(rated)} rated text(s) to train on; at least 20 are needed")
    settings = services.settings
    embedder = build_embedder(settings.embedder, threads=settings.embedder_threads)
    cli.console.print(f"training on {len(rated)} rated text(s) with {embedder.name}…")
    try:
        model = train_sentiment(
            [t for t, _ in rated],
            [s for _, s in rated],
            embedder,
            description=f"{len(rated)} rated texts" + (" incl. Mini-BAR" if data_dir else ""),
        )
    except SentimentModelError as exc:
        fail(str(exc))
    model.save(output)
    cli.console.print(
        f"wrote {output.with_suffix('.npz')}; set USERLOOP_SENTIMENT_MODEL_PATH to use it"
    )


@app.command("train-similarity")
def train_similarity(
    ctx: typer.Context,
    output: OutputOpt = Path("userloop-similarity.npz"),
    weight: Annotated[
        float,
        typer.Option(
            min=0.01,
            help="How much a staff-shaped topic counts against the public groups (1: as much "
            "as one public group of the same size)",
        ),
    ] = 1.0,
    limit: Annotated[
        int, typer.Option(min=2, help="At most this many reports from staff-shaped topics")
    ] = 50_000,
) -> None:
    """Refit the topic similarity with what staff did: the reports of every topic staff
    merged into, split off or moved a report into count as one problem each, added to the
    model in use (the shipped one, or `USERLOOP_SIMILARITY_MODEL_PATH`). Writes a new,
    versioned model; use it with `USERLOOP_SIMILARITY_MODEL_PATH`, then `userloop recluster`."""
    from userloop.triage.topics.similarity import SimilarityModel, SimilarityModelError

    cli = get(ctx)
    services = cli.services()
    settings = services.settings
    try:
        base = SimilarityModel.load(settings.similarity_model_path)
    except SimilarityModelError as exc:
        fail(str(exc))
    groups = services.triage.staff_groups(limit)
    if not groups:
        fail("no topic shaped by staff yet (merged, split or moved reports): nothing to learn")
    if groups[0].shape[1] != base.dim:
        fail(
            f"the stored embeddings have {groups[0].shape[1]} dimensions, the similarity model "
            f"{base.dim} ({base.embedder}): set USERLOOP_SIMILARITY_MODEL_PATH to a model of "
            "this embedder"
        )
    reports = sum(len(g) for g in groups)
    cli.console.print(
        f"refitting {base.version} with {len(groups)} staff topic(s), {reports} reports…"
    )
    try:
        model = base.with_groups(groups, weight=weight)
    except SimilarityModelError as exc:
        fail(str(exc))
    model.save(output)
    cli.console.print(
        f"wrote {output.with_suffix('.npz')} ({model.version}); set "
        "USERLOOP_SIMILARITY_MODEL_PATH to use it and run `userloop recluster`"
    )
