"""`userloop eval ...`: quality on public labelled data (read from a datasets folder)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from userloop.cli.context import fail, get

app = typer.Typer(help="Measure triage quality on labelled data sets.", no_args_is_help=True)

DatasetsOpt = Annotated[
    Path,
    typer.Option(help="Folder holding minibar/, gitbugs/ and idea/ (see BENCHMARKS.md)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Also print the metrics as JSON")]
DEFAULT_DATASETS = Path("../shared/datasets")


def _check(datasets: Path) -> Path:
    if not datasets.is_dir():
        fail(f"no datasets folder at {datasets}; pass --datasets PATH")
    return datasets


def _emit(result: Any, as_json: bool, *, printed: bool = True) -> None:
    """Runners that print their own report show JSON only on request; the others always."""
    if as_json or not printed:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def _embedder(ctx: typer.Context) -> Any:
    from userloop.triage.embed.registry import build_embedder

    settings = get(ctx).settings
    return build_embedder(settings.embedder, threads=settings.embedder_threads)


@app.command("kind")
def eval_kind(
    ctx: typer.Context, datasets: DatasetsOpt = DEFAULT_DATASETS, as_json: JsonOpt = False
) -> None:
    """Kind F1 per class on Mini-BAR: train on one app, test on the other, both ways."""
    from userloop.eval.kind import run_kind_eval

    _emit(run_kind_eval(_check(datasets), _embedder(ctx)), as_json)


@app.command("clustering")
def eval_clustering(
    ctx: typer.Context, datasets: DatasetsOpt = DEFAULT_DATASETS, as_json: JsonOpt = False
) -> None:
    """Topic clustering ARI, V-measure and nearest-neighbour rate on Mini-BAR clusters."""
    from userloop.eval.clustering import run_clustering_eval

    _emit(run_clustering_eval(_check(datasets), _embedder(ctx)), as_json)


@app.command("topics")
def eval_topics(
    ctx: typer.Context,
    datasets: DatasetsOpt = DEFAULT_DATASETS,
    background: Annotated[
        bool, typer.Option(help="Triage the 8,000 classification reviews first (minutes)")
    ] = False,
    suggestions: SuggestionsOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """The product's topics end to end on Mini-BAR clusters: intake, triage, re-clustering
    (and, with --suggestions, a simulated triager's accepted merge suggestions)."""
    from userloop.eval.topics_e2e import run_topics_e2e

    cli = get(ctx)
    result = run_topics_e2e(
        _check(datasets), settings=cli.settings, background=background, suggestions=suggestions
    )
    _emit(result, as_json)


SuggestionsOpt = Annotated[
    int,
    typer.Option(
        min=0,
        help="Then let a simulated triager accept up to this many merge suggestions the "
        "truth confirms, scoring after 0, 10, 20, 30, 50 and the last",
    ),
]


@app.command("topics-demo")
def eval_topics_demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the generated world")] = 7,
    size: Annotated[int, typer.Option(help="Number of feedback items")] = 3000,
    end: Annotated[
        datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Last day of the generated world (fixed, so the numbers do not change daily)",
        ),
    ] = datetime(2026, 10, 18),  # demo.generator.DEFAULT_END (imported lazily, like the rest)
    suggestions: SuggestionsOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """The demo world's topics against the generator's truth: ARI, homogeneity, completeness,
    and per problem its topics and largest share, after triage and after re-clustering (and,
    with --suggestions, after a simulated triager's accepted merge suggestions)."""
    from userloop.eval.topics_demo import run_topics_demo

    if size < 1:
        fail("--size must be at least 1")
    cli = get(ctx)
    result = run_topics_demo(
        seed, size, suggestions=suggestions, end=end.date(), settings=cli.settings, out=typer.echo
    )
    _emit(result, as_json)


@app.command("emerging")
def eval_emerging(
    ctx: typer.Context,
    datasets: DatasetsOpt = DEFAULT_DATASETS,
    app_name: Annotated[
        str | None, typer.Option("--app", help="Only this IDEA app (its folder name)")
    ] = None,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact", help="Match changelog words only when equal (no embedder similarity)"
        ),
    ] = False,
    window: Annotated[
        int | None,
        typer.Option(
            min=1, help="Compare each build with the last N builds (default: all earlier ones)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Emerging issues per build on IDEA's apps, end to end (intake, triage, re-clustering,
    `emerging --all-builds`), scored against the changelogs with IDEA's precision, recall and
    F-hybrid (minutes)."""
    from userloop.eval.idea import run_idea_eval

    embed = None if exact else _embedder(ctx).embed
    try:
        result = run_idea_eval(
            _check(datasets),
            settings=get(ctx).settings,
            app=app_name,
            embed=embed,
            window=window,
            out=typer.echo,
        )
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    _emit(result, as_json)


@app.command("duplicates")
def eval_duplicates(
    ctx: typer.Context, datasets: DatasetsOpt = DEFAULT_DATASETS, as_json: JsonOpt = False
) -> None:
    """Duplicate retrieval recall@1/5/10 on GitBugs Hadoop."""
    from userloop.eval.duplicates import run_duplicate_eval

    _emit(run_duplicate_eval(_check(datasets), _embedder(ctx)), as_json, printed=False)


@app.command("language")
def eval_language(
    ctx: typer.Context, datasets: DatasetsOpt = DEFAULT_DATASETS, as_json: JsonOpt = False
) -> None:
    """Language detection accuracy on the VS Code multilingual issues (≥ 20 characters)."""
    from userloop.eval.language import run_language_eval
    from userloop.triage.factory import build_language

    detector = build_language(get(ctx).settings)
    _emit(run_language_eval(_check(datasets), detector), as_json, printed=False)


@app.command("crosslingual")
def eval_crosslingual(
    ctx: typer.Context, datasets: DatasetsOpt = DEFAULT_DATASETS, as_json: JsonOpt = False
) -> None:
    """Cross-lingual retrieval recall@1: find each issue's English translation."""
    from userloop.eval.language import run_crosslingual_eval

    _emit(run_crosslingual_eval(_check(datasets), _embedder(ctx)), as_json, printed=False)
