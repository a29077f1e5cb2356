"""Releases without storage: states and their transitions, plans and their syntax, cohorts, and
the update-check rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from userloop.domain.enums import Channel, InvalidTransition
from userloop.domain.release import (
    RELEASE_TRANSITIONS,
    Release,
    ReleaseState,
    RolloutPlan,
    Stage,
)
from userloop.release.cohort import BUCKETS, bucket, in_cohort
from userloop.release.plans import PRESETS, PlanError, describe, parse_dwell, parse_plan
from userloop.release.update_check import UpdateAction, UpdateReason, decide

S = ReleaseState
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_transitions_are_explicit_and_illegal_ones_raise() -> None:
    assert S.DRAFT.can_become(S.ROLLING_OUT)
    assert not S.DRAFT.can_become(S.COMPLETED)
    assert RELEASE_TRANSITIONS[S.ROLLING_OUT] == {S.PAUSED, S.HALTED, S.COMPLETED, S.ROLLED_BACK}
    assert RELEASE_TRANSITIONS[S.PAUSED] == {S.ROLLING_OUT, S.ROLLED_BACK}
    assert RELEASE_TRANSITIONS[S.HALTED] == {S.ROLLING_OUT, S.ROLLED_BACK}
    assert S.COMPLETED.is_final and S.ROLLED_BACK.is_final
    with pytest.raises(InvalidTransition, match="from completed to rolling_out; allowed: none"):
        S.COMPLETED.require_transition(S.ROLLING_OUT)
    with pytest.raises(InvalidTransition, match="from paused to halted"):
        S.PAUSED.require_transition(S.HALTED)
    assert set(RELEASE_TRANSITIONS) == set(ReleaseState)


def test_unknown_state_raises() -> None:
    with pytest.raises(ValueError):
        ReleaseState("cancelled")


def test_presets() -> None:
    store = PRESETS["app-store-7-day"]
    assert [s.percent for s in store.stages] == [1, 2, 5, 10, 20, 50, 100]
    assert {s.min_dwell for s in store.stages} == {timedelta(days=1)}
    ubuntu = PRESETS["ubuntu-phased"]
    assert [s.percent for s in ubuntu.stages] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert {s.min_dwell for s in ubuntu.stages} == {timedelta(hours=6)}
    assert parse_plan("ubuntu-phased") is ubuntu


def test_custom_plan_syntax() -> None:
    plan = parse_plan("1,5,25,100@24h")
    assert plan.name == "custom" and plan.spec == "1,5,25,100@24h"
    assert [s.percent for s in plan.stages] == [1, 5, 25, 100]
    assert {s.min_dwell for s in plan.stages} == {timedelta(hours=24)}
    assert {s.min_exposure for s in plan.stages} == {0}
    fine = parse_plan(" 0.5%, 5 ,100@90m/250")
    assert [s.percent for s in fine.stages] == [0.5, 5, 100]
    assert fine.stages[0].min_dwell == timedelta(minutes=90)
    assert fine.stages[0].min_exposure == 250
    assert parse_plan("100").stages[0].min_dwell == timedelta(hours=24)  # the default dwell
    assert parse_dwell("1.5d") == timedelta(hours=36)
    assert describe(plan) == "custom: 1% 5% 25% 100% @1d"
    assert RolloutPlan.from_record(fine.record()) == fine


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "a plan is needed"),
        ("weekly", "unknown plan preset 'weekly': the presets are app-store-7-day, ubuntu"),
        ("1,5,x,100", "stage 3: 'x' is not a percentage"),
        ("1,,100", "stage 2 is empty"),
        ("1,5,5,100", r"stage 3 \(5%\) is not above stage 2 \(5%\): percentages must rise"),
        ("1,5,25", "the last stage must be 100%.*not 25%"),
        ("0,100", r"stage 1: 0% is not above 0 and at most 100"),
        ("1,150", r"stage 2: 150% is not above 0"),
        ("0.005,100", "more than two decimals"),
        ("1,100@24", "dwell '24' has no known unit: write m"),
        ("1,100@soon", "dwell 'soon' is not a duration"),
        ("1,100@6h/lots", "minimum exposure 'lots' is not a whole number of device-days"),
    ],
)
def test_custom_plan_errors_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        parse_plan(spec)


def test_stage_and_plan_validate() -> None:
    with pytest.raises(ValueError, match="at least one stage"):
        RolloutPlan("custom", ())
    with pytest.raises(ValueError, match="at most two decimals"):
        Stage(0.123, timedelta(0))
    assert Stage(0.07, timedelta(0)).threshold == 7


def test_cohort_is_stable_and_monotonic() -> None:
    devices = [f"dev-{i}" for i in range(5000)]
    # Stable: a fixed value, not Python's per-process string hash.
    assert bucket("dev-1", "p/beta/1.3") == bucket("dev-1", "p/beta/1.3")
    assert bucket("dev-1", "p/beta/1.3") == 9280
    assert all(0 <= bucket(d, "p/beta/1.3") < BUCKETS for d in devices)
    previous: set[str] = set()
    for percent in (1, 2, 5, 10, 20, 50, 100):
        chosen = {d for d in devices if in_cohort(d, "p/beta/1.3", percent)}
        assert previous <= chosen  # raising the percentage only adds devices
        assert abs(len(chosen) / len(devices) - percent / 100) < 0.02
        previous = chosen
    assert previous == set(devices)
    # Another release chooses other devices first.
    first = {d for d in devices if in_cohort(d, "p/beta/1.3", 10)}
    other = {d for d in devices if in_cohort(d, "p/beta/1.4", 10)}
    assert len(first & other) < len(first) / 3


def _release(state: ReleaseState, stage: int = 0, **changes: object) -> Release:
    base = Release(
        id=7,
        product="phone",
        build="1.3",
        previous_build="1.2",
        channel=Channel.BETA,
        models=frozenset(),
        regions=frozenset(),
        plan=parse_plan("10,50,100@1d"),
        state=state,
        stage=stage,
        stage_started_at=T0,
        created_by="cli",
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _cohort_devices(percent: float, inside: bool, n: int = 3) -> list[str]:
    found = []
    for i in range(10_000):
        device = f"d{i}"
        if in_cohort(device, "phone/beta/1.3", percent) == inside:
            found.append(device)
            if len(found) == n:
                return found
    raise AssertionError("no such device")


def test_update_check_rule() -> None:
    inside, outside = _cohort_devices(10, True)[0], _cohort_devices(10, False)[0]
    rolling = [_release(S.ROLLING_OUT)]
    yes = decide(rolling, inside, "m", "1.2", "NL")
    assert (yes.action, yes.build, yes.reason) == (
        UpdateAction.UPDATE,
        "1.3",
        UpdateReason.IN_COHORT,
    )
    assert yes.stage == 1 and yes.percent == 10
    assert decide(rolling, outside, "m", "1.2", "NL").action is UpdateAction.NONE
    # A device that got the build keeps it, whatever the release's state.
    for state in (S.ROLLING_OUT, S.PAUSED, S.HALTED, S.COMPLETED):
        kept = decide([_release(state)], outside, "m", "1.3", "NL")
        assert (kept.action, kept.build) == (UpdateAction.STAY, "1.3")
    # Halted and paused offer nothing new, even to the cohort.
    halted = decide([_release(S.HALTED)], inside, "m", "1.2", "NL")
    assert (halted.action, halted.reason) == (UpdateAction.NONE, UpdateReason.HALTED)
    assert decide([_release(S.PAUSED)], inside, "m", "1.2", "NL").reason is UpdateReason.PAUSED
    # Rolled back: the new build goes back to the previous one; the old one stays.
    back = decide([_release(S.ROLLED_BACK)], inside, "m", "1.3", "NL")
    assert (back.action, back.build) == (UpdateAction.ROLLBACK, "1.2")
    assert decide([_release(S.ROLLED_BACK)], inside, "m", "1.2", "NL").action is UpdateAction.NONE
    # Completed: everyone eligible on the previous build.
    assert decide([_release(S.COMPLETED)], outside, "m", "1.2", "NL").action is UpdateAction.UPDATE
    # Drafts and other builds: nothing.
    assert decide([_release(S.DRAFT)], inside, "m", "1.2", "NL").reason is UpdateReason.NO_RELEASE
    assert decide(rolling, inside, "m", "1.1", "NL").reason is UpdateReason.NO_RELEASE


def test_update_check_eligibility_and_order() -> None:
    inside = _cohort_devices(10, True)[0]
    narrow = [_release(S.ROLLING_OUT, models=frozenset({"x1"}), regions=frozenset({"NL"}))]
    assert decide(narrow, inside, "x1", "1.2", "nl").action is UpdateAction.UPDATE
    assert decide(narrow, inside, "x2", "1.2", "NL").reason is UpdateReason.NOT_ELIGIBLE
    assert decide(narrow, inside, "x1", "1.2", "DE").reason is UpdateReason.NOT_ELIGIBLE
    assert decide(narrow, inside, "x1", "1.2", None).reason is UpdateReason.NOT_ELIGIBLE
    # Newest first: the release of 1.4 from 1.3 answers a device on 1.3.
    newer = _release(S.ROLLING_OUT, id=8, build="1.4", previous_build="1.3")
    older = _release(S.COMPLETED)
    answer = decide([newer, older], inside, "m", "1.3", "NL")
    assert answer.release_id == 8
    assert decide([newer, older], inside, "m", "1.2", "NL").build == "1.3"
