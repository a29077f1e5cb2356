"""Deterministic generator of a synthetic product world: builds, install base, feedback, votes.

The world is the made-up phone maker "Lumo" (product ``lumo-phone``). Everything is derived
from ``random.Random`` instances seeded from the caller's seed, so the same arguments always
give the same world; the clock and the global random state are never consulted. The caller
says on which day the world ends (``userloop demo`` passes today, UTC; the evaluation a fixed
day, ``DEFAULT_END``).

Time line, counted back from the last day ``end``: a build goes to beta every seven days and to
stable seven days later; the newest of the six (#6) went to beta ``NEWEST_BETA_DAYS - 1`` days
before ``end`` (so on ``end`` it has been in beta for four days, that day included) and has not
reached stable. The world starts on the first build's beta day, so it spans
``7 * (N_BUILDS - 1) + NEWEST_BETA_DAYS`` days. The weekday of the releases follows the day the
world ends; versions are ``3.4.<yy><ISO week>`` of the beta day. Nothing else depends on the
calendar, so a seed gives the same world, shifted in time, whichever day it ends on.

Reports are drawn in proportion to the install base: a reporter is a device of the install
base, picked by its cell's active devices times the segment's propensity to write (pros write
more, novices on the budget model hardly at all), so reports per device-day agree across
channels and builds except where the world plants a story:

- a regression in the newest build: the camera crashes in night mode on two models (more
  crashes and returns in the install base; on top of their usual reports, the hit devices
  write about it, ``REGRESSION_REPORTS_PER_DAY`` on average);
- a silent segment: from build #2 on, the launcher of novices on the budget model (not in beta)
  crashes, which the install base's crash counts show clearly while their reports are few;
- an enthusiastic segment: pros vote ("me too") for one feature, others cast a few votes on
  other topics (``DemoWorld.votes``, cast by ``demo.staging`` once the topics exist).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from userloop.demo import catalog as c
from userloop.demo.phrases import EMAIL_DOMAIN, NAME_PARTS
from userloop.demo.writing import Reporter, compose

#: Feedback and telemetry run from the first build's beta day to the world's last day.
WORLD_DAYS = 7 * (c.N_BUILDS - 1) + c.NEWEST_BETA_DAYS
#: The last day of the world when the caller names none (reproducible evaluations).
DEFAULT_END = date(2026, 10, 18)

LANGUAGE_BY_REGION: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("zh-Hans", 0.95), ("zh-Hant", 0.03), ("en", 0.02)),
    "RU": (("ru", 0.88), ("en", 0.12)),
    "NL": (("nl", 0.76), ("en", 0.24)),
    "US": (("en", 0.95), ("zh-Hant", 0.03), ("ru", 0.02)),
}
#: Relative chance that a device's owner writes at all, by segment (the silent segment lower
#: still: ``SILENT_WRITER_FACTOR``); and how much a writer writes.
WRITER_SHARE: dict[str, float] = {"novice": 1.0, "advanced": 1.3, "pro": 2.0}
VERIFIED_CHANCE: dict[str, float] = {"novice": 0.70, "advanced": 0.80, "pro": 0.90}
ACTIVITY: dict[str, float] = {"novice": 1.0, "advanced": 1.3, "pro": 1.8}
#: Votes per 1,000 reports: pros for the voted feature, and everybody on other topics.
FEATURE_VOTES_PER_1000 = 40
OTHER_VOTES_PER_1000 = 14
#: Share of the feature's votes from pros (the rest from other segments).
FEATURE_PRO_SHARE = 0.85
#: Topics that get the other votes (all apply to every model).
OTHER_VOTED: tuple[str, ...] = (
    "battery_drain",
    "notif_delayed",
    "dark_mode_schedule",
    "app_lock",
    "more_widgets",
)
CONSENTED_EMAIL_SHARE = 0.10
#: (demo-app, demo-play, demo-forum) weights by experience.
SOURCE_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "novice": (0.45, 0.45, 0.10),
    "advanced": (0.40, 0.33, 0.27),
    "pro": (0.30, 0.15, 0.55),
}
RATED_SHARE: dict[str, float] = {"demo-app": 0.35, "demo-play": 1.0, "demo-forum": 0.0}
LANGUAGE_TAG_SHARE: dict[str, float] = {"demo-app": 0.70, "demo-play": 0.50, "demo-forum": 0.30}
UTC_OFFSET_HOURS: dict[str, int] = {"CN": 8, "RU": 3, "NL": 2, "US": -5}
LOCAL_HOUR_WEIGHTS: tuple[float, ...] = (
    1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.2, 2.5, 2.5, 2.6,
    2.8, 2.6, 2.4, 2.4, 2.5, 2.7, 3.0, 3.3, 3.4, 3.2, 2.6, 1.8,
)  # fmt: skip


@dataclass(frozen=True)
class DemoBuild:
    version: str
    beta_on: date
    stable_on: date | None

    def released_on(self, channel: str) -> date | None:
        """The day the build reached ``channel`` (None if it has not)."""
        return self.beta_on if channel == "beta" else self.stable_on


@dataclass(frozen=True)
class DemoWorld:
    product: str
    models: tuple[str, ...]
    builds: tuple[DemoBuild, ...]
    regions: tuple[str, ...]
    feedback: tuple[dict[str, object], ...]
    install_base: tuple[dict[str, object], ...]
    truth: dict[str, str]  # source + "/" + external_id -> problem key
    problems: dict[str, str]  # problem key -> kind
    # {"problem", "visitor", "profile": {experience, verified_owner, model, region, channel},
    #  "at": ISO time}, oldest first
    votes: tuple[dict[str, object], ...] = ()

    @property
    def first_day(self) -> date:
        return self.builds[0].beta_on

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=WORLD_DAYS - 1)


IndexKey = tuple[int, str, int, str, str, str]  # day index, model, build index, channel, ...


def build_version(release: date) -> str:
    """Version string of the build released (to beta) on ``release``: ``3.4.<yy><isoweek>``.

    Numbers grow week over week (also across a year boundary), so the strings sort correctly
    both as text and in natural numeric order.
    """
    iso = release.isocalendar()
    return f"{c.BUILD_MAJOR_MINOR}.{iso.year % 100}{iso.week:02d}"


def make_builds(end: date) -> tuple[DemoBuild, ...]:
    """Weekly builds: beta every seven days, stable a week later; the newest is beta-only and
    has been in beta for ``NEWEST_BETA_DAYS`` days on ``end`` (see the module doc)."""
    start = end - timedelta(days=WORLD_DAYS - 1)
    builds = []
    for i in range(c.N_BUILDS):
        beta_on = start + timedelta(days=7 * i)
        stable_on = beta_on + timedelta(days=7) if i < c.N_BUILDS - 1 else None
        builds.append(DemoBuild(build_version(beta_on), beta_on, stable_on))
    return tuple(builds)


def _adoption(build: DemoBuild, channel: str, day: date) -> float:
    """Share of the channel's devices that have installed ``build`` (or a newer one) by ``day``."""
    released = build.released_on(channel)
    if released is None or day < released:
        return 0.0
    ramp = c.ROLLOUT_RAMP[channel]
    t = (day - released).days
    return ramp[t] if t < len(ramp) else 1.0


