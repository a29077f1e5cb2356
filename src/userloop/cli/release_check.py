"""`userloop release check`: run the health gates' checks that are due now (what the worker
does on its timer), or check one release now (docs/releases.md, "Gate checks in the job")."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from userloop.cli.context import fail, get
from userloop.release.checks import CheckResult
from userloop.release.errors import ReleaseError


def release_check(
    ctx: typer.Context,
    release_id: Annotated[
        int | None,
        typer.Option("--release", min=1, help="Check this release now, due or not"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per check")] = False,
) -> None:
    """Judge rolling-out releases with the health gates and apply the outcome (advance, hold,
    halt); the decision log names the actor gate:health."""
    checks = get(ctx).services().release_checks
    try:
        if release_id is None:
            results = checks.run_due_checks()
        else:
            one = checks.check(release_id)
            if one is None:
                fail(f"release {release_id} is not rolling out: nothing to check")
            results = [one]
    except (ReleaseError, LookupError) as exc:
        fail(str(exc.args[0]))
    if not results and not as_json:
        typer.echo("no release is due for a check")
    for result in results:
        typer.echo(json.dumps(result.record()) if as_json else _line(result))


def _line(result: CheckResult) -> str:
    r = result.release
    outcome = result.applied.value if result.applied else "not applied"
    return (
        f"release {r.id} ({r.build} on {r.channel.value}, stage {r.stage + 1}, "
        f"{r.percent:g}%): {outcome}. {result.decision.sentence}"
    )
