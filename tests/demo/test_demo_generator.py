"""The demo world generator: deterministic, consistent, and shaped the way the demo needs."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from userloop.demo import (
    FIXED_BUILD_INDEX,
    FIXED_PROBLEM,
    PROBLEMS,
    REGRESSION_BUILD_INDEX,
    REGRESSION_PROBLEM,
    DemoWorld,
    generate,
    iter_feedback_jsonl,
    iter_jsonl,
    write_jsonl,
)
from userloop.demo.personal import luhn_valid

FEEDBACK_KEYS = {
    "source",
    "external_id",
    "text",
    "rating",
    "model",
    "build",
    "channel",
    "region",
    "language",
    "created_at",
    "reporter",
}
REPORTER_KEYS = {"id", "experience", "verified_owner", "email", "consent"}
INSTALL_KEYS = ("day", "model", "build", "channel", "region", "segment")
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
DUTCH = re.compile(r"\b(het|niet|mijn|een|telefoon|graag|sinds|bij)\b", re.IGNORECASE)
IMEI_LIKE = re.compile(r"\b\d{15}\b")
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


def _build_index(world: DemoWorld) -> dict[str, int]:
    return {b.version: i for i, b in enumerate(world.builds)}


def _natural_key(version: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", version)]


def test_same_seed_same_world_and_other_seed_differs(world: DemoWorld) -> None:
    again = generate(seed=7, end=END)
    assert again == world
    assert generate() == world  # END is the default: evaluations do not move with the clock
    other = generate(seed=8, end=END)
    assert other.feedback != world.feedback
    assert other.install_base != world.install_base
    assert [b.version for b in other.builds] == [b.version for b in world.builds]


def test_counts_follow_n_feedback(world: DemoWorld) -> None:
    assert len(world.feedback) == 3000
    assert len(world.truth) == 3000
    small = generate(seed=3, n_feedback=400)
    assert len(small.feedback) == 400
    assert generate(seed=3, n_feedback=0).feedback == ()
    assert len(generate(seed=3, n_feedback=1).feedback) == 1
    reporters = Counter(str(_reporter(item)["id"]) for item in world.feedback)
    assert 1300 <= len(reporters) <= 1600
    assert max(reporters.values()) >= 4  # some people write several times


def test_world_shape(world: DemoWorld) -> None:
    assert world.product == "lumo-phone"
    assert len(world.models) == 4
    assert world.regions == ("CN", "RU", "NL", "US")
    assert len(world.builds) == 6
    versions = [b.version for b in world.builds]
    assert sorted(versions, key=_natural_key) == versions
    assert sorted(versions) == versions
    for previous, build in zip(world.builds, world.builds[1:], strict=False):
        assert build.beta_on - previous.beta_on == timedelta(days=7)
    for build in world.builds[:-1]:
        assert build.stable_on == build.beta_on + timedelta(days=7)
    assert world.builds[-1].stable_on is None
    assert world.last_day == END
    assert world.builds[-1].beta_on == END - timedelta(days=3)  # four days in beta
    assert world.first_day == world.builds[0].beta_on == date(2026, 9, 10)
    kinds = Counter(world.problems.values())
    assert kinds["bug"] >= 8 and kinds["feature"] >= 4
    assert {"praise", "question", "other"} <= set(kinds)
    assert set(world.truth.values()) == set(world.problems)


def test_items_have_exactly_the_import_fields(world: DemoWorld) -> None:
    models = set(world.models)
    for item in world.feedback:
        assert set(item) == FEEDBACK_KEYS
        reporter = item["reporter"]
        assert isinstance(reporter, dict) and set(reporter) == REPORTER_KEYS
        assert reporter["experience"] in {"novice", "advanced", "pro"}
        assert isinstance(reporter["verified_owner"], bool)
        assert re.fullmatch(r"r-\d{6}", str(reporter["id"]))
        assert item["source"] in {"demo-app", "demo-play", "demo-forum"}
        assert item["model"] in models
        assert item["channel"] in {"beta", "stable"}
        assert item["region"] in world.regions
        assert isinstance(item["text"], str) and item["text"].strip()
        created = datetime.fromisoformat(str(item["created_at"]))
        assert created.utcoffset() == timedelta(0)
        assert str(item["created_at"]).endswith("+00:00")


def test_external_ids_unique_per_source(world: DemoWorld) -> None:
    keys = [(item["source"], item["external_id"]) for item in world.feedback]
    assert len(set(keys)) == len(keys)
    prefix = {"demo-app": "app-", "demo-play": "play-", "demo-forum": "forum-"}
    for source, external_id in keys:
        assert str(external_id).startswith(prefix[str(source)])
    assert set(Counter(source for source, _ in keys)) == set(prefix)


def test_all_languages_present(world: DemoWorld) -> None:
    texts = [str(item["text"]) for item in world.feedback]
    assert sum(bool(CJK.search(t)) for t in texts) > 500
    assert sum(bool(CYRILLIC.search(t)) for t in texts) > 200
    assert sum(bool(DUTCH.search(t)) for t in texts) > 100
    english = re.compile(r"\b(the|my|phone|please|after|update)\b", re.IGNORECASE)
    assert sum(bool(english.search(t)) for t in texts) > 300
    tags = Counter(item["language"] for item in world.feedback)
    assert set(tags) == {None, "zh-Hans", "zh-Hant", "ru", "nl", "en"}
    assert 0.35 <= 1 - tags[None] / len(texts) <= 0.65
    assert 0 < tags["zh-Hant"] < tags["zh-Hans"] / 10


def test_language_mostly_matches_region(world: DemoWorld) -> None:
    home = {"zh-Hans": "CN", "ru": "RU", "nl": "NL", "en": "US"}
    tagged = [item for item in world.feedback if item["language"] in home]
    aligned = sum(home[str(item["language"])] == item["region"] for item in tagged)
    assert aligned / len(tagged) > 0.85
    english_abroad = {item["region"] for item in tagged if item["language"] == "en"}
    assert {"NL", "RU"} <= english_abroad


def test_channel_and_build_consistent_with_releases(world: DemoWorld) -> None:
    builds = {b.version: b for b in world.builds}
    last = world.last_day
    telemetry = {
        tuple(row[k] for k in INSTALL_KEYS): int(str(row["active_devices"]))
        for row in world.install_base
    }
    seen_in_telemetry = 0
    for item in world.feedback:
        build = builds[str(item["build"])]
        channel = str(item["channel"])
        released = build.released_on(channel)
        assert released is not None, "a build reached stable only once released to stable"
        created = datetime.fromisoformat(str(item["created_at"]))
        assert created > datetime(released.year, released.month, released.day, tzinfo=UTC)
        assert created.date() <= last
        reporter = item["reporter"]
        assert isinstance(reporter, dict)
        key = (
            created.date().isoformat(),
            item["model"],
            item["build"],
            channel,
            item["region"],
            reporter["experience"],
        )
        seen_in_telemetry += telemetry.get(key, 0) > 0
    assert seen_in_telemetry / len(world.feedback) > 0.99
    newest = world.builds[-1].version
    assert all(i["channel"] == "beta" for i in world.feedback if i["build"] == newest)


def test_reporters_keep_their_device(world: DemoWorld) -> None:
    seen: dict[str, tuple[object, object, object]] = {}
    for item in world.feedback:
        reporter = item["reporter"]
        assert isinstance(reporter, dict)
        context = (item["model"], item["region"], item["channel"])
        assert seen.setdefault(str(reporter["id"]), context) == context


def test_regression_comes_with_the_newest_build(world: DemoWorld) -> None:
    index = _build_index(world)
    assert REGRESSION_BUILD_INDEX == len(world.builds) - 1 == 5
    hits = [item for item in world.feedback if _problem(world, item) == REGRESSION_PROBLEM]
    assert {index[str(item["build"])] for item in hits} == {REGRESSION_BUILD_INDEX}
    newest = [i for i in world.feedback if index[str(i["build"])] == REGRESSION_BUILD_INDEX]
    affected = {str(i["model"]) for i in hits}
    exposed = [i for i in newest if i["model"] in affected]
    assert len(hits) >= 40
    assert len(hits) / len(exposed) > 0.5  # the loudest topic where it applies
    by_day = Counter(str(i["created_at"])[:10] for i in hits)
    assert max(by_day.values()) >= 8  # a visible spike


def test_fixed_problem_stops_with_build_4(world: DemoWorld) -> None:
    index = _build_index(world)
    assert FIXED_BUILD_INDEX == 3
    before = [i for i in world.feedback if index[str(i["build"])] < FIXED_BUILD_INDEX]
    after = [i for i in world.feedback if index[str(i["build"])] >= FIXED_BUILD_INDEX]
    hits_before = sum(_problem(world, i) == FIXED_PROBLEM for i in before)
    hits_after = sum(_problem(world, i) == FIXED_PROBLEM for i in after)
    assert hits_before >= 100
    assert hits_after / len(after) < 0.1 * hits_before / len(before)


def test_problems_respect_affected_models(world: DemoWorld) -> None:
    for spec in PROBLEMS:
        models = {i["model"] for i in world.feedback if _problem(world, i) == spec.key}
        assert models, spec.key
        if spec.models:
            assert models <= set(spec.models), spec.key


def test_ratings_follow_sentiment(world: DemoWorld) -> None:
    by_kind: dict[str, list[int]] = {}
    for item in world.feedback:
        rating = item["rating"]
        if item["source"] == "demo-play":
            assert rating is not None
        if item["source"] == "demo-forum":
            assert rating is None
        if rating is None:
            continue
        assert isinstance(rating, int) and 1 <= rating <= 5
        by_kind.setdefault(world.problems[_problem(world, item)], []).append(rating)
    mean = {kind: sum(r) / len(r) for kind, r in by_kind.items()}
    assert mean["bug"] < 2.2
    assert mean["praise"] > 4.2
    assert mean["bug"] < mean["feature"] < mean["praise"]


def test_install_base_rows(world: DemoWorld) -> None:
    rows = world.install_base
    assert 1000 <= len(rows) <= 5000
    keys = [tuple(row[k] for k in INSTALL_KEYS) for row in rows]
    assert len(set(keys)) == len(keys)
    versions = {b.version for b in world.builds}
    for row in rows:
        assert set(row) == {*INSTALL_KEYS, "active_devices", "crashes", "returns"}
        active, crashes, returns = row["active_devices"], row["crashes"], row["returns"]
        assert isinstance(active, int) and isinstance(crashes, int) and isinstance(returns, int)
        assert active > 0 and crashes >= 0 and 0 <= returns <= active
        assert row["build"] in versions and row["segment"] in {"novice", "advanced", "pro"}
    days = sorted({str(row["day"]) for row in rows})
    assert days[0] == world.first_day.isoformat()
    assert days[-1] == world.last_day.isoformat()
    assert max(str(i["created_at"])[:10] for i in world.feedback) <= days[-1]


def test_install_base_is_plausible(world: DemoWorld) -> None:
    totals: Counter[tuple[str, str]] = Counter()
    for row in world.install_base:
        totals[(str(row["day"]), str(row["channel"]))] += int(str(row["active_devices"]))
    day = world.builds[3].beta_on.isoformat()
    assert 30 < totals[(day, "stable")] / totals[(day, "beta")] < 80

    def crash_rate(regression_build: bool, model: str) -> float:
        index = _build_index(world)
        active = crashes = 0
        for row in world.install_base:
            is_regression_build = index[str(row["build"])] >= REGRESSION_BUILD_INDEX
            if row["model"] == model and is_regression_build == regression_build:
                active += int(str(row["active_devices"]))
                crashes += int(str(row["crashes"]))
        return crashes / active

    assert 0.004 < crash_rate(False, "Lumo 12") < 0.02
    assert crash_rate(True, "Lumo 12") > 2 * crash_rate(False, "Lumo 12")
    assert crash_rate(False, "Lumo Note 5") < 0.02  # no story on this model
    returns = sum(int(str(row["returns"])) for row in world.install_base)
    assert 0 < returns < 1000


def test_new_build_ramps_up_on_stable(world: DemoWorld) -> None:
    build = world.builds[2]
    assert build.stable_on is not None
    per_day: Counter[str] = Counter()
    for row in world.install_base:
        if row["build"] == build.version and row["channel"] == "stable":
            per_day[str(row["day"])] += int(str(row["active_devices"]))
    first = per_day[build.stable_on.isoformat()]
    later = per_day[(build.stable_on + timedelta(days=5)).isoformat()]
    assert 0 < first < later / 4


def test_some_texts_carry_personal_data(world: DemoWorld) -> None:
    texts = [str(item["text"]) for item in world.feedback]
    with_email = [t for t in texts if "@" in t]
    imeis = [m for t in texts for m in IMEI_LIKE.findall(t)]
    serials = [t for t in texts if "S/N:" in t]
    assert with_email and imeis and serials
    assert all(luhn_valid(imei) for imei in imeis)
    share = sum(
        bool(
            "@" in t
            or IMEI_LIKE.search(t)
            or "S/N:" in t
            or re.search(r"\+\d|\(\d{3}\)|06-\d|1[3-9]\d \d{4} \d{4}|8 \(9", t)
        )
        for t in texts
    ) / len(texts)
    assert 0.01 < share < 0.06


def test_about_ten_percent_consented_contacts(world: DemoWorld) -> None:
    reporters = {}
    for item in world.feedback:
        reporter = item["reporter"]
        assert isinstance(reporter, dict)
        reporters[reporter["id"]] = reporter
        assert (reporter["email"] is not None) == reporter["consent"]
    consented = [r for r in reporters.values() if r["consent"]]
    assert 0.07 < len(consented) / len(reporters) < 0.13
    domains = {str(r["email"]).split("@")[1] for r in consented}
    assert domains <= {"example.com", "example.cn", "example.ru", "example.nl"}
    assert len({r["email"] for r in consented}) == len(consented)


def test_experience_skew_and_beta_pros(world: DemoWorld) -> None:
    reporters: dict[object, tuple[object, object]] = {}
    for item in world.feedback:
        reporter = item["reporter"]
        assert isinstance(reporter, dict)
        reporters[reporter["id"]] = (reporter["experience"], item["channel"])
    levels = Counter(level for level, _ in reporters.values())
    assert levels["novice"] > levels["advanced"] > levels["pro"] > 0

    def beta_share(level: str) -> float:
        channels = [ch for lv, ch in reporters.values() if lv == level]
        return channels.count("beta") / len(channels)

    assert beta_share("pro") > 3 * beta_share("novice")


def test_jsonl_round_trip(world: DemoWorld, tmp_path: Path) -> None:
    feedback_path = tmp_path / "feedback.jsonl"
    install_path = tmp_path / "install_base.jsonl"
    write_jsonl(world, feedback_path, install_path)
    raw = feedback_path.read_text(encoding="utf-8")
    assert "\\u" not in raw  # UTF-8, not ASCII escapes
    assert CJK.search(raw)
    assert tuple(iter_feedback_jsonl(feedback_path)) == world.feedback
    assert tuple(iter_jsonl(install_path)) == world.install_base
    assert len(raw.splitlines()) == len(world.feedback)


def test_the_end_date_moves_the_world() -> None:
    end = date(2027, 1, 3)
    moved = generate(seed=7, n_feedback=200, end=end)
    assert moved.last_day == end and moved.builds[-1].beta_on == date(2026, 12, 31)
    versions = [b.version for b in moved.builds]
    assert sorted(versions, key=_natural_key) == versions  # across a year boundary
    assert versions[-1] == "3.4.2653" and versions[0] == "3.4.2648"
    days = {str(i["created_at"])[:10] for i in moved.feedback}
    assert min(days) >= moved.first_day.isoformat() and max(days) == end.isoformat()
    assert max(str(row["day"]) for row in moved.install_base) == end.isoformat()
    assert max(str(v["at"])[:10] for v in moved.votes) <= end.isoformat()
