"""Deterministic generator of a synthetic product world: builds, install base and feedback.

The world is the made-up phone maker "Lumo" (product ``lumo-phone``). Everything is derived
from ``random.Random`` instances seeded from the caller's seed, so the same arguments always
give the same world; the clock and the global random state are never consulted.
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
from userloop.demo.personal import make_imei, make_phone, make_serial
from userloop.demo.phrases import (
    BUG_PHRASES,
    BUG_PREFIX,
    BUG_SUFFIX,
    EMAIL_DOMAIN,
    EMOJI,
    FEATURE_SUFFIX,
    NAME_PARTS,
    OTHER_PHRASES,
    PII_TEMPLATES,
    STILL_BROKEN,
)

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {**BUG_PHRASES, **OTHER_PHRASES}
#: Feedback and telemetry cover six weeks: from the first beta to a week after the last one.
WORLD_DAYS = 7 * c.N_BUILDS

LANGUAGE_BY_REGION: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("zh-Hans", 0.95), ("zh-Hant", 0.03), ("en", 0.02)),
    "RU": (("ru", 0.88), ("en", 0.12)),
    "NL": (("nl", 0.76), ("en", 0.24)),
    "US": (("en", 0.95), ("zh-Hant", 0.03), ("ru", 0.02)),
}
EXPERIENCE_SHARE: tuple[tuple[str, float], ...] = (
    ("novice", 0.68),
    ("advanced", 0.25),
    ("pro", 0.07),
)
BETA_CHANCE: dict[str, float] = {"novice": 0.06, "advanced": 0.30, "pro": 0.70}
VERIFIED_CHANCE: dict[str, float] = {"novice": 0.70, "advanced": 0.80, "pro": 0.90}
ACTIVITY: dict[str, float] = {"novice": 1.0, "advanced": 1.8, "pro": 3.5}
CONSENTED_EMAIL_SHARE = 0.10
PII_SHARE = 0.03
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

    @property
    def first_day(self) -> date:
        return self.builds[0].beta_on

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=WORLD_DAYS - 1)


@dataclass
class _Reporter:
    rid: str
    experience: str
    verified: bool
    email: str | None
    region: str
    model: str
    channel: str
    language: str
    lag: float  # position in the rollout queue: 0 updates first, 1 last
    activity: float
    last_problem: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.rid,
            "experience": self.experience,
            "verified_owner": self.verified,
            "email": self.email,
            "consent": self.email is not None,
        }


IndexKey = tuple[int, str, int, str, str, str]  # day index, model, build index, channel, ...


def build_version(release: date) -> str:
    """Version string of the build released (to beta) on ``release``: ``3.4.<yy><isoweek>``.

    Numbers grow week over week (also across a year boundary), so the strings sort correctly
    both as text and in natural numeric order.
    """
    iso = release.isocalendar()
    return f"{c.BUILD_MAJOR_MINOR}.{iso.year % 100}{iso.week:02d}"


def make_builds(start: date) -> tuple[DemoBuild, ...]:
    """Weekly builds: beta on ``start + 7i``, stable a week later; the newest is beta-only."""
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


def _reporters(rng: random.Random, count: int) -> list[_Reporter]:
    regions = tuple((r, c.REGION_SHARE[r]) for r in c.REGIONS)
    taken: set[str] = set()
    out = []
    for n in range(1, count + 1):
        experience = _pick(rng, EXPERIENCE_SHARE)
        region = _pick(rng, regions)
        model = _pick(rng, tuple((m, c.MODEL_POPULARITY[m]) for m in c.LINEUP[region]))
        beta = model in c.BETA_MODELS and rng.random() < BETA_CHANCE[experience]
        lag = rng.random() ** {"novice": 1.0, "advanced": 1.4, "pro": 2.2}[experience]
        email = _email(rng, region, taken) if rng.random() < CONSENTED_EMAIL_SHARE else None
        out.append(
            _Reporter(
                rid=f"r-{n:06d}",
                experience=experience,
                verified=rng.random() < VERIFIED_CHANCE[experience],
                email=email,
                region=region,
                model=model,
                channel="beta" if beta else "stable",
                language=_pick(rng, LANGUAGE_BY_REGION[region]),
                lag=lag,
                activity=ACTIVITY[experience] * (1.5 if beta else 1.0) * rng.paretovariate(2.5),
            )
        )
    return out


def _reporter_days(
    rep: _Reporter, builds: tuple[DemoBuild, ...], index: dict[IndexKey, int]
) -> tuple[list[tuple[int, int]], list[float]]:
    """Days the reporter's device runs a tracked build, with the build and a sampling weight."""
    start = builds[0].beta_on
    days: list[tuple[int, int]] = []
    weights: list[float] = []
    loose: list[tuple[int, int]] = []
    first_seen: dict[int, int] = {}
    for day_index in range(WORLD_DAYS):
        day = start + timedelta(days=day_index)
        b = _build_on(builds, rep.channel, day, rep.lag)
        if b is None:
            continue
        first_seen.setdefault(b, day_index)
        loose.append((day_index, b))
        key = (day_index, rep.model, b, rep.channel, rep.region, rep.experience)
        if index.get(key, 0) <= 0:
            continue
        weight = 1.25 if day.weekday() >= 5 else 1.0
        if day_index - first_seen[b] <= 2:
            weight *= 1.8  # people write soon after an update
        days.append((day_index, b))
        weights.append(weight)
    if not days:  # a combination too small to show in telemetry; keep the reporter anyway
        return loose, [1.0] * len(loose)
    return days, weights


