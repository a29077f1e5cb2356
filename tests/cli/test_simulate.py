"""`userloop simulate` through the real services and the shipped triage models, on small fleets:
a build crashing five times as often is halted with the crash rate named, a new complaint as an
emerging issue, a good build is not, the JSON states its keys and the rates it used, and a seed
gives the same run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.support import run

KEYS = {
    "halted",
    "halted_at_stage",
    "reach",
    "reach_with_beta",
    "hours_to_decision",
    "reason",
    "base_rates",
    "options",
}


def _simulate(tmp_path: Path, *args: str) -> dict[str, Any]:
    code, out, err = run(f"sqlite:///{tmp_path / 'unused.db'}", "simulate", *args)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    assert set(result) >= KEYS
    return result


def test_a_crashing_build_is_halted_naming_the_crash_rate(tmp_path: Path) -> None:
    result = _simulate(
        tmp_path, "--devices", "4000", "--days", "4", "--crash-multiplier", "5", "--seed", "3"
    )
    assert result["halted"] is True and result["outcome"] == "halted"
    # a 4,000-device fleet's 1 % stage is 40 devices, about one crash a day even at ×5
    assert result["halted_at_stage"] in (1, 2, 3, 4)
    assert "crash rate" in result["reason"] and "≥ 120" in result["reason"]
    assert 0 < result["reach"] < 0.15
    assert result["reach"] < result["reach_with_beta"]  # the pilot group had it from the start
    assert 0 < result["hours_to_decision"] <= 96
    assert result["base_rates"] == {
        "crash_per_device_day": 0.005,
        "feedback_per_device_day": 0.003,
        "negative_share_of_feedback": 0.4,
        "returns_per_device_day": 0.0002,
        "complaint_write_rate_per_day": 0.1,
    }
    assert result["options"]["crash_multiplier"] == 5.0
    assert result["options"]["beta_devices"] == 200
    assert result["submitted"]["feedback"] > 0 and result["checks"] == len(result["timeline"])


def test_a_good_build_is_not_halted_and_a_seed_repeats(tmp_path: Path) -> None:
    args = ("--devices", "3000", "--days", "3", "--plan", "10,50,100@1d", "--seed", "5")
    first = _simulate(tmp_path / "a", *args)
    assert first["halted"] is False and first["halted_at_stage"] is None
    assert first["outcome"] in ("rolling_out", "completed")
    assert first["reach"] >= 0.5  # two advances in three days
    second = _simulate(tmp_path / "b", *args)
    assert second == first


def test_bad_options_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    code, _, err = run(url, "simulate", "--plan", "5,1")
    assert code == 2 and "percentages must rise" in err.replace("\n", " ")
    code, _, err = run(url, "simulate", "--devices", "10")
    assert code == 2 and "devices: between 100" in err
    taken = tmp_path / "taken.db"
    taken.write_text("")
    code, _, err = run(url, "simulate", "--db", str(taken))
    assert code == 2 and "exists" in err


def test_a_new_complaint_is_halted_as_an_emerging_issue(tmp_path: Path) -> None:
    result = _simulate(
        tmp_path, "--devices", "20000", "--days", "5", "--complaint-share", "0.05", "--seed", "2"
    )
    assert result["halted"] is True and "emerging" in result["reason_codes"]
    assert "emerging issue on the new build, topic #" in result["reason"]
    assert result["submitted"]["complaints"] > 0 and result["reach"] < 0.15
