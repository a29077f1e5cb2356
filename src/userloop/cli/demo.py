"""`userloop demo`: a fresh SQLite database filled with a synthetic phone maker, then served."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from userloop.cli.context import get
from userloop.config import Settings, load_settings
from userloop.container import Services
from userloop.domain.enums import Role, TokenScope

if TYPE_CHECKING:
    from userloop.demo.generator import DemoWorld


def load_demo(
    services: Services,
    seed: int,
    n_feedback: int,
    show_progress: bool = True,
    world: DemoWorld | None = None,
    end: date | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated store with the demo world (`world`, or the one generated from
    `seed` and `n_feedback` ending on `end`, default today UTC). Returns counts by outcome."""
    from userloop.demo import generate
    from userloop.demo.loading import load_world

    world = world or generate(seed=seed, n_feedback=n_feedback, end=end or today())
    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("demo feedback", total=len(world.feedback))
        # A world that ends today holds no report timed later than now.
        now = datetime.now(UTC) if world.last_day >= today() else None
        return load_world(services, world, lambda n: progress.advance(task, n), now)


def today() -> date:
    """The demo's world ends on the day it is loaded (UTC), so its charts show recent days."""
    return datetime.now(UTC).date()


def demo_settings(config_file: Path | None, overrides: Mapping[str, object], db: Path) -> Settings:
    """The demo's settings: the configuration, with the demo's database and its product."""
    from userloop.demo.catalog import PRODUCT

    # The demo is served over plain HTTP, where browsers drop Secure cookies (except on
    # localhost): sign-in and forms must work on http://127.0.0.1 and on a LAN address too.
    # Reports sent through its portal or API without a product are about the demo's phones:
    # they join its topics and its install base, not an empty product of their own.
    return load_settings(
        config_file,
        **{
            **overrides,
            "database_url": f"sqlite:///{db}",
            "secure_cookies": False,
            "default_product": PRODUCT,
        },
    )


def demo(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option(help="SQLite file to (re)create")] = Path("userloop-demo.db"),
    seed: Annotated[int, typer.Option(help="Seed of the generated world")] = 7,
    size: Annotated[int, typer.Option(help="Number of feedback items")] = 3000,
    end: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="Last day of the generated world (default: today, UTC)"
        ),
    ] = None,
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the app after loading")] = True,
) -> None:
    """Create a fresh demo database, load the synthetic world, and serve it."""
    cli = get(ctx)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = demo_settings(cli.config_file, cli.overrides, db)
    services = Services.build(settings)
    services.upgrade_schema()
    from userloop.demo import generate
    from userloop.demo.staging import stage

    world = generate(seed=seed, n_feedback=size, end=end.date() if end else today())
    counts = load_demo(services, seed, size, show_progress=True, world=world)
    # Triage now rather than in the server's worker, so the demo opens on its topics with the
    # statuses a team would have given them (roadmap, changelog, a shipped fix).
    with Progress(transient=True) as progress:
        task = progress.add_task("triage", total=counts.get("created", 0))
        services.triage.drain(on_batch=lambda n: progress.advance(task, n))
    # Re-cluster before staging statuses: a new user first sees the product's best grouping
    # (the worker would do it within the hour anyway), and statuses land on the final topics.
    services.triage.recluster()
    staged = stage(services, world)
    services.run_after_triage()  # emerging issues and priorities, as the worker would
    token = services.tokens.create("demo", frozenset({TokenScope.INGEST, TokenScope.READ}))
    cli.console.print(
        f"demo database {db}: {counts['created']} feedback items, "
        f"{counts['install_base']} install-base samples, {staged} topics with a status"
    )
    cli.console.print(f"demo API token (ingest, read): {token.token}")
    password = secrets.token_urlsafe(12)
    services.users.create("admin", password, Role.ADMIN, actor="demo")
    cli.console.print(f"demo console sign-in: user admin, password {password}")
    if not serve:
        services.close()
        return
    import uvicorn

    from userloop.app import create_app

    host = host or settings.host
    port = port or settings.port
    cli.console.print(
        f"userloop demo at http://{host}:{port}/  (console: http://{host}:{port}/console/, "
        f"API: http://{host}:{port}/api/docs)"
    )
    uvicorn.run(
        create_app(settings, services=services, worker=settings.serve_worker),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
    )
