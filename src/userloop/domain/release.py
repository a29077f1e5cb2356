"""Releases: a build offered on a channel to chosen models and regions, following a rollout plan.

The entity and its vocabulary live in the domain because the store returns them; the rules that
use them (plan presets and syntax, cohorts, the update check) are in `userloop.release`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from userloop.domain.enums import Channel, InvalidTransition


class ReleaseState(StrEnum):
    """Where a release is. ``rolling_out`` is at one stage of its plan (`Release.stage`)."""

    DRAFT = "draft"
    ROLLING_OUT = "rolling_out"
    PAUSED = "paused"
    HALTED = "halted"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"

    def can_become(self, target: ReleaseState) -> bool:
        return target in RELEASE_TRANSITIONS[self]

    def require_transition(self, target: ReleaseState) -> None:
        if not self.can_become(target):
            allowed = ", ".join(sorted(RELEASE_TRANSITIONS[self])) or "none (final state)"
            raise InvalidReleaseTransition(
                f"a release cannot go from {self.value} to {target.value}; allowed: {allowed}"
            )

    @property
    def is_final(self) -> bool:
        return not RELEASE_TRANSITIONS[self]

    @property
    def is_open(self) -> bool:
        """Started and not finished: at most one such release per product and channel."""
        return self in (ReleaseState.ROLLING_OUT, ReleaseState.PAUSED, ReleaseState.HALTED)


class InvalidReleaseTransition(InvalidTransition):
    pass


_R = ReleaseState
RELEASE_TRANSITIONS: dict[ReleaseState, frozenset[ReleaseState]] = {
    _R.DRAFT: frozenset({_R.ROLLING_OUT}),
    _R.ROLLING_OUT: frozenset({_R.PAUSED, _R.HALTED, _R.COMPLETED, _R.ROLLED_BACK}),
    _R.PAUSED: frozenset({_R.ROLLING_OUT, _R.ROLLED_BACK}),
    _R.HALTED: frozenset({_R.ROLLING_OUT, _R.ROLLED_BACK}),  # resume, or give up
    _R.COMPLETED: frozenset(),
    _R.ROLLED_BACK: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a rollout: the share of eligible devices offered the build, how long the
    stage lasts at least, and how much use (device-days on the build) it needs before it can
    be judged."""

    percent: float  # 0 < percent <= 100, at most two decimals (cohort buckets are 0.01 %)
    min_dwell: timedelta
    min_exposure: int = 0  # device-days

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            raise ValueError(
                f"a stage's percentage must be above 0 and at most 100, not {self.percent:g}"
            )
        if abs(self.percent * 100 - round(self.percent * 100)) > 1e-6:
            raise ValueError(f"a stage's percentage has at most two decimals, not {self.percent}")
        if self.min_dwell < timedelta(0):
            raise ValueError("a stage's minimum dwell cannot be negative")
        if self.min_exposure < 0:
            raise ValueError("a stage's minimum exposure cannot be negative")

    @property
    def threshold(self) -> int:
        """Cohort buckets (of 10,000) below which a device is in this stage."""
        return round(self.percent * 100)

    def record(self) -> dict[str, Any]:
        return {
            "percent": self.percent,
            "min_dwell_seconds": int(self.min_dwell.total_seconds()),
            "min_exposure": self.min_exposure,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Stage:
        return cls(
            float(record["percent"]),
            timedelta(seconds=int(record["min_dwell_seconds"])),
            int(record["min_exposure"]),
        )


@dataclass(frozen=True, slots=True)
class RolloutPlan:
    """Stages with rising percentages, the last at 100 %. `name` is a preset's name or
    ``custom``; `spec` is what was asked for (the preset name or the custom syntax)."""

    name: str
    stages: tuple[Stage, ...]
    spec: str = ""

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a rollout plan needs at least one stage")
        for i in range(1, len(self.stages)):
            before, now = self.stages[i - 1].percent, self.stages[i].percent
            if now <= before:
                raise ValueError(
                    f"stage {i + 1} ({now:g}%) is not above stage {i} ({before:g}%): "
                    "percentages must rise"
                )
        if self.stages[-1].percent != 100:
            raise ValueError(
                f"the last stage must be 100% (a release ends offered to every eligible "
                f"device), not {self.stages[-1].percent:g}%"
            )

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "spec": self.spec,
            "stages": [s.record() for s in self.stages],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RolloutPlan:
        return cls(
            str(record["name"]),
            tuple(Stage.from_record(s) for s in record["stages"]),
            str(record.get("spec", "")),
        )


@dataclass(frozen=True, slots=True)
class Release:
    """A build offered on a channel. `models` and `regions` empty mean all. `previous_build` is
    the build devices move from (and are moved back to on rollback); None: any other build."""

    id: int
    product: str
    build: str
    previous_build: str | None
    channel: Channel
    models: frozenset[str]
    regions: frozenset[str]
    plan: RolloutPlan
    state: ReleaseState
    stage: int  # index into plan.stages; meaningful once started
    stage_started_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def key(self) -> str:
        """What a device's cohort bucket is hashed with: stable across databases and copies,
        unlike the row id (a product, channel and build have at most one release)."""
        return f"{self.product}/{self.channel.value}/{self.build}"

    @property
    def current_stage(self) -> Stage:
        return self.plan.stages[self.stage]

    @property
    def percent(self) -> float:
        """The share of eligible devices offered the build now (0 before the start)."""
        if self.state is ReleaseState.DRAFT:
            return 0.0
        if self.state is ReleaseState.COMPLETED:
            return 100.0
        return self.current_stage.percent

    @property
    def is_last_stage(self) -> bool:
        return self.stage == len(self.plan.stages) - 1

    def dwell_ends_at(self) -> datetime | None:
        if self.stage_started_at is None:
            return None
        return self.stage_started_at + self.current_stage.min_dwell

    def eligible(self, model: str | None, region: str | None) -> bool:
        """Whether a device of this model and region is one the release is for."""
        if self.models and model not in self.models:
            return False
        return not (self.regions and (region or "").upper() not in self.regions)


@dataclass(frozen=True, slots=True)
class ReleaseEvent:
    """One entry of a release's decision log: who (a user, token or ``gate:<name>``) moved it
    from one state or stage to another, and why."""

    id: int
    release_id: int
    at: datetime
    actor: str
    action: str  # create | start | advance | hold | pause | resume | halt | rollback | complete
    from_state: ReleaseState | None
    to_state: ReleaseState
    stage: int
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
