"""`userloop simulate`: a staged rollout of a good or bad build on a simulated fleet, fed
through the real services into a fresh store (docs/releases.md, "Simulating a rollout")."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from userloop.cli.context import fail, get
from userloop.container import Services
from userloop.release.simulation import SimOptions, simulate


def simulate_command(
    ctx: typer.Context,
    devices: Annotated[int, typer.Option("--devices", help="Daily active devices")] = 20_000,
    days: Annotated[int, typer.Option("--days", help="Days to run at most")] = 14,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same run")] = 1,
    crash_multiplier: Annotated[
        float, typer.Option("--crash-multiplier", help="New build's crash rate × this")
    ] = 1.0,
    complaint_share: Annotated[
        float,
        typer.Option(
            "--complaint-share", help="Share of the new build's devices with a new problem"
        ),
    ] = 0.0,
    return_multiplier: Annotated[
        float, typer.Option("--return-multiplier", help="New build's returns rate × this")
    ] = 1.0,
    plan: Annotated[
        str, typer.Option("--plan", help="A preset or a custom plan, as `release create`")
    ] = "app-store-7-day",
    beta_devices: Annotated[
        int | None,
        typer.Option(
            "--beta-devices",
            help="Devices in the beta channel's pilot group (default: 200, at most a tenth)",
        ),
    ] = None,
    feedback_sample: Annotated[
        float,
        typer.Option("--feedback-sample", help="Submit this share of the feedback (faster)"),
    ] = 1.0,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="Keep the store in this new SQLite file (default: a temporary one)"
        ),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="json (the result) or text (one line)")
    ] = "json",
) -> None:
    """Roll a new build out to a simulated fleet through the real services (intake, triage,
    emerging issues, release checks) and print what the gates decided."""
    if format_ not in ("json", "text"):
        fail(f"--format must be json or text, not {format_!r}", code=2)
    try:
        options = SimOptions(
            devices=devices,
            days=days,
            seed=seed,
            crash_multiplier=crash_multiplier,
            complaint_share=complaint_share,
            return_multiplier=return_multiplier,
            plan=plan,
            beta_devices=beta_devices,
            feedback_sample=feedback_sample,
        )
    except ValueError as exc:
        fail(str(exc), code=2)
    if db is not None and db.exists():
        fail(f"{db} exists: the simulation needs a new file", code=2)
    with tempfile.TemporaryDirectory(prefix="userloop-sim-") as folder:
        path = db if db is not None else Path(folder) / "simulate.db"
        settings = get(ctx).settings.model_copy(update={"database_url": f"sqlite:///{path}"})
        first = Services.build(settings)
        first.upgrade_schema()
        first.close()  # built again below, with the installation's keys now in the store
        services = Services.build(settings)
        began = time.perf_counter()
        try:
            result = simulate(services, options)
        finally:
            services.close()
    print(f"simulated in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    if format_ == "json":
        typer.echo(json.dumps(result, indent=2))
    else:
        decided = result["hours_to_decision"]
        when = f" after {decided:g} h" if decided is not None else ""
        typer.echo(
            f"{result['outcome']}{when}, reach {100 * result['reach']:.2f}% of the stable fleet "
            f"({100 * result['reach_with_beta']:.2f}% with the beta group): "
            f"{result['reason']}"
        )
