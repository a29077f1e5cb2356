"""`userloop release check` on both stores: nothing due right after a start; one release checked
on demand is held for its dwell, or halted when its crash rate is far above the baseline's."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.cli.support import run
from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store


def _release(database_url: str) -> None:
    for args in (
        ("create", "--product", "phone", "--build", "1.3", "--previous-build", "1.2"),
        ("start", "1"),
    ):
        extra = ("--channel", "stable", "--plan", "10,100@1d") if args[0] == "create" else ()
        code, _, err = run(database_url, "release", *args, *extra)
        assert code == 0, err


def test_release_check_holds_then_halts(
    database_url: str, store: Store, settings: Settings
) -> None:
    _release(database_url)
    code, out, err = run(database_url, "release", "check")
    assert code == 0 and out.strip() == "no release is due for a check", err
    code, out, err = run(database_url, "release", "check", "--release", "1", "--json")
    assert code == 0, err
    held = json.loads(out)
    assert held["outcome"] == "hold" and "hours in this stage" in held["reason"]
    assert held["baseline_build"] == "1.2"
    today = datetime.now(UTC).date().isoformat()
    IntakeService(store, settings).submit_install_base(
        [
            {"product": "phone", "day": today, "model": "m1", "build": build,
             "channel": channel, "region": "NL", "active_devices": n, "crashes": c}
            for build, channel, n, c in
            (("1.2", "stable", 50_000, 250), ("1.3", "stable", 5_000, 500))
        ]
    )  # fmt: skip
    code, out, err = run(database_url, "release", "check", "--release", "1")
    assert code == 0, err
    assert out.startswith("release 1 (1.3 on stable, stage 1, 10%): halt. Halt: crash rate")
    code, out, err = run(database_url, "release", "check", "--release", "1")
    assert code == 1 and "release 1 is not rolling out" in err
    code, out, err = run(database_url, "release", "check", "--release", "9")
    assert code == 1 and "no release 9" in err
