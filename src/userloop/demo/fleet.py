"""A small synthetic fleet with planted truths, for the priority tests and demos: an install
base, the reports its users send and the votes they cast, all deterministic.

The world follows the model the propensity estimate assumes (docs/insight.md): in each cell
(model, region, experience) a fixed share of the users speaks up during the window — the
segment's reporting propensity — and a user who speaks up reports what their device has. A
planted topic affects a known share of some segments on some models; every other user who
speaks up praises one of a few things (``PRAISE``), so that every device has something to say.
Counts are expected values, rounded per cell, so the planted truth is known exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

MODELS = ("Lumo 12", "Lumo 9")
REGIONS: dict[str, float] = {"RU": 0.4, "CN": 0.4, "NL": 0.2}
SEGMENTS: dict[str, float] = {"novice": 0.6, "advanced": 0.25, "pro": 0.15}
# The share of each segment's users who report anything in the window: novices are silent.
PROPENSITY: dict[str, float] = {"novice": 0.005, "advanced": 0.01, "pro": 0.03}
BUILD = "3.4.2639"
CHANNEL = "stable"
DAYS = 14
# What the users who have no planted problem say (praise; kind `praise` in the tests' triage).
PRAISE = (
    "Gorgeous screen colours",
    "Featherlight body in hand",
    "Booming speakers sound",
    "Quick fingerprint reader",
    "Smooth stylus writing",
    "Fair price value",
    "Pretty weather widget",
    "Comfortable keyboard typing",
)


@dataclass(frozen=True)
class Planted:
    """A planted topic: its text, rating, the share of each segment it affects on `models`,
    the votes each segment casts for it, and the share of its reporters who do not own the
    device they write about."""

    key: str
    text: str
    rating: int
    affects: Mapping[str, float]  # segment -> share of that segment's devices affected
    models: tuple[str, ...] = MODELS
    votes: Mapping[str, int] = field(default_factory=dict)
    non_owners: float = 0.0


CRASH = Planted(
    key="crash",
    text="Camera crash when I open the camera app",
    rating=1,
    affects={"novice": 0.03},
    models=("Lumo 12",),
    votes={"novice": 10},
)
WISH = Planted(
    key="wish",
    text="Please add manual focus peaking for video",
    rating=4,
    affects={"pro": 0.05},
    votes={"pro": 100},  # ten times the crash's votes, from the enthusiastic segment
    non_owners=0.3,
)


@dataclass(frozen=True)
class VoteSpec:
    key: str  # the planted topic's key
    visitor: str
    experience: str
    verified_owner: bool
    model: str
    region: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class Fleet:
    start: datetime
    install_base: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    votes: list[VoteSpec]
    #: planted key -> the devices it affects (the truth), and the devices of its models
    affected: dict[str, int]
    devices_on_models: dict[str, int]
    #: feedback text stem -> planted key or "praise"
    keys: dict[str, str]

    def share(self, key: str) -> float:
        return self.affected[key] / self.devices_on_models[key]


def build_fleet(
    devices: int = 100_000,
    planted: tuple[Planted, ...] = (CRASH, WISH),
    end: date | None = None,
    product: str | None = None,
) -> Fleet:
    """The fleet of `devices` active devices over DAYS days ending on `end` (default
    yesterday, UTC)."""
    last = end or (datetime.now(UTC) - timedelta(days=1)).date()
    first = last - timedelta(days=DAYS - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    extra = {"product": product} if product else {}
    install_base: list[dict[str, Any]] = []
    feedback: list[dict[str, Any]] = []
    votes: list[VoteSpec] = []
    affected = {p.key: 0 for p in planted}
    on_models = {p.key: 0 for p in planted}
    keys = {p.text: p.key for p in planted} | {t: "praise" for t in PRAISE}
    praise_turn = 0
    for model in MODELS:
        for region, region_share in REGIONS.items():
            for segment, segment_share in SEGMENTS.items():
                n = round(devices / len(MODELS) * region_share * segment_share)
                for d in range(DAYS):
                    install_base.append(
                        {
                            **extra,
                            "day": (first + timedelta(days=d)).isoformat(),
                            "model": model,
                            "build": BUILD,
                            "channel": CHANNEL,
                            "region": region,
                            "segment": segment,
                            "active_devices": n,
                        }
                    )
                q = PROPENSITY[segment]
                speakers = round(n * q)
                said: list[tuple[str, int, bool]] = []  # text, rating, owner
                for p in planted:
                    if model not in p.models:
                        continue
                    on_models[p.key] += n
                    hit = round(n * p.affects.get(segment, 0.0))
                    affected[p.key] += hit
                    reporters = round(hit * q)
                    owners = reporters - round(reporters * p.non_owners)
                    said += [(p.text, p.rating, i < owners) for i in range(reporters)]
                while len(said) < speakers:
                    said.append((PRAISE[praise_turn % len(PRAISE)], 5, True))
                    praise_turn += 1
                cell = f"{model}|{region}|{segment}"
                group = {text: sum(1 for t, _, _ in said if t == text) for text, _, _ in said}
                turn: dict[str, int] = {}
                for i, (text, rating, owner) in enumerate(said):
                    # Each text's reports spread evenly over the days: no planted trend.
                    j = turn[text] = turn.get(text, -1) + 1
                    at = start + timedelta(seconds=(j + 0.5) * DAYS * 86400 / group[text])
                    feedback.append(
                        {
                            **extra,
                            "text": f"{text} ({i})",
                            "external_id": f"fleet-{cell}-{i}",
                            "language": "en",
                            "rating": rating,
                            "model": model,
                            "build": BUILD,
                            "channel": CHANNEL,
                            "region": region,
                            "created_at": at.isoformat(),
                            "reporter": {
                                "id": f"fleet-{cell}-{i}",
                                "experience": segment,
                                "verified_owner": owner,
                            },
                        }
                    )
                for p in planted:
                    if model not in p.models:
                        continue
                    # This cell's part of the planted votes, by its share of the segment.
                    cast = round(p.votes.get(segment, 0) * region_share / len(p.models))
                    for i in range(cast):
                        votes.append(
                            VoteSpec(
                                key=p.key,
                                visitor=f"voter-{p.key}-{cell}-{i}",
                                experience=segment,
                                verified_owner=True,
                                model=model,
                                region=region,
                                channel=CHANNEL,
                                at=start + timedelta(days=DAYS / 2, minutes=i),
                            )
                        )
    return Fleet(start, install_base, feedback, votes, affected, on_models, keys)


def stem(text: str) -> str:
    """The planted text a generated report starts with (its text without the counter)."""
    return text.rsplit(" (", 1)[0]