def _build_share(builds: tuple[DemoBuild, ...], index: int, channel: str, day: date) -> float:
    newer = _adoption(builds[index + 1], channel, day) if index + 1 < len(builds) else 0.0
    return max(0.0, _adoption(builds[index], channel, day) - newer)


def _build_on(builds: tuple[DemoBuild, ...], channel: str, day: date, lag: float) -> int | None:
    """Index of the build a device at rollout position ``lag`` runs on ``day`` (None: older)."""
    for index in range(len(builds) - 1, -1, -1):
        if _adoption(builds[index], channel, day) > lag:
            return index
    return None


def _populations() -> dict[tuple[str, str, str, str], float]:
    """Devices per (channel, model, region, segment) once a channel is fully on tracked builds."""
    out: dict[tuple[str, str, str, str], float] = {}
    for channel in c.CHANNELS:
        total = c.BETA_DEVICES if channel == "beta" else c.STABLE_DEVICES
        for region in c.REGIONS:
            models = [m for m in c.LINEUP[region] if channel == "stable" or m in c.BETA_MODELS]
            norm = sum(c.MODEL_POPULARITY[m] for m in models)
            for model in models:
                for segment in c.SEGMENTS:
                    out[(channel, model, region, segment)] = (
                        total
                        * c.REGION_SHARE[region]
                        * c.MODEL_POPULARITY[model]
                        / norm
                        * c.SEGMENT_SHARE[channel][segment]
                    )
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    mean = n * p
    if mean < 30:
        return min(n, _poisson(rng, mean))
    return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - p))))))


def _regression_hits(model: str, build_index: int) -> bool:
    spec = c.PROBLEM_BY_KEY[c.REGRESSION_PROBLEM]
    return build_index >= c.REGRESSION_BUILD_INDEX and spec.affects(model)