def _choose_problem(rng: random.Random, rep: _Reporter, build_index: int) -> tuple[str, bool]:
    """Problem key for one report, and whether it repeats the reporter's previous topic."""
    previous = rep.last_problem
    if previous is not None and rng.random() < 0.3:
        spec = c.PROBLEM_BY_KEY[previous]
        if spec.weight_for(rep.model, build_index, rep.region) >= 0.5:
            return previous, True
    weights = [p.weight_for(rep.model, build_index, rep.region) for p in c.PROBLEMS]
    return rng.choices(c.PROBLEMS, weights=weights)[0].key, False


def _model_alias(rng: random.Random, model: str) -> str:
    roll = rng.random()
    if roll < 0.6:
        return model
    if roll < 0.75:
        return model.lower()
    if roll < 0.9:
        return model.removeprefix("Lumo ")
    return model.replace(" ", "")


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and not _is_cjk(ch)]
    if len(letters) < 6:
        return text
    i = rng.choice(letters)
    op = rng.randrange(3)
    if op == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if op == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _restyle(rng: random.Random, text: str, language: str, kind: str) -> str:
    """Surface variation: exclamation, missing punctuation, lower case, typos, emoji."""
    chinese = language.startswith("zh")
    roll = rng.random()
    if roll < 0.12 and kind in ("bug", "other"):
        if chinese and text.endswith("。"):
            text = text[:-1] + rng.choice(("！", "！！"))
        elif text.endswith("."):
            text = text[:-1] + rng.choice(("!", "!!", "!!!"))
    elif roll < 0.22 and text[-1:] in (".", "。"):
        text = text[:-1]
    if not chinese:
        if rng.random() < 0.10:
            text = text.lower()
        if rng.random() < 0.15:
            for _ in range(1 if rng.random() < 0.8 else 2):
                text = _typo(rng, text)
    emoji_chance = 0.25 if kind == "praise" else 0.07
    if rng.random() < emoji_chance:
        emoji = rng.choice(EMOJI[kind]) * (2 if rng.random() < 0.3 else 1)
        text = text + ("" if chinese else " ") + emoji
    return text


def _personal_data(rng: random.Random, rep: _Reporter, language: str) -> str:
    template = rng.choice(PII_TEMPLATES[language])
    if rep.email is not None and rng.random() < 0.5:
        email = rep.email
    else:
        first, last = rng.choice(NAME_PARTS[rep.region][0]), rng.choice(NAME_PARTS[rep.region][1])
        email = f"{first}.{last}{rng.randrange(10, 100)}@{EMAIL_DOMAIN[rep.region]}"
    return (
        template.replace("{email}", email)
        .replace("{phone}", make_phone(rng, rep.region))
        .replace("{imei}", make_imei(rng))
        .replace("{serial}", make_serial(rng, rep.model))
    )


