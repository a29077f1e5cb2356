"""`userloop simulate`: a fleet of devices taking a new build through a staged rollout, fed
through the real services, so the gates judge what the store holds (docs/releases.md,
"Simulating a rollout").

The fleet is N daily active devices on three models, four regions and four segments; a pilot
group of them is on the beta channel (200 devices by default, within the 50–200 active users a
beta group typically has), the rest on stable. Everyone starts on the good baseline build.
The new build is released on the stable channel under the plan; the beta devices had it from
the start (a beta channel runs ahead of stable), so they are in its cohort too. Time moves in
6-hour steps. Each step:

1. when the release's stage has changed, every stable device still on the baseline asks the
   release service's update check (`ReleaseService.update_check`, the devices' own contract)
   and takes the new build when told to;
2. each device-step draws its events at the base rates (`BaseRates`, per device per day, the
   defaults of docs/releases.md) times the new build's multipliers: crashes, feedback (40 %
   of it negative), returns; and, with `complaint_share`, a share of the new build's devices
   has a new problem that each of their users writes about once, at 10 % a day;
3. the day's install-base aggregates so far go in through `IntakeService.submit_install_base`
   (a cell's `active_devices` is its time-weighted count so far, the whole day at the last
   step), the feedback through `submit_batch`, the returns as RMA records through
   `submit_returns` (their count also in the install base's `returns` column);
4. the service's clock is set to the step's end; triage runs (`Triage.drain`, the configured
   models), then the emerging-issues job and the release checks, as the worker would.

It stops at the gates' decision (halted, or completed) or after the days. Deterministic per
seed (one numpy generator drives every draw; the services add no randomness that matters).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from userloop.domain.release import ReleaseState
from userloop.release import sim_texts
from userloop.release.checks import ReleaseChecks
from userloop.release.fleet_model import BaseRates
from userloop.release.plans import parse_plan
from userloop.release.service import ReleaseService
from userloop.release.update_check import UpdateAction

START = datetime(2026, 1, 5, tzinfo=UTC)  # a fixed Monday: runs are the same whenever made
STEP = timedelta(hours=6)
STEPS_PER_DAY = 4
PRODUCT = "sim-phone"
BASELINE, NEW = "4.1.0", "4.2.0"
MODELS = ("Aurora 5", "Aurora 5 Pro", "Nimbus S")
MODEL_SHARES = (0.5, 0.3, 0.2)
REGIONS = ("NL", "DE", "US", "IN")
REGION_SHARES = (0.2, 0.3, 0.3, 0.2)
SEGMENTS = ("novice", "advanced", "pro", "unknown")
SEGMENT_SHARES = (0.35, 0.4, 0.15, 0.1)
CHANNELS = ("stable", "beta")
COMPLAINT_WRITE_RATE = 0.10  # per affected device per day; each writes once

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class _Intake(Protocol):
    def submit_batch(
        self, raws: Sequence[Mapping[str, Any]], *, default_source: str = ...
    ) -> Sequence[object]: ...

    def submit_install_base(self, raws: Sequence[Mapping[str, Any]]) -> int: ...

    def submit_returns(self, raws: Sequence[Mapping[str, Any]]) -> Sequence[object]: ...


class _Triage(Protocol):
    def drain(self) -> int: ...


class _Emerging(Protocol):
    def record(self, now: datetime | None = ..., actor: str = ...) -> Sequence[object]: ...


class SimServices(Protocol):
    """What the simulation drives (`userloop.container.Services` has all of it)."""

    @property
    def intake(self) -> _Intake: ...
    @property
    def triage(self) -> _Triage: ...
    @property
    def emerging(self) -> _Emerging: ...
    @property
    def releases(self) -> ReleaseService: ...
    @property
    def release_checks(self) -> ReleaseChecks: ...


@dataclass(frozen=True)
class SimOptions:
    devices: int = 20_000
    days: int = 14
    seed: int = 1
    crash_multiplier: float = 1.0
    complaint_share: float = 0.0
    return_multiplier: float = 1.0
    plan: str = "app-store-7-day"
    beta_devices: int | None = None  # the beta pilot group; None: 200, at most a tenth
    feedback_sample: float = 1.0  # share of feedback (and complaint reports) submitted
    rates: BaseRates = field(default_factory=BaseRates)

    def __post_init__(self) -> None:
        if not 100 <= self.devices <= 5_000_000:
            raise ValueError("devices: between 100 and 5,000,000")
        if not 1 <= self.days <= 60:
            raise ValueError("days: between 1 and 60")
        if min(self.crash_multiplier, self.return_multiplier) <= 0:
            raise ValueError("the multipliers must be above 0")
        if not 0 <= self.complaint_share <= 1:
            raise ValueError("complaint share: between 0 and 1")
        if not 0 <= self.pilot_group < self.devices:
            raise ValueError("beta devices: from 0 to fewer than the devices")
        if not 0 < self.feedback_sample <= 1:
            raise ValueError("feedback sample: above 0 and at most 1")
        parse_plan(self.plan)  # PlanError (a ValueError) says what is wrong

    @property
    def pilot_group(self) -> int:
        """Devices on the beta channel."""
        if self.beta_devices is not None:
            return self.beta_devices
        return min(200, self.devices // 10)

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("rates")
        out["beta_devices"] = self.pilot_group
        return out


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class _Fleet:
    model: IntArray
    region: IntArray
    segment: IntArray
    channel: IntArray  # 0 stable, 1 beta
    on_new: BoolArray
    affected: BoolArray  # has the new complaint (new build only)
    wrote: BoolArray  # has written about it

    @property
    def size(self) -> int:
        return len(self.model)

    def stable_reach(self) -> float:
        """The share of the stable channel's devices (those the plan's percentages are of)
        on the new build."""
        stable = self.channel == 0
        return float(self.on_new[stable].mean()) if stable.any() else 0.0


@dataclass
class _Day:
    """One day's aggregates so far, per cell (model, build, channel, region, segment)."""

    day: date
    device_steps: dict[tuple[int, int, int, int, int], int] = field(default_factory=dict)
    crashes: dict[tuple[int, int, int, int, int], int] = field(default_factory=dict)
    returns: dict[tuple[int, int, int, int, int], int] = field(default_factory=dict)


