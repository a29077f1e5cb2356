"""`userloop release ...`: create releases and move them through their rollout (docs/releases.md).
The decision log and the audit log name the actor `cli` (or `--actor`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from userloop.cli.context import fail, get
from userloop.domain.enums import Channel
from userloop.domain.release import Release
from userloop.release.plans import describe
from userloop.release.service import (
    ReleaseError,
    ReleaseInputError,
    ReleaseService,
    ReleaseStatus,
)

app = typer.Typer(help="Releases: builds rolled out in stages.", no_args_is_help=True)

Actor = Annotated[str, typer.Option("--actor", help="Who decides, for the logs")]
Reason = Annotated[str, typer.Option("--reason", help="Why, for the decision log")]
ReleaseId = Annotated[int, typer.Argument(help="The release's id", min=1)]


def _service(ctx: typer.Context) -> ReleaseService:
    return get(ctx).services().releases


def _run(ctx: typer.Context, change: Callable[[ReleaseService], Release]) -> None:
    try:
        release = change(_service(ctx))
    except ReleaseInputError as exc:
        fail(f"{exc.field}: {exc.message}", code=2)
    except (ReleaseError, LookupError) as exc:
        fail(str(exc.args[0]))
    typer.echo(_line(release))


@app.command("create")
def create(
    ctx: typer.Context,
    build: Annotated[str, typer.Option("--build", help="The build to roll out")],
    channel: Annotated[Channel, typer.Option("--channel", help="dev, beta or stable")],
    plan: Annotated[
        str,
        typer.Option(
            "--plan",
            help="A preset (app-store-7-day, ubuntu-phased) or a custom plan like 1,5,25,100@24h",
        ),
    ],
    previous_build: Annotated[
        str | None,
        typer.Option("--previous-build", help="The build devices move from (and back to)"),
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Default: the default_product setting")
    ] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Only this device model; repeat")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Only this region (NL); repeat")
    ] = None,
    actor: Actor = "cli",
) -> None:
    """Create a draft release; `release start` begins its rollout."""
    slug = product or get(ctx).settings.default_product
    _run(
        ctx,
        lambda s: s.create(
            slug,
            build,
            channel,
            plan,
            previous_build=previous_build,
            models=model or [],
            regions=region or [],
            actor=actor,
        ),
    )


@app.command("start")
def start(
    ctx: typer.Context, release_id: ReleaseId, reason: Reason = "", actor: Actor = "cli"
) -> None:
    """Begin the rollout at the plan's first stage."""
    _run(ctx, lambda s: s.start(release_id, actor, reason))


@app.command("pause")
def pause(
    ctx: typer.Context, release_id: ReleaseId, reason: Reason = "", actor: Actor = "cli"
) -> None:
    """Stop offering the build to new devices for now."""
    _run(ctx, lambda s: s.pause(release_id, actor, reason))


@app.command("resume")
def resume(
    ctx: typer.Context, release_id: ReleaseId, reason: Reason = "", actor: Actor = "cli"
) -> None:
    """Roll a paused or halted release out again: same stage, the same devices first."""
    _run(ctx, lambda s: s.resume(release_id, actor, reason))


@app.command("advance")
def advance(
    ctx: typer.Context,
    release_id: ReleaseId,
    reason: Reason = "",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Before the stage's minimum dwell has passed (needs --reason)"
        ),
    ] = False,
    actor: Actor = "cli",
) -> None:
    """To the next stage, or completed from the last."""
    _run(ctx, lambda s: s.advance(release_id, actor, reason, force=force))


@app.command("rollback")
def rollback(
    ctx: typer.Context, release_id: ReleaseId, reason: Reason = "", actor: Actor = "cli"
) -> None:
    """Give the release up: devices on its build are offered the previous build."""
    _run(ctx, lambda s: s.rollback(release_id, actor, reason))


@app.command("status")
def status(
    ctx: typer.Context,
    release_id: Annotated[
        int | None, typer.Argument(help="A release's id; without it, every release", min=1)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
) -> None:
    """A release with its decision log, or every release (newest first)."""
    service = _service(ctx)
    if release_id is None:
        found = service.list(limit=1000)
        if as_json:
            typer.echo(json.dumps([_record(r) for r in found], ensure_ascii=False))
        for r in [] if as_json else found:
            typer.echo(_line(r))
        get(ctx).console.print(f"{len(found)} release(s)")
        return
    try:
        shown = service.status(release_id)
    except LookupError as exc:
        fail(str(exc.args[0]))
    if as_json:
        typer.echo(json.dumps(_status_record(shown), ensure_ascii=False))
        return
    r = shown.release
    typer.echo(_line(r))
    typer.echo(f"  plan     {describe(r.plan)}")
    if r.models or r.regions:
        typer.echo(
            f"  for      models {sorted(r.models) or 'all'}, regions {sorted(r.regions) or 'all'}"
        )
    ends = r.dwell_ends_at()
    if r.state.value == "rolling_out" and ends is not None:
        typer.echo(f"  dwell    until {ends.isoformat(timespec='minutes')}")
    for e in shown.events:
        moved = f"{e.from_state.value if e.from_state else '-'} -> {e.to_state.value}"
        why = f"  {e.reason}" if e.reason else ""
        typer.echo(
            f"  {e.at.isoformat(timespec='minutes')}  {e.action:<8}  {moved:<26}  "
            f"stage {e.stage + 1}  {e.actor}{why}"
        )


def _line(r: Release) -> str:
    return (
        f"release {r.id}: {r.product} {r.build} on {r.channel.value} "
        f"(from {r.previous_build or 'any build'}), {r.state.value}, "
        f"stage {r.stage + 1}/{len(r.plan.stages)} at {r.percent:g}%"
    )


def _record(r: Release) -> dict[str, Any]:
    return {
        "id": r.id,
        "product": r.product,
        "build": r.build,
        "previous_build": r.previous_build,
        "channel": r.channel.value,
        "models": sorted(r.models),
        "regions": sorted(r.regions),
        "plan": r.plan.record(),
        "state": r.state.value,
        "stage": r.stage + 1,
        "percent": r.percent,
        "stage_started_at": r.stage_started_at.isoformat() if r.stage_started_at else None,
        "created_by": r.created_by,
        "created_at": r.created_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }


def _status_record(shown: ReleaseStatus) -> dict[str, Any]:
    return {
        **_record(shown.release),
        "events": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "from_state": e.from_state.value if e.from_state else None,
                "to_state": e.to_state.value,
                "stage": e.stage + 1,
                "reason": e.reason,
                "details": e.details,
            }
            for e in shown.events
        ],
    }
