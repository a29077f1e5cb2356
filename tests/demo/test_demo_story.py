"""The demo world's stories, read off the generated data the way the product's pages read them:
a regression in the newest build, a silent segment hurt by a crash, pros voting for a feature."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from userloop.demo import REGRESSION_PROBLEM, DemoWorld, generate
from userloop.demo import catalog as c
from userloop.insight.emerging import BuildExposure, emerging

END = date(2026, 10, 18)


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(end=END)


def _problem(world: DemoWorld, item: dict[str, object]) -> str:
    return world.truth[f"{item['source']}/{item['external_id']}"]


def _reporter(item: dict[str, object]) -> dict[str, object]:
    reporter = item["reporter"]
    assert isinstance(reporter, dict)
    return reporter


def _flags(world: DemoWorld) -> set[tuple[int, str]]:
    """(build index, problem) that emerging issues flags when each problem is one topic."""
    keys = sorted(world.problems)
    devices: Counter[str] = Counter()
    reports: Counter[str] = Counter()
    people: dict[tuple[str, int], set[str]] = {}
    for row in world.install_base:
        devices[str(row["build"])] += int(str(row["active_devices"]))
    for item in world.feedback:
        build = str(item["build"])
        reports[build] += 1
        topic = keys.index(_problem(world, item))
        people.setdefault((build, topic), set()).add(str(_reporter(item)["id"]))
    builds = [
        BuildExposure(b.version, reports[b.version], devices[b.version]) for b in world.builds
    ]
    index = {b.version: i for i, b in enumerate(world.builds)}
    counts = {key: len(who) for key, who in people.items()}
    return {(index[f.build], keys[f.topic_id]) for f in emerging(builds, counts)}


def test_the_same_world_whichever_day_it_ends_on(world: DemoWorld) -> None:
    later = generate(end=END + timedelta(days=52))  # another weekday, another year's weeks
    assert later.last_day - world.last_day == timedelta(days=52)
    assert list(later.truth.values()) == list(world.truth.values())
    assert [i["reporter"] for i in later.feedback] == [i["reporter"] for i in world.feedback]
    assert [v["problem"] for v in later.votes] == [v["problem"] for v in world.votes]


def test_only_the_planted_problems_emerge(world: DemoWorld) -> None:
    flags = _flags(world)
    newest = c.N_BUILDS - 1
    assert (newest, REGRESSION_PROBLEM) in flags
    assert {p for b, p in flags if b == newest} == {REGRESSION_PROBLEM}
    assert not {p for b, p in flags if b == newest - 1}  # nothing on the build before
    # No noise: reports follow the install base. The launcher crash may show where it starts
    # or, rising against the builds before it, later on.
    planted = {(newest, REGRESSION_PROBLEM)} | {
        (b, c.SILENT_PROBLEM) for b in range(c.SILENT_BUILD_INDEX, newest)
    }
    assert flags <= planted


def test_the_regression_shows_in_the_install_base_of_the_newest_build(world: DemoWorld) -> None:
    newest = world.builds[-1].version
    spec = c.PROBLEM_BY_KEY[REGRESSION_PROBLEM]

    def rate(build: str, hit: bool) -> float:
        rows = [
            r
            for r in world.install_base
            if r["build"] == build
            and r["channel"] == "beta"
            and spec.affects(str(r["model"])) == hit
        ]
        crashes = sum(int(str(r["crashes"])) for r in rows)
        return crashes / sum(int(str(r["active_devices"])) for r in rows)

    before = world.builds[-2].version
    assert rate(newest, True) > 3 * rate(before, True)
    assert rate(newest, False) < 1.3 * rate(before, False)


def test_the_silent_segment_crashes_but_seldom_writes(world: DemoWorld) -> None:
    def silent(model: object, segment: object) -> bool:
        return model == c.SILENT_MODEL and segment == c.SILENT_SEGMENT

    active: Counter[bool] = Counter()
    crashes: Counter[bool] = Counter()
    for row in world.install_base:
        if row["segment"] == c.SILENT_SEGMENT:
            key = silent(row["model"], row["segment"])
            active[key] += int(str(row["active_devices"]))
            crashes[key] += int(str(row["crashes"]))
    reports = Counter(
        silent(item["model"], _reporter(item)["experience"])
        for item in world.feedback
        if _reporter(item)["experience"] == c.SILENT_SEGMENT
    )
    crash_rate = {k: crashes[k] / active[k] for k in (True, False)}
    report_rate = {k: reports[k] / active[k] for k in (True, False)}
    assert crash_rate[True] > 3 * crash_rate[False]
    assert report_rate[True] < 0.5 * report_rate[False]
    # Raw report counts underrate the launcher crash: fewer reports than the night-mode crash,
    # for many times its crashes.
    problems = Counter(world.truth.values())
    assert 10 <= problems[c.SILENT_PROBLEM] < problems[REGRESSION_PROBLEM]
    hit = c.PROBLEM_BY_KEY[REGRESSION_PROBLEM]
    regression_crashes = sum(
        int(str(r["crashes"]))
        for r in world.install_base
        if r["build"] == world.builds[-1].version and hit.affects(str(r["model"]))
    )
    assert crashes[True] > 20 * regression_crashes
    launcher = [i for i in world.feedback if _problem(world, i) == c.SILENT_PROBLEM]
    assert all(silent(i["model"], _reporter(i)["experience"]) for i in launcher)


def test_pros_vote_for_the_feature(world: DemoWorld) -> None:
    votes = world.votes
    assert len(votes) == 3000 * 54 // 1000
    by_problem = Counter(str(v["problem"]) for v in votes)
    feature = by_problem.pop(c.VOTED_FEATURE)
    assert feature > 5 * max(by_problem.values()) and len(by_problem) >= 3

    def experience(v: dict[str, object]) -> str:
        profile = v["profile"]
        assert isinstance(profile, dict)
        return str(profile["experience"])

    pro = [v for v in votes if experience(v) == "pro"]
    assert sum(v["problem"] == c.VOTED_FEATURE for v in pro) / len(pro) > 0.9
    on_feature = [v for v in votes if v["problem"] == c.VOTED_FEATURE]
    assert sum(experience(v) == "pro" for v in on_feature) / len(on_feature) > 0.75
    others = [v for v in votes if v["problem"] != c.VOTED_FEATURE]
    assert {experience(v) for v in others} >= {"novice", "advanced"}
    assert len({v["visitor"] for v in votes}) == len(votes)
    times = [datetime.fromisoformat(str(v["at"])) for v in votes]
    assert times == sorted(times)
    assert world.first_day <= times[0].date() and times[-1].date() <= world.last_day
    assert len({t.date() for t in times}) > 20  # spread over the world's days
    for v in votes:
        profile = v["profile"]
        assert isinstance(profile, dict)
        assert set(profile) == {"experience", "verified_owner", "model", "region", "channel"}
        assert profile["model"] in c.LINEUP[str(profile["region"])]
        assert profile["channel"] in c.CHANNELS