def _silent_hits(model: str, segment: str, build_index: int) -> bool:
    return (
        model == c.SILENT_MODEL
        and segment == c.SILENT_SEGMENT
        and build_index >= c.SILENT_BUILD_INDEX
    )


def _writers(
    populations: dict[tuple[str, str, str, str], float],
) -> tuple[list[tuple[str, str, str, str]], list[float]]:
    """The install base's cells, and how many writers each holds (devices times propensity)."""
    cells = sorted(populations)
    weights = []
    for channel, model, region, segment in cells:
        weight = populations[(channel, model, region, segment)] * WRITER_SHARE[segment]
        if model == c.SILENT_MODEL and segment == c.SILENT_SEGMENT:
            weight *= c.SILENT_WRITER_FACTOR
        weights.append(weight)
    return cells, weights


def _install_base(
    rng: random.Random, builds: tuple[DemoBuild, ...]
) -> tuple[list[dict[str, object]], dict[IndexKey, int]]:
    populations = _populations()
    rows: list[dict[str, object]] = []
    index: dict[IndexKey, int] = {}
    start = builds[0].beta_on
    for day_index in range(WORLD_DAYS):
        day = start + timedelta(days=day_index)
        growth = 1.0 + 0.003 * day_index  # new phones keep being sold
        for channel in c.CHANNELS:
            for b, build in enumerate(builds):
                share = _build_share(builds, b, channel, day)
                if share <= 0:
                    continue
                for (ch, model, region, segment), pop in populations.items():
                    if ch != channel:
                        continue
                    active = round(pop * growth * share * rng.uniform(0.97, 1.03))
                    if active <= 0:
                        continue
                    rate = c.CRASH_RATE[model]
                    if channel == "beta":
                        rate *= c.BETA_CRASH_FACTOR
                    hit = _regression_hits(model, b)
                    if hit:
                        rate += c.REGRESSION_EXTRA_CRASH_RATE
                    if _silent_hits(model, segment, b):
                        rate += c.SILENT_EXTRA_CRASH_RATE
                    crashes = _binomial(rng, active, rate * rng.uniform(0.85, 1.15))
                    returns = _poisson(rng, active * c.RETURN_RATE * (2.5 if hit else 1.0))
                    rows.append(
                        {
                            "day": day.isoformat(),
                            "model": model,
                            "build": build.version,
                            "channel": channel,
                            "region": region,
                            "segment": segment,
                            "active_devices": active,
                            "crashes": crashes,
                            "returns": min(returns, active),
                        }
                    )
                    index[(day_index, model, b, channel, region, segment)] = active
    return rows, index


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def _email(rng: random.Random, region: str, taken: set[str]) -> str:
    firsts, lasts = NAME_PARTS[region]
    while True:
        first, last = rng.choice(firsts), rng.choice(lasts)
        style = rng.randrange(3)
        if style == 0:
            local = f"{first}.{last}{rng.randrange(100)}"
        elif style == 1:
            local = f"{first}{last[0]}{rng.randrange(1000, 10000)}"
        else:
            local = f"{last}.{first}{rng.randrange(10)}"
        address = f"{local}@{EMAIL_DOMAIN[region]}"
        if address not in taken:
            taken.add(address)
            return address


def _reporters(rng: random.Random, count: int) -> list[Reporter]:
    """``count`` reporters, each the owner of a device drawn from the install base's cells in
    proportion to their writers (so reports follow devices, see the module doc)."""
    cells, weights = _writers(_populations())
    taken: set[str] = set()
    out = []
    for n, (channel, model, region, experience) in enumerate(
        rng.choices(cells, weights=weights, k=count), start=1
    ):
        lag = rng.random()  # the install base rolls builds out to every segment alike
        email = _email(rng, region, taken) if rng.random() < CONSENTED_EMAIL_SHARE else None
        out.append(
            Reporter(
                rid=f"r-{n:06d}",
                experience=experience,
                verified=rng.random() < VERIFIED_CHANCE[experience],
                email=email,
                region=region,
                model=model,
                channel=channel,
                language=_pick(rng, LANGUAGE_BY_REGION[region]),
                lag=lag,
                activity=ACTIVITY[experience] * rng.paretovariate(2.5),
            )
        )
    return out


