"""`userloop release ...` on both stores: a release created, started, paused, resumed, forced on
and rolled back, with its status and log; bad plans and refused moves explained."""

from __future__ import annotations

import json

from tests.cli.support import run
from userloop.store import Store


def test_a_release_from_the_command_line(database_url: str, store: Store) -> None:
    code, out, err = run(
        database_url,
        "release",
        "create",
        "--product",
        "phone",
        "--build",
        "1.3",
        "--previous-build",
        "1.2",
        "--channel",
        "beta",
        "--plan",
        "1,50,100@1d",
        "--region",
        "nl",
        "--actor",
        "ann",
    )
    assert code == 0, err
    assert out.strip() == ("release 1: phone 1.3 on beta (from 1.2), draft, stage 1/3 at 0%")
    code, out, err = run(database_url, "release", "start", "1", "--reason", "pilot ready")
    assert code == 0 and "rolling_out, stage 1/3 at 1%" in out
    code, out, err = run(database_url, "release", "advance", "1")
    assert code == 1 and "lasts at least until" in err
    code, out, err = run(database_url, "release", "advance", "1", "--force")
    assert code == 2 and "reason: a forced advance needs a reason" in err
    code, out, err = run(database_url, "release", "advance", "1", "--force", "--reason", "ok")
    assert code == 0 and "stage 2/3 at 50%" in out
    assert run(database_url, "release", "pause", "1")[0] == 0
    code, out, err = run(database_url, "release", "pause", "1")  # a retry: nothing changes
    assert code == 0 and "paused" in out
    code, out, err = run(database_url, "release", "advance", "1")
    assert code == 1 and "release 1 is paused: only a rolling-out release advances" in err
    assert run(database_url, "release", "resume", "1")[0] == 0
    code, out, err = run(database_url, "release", "rollback", "1", "--reason", "battery drain")
    assert code == 0 and "rolled_back" in out

    code, out, err = run(database_url, "release", "status", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert "plan     custom: 1% 50% 100% @1d" in out and "regions ['NL']" in out
    actions = [line.split()[1] for line in lines if line.startswith("  20")]
    assert actions == ["create", "start", "advance", "pause", "resume", "rollback"]
    assert any("ann" in line for line in lines if " create " in line)
    assert any("battery drain" in line for line in lines if " rollback " in line)
    code, out, err = run(database_url, "release", "status", "1", "--json")
    shown = json.loads(out)
    assert shown["state"] == "rolled_back" and shown["events"][2]["details"] == {"forced": True}
    code, out, err = run(database_url, "release", "status")
    assert code == 0 and out.count("release ") == 1 and "1 release(s)" in err


def test_refusals_are_explained(database_url: str, store: Store) -> None:
    base = ("release", "create", "--build", "1.3", "--channel", "beta")
    code, _, err = run(database_url, *base, "--plan", "1,5,25")
    assert code == 2 and "plan: plan '1,5,25': the last stage must be 100%" in err
    code, _, err = run(database_url, *base, "--plan", "weekly")
    assert code == 2 and "unknown plan preset 'weekly'" in err
    assert run(database_url, *base, "--plan", "ubuntu-phased")[0] == 0
    code, _, err = run(database_url, *base, "--plan", "ubuntu-phased")
    assert code == 1 and "exists already (release 1, draft)" in err
    code, _, err = run(database_url, "release", "start", "7")
    assert code == 1 and "no release 7" in err
    code, _, err = run(database_url, "release", "status", "7")
    assert code == 1 and "no release 7" in err