def _join(parts: list[str], chinese: bool) -> str:
    """Join sentences, closing an unterminated one first (after a letter or digit)."""
    out = parts[0]
    for part in parts[1:]:
        if out[-1:].isalnum():
            out += "。" if chinese else "."
        out += part if chinese else " " + part
    return out


def _compose(
    rng: random.Random,
    rep: _Reporter,
    problem: str,
    version: str,
    newest: str,
    repeat: bool,
) -> tuple[str, bool]:
    """The text of one report, and whether personal data was added."""
    kind = c.PROBLEM_BY_KEY[problem].kind
    language = rep.language
    bank = PHRASES[problem][language]
    parts = [rng.choice(bank)]
    if kind == "bug":
        if rng.random() < 0.08 and len(bank) > 1:
            parts.append(rng.choice([p for p in bank if p != parts[0]]))
        if rng.random() < 0.22:
            parts.insert(0, rng.choice(BUG_PREFIX[language]))
        if rng.random() < 0.35:
            parts.append(rng.choice(BUG_SUFFIX[language]))
        if repeat:
            parts.append(STILL_BROKEN[language])
    elif kind == "feature" and rng.random() < 0.3:
        parts.append(rng.choice(FEATURE_SUFFIX[language]))
    chinese = language.startswith("zh")
    text = _join(parts, chinese)
    if kind == "question":
        version = newest  # people ask about the build they have not got yet
    text = text.replace("{model}", _model_alias(rng, rep.model)).replace("{build}", version)
    text = _restyle(rng, text, language, kind)
    has_pii = rng.random() < PII_SHARE
    if has_pii:
        text = _join([text, _personal_data(rng, rep, language)], chinese)
    return text, has_pii


def _created_at(rng: random.Random, day: date, region: str) -> datetime:
    hour = rng.choices(range(24), weights=LOCAL_HOUR_WEIGHTS)[0]
    minute = (hour * 60 + rng.randrange(60) - UTC_OFFSET_HOURS[region] * 60) % 1440
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=max(1, minute))


def _source(rng: random.Random, rep: _Reporter) -> str:
    app, play, forum = SOURCE_WEIGHTS[rep.experience]
    if rep.channel == "beta":
        play, forum = play * 0.4, forum * 1.8
    return rng.choices(c.SOURCES, weights=(app, play, forum))[0]


def generate(seed: int = 7, n_feedback: int = 3000, start: date = date(2026, 9, 7)) -> DemoWorld:
    """Build the demo world. Same arguments, same world."""
    if n_feedback < 0:
        raise ValueError("n_feedback must not be negative")
    builds = make_builds(start)
    rows, index = _install_base(random.Random(f"userloop-demo:{seed}:install"), builds)

    rng = random.Random(f"userloop-demo:{seed}:feedback")
    reporters = _reporters(rng, max(1, n_feedback // 2) if n_feedback else 0)
    counts = [1] * len(reporters)
    extra = n_feedback - len(reporters)
    if extra > 0:
        weights = [r.activity for r in reporters]
        for i in rng.choices(range(len(reporters)), weights=weights, k=extra):
            counts[i] += 1

    drafts: list[tuple[datetime, str, int, dict[str, object], str]] = []
    for rep, count in zip(reporters, counts, strict=True):
        days, day_weights = _reporter_days(rep, builds, index)
        picks = sorted(rng.choices(days, weights=day_weights, k=count))
        for n, (day_index, b) in enumerate(picks):
            problem, repeat = _choose_problem(rng, rep, b)
            rep.last_problem = problem
            newest = builds[min(day_index // 7, len(builds) - 1)].version
            text, _ = _compose(rng, rep, problem, builds[b].version, newest, repeat)
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