def _reporter_days(
    rep: Reporter, builds: tuple[DemoBuild, ...], index: dict[IndexKey, int]
) -> tuple[list[tuple[int, int]], list[float]]:
    """Days the reporter's device runs a tracked build, with the build and a sampling weight.

    A day weighs in proportion to the sum of the problems' weights on its build: each problem
    keeps its own rate, so a fixed bug lowers the reports instead of raising every other topic.
    """
    start = builds[0].beta_on
    load = [
        sum(p.weight_for(rep.model, b, rep.region, rep.experience) for p in c.PROBLEMS)
        for b in range(len(builds))
    ]
    days: list[tuple[int, int]] = []
    weights: list[float] = []
    loose: list[tuple[int, int]] = []
    for day_index in range(WORLD_DAYS):
        day = start + timedelta(days=day_index)
        b = _build_on(builds, rep.channel, day, rep.lag)
        if b is None:
            continue
        loose.append((day_index, b))
        key = (day_index, rep.model, b, rep.channel, rep.region, rep.experience)
        if index.get(key, 0) <= 0:
            continue
        # No burst after an update: it would raise every topic on a build still rolling out. No
        # weekday rhythm either: the same seed gives the same world whichever day it ends on.
        weight = load[b]
        days.append((day_index, b))
        weights.append(weight)
    if not days:  # a combination too small to show in telemetry; keep the reporter anyway
        return loose, [1.0] * len(loose)
    return days, weights


def _choose_problem(rng: random.Random, rep: Reporter, build_index: int) -> tuple[str, bool]:
    """Problem key for one report, and whether it repeats the reporter's previous topic."""
    previous = rep.last_problem
    if previous is not None and rng.random() < 0.3:
        spec = c.PROBLEM_BY_KEY[previous]
        if spec.weight_for(rep.model, build_index, rep.region, rep.experience) >= 0.5:
            return previous, True
    weights = [p.weight_for(rep.model, build_index, rep.region, rep.experience) for p in c.PROBLEMS]
    return rng.choices(c.PROBLEMS, weights=weights)[0].key, False


def _created_at(rng: random.Random, day: date, region: str) -> datetime:
    hour = rng.choices(range(24), weights=LOCAL_HOUR_WEIGHTS)[0]
    minute = (hour * 60 + rng.randrange(60) - UTC_OFFSET_HOURS[region] * 60) % 1440
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=max(1, minute))


def _source(rng: random.Random, rep: Reporter) -> str:
    app, play, forum = SOURCE_WEIGHTS[rep.experience]
    if rep.channel == "beta":
        play, forum = play * 0.4, forum * 1.8
    return rng.choices(c.SOURCES, weights=(app, play, forum))[0]


