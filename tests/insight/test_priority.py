"""Priority from its parts on the synthetic fleet: a crash hitting 3% of silent novices on one
model outranks a feature request with ten times the votes from pros; votes never dominate the
reach; counts-only mode; the parts explain the score; filters re-rank by the stored cells."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.insight.fleet_support import TOPICS, daily, reports, votes
from userloop.demo.fleet import BUILD, CRASH, WISH, build_fleet
from userloop.insight.priority import PriorityConfig, Report, Vote, compute, slice_score

ALL = sorted(set(TOPICS.values()))


def _ranked(devices: int = 100_000, install_base: bool = True) -> dict[int, tuple[int, float]]:
    fleet = build_fleet(devices)
    out = compute(ALL, reports(fleet), votes(fleet), daily(fleet) if install_base else [], [BUILD])
    return {p.topic_id: (rank, p.score) for rank, p in enumerate(out)}


def test_a_crash_on_silent_novices_outranks_a_wish_with_ten_times_the_votes_from_pros() -> None:
    fleet = build_fleet(100_000)
    crash, wish = TOPICS["crash"], TOPICS["wish"]
    n_votes = {k: sum(1 for v in fleet.votes if v.key == k) for k in ("crash", "wish")}
    assert n_votes["wish"] == 10 * n_votes["crash"]
    people = {
        t: len({r.reporter for r in reports(fleet) if r.topic_id == t}) for t in (crash, wish)
    }
    # by counts the wish wins: four times the reporters and ten times the votes
    assert people[wish] + n_votes["wish"] > 5 * (people[crash] + n_votes["crash"])
    out = compute(ALL, reports(fleet), votes(fleet), daily(fleet), [BUILD])
    order = [p.topic_id for p in out]
    assert order[0] == crash
    assert order.index(crash) < order.index(wish)
    by_id = {p.topic_id: p for p in out}
    c, w = by_id[crash].parts, by_id[wish].parts
    # the principled reasons, each a stored part: the crash reaches more devices once each
    # reporter stands for their segment's silent users, and a bug outweighs a wish
    assert c["factors"]["reach"] > w["factors"]["reach"]
    assert c["factors"]["severity"] > w["factors"]["severity"]
    assert c["kind"] == "bug" and w["kind"] == "feature"
    assert c["mostly"] == "novice" and w["mostly"] == "pro"
    # the fleet has one build: naming it would say nothing
    assert c["where"]["models"] == ["Lumo 12"] and c["where"]["builds"] == []
    assert c["where"]["share"] == pytest.approx(fleet.share("crash"), rel=0.2)
    # non-owners' opinions count less
    assert w["factors"]["segment"] < 1.0 == c["factors"]["segment"]


def test_votes_can_at_most_double_the_reach_and_count_less_from_an_eager_segment() -> None:
    fleet = build_fleet(100_000)
    rows = reports(fleet)
    wish = TOPICS["wish"]
    at = fleet.start + timedelta(days=7)
    flood = [Vote(wish, at, "pro", True) for _ in range(5000)]
    out = {p.topic_id: p for p in compute(ALL, rows, flood, daily(fleet), [BUILD])}
    assert 1.9 < out[wish].parts["factors"]["votes"] < 2.0  # 1 + votes_weight, never more
    assert out[wish].score < out[TOPICS["crash"]].score
    # one novice vote is worth more than one pro vote: novices speak up six times less
    novice = compute([wish], rows, [Vote(wish, at, "novice", True)], daily(fleet), [BUILD])[0]
    pro = compute([wish], rows, [Vote(wish, at, "pro", True)], daily(fleet), [BUILD])[0]
    assert novice.parts["votes"]["corrected"] > 5 * pro.parts["votes"]["corrected"]


def test_the_score_is_the_product_of_its_stored_parts() -> None:
    fleet = build_fleet(100_000)
    for p in compute(ALL, reports(fleet), votes(fleet), daily(fleet), [BUILD]):
        assert p.score == pytest.approx(math.prod(p.parts["factors"].values()))
        assert p.parts["score"] == p.score and p.parts["mode"] == "devices"


def test_without_install_base_it_ranks_on_counts_and_says_so() -> None:
    fleet = build_fleet(100_000)
    out = compute(ALL, reports(fleet), votes(fleet), [], [BUILD])
    assert {p.parts["mode"] for p in out} == {"counts"}
    crash = next(p for p in out if p.topic_id == TOPICS["crash"])
    assert crash.parts["reach"]["devices"] is None
    assert crash.parts["reach"]["share"] == pytest.approx(5 / len(fleet.feedback))


def test_trend_and_recency() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [Report(1, f"a{i}", now - timedelta(days=1, hours=i), kind="bug") for i in range(6)]
    rows += [Report(1, "b", now - timedelta(days=10), kind="bug")]
    rows += [Report(2, f"c{i}", now - timedelta(days=20 + i), kind="bug") for i in range(7)]
    out = {p.topic_id: p.parts for p in compute([1, 2], rows, [], [], (), as_of=now)}
    assert out[1]["trend"]["last_7_days"] == 6 and out[1]["trend"]["previous_7_days"] == 1
    assert out[1]["trend"]["days_growth"] == pytest.approx(3.5)
    assert out[1]["factors"]["trend"] == pytest.approx(math.sqrt(3.5))
    assert out[2]["factors"]["trend"] == 1.0  # nothing in the last two weeks: no growth
    assert out[2]["factors"]["recency"] == pytest.approx(0.5 ** (20 / 14))


def test_filters_rerank_by_the_stored_cells() -> None:
    fleet = build_fleet(100_000)
    out = {p.topic_id: p for p in compute(ALL, reports(fleet), votes(fleet), daily(fleet))}
    crash = out[TOPICS["crash"]]
    assert slice_score(crash.parts) == crash.score
    assert slice_score(crash.parts, model="Lumo 9") == 0.0
    assert slice_score(crash.parts, model="Lumo 12") == pytest.approx(crash.score)
    ru = slice_score(crash.parts, model="Lumo 12", region="RU", segment="novice")
    assert 0 < ru < crash.score
    wish = out[TOPICS["wish"]]
    assert slice_score(wish.parts, segment="novice") == 0.0


def test_topics_without_reports_in_the_window_score_zero() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    out = compute([1, 2], [Report(1, "a", now, kind="bug")], [], [], (), as_of=now)
    assert [p.topic_id for p in out] == [1, 2] and out[1].score == 0.0
    assert compute([3], [], [], [])[0].score == 0.0


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown segment attribute"):
        PriorityConfig(segment_weights={"shoe_size": {}})
    with pytest.raises(ValueError, match="kind"):
        PriorityConfig(kind_weights={"rant": 1.0})
    with pytest.raises(ValueError):
        PriorityConfig(window_days=7)
    assert CRASH.models == ("Lumo 12",) and WISH.votes == {"pro": 100}


def test_mostly_names_a_segment_only_where_it_is_over_represented() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    # 6 novices and 4 pros report; topic 1 by all of them, topic 2 by the pros only.
    rows = [Report(1, f"n{i}", now, experience="novice", kind="bug") for i in range(6)]
    rows += [
        Report(t, f"p{i}", now, experience="pro", kind="bug") for i in range(4) for t in (1, 2)
    ]
    out = {p.topic_id: p.parts for p in compute([1, 2], rows, [], [], (), as_of=now)}
    assert out[1]["mostly"] is None  # 60% novices: just their share of the reporters
    assert out[2]["mostly"] == "pro"
