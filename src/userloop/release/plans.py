"""Rollout plans: the presets, and the custom syntax.

A plan is a preset's name or a custom plan written as

    PERCENTS[@DWELL][/EXPOSURE]        e.g. 1,5,25,100@24h   or   0.5,5,100@6h/200

- PERCENTS: the stages' shares of eligible devices, comma-separated, rising, the last 100; each a
  number above 0 with at most two decimals (a trailing ``%`` is allowed);
- DWELL: how long each stage lasts at least, a number and a unit ``m``, ``h`` or ``d``
  (default 24h);
- EXPOSURE: the device-days on the build each stage needs before it can be judged (default 0).
"""

from __future__ import annotations

import re
from datetime import timedelta

from userloop.domain.release import RolloutPlan, Stage

CUSTOM = "custom"
DEFAULT_DWELL = timedelta(hours=24)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_DWELL = re.compile(r"^(\d+(?:\.\d+)?)([a-zA-Z]*)$")


class PlanError(ValueError):
    """A plan that cannot be read; the message says exactly what is wrong."""


def _preset(name: str, percents: list[float], dwell: timedelta) -> RolloutPlan:
    return RolloutPlan(name, tuple(Stage(p, dwell) for p in percents), name)


#: The named plans. app-store-7-day: the phased release of mobile app stores (a day at each of
#: 1, 2, 5, 10, 20, 50, 100 %); ubuntu-phased: 10 % more every 6 hours.
PRESETS: dict[str, RolloutPlan] = {
    "app-store-7-day": _preset("app-store-7-day", [1, 2, 5, 10, 20, 50, 100], timedelta(days=1)),
    "ubuntu-phased": _preset(
        "ubuntu-phased", [float(p) for p in range(10, 101, 10)], timedelta(hours=6)
    ),
}


def parse_plan(spec: str) -> RolloutPlan:
    """A preset by name, or a custom plan in the syntax above; PlanError says what is wrong."""
    text = spec.strip()
    if not text:
        raise PlanError(f"a plan is needed: a preset ({', '.join(PRESETS)}) or e.g. 1,5,25,100@24h")
    if text in PRESETS:
        return PRESETS[text]
    if text[0].isalpha():
        raise PlanError(
            f"unknown plan preset {text!r}: the presets are {', '.join(PRESETS)}; a custom plan "
            "is written like 1,5,25,100@24h"
        )
    body, _, exposure_text = text.partition("/")
    percents_text, has_dwell, dwell_text = body.partition("@")
    dwell = parse_dwell(dwell_text) if has_dwell else DEFAULT_DWELL
    exposure = _exposure(exposure_text) if "/" in text else 0
    percents = [_percent(i, p) for i, p in enumerate(percents_text.split(","), 1)]
    try:
        stages = tuple(Stage(p, dwell, exposure) for p in percents)
        return RolloutPlan(CUSTOM, stages, text)
    except ValueError as exc:
        raise PlanError(f"plan {text!r}: {exc}") from None


def parse_dwell(text: str) -> timedelta:
    """A duration such as 30m, 6h or 1.5d."""
    match = _DWELL.match(text.strip())
    if not match:
        raise PlanError(f"dwell {text!r} is not a duration: write a number and m, h or d (6h, 1d)")
    number, unit = match.groups()
    if unit not in _UNITS:
        raise PlanError(
            f"dwell {text!r} has no known unit: write m (minutes), h (hours) or d (days), "
            "e.g. 6h or 1d"
        )
    return float(number) * _UNITS[unit]


def _percent(index: int, text: str) -> float:
    raw = text.strip().removesuffix("%").strip()
    if not raw:
        raise PlanError(f"stage {index} is empty: write the percentages separated by commas")
    if not _NUMBER.match(raw):
        raise PlanError(
            f"stage {index}: {text.strip()!r} is not a percentage (a number above 0 and at most "
            "100, such as 5 or 0.5)"
        )
    value = float(raw)
    if not 0 < value <= 100:
        raise PlanError(f"stage {index}: {raw}% is not above 0 and at most 100")
    if "." in raw and len(raw.split(".")[1].rstrip("0")) > 2:
        raise PlanError(f"stage {index}: {raw}% has more than two decimals (the finest is 0.01%)")
    return value


def _exposure(text: str) -> int:
    raw = text.strip()
    if not raw.isdigit():
        raise PlanError(
            f"minimum exposure {raw!r} is not a whole number of device-days (e.g. /500)"
        )
    return int(raw)


def describe(plan: RolloutPlan) -> str:
    """A plan in one line: its name and stages, e.g. ``custom: 1% 5% 100% @1 day``."""
    parts = " ".join(f"{s.percent:g}%" for s in plan.stages)
    dwells = {s.min_dwell for s in plan.stages}
    dwell = f" @{_human(next(iter(dwells)))}" if len(dwells) == 1 else ""
    return f"{plan.name}: {parts}{dwell}"


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"