def _regression_days(
    rng: random.Random, rep: Reporter, days: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The reporter's extra reports about the regression: on each day its device runs an
    affected build, Poisson with mean ``REGRESSION_REPORTS_PER_DAY``."""
    if not c.PROBLEM_BY_KEY[c.REGRESSION_PROBLEM].affects(rep.model):
        return []
    return [
        (d, b)
        for d, b in days
        if b >= c.REGRESSION_BUILD_INDEX
        for _ in range(_poisson(rng, c.REGRESSION_REPORTS_PER_DAY))
    ]


def _votes(seed: int, n_feedback: int, builds: tuple[DemoBuild, ...]) -> list[dict[str, object]]:
    """Pros' "me too" votes on the voted feature, and a few votes of everybody on other topics,
    spread over the world's days (a separate random stream: the feedback does not move)."""
    rng = random.Random(f"userloop-demo:{seed}:votes")
    populations = _populations()
    cells, writers = _writers(populations)
    pros = [cell for cell in cells if cell[3] == c.VOTER_SEGMENT]
    pro_weights = [populations[cell] for cell in pros]
    n_feature = n_feedback * FEATURE_VOTES_PER_1000 // 1000
    n_other = n_feedback * OTHER_VOTES_PER_1000 // 1000
    start = builds[0].beta_on
    drafts = []
    for n in range(n_feature + n_other):
        feature = n < n_feature
        if feature and rng.random() < FEATURE_PRO_SHARE:
            channel, model, region, segment = rng.choices(pros, weights=pro_weights)[0]
        else:
            channel, model, region, segment = rng.choices(cells, weights=writers)[0]
        problem = c.VOTED_FEATURE if feature else rng.choice(OTHER_VOTED)
        day = start + timedelta(days=rng.randrange(WORLD_DAYS))
        profile = {
            "experience": segment,
            "verified_owner": rng.random() < VERIFIED_CHANCE[segment],
            "model": model,
            "region": region,
            "channel": channel,
        }
        at = _created_at(rng, day, region)
        drafts.append((at, n, problem, profile))
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [
        {"problem": problem, "visitor": f"v-{n + 1:06d}", "profile": profile, "at": at.isoformat()}
        for at, n, problem, profile in drafts
    ]


def generate(seed: int = 7, n_feedback: int = 3000, end: date = DEFAULT_END) -> DemoWorld:
    """Build the demo world, whose last day is ``end``. Same arguments, same world."""
    if n_feedback < 0:
        raise ValueError("n_feedback must not be negative")
    builds = make_builds(end)
    start = builds[0].beta_on
    rows, index = _install_base(random.Random(f"userloop-demo:{seed}:install"), builds)

    rng = random.Random(f"userloop-demo:{seed}:feedback")
    reporters = _reporters(rng, max(1, n_feedback // 2) if n_feedback else 0)
    reporter_days = [_reporter_days(rep, builds, index) for rep in reporters]
    # The regression's reports come first, within the budget: everyone writes at least once.
    room = max(0, n_feedback - len(reporters))
    regression: list[list[tuple[int, int]]] = []
    crashes = random.Random(f"userloop-demo:{seed}:regression")
    for rep, (days, _) in zip(reporters, reporter_days, strict=True):
        extra_days = _regression_days(crashes, rep, days)[:room]
        room -= len(extra_days)
        regression.append(extra_days)
    counts = [1] * len(reporters)
    if room > 0:
        weights = [r.activity for r in reporters]
        for i in rng.choices(range(len(reporters)), weights=weights, k=room):
            counts[i] += 1

    drafts: list[tuple[datetime, str, int, dict[str, object], str]] = []
    for rep, count, (days, day_weights), extra_days in zip(
        reporters, counts, reporter_days, regression, strict=True
    ):
        picks = [(d, b, False) for d, b in rng.choices(days, weights=day_weights, k=count)]
        picks += [(d, b, True) for d, b in extra_days]
        picks.sort()
        for n, (day_index, b, crashed) in enumerate(picks):
            if crashed:
                problem, repeat = c.REGRESSION_PROBLEM, rep.last_problem == c.REGRESSION_PROBLEM
            else:
                problem, repeat = _choose_problem(rng, rep, b)
            rep.last_problem = problem
            newest = builds[min(day_index // 7, len(builds) - 1)].version
            text, _ = compose(rng, rep, problem, builds[b].version, newest, repeat)
            source = _source(rng, rep)
            rating: int | None = None
            if rng.random() < RATED_SHARE[source]:
                kind = c.PROBLEM_BY_KEY[problem].kind
                rating = rng.choices((1, 2, 3, 4, 5), weights=c.RATING_WEIGHTS[kind])[0]
            language = rep.language if rng.random() < LANGUAGE_TAG_SHARE[source] else None
            created = _created_at(rng, start + timedelta(days=day_index), rep.region)
            item: dict[str, object] = {
                "source": source,
                "external_id": "",
                "text": text,
                "rating": rating,
                "model": rep.model,
                "build": builds[b].version,
                "channel": rep.channel,
                "region": rep.region,
                "language": language,
                "created_at": created.isoformat(),
                "reporter": rep.as_dict(),
            }
            drafts.append((created, rep.rid, n, item, problem))

    drafts.sort(key=lambda d: (d[0], d[1], d[2]))
    counters = dict.fromkeys(c.SOURCES, 0)
    truth: dict[str, str] = {}
    feedback: list[dict[str, object]] = []
    for _, _, _, item, problem in drafts:
        source = str(item["source"])
        counters[source] += 1
        item["external_id"] = f"{c.SOURCE_PREFIX[source]}-{counters[source]:06d}"
        truth[f"{source}/{item['external_id']}"] = problem
        feedback.append(item)

    return DemoWorld(
        product=c.PRODUCT,
        models=c.MODELS,
        builds=builds,
        regions=c.REGIONS,
        feedback=tuple(feedback),
        install_base=tuple(rows),
        truth=truth,
        problems={p.key: p.kind for p in c.PROBLEMS},
        votes=tuple(_votes(seed, n_feedback, builds)),
    )


def _write(path: str | os.PathLike[str], rows: tuple[dict[str, object], ...]) -> None:
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def write_jsonl(
    world: DemoWorld,
    feedback_path: str | os.PathLike[str],
    install_base_path: str | os.PathLike[str],
) -> None:
    """Write feedback and install base as JSON Lines (UTF-8, one object per line)."""
    _write(feedback_path, world.feedback)
    _write(install_base_path, world.install_base)


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, object]]:
    """Read back a JSON Lines file written by :func:`write_jsonl`; blank lines are skipped."""
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"{path}: expected one JSON object per line")
                yield row


def iter_feedback_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, object]]:
    """The feedback items of a file written by :func:`write_jsonl`."""
    return iter_jsonl(path)
