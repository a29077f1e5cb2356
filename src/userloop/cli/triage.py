"""`userloop triage`, `worker`, `recluster`, `similar`: running and querying triage."""

from __future__ import annotations

import json
import logging
import signal
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from userloop.cli.context import fail, get
from userloop.jobs.worker import Worker


def triage(
    ctx: typer.Context,
    batch_size: Annotated[
        int | None, typer.Option(help="Items per transaction [setting: triage_batch_size]")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar")] = True,
) -> None:
    """Triage the whole backlog once (language, embedding, kind, sentiment, topic), then run the
    jobs that read topics (emerging issues, priorities) and stop."""
    cli = get(ctx)
    engine = cli.triage()
    total = engine.pipeline.backlog()
    if not total:
        cli.console.print("nothing to triage")
        return
    columns = (
        TextColumn("triage"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} items/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=cli.console, disable=not progress) as bar:
        task = bar.add_task("triage", total=total, rate="-")

        def advance(n: int) -> None:
            bar.advance(task, n)
            elapsed = bar.tasks[0].elapsed or 0
            done = bar.tasks[0].completed
            bar.update(task, rate=f"{done / elapsed:,.0f}" if elapsed else "-")

        done = engine.drain(batch_size, on_batch=advance)
    if done:
        cli.services().run_after_triage()  # emerging issues, priorities
    cli.console.print(f"triaged {done} item(s); {len(cli.services().topics.all())} topics")


def worker(ctx: typer.Context) -> None:
    """Run the triage worker until stopped (Ctrl-C or SIGTERM finish the current batch)."""
    cli = get(ctx)
    services = cli.services()
    settings = services.settings
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    w = Worker(
        cli.triage(),
        batch_size=settings.triage_batch_size,
        poll_seconds=settings.worker_poll_seconds,
        recluster_minutes=settings.recluster_interval_minutes,
        after_triage=services.after_triage_jobs(),
        periodic=services.periodic_jobs(),
    )
    signal.signal(signal.SIGTERM, lambda *_: w.stop_event.set())
    cli.console.print("worker started; Ctrl-C to stop")
    try:
        w.run_forever()
    except KeyboardInterrupt:
        w.stop_event.set()
    cli.console.print("worker stopped")


def recluster(ctx: typer.Context) -> None:
    """Merge near-duplicate topics and split incoherent ones now, keeping topic ids."""
    cli = get(ctx)
    report = cli.triage().recluster()
    cli.console.print(f"merged {len(report.merged)} topic(s), split off {len(report.split)}")
    for absorbed, survivor in report.merged:
        cli.console.print(f"  topic {absorbed} → {survivor}")
    for topic, new in report.split:
        cli.console.print(f"  topic {topic} split off {new}")


def similar(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Option(help="Find topics (or items) like this text")] = None,
    source: Annotated[str | None, typer.Option(help="With --external-id: a stored item")] = None,
    external_id: Annotated[str | None, typer.Option(help="With --source: a stored item")] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of --text (detected if omitted)")
    ] = None,
    k: Annotated[int, typer.Option(min=1, max=1000, help="How many results")] = 5,
    items: Annotated[
        bool, typer.Option("--items", help="With --text: nearest feedback items, not topics")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Nearest topics to a text ("already reported?"), or nearest items to a stored item."""
    cli = get(ctx)
    if text is not None and (source or external_id):
        fail("give either --text or --source with --external-id, not both")
    if text is not None and not text.strip():
        fail('--text is empty: give the text to look for, e.g. --text "battery drains"')
    if text is None and not (source and external_id):
        fail("give --text, or --source with --external-id")
    cli.triage()  # a triage setup that cannot work stops here, with its message
    similar = cli.services().similar
    topics = text is not None and not items
    # Nothing in common (a similarity or fused score of 0 or less) is no answer to the question.
    rows: list[dict[str, Any]]
    if text is not None and topics:
        found = similar.topics(text, language=language, k=k)
        rows = [asdict(r) for r in found if r.similarity > 0]
    else:
        try:
            near = similar.items(text=text, source=source, external_id=external_id, k=k)
        except (ValueError, LookupError) as exc:
            fail(str(exc).strip("'\""))
        rows = [asdict(r) for r in near if r.score > 0]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif topics:
        if rows:
            typer.echo(f"{'similarity':>10}  {'topic':>6}  {'size':>5}  {'status':<11}  title")
        for row in rows:
            typer.echo(
                f"{row['similarity']:>10.3f}  {row['topic_id']:>6}  {row['size']:>5}  "
                f"{row['status']:<11}  {_one_line(row['title'])}"
            )
    else:
        if rows:
            typer.echo(f"{'score':>6}  {'similarity':>10}  {'item':>7}  {'topic':>6}  text")
        for row in rows:
            topic = "-" if row["topic_id"] is None else row["topic_id"]
            typer.echo(
                f"{row['score']:>6.3f}  {row['similarity']:>10.3f}  {row['feedback_id']:>7}  "
                f"{topic:>6}  {_one_line(row['text'])}"
            )
    if not rows:
        cli.console.print(f"no similar {'topics' if topics else 'feedback items'} found")


def _one_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