class Simulation:
    def __init__(self, services: SimServices, options: SimOptions) -> None:
        self.services = services
        self.options = options
        self.rng = np.random.default_rng(options.seed)
        self.clock = _Clock()
        services.releases.clock = self.clock
        self.counter = {"feedback": 0, "complaints": 0, "returns": 0, "update_checks": 0}
        self.timeline: list[dict[str, Any]] = []

    # -- the fleet -------------------------------------------------------------------------

    def _fleet(self) -> _Fleet:
        n, rng = self.options.devices, self.rng
        channel = np.zeros(n, dtype=np.int64)
        channel[rng.choice(n, self.options.pilot_group, replace=False)] = 1
        on_new = channel == 1
        return _Fleet(
            model=rng.choice(len(MODELS), n, p=MODEL_SHARES),
            region=rng.choice(len(REGIONS), n, p=REGION_SHARES),
            segment=rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARES),
            channel=channel,
            on_new=on_new,
            affected=on_new & (rng.random(n) < self.options.complaint_share),
            wrote=np.zeros(n, dtype=np.bool_),
        )

    def _offer(self, fleet: _Fleet) -> None:
        """Stable devices still on the baseline ask the update check."""
        releases = self.services.releases
        waiting = np.flatnonzero((fleet.channel == 0) & ~fleet.on_new)
        taken = []
        for i in waiting:
            answer = releases.update_check(
                _device(int(i)),
                MODELS[fleet.model[i]],
                BASELINE,
                "stable",
                REGIONS[fleet.region[i]],
                PRODUCT,
            )
            if answer.action is UpdateAction.UPDATE and answer.build == NEW:
                taken.append(i)
        self.counter["update_checks"] += len(waiting)
        if taken:
            chosen = np.array(taken, dtype=np.int64)
            fleet.on_new[chosen] = True
            fleet.affected[chosen] = self.rng.random(len(chosen)) < self.options.complaint_share

    # -- one step ----------------------------------------------------------------------------

    def _step(self, fleet: _Fleet, day: _Day, start: datetime) -> None:
        o, r, rng = self.options, self.options.rates, self.rng
        build = fleet.on_new.astype(np.int64)
        cells = np.stack([fleet.model, build, fleet.channel, fleet.region, fleet.segment], 1)
        keys, counts = np.unique(cells, axis=0, return_counts=True)
        per_step = {  # per device per step, from per day
            "crash": (_per_step(r.crash), _per_step(min(r.crash * o.crash_multiplier, 0.95))),
            "returns": (
                _per_step(r.returns),
                _per_step(min(r.returns * o.return_multiplier, 0.95)),
            ),
        }
        feedback_p = _per_step(r.feedback) * o.feedback_sample
        items: list[dict[str, Any]] = []
        rmas: list[dict[str, Any]] = []
        for key, n in zip(keys, counts, strict=True):
            cell = tuple(int(k) for k in key)
            assert len(cell) == 5
            b = cell[1]
            crashes = int(rng.binomial(n, per_step["crash"][b]))
            back = int(rng.binomial(n, per_step["returns"][b]))
            said = int(rng.binomial(n, feedback_p))
            day.device_steps[cell] = day.device_steps.get(cell, 0) + int(n)
            day.crashes[cell] = day.crashes.get(cell, 0) + crashes
            day.returns[cell] = day.returns.get(cell, 0) + back
            for _ in range(said):
                negative = rng.random() < r.negative_share
                bank = sim_texts.NEGATIVE if negative else sim_texts.ORDINARY
                rating = int(rng.integers(1, 3) if negative else rng.integers(4, 6))
                items.append(self._item(cell, bank, rating, start))
            for _ in range(back):
                rmas.append(self._return(cell, start))
        # the new complaint: affected devices that have not written yet, once each
        writers = np.flatnonzero(fleet.affected & fleet.on_new & ~fleet.wrote)
        if len(writers):
            now_write = writers[rng.random(len(writers)) < _per_step(COMPLAINT_WRITE_RATE)]
            fleet.wrote[now_write] = True
            sampled = now_write[rng.random(len(now_write)) < o.feedback_sample]
            for i in sampled:
                cell = (
                    int(fleet.model[i]), 1, int(fleet.channel[i]),
                    int(fleet.region[i]), int(fleet.segment[i]),
                )  # fmt: skip
                rating = int(rng.integers(1, 3))
                items.append(self._item(cell, sim_texts.COMPLAINT, rating, start))
                self.counter["complaints"] += 1
        self._submit(day, items, rmas)

    def _item(
        self,
        cell: tuple[int, ...],
        bank: Sequence[str],
        rating: int,
        start: datetime,
    ) -> dict[str, Any]:
        self.counter["feedback"] += 1
        at = start + timedelta(seconds=int(self.rng.integers(0, int(STEP.total_seconds()))))
        return {
            "text": bank[int(self.rng.integers(len(bank)))],
            "external_id": f"sim-{self.counter['feedback']}",
            "product": PRODUCT,
            "rating": rating,
            "model": MODELS[cell[0]],
            "build": (BASELINE, NEW)[cell[1]],
            "channel": CHANNELS[cell[2]],
            "region": REGIONS[cell[3]],
            "language": "en",
            "created_at": at.isoformat(),
        }

    def _return(self, cell: tuple[int, ...], start: datetime) -> dict[str, Any]:
        self.counter["returns"] += 1
        bank = sim_texts.RETURN_REASONS
        return {
            "external_id": f"RMA-{self.counter['returns']:07d}",
            "product": PRODUCT,
            "day": start.date().isoformat(),
            "model": MODELS[cell[0]],
            "build": (BASELINE, NEW)[cell[1]],
            "region": REGIONS[cell[3]],
            "reason": bank[int(self.rng.integers(len(bank)))],
        }

    def _submit(self, day: _Day, items: list[dict[str, Any]], rmas: list[dict[str, Any]]) -> None:
        intake = self.services.intake
        rows = [
            {
                "product": PRODUCT,
                "day": day.day.isoformat(),
                "model": MODELS[c[0]],
                "build": (BASELINE, NEW)[c[1]],
                "channel": CHANNELS[c[2]],
                "region": REGIONS[c[3]],
                "segment": SEGMENTS[c[4]],
                # time-weighted devices so far (rounded up): the day's average once it is over
                "active_devices": math.ceil(steps / STEPS_PER_DAY),
                "crashes": day.crashes[c],
                "returns": day.returns[c],
            }
            for c, steps in day.device_steps.items()
        ]
        intake.submit_install_base(rows)
        if items:
            intake.submit_batch(items, default_source="sim")
        if rmas:
            intake.submit_returns(rmas)

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        o = self.options
        releases = self.services.releases
        release = releases.create(
            PRODUCT, NEW, "stable", o.plan, previous_build=BASELINE, actor="simulate"
        )
        release = releases.start(release.id, "simulate", "simulated rollout")
        fleet = self._fleet()
        reach = (fleet.stable_reach(), float(fleet.on_new.mean()))
        offered_at: tuple[ReleaseState, int] | None = None
        day = _Day(START.date())
        for step in range(o.days * STEPS_PER_DAY):
            start = START + step * STEP
            if start.date() != day.day:
                day = _Day(start.date())
            now_at = (release.state, release.stage)
            if release.state is ReleaseState.ROLLING_OUT and now_at != offered_at:
                self._offer(fleet)
                offered_at = now_at
            reach = (max(reach[0], fleet.stable_reach()), max(reach[1], float(fleet.on_new.mean())))
            self._step(fleet, day, start)
            self.clock.now = start + STEP
            self.services.triage.drain()
            self.services.emerging.record(now=self.clock.now)
            for result in self.services.release_checks.run_due_checks(self.clock.now):
                self.timeline.append(
                    {
                        "hours": _hours(result.at),
                        "stage": result.release.stage + 1,
                        "percent": result.release.percent,
                        "outcome": result.applied.value if result.applied else None,
                    }
                )
            release = releases.get(release.id)
            if release.state in (ReleaseState.HALTED, ReleaseState.COMPLETED):
                break
        return self._result(release.id, reach, fleet)

    def _result(self, release_id: int, reach: tuple[float, float], fleet: _Fleet) -> dict[str, Any]:
        status = self.services.releases.status(release_id)
        release = status.release
        gate = [e for e in status.events if e.actor.startswith("gate:")]
        decided = next(
            (e for e in gate if e.to_state in (ReleaseState.HALTED, ReleaseState.COMPLETED)),
            None,
        )
        halted = release.state is ReleaseState.HALTED
        r = self.options.rates
        return {
            "halted": halted,
            "halted_at_stage": release.stage + 1 if halted else None,
            "halted_at_percent": release.percent if halted else None,
            "outcome": release.state.value,
            "reach": round(reach[0], 6),
            "reach_with_beta": round(reach[1], 6),
            "hours_to_decision": _hours(decided.at) if decided else None,
            "reason": decided.reason if decided else (gate[-1].reason if gate else ""),
            "reason_codes": (
                [x["code"] for x in decided.details.get("reasons", [])] if decided else []
            ),
            "checks": len(gate),
            "timeline": self.timeline,
            "base_rates": {
                "crash_per_device_day": r.crash,
                "feedback_per_device_day": r.feedback,
                "negative_share_of_feedback": r.negative_share,
                "returns_per_device_day": r.returns,
                "complaint_write_rate_per_day": COMPLAINT_WRITE_RATE,
            },
            "options": self.options.record(),
            "feedback_sampled": self.options.feedback_sample < 1,
            "submitted": dict(self.counter),
            "devices_on_new_build_at_end": int(fleet.on_new.sum()),
            "builds": {"baseline": BASELINE, "new": NEW},
        }


def simulate(services: SimServices, options: SimOptions) -> dict[str, Any]:
    """Run the simulation on `services` (a fresh store) and return its JSON-ready result."""
    return Simulation(services, options).run()


def _per_step(per_day: float) -> float:
    """The per-step probability that gives `per_day` over a day's steps."""
    return 1.0 - math.pow(1.0 - per_day, 1.0 / STEPS_PER_DAY)


def _hours(at: datetime) -> float:
    return round((at - START).total_seconds() / 3600, 2)


def _device(i: int) -> str:
    return f"sim-device-{i:07d}"
