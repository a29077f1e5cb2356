"""`ReleaseService`: create releases, move them through their states, answer update checks.

Public API (the CLI, the API and the health gates use these; `services.releases`):

- `create(product, build, channel, plan, previous_build=None, models=(), regions=(), actor=...)`
  → a draft `Release`. `plan` is a preset name or a custom plan (release/plans.py).
- `start`, `pause`, `resume`, `rollback(release_id, actor, reason="")`,
  `advance(release_id, actor, reason="", force=False)`, `halt(release_id, actor, reason)`
  → the changed `Release`. Advancing before the stage's minimum dwell has passed is refused
  unless `force` (staff only), which needs a reason. Advancing from the last stage completes.
- `apply_decision(release_id, decision, actor="gate:<name>", reason=..., details=None)` applies
  a health gate's `Decision` (advance | hold | halt): advance as above without force, hold
  changes nothing but is logged, halt stops new devices. `details` (the statistics behind the
  decision) go to the event and the audit log.
- `due_checks(now=None)` → `DueCheck`s: rolling-out releases whose current stage has lasted its
  minimum dwell, so a gate should judge it now (the gate checks the minimum exposure).
- `get`, `status` (the release and its decision log), `list`.
- `update_check(device, model, build, channel, region=None, product=None)` → `UpdateAnswer`.

Every change is one transaction: the release row (compare-and-set on state and stage), a row
in `release_events`, and an audit event, all or nothing. Pausing a paused release, halting a
halted one or rolling back a rolled-back one returns it unchanged and logs nothing (a retry).
Errors: `UnknownRelease` (no such release), `ReleaseRefused` (the state or the timing does not
allow it; the message says why), `ReleaseInputError` (bad input; the message names the field).

Times come from `clock` (a callable returning an aware UTC datetime), so a simulation can run
a release over simulated days.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from userloop.domain.enums import Channel
from userloop.domain.release import (
    RELEASE_TRANSITIONS,
    Release,
    ReleaseEvent,
    ReleaseState,
    RolloutPlan,
    Stage,
)
from userloop.release import inputs as check

# The errors are part of this module's API (callers import them from here).
from userloop.release.errors import ReleaseError as ReleaseError
from userloop.release.errors import ReleaseInputError as ReleaseInputError
from userloop.release.errors import ReleaseRefused as ReleaseRefused
from userloop.release.errors import UnknownRelease as UnknownRelease
from userloop.release.update_check import UpdateAnswer, decide
from userloop.store import Store
from userloop.store.repos.release import DuplicateRelease, NewRelease

Clock = Callable[[], datetime]

MAX_DEVICE = 200


# Actions whose repetition is a no-op rather than a refusal: a client retrying a pause, a gate
# halting again, a rollback sent twice.
_ALREADY = {
    "pause": ReleaseState.PAUSED,
    "halt": ReleaseState.HALTED,
    "rollback": ReleaseState.ROLLED_BACK,
}


class Decision(StrEnum):
    """What a health gate decides about a release's current stage."""

    ADVANCE = "advance"
    HOLD = "hold"
    HALT = "halt"


@dataclass(frozen=True, slots=True)
class ReleaseStatus:
    release: Release
    events: list[ReleaseEvent]


@dataclass(frozen=True, slots=True)
class DueCheck:
    """A rolling-out release whose current stage has lasted its minimum dwell."""

    release: Release
    stage: Stage
    since: datetime  # when the stage started (or the release resumed)
    dwell_ended_at: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ReleaseService:
    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = _utcnow,
        default_product: str = "default",
        cache_seconds: float = 2.0,
    ) -> None:
        """`cache_seconds`: how long the update check may use its copy of the started
        releases. This service's own writes refresh it at once; a change made by another
        process (the CLI while the server runs) is seen within this time."""
        self.store = store
        self.clock = clock
        self.default_product = default_product
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], list[Release]] | None = None
        self._cache_at = 0.0
        self._cache_lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------

    def get(self, release_id: int) -> Release:
        with self.store.read() as conn:
            release = self.store.releases.get(conn, release_id)
        if release is None:
            raise UnknownRelease(f"no release {release_id}")
        return release

    def status(self, release_id: int) -> ReleaseStatus:
        with self.store.read() as conn:
            release = self.store.releases.get(conn, release_id)
            if release is None:
                raise UnknownRelease(f"no release {release_id}")
            events = self.store.releases.events(conn, release_id)
        return ReleaseStatus(release, events)

    def list(
        self,
        product: str | None = None,
        state: ReleaseState | None = None,
        channel: Channel | None = None,
        limit: int = 100,
    ) -> builtins.list[Release]:
        """Newest first."""
        with self.store.read() as conn:
            states = [state] if state is not None else None
            return self.store.releases.list(conn, product, states, channel, limit)

    def due_checks(self, now: datetime | None = None) -> builtins.list[DueCheck]:
        """Rolling-out releases whose current stage has lasted its minimum dwell at `now`
        (default: the clock), oldest stage start first."""
        now = now or self.clock()
        with self.store.read() as conn:
            rolling = self.store.releases.list(conn, states=[ReleaseState.ROLLING_OUT])
        due = []
        for release in rolling:
            ends = release.dwell_ends_at()
            if release.stage_started_at is not None and ends is not None and ends <= now:
                due.append(DueCheck(release, release.current_stage, release.stage_started_at, ends))
        return sorted(due, key=lambda d: (d.since, d.release.id))

    # -- creating and moving ----------------------------------------------------------------

    def create(
        self,
        product: str,
        build: str,
        channel: Channel | str,
        plan: str | RolloutPlan,
        *,
        previous_build: str | None = None,
        models: Iterable[str] = (),
        regions: Iterable[str] = (),
        actor: str = "cli",
    ) -> Release:
        """A draft release; ReleaseRefused when this product, channel and build has one."""
        new = NewRelease(
            product=check.product(product),
            channel=check.channel(channel),
            build=check.name("build", build),
            previous_build=(
                check.name("previous_build", previous_build) if previous_build is not None else None
            ),
            models=frozenset(check.name("models", m) for m in models),
            regions=frozenset(check.region(r) for r in regions),
            plan=check.plan(plan),
            created_by=check.actor(actor),
        )
        if new.previous_build == new.build:
            raise ReleaseInputError("previous_build", "must differ from build")
        now = self.clock()
        with self.store.write() as conn:
            try:
                release = self.store.releases.add(conn, new, now)
            except DuplicateRelease:
                found = self.store.releases.find(conn, new.product, new.channel, new.build)
                state = f" (release {found.id}, {found.state.value})" if found else ""
                raise ReleaseRefused(
                    f"a release of build {new.build!r} on channel {new.channel.value} of "
                    f"product {new.product!r} exists already{state}"
                ) from None
            self._log(conn, release, "create", None, "", now, actor, {"plan": new.plan.record()})
        self._invalidate()
        return release

    def start(self, release_id: int, actor: str, reason: str = "") -> Release:
        return self._change(release_id, "start", actor, reason)

    def pause(self, release_id: int, actor: str, reason: str = "") -> Release:
        return self._change(release_id, "pause", actor, reason)

    def resume(self, release_id: int, actor: str, reason: str = "") -> Release:
        """Back to rolling out at the same stage (the dwell starts again); the cohort is the
        same, so the devices chosen before the pause or halt are offered the build first."""
        return self._change(release_id, "resume", actor, reason)

    def rollback(self, release_id: int, actor: str, reason: str = "") -> Release:
        """Devices on the build are offered the previous build; no one is offered this one."""
        return self._change(release_id, "rollback", actor, reason)

    def halt(
        self, release_id: int, actor: str, reason: str, details: dict[str, Any] | None = None
    ) -> Release:
        """Stop offering the build to new devices (devices that have it keep it)."""
        if not reason.strip():
            raise ReleaseInputError("reason", "a halt needs a reason")
        return self._change(release_id, "halt", actor, reason, details=details)

    def advance(
        self,
        release_id: int,
        actor: str,
        reason: str = "",
        *,
        force: bool = False,
        details: dict[str, Any] | None = None,
    ) -> Release:
        """To the next stage, or completed from the last. Before the stage's minimum dwell
        has passed only with `force` and a reason."""
        if force and not reason.strip():
            raise ReleaseInputError("reason", "a forced advance needs a reason")
        return self._change(release_id, "advance", actor, reason, force=force, details=details)

    def apply_decision(
        self,
        release_id: int,
        decision: Decision | str,
        actor: str,
        reason: str,
        details: dict[str, Any] | None = None,
    ) -> Release:
        """Apply a health gate's decision about the release's current stage (see the module
        docstring); `actor` names the gate (``gate:<name>``)."""
        try:
            chosen = Decision(decision)
        except ValueError:
            allowed = ", ".join(d.value for d in Decision)
            raise ReleaseInputError("decision", f"{decision!r} is not one of {allowed}") from None
        if chosen is Decision.HALT:
            return self.halt(release_id, actor, reason, details)
        if chosen is Decision.ADVANCE:
            return self.advance(release_id, actor, reason, details=details)
        return self._hold(release_id, actor, reason, details)

    def _hold(
        self, release_id: int, actor: str, reason: str, details: dict[str, Any] | None
    ) -> Release:
        check.reason(reason)
        check.actor(actor)
        now = self.clock()
        with self.store.write() as conn:
            release = self._locked(conn, release_id)
            if release.state is not ReleaseState.ROLLING_OUT:
                raise ReleaseRefused(
                    f"release {release_id} is {release.state.value}: only a rolling-out "
                    "release is held at its stage"
                )
            self._log(
                conn, release, "hold", release.state, reason, now, actor, check.plain(details or {})
            )
        return release

    def _change(
        self,
        release_id: int,
        action: str,
        actor: str,
        reason: str,
        *,
        force: bool = False,
        details: dict[str, Any] | None = None,
    ) -> Release:
        check.reason(reason)
        check.actor(actor)
        now = self.clock()
        with self.store.write() as conn:
            release = self._locked(conn, release_id)
            if _ALREADY.get(action) is release.state:
                return release  # a repeated pause, halt or rollback (a retry) changes nothing
            state, stage, started = self._target(release, action, now, force)
            if action == "start":
                self._refuse_second_open(conn, release)
            moved = self.store.releases.move(conn, release, state, stage, started, now)
            if moved is None:
                raise ReleaseRefused(f"release {release_id} changed meanwhile; look again")
            extra: dict[str, Any] = check.plain(details or {})
            if force:
                extra["forced"] = True
            self._log(conn, moved, action, release.state, reason, now, actor, extra)
        self._invalidate()
        return moved

    def _target(
        self, release: Release, action: str, now: datetime, force: bool
    ) -> tuple[ReleaseState, int, datetime | None]:
        """The state, stage and stage start `action` leads to; ReleaseRefused if it cannot."""
        s = ReleaseState
        targets = {
            "start": s.ROLLING_OUT,
            "pause": s.PAUSED,
            "resume": s.ROLLING_OUT,
            "rollback": s.ROLLED_BACK,
            "halt": s.HALTED,
        }
        if action == "advance":
            if release.state is not s.ROLLING_OUT:
                raise ReleaseRefused(
                    f"release {release.id} is {release.state.value}: only a rolling-out "
                    "release advances (resume it first)"
                )
            ends = release.dwell_ends_at()
            if not force and ends is not None and now < ends:
                raise ReleaseRefused(
                    f"stage {release.stage + 1} of release {release.id} lasts at least until "
                    f"{ends.isoformat(timespec='minutes')}: wait, or force the advance with a "
                    "reason"
                )
            if release.is_last_stage:
                return s.COMPLETED, release.stage, release.stage_started_at
            return s.ROLLING_OUT, release.stage + 1, now
        target = targets[action]
        if action == "start" and release.state is s.DRAFT:
            return target, 0, now
        if action == "resume" and release.state not in (s.PAUSED, s.HALTED):
            raise ReleaseRefused(
                f"release {release.id} is {release.state.value}: only a paused or halted "
                "release resumes"
            )
        if action == "start" and release.state is not s.DRAFT:
            raise ReleaseRefused(
                f"release {release.id} is {release.state.value}: only a draft starts"
            )
        if not release.state.can_become(target):
            raise ReleaseRefused(
                f"release {release.id} is {release.state.value}: it cannot {action} "
                f"(it can become {', '.join(sorted(_allowed(release.state))) or 'nothing'})"
            )
        started = now if action == "resume" else release.stage_started_at
        return target, release.stage, started

    def _locked(self, conn: Any, release_id: int) -> Release:
        release = self.store.releases.get(conn, release_id, lock=True)
        if release is None:
            raise UnknownRelease(f"no release {release_id}")
        return release

    def _log(
        self,
        conn: Any,
        release: Release,
        action: str,
        from_state: ReleaseState | None,
        reason: str,
        at: datetime,
        actor: str,
        details: dict[str, Any],
    ) -> None:
        self.store.releases.add_event(
            conn,
            release.id,
            at,
            actor,
            action,
            from_state,
            release.state,
            release.stage,
            reason,
            details,
        )
        self.store.audit.record(
            conn,
            actor,
            f"release.{action}",
            f"release:{release.id}",
            {
                "product": release.product,
                "channel": release.channel.value,
                "build": release.build,
                "from": from_state.value if from_state else None,
                "to": release.state.value,
                "stage": release.stage + 1,
                "percent": release.percent,
                "reason": reason,
                **({"details": details} if details else {}),
            },
            at=at,
        )

    def _refuse_second_open(self, conn: Any, release: Release) -> None:
        """One started, unfinished release per product and channel: the update check answers
        from the newest, and two at once would race for the same devices."""
        others = self.store.releases.list(
            conn,
            release.product,
            [ReleaseState.ROLLING_OUT, ReleaseState.PAUSED, ReleaseState.HALTED],
            release.channel,
        )
        other = next((r for r in others if r.id != release.id), None)
        if other is not None:
            raise ReleaseRefused(
                f"release {other.id} (build {other.build}) is still {other.state.value} on "
                f"channel {release.channel.value} of {release.product!r}: complete or roll it "
                "back first"
            )

    # -- the update check --------------------------------------------------------------------

    def update_check(
        self,
        device: str,
        model: str | None,
        build: str,
        channel: Channel | str,
        region: str | None = None,
        product: str | None = None,
    ) -> UpdateAnswer:
        """Whether this device should take which build now (release/update_check.py). Reads
        an in-process copy of the started releases, never the database per call."""
        answer = self._answer(self._started(), device, model, build, channel, region, product)
        assert answer is not None
        return answer

    def cached_update_check(
        self,
        device: str,
        model: str | None,
        build: str,
        channel: Channel | str,
        region: str | None = None,
        product: str | None = None,
    ) -> UpdateAnswer | None:
        """`update_check` from the in-process copy alone, without any I/O (an async handler
        may call it on the event loop); None when the copy is stale: then call
        `update_check`, which reloads it."""
        return self._answer(self._fresh(), device, model, build, channel, region, product)

    def _answer(
        self,
        started: dict[tuple[str, str], builtins.list[Release]] | None,
        device: str,
        model: str | None,
        build: str,
        channel: Channel | str,
        region: str | None,
        product: str | None,
    ) -> UpdateAnswer | None:
        if not device.strip() or len(device) > MAX_DEVICE:
            raise ReleaseInputError("device", f"1-{MAX_DEVICE} characters")
        check.printable("device", device)
        chosen = check.channel(channel)
        slug = check.product(product) if product is not None else self.default_product
        if started is None:
            return None
        found = started.get((slug, chosen.value), [])
        return decide(found, device, model, build.strip(), region)

    def _fresh(self) -> dict[tuple[str, str], builtins.list[Release]] | None:
        cache = self._cache
        if cache is not None and time.monotonic() - self._cache_at < self.cache_seconds:
            return cache
        return None

    def _started(self) -> dict[tuple[str, str], builtins.list[Release]]:
        cache = self._fresh()
        if cache is not None:
            return cache
        with self._cache_lock:
            if self._cache is not None and time.monotonic() - self._cache_at < self.cache_seconds:
                return self._cache
            loaded_at = time.monotonic()
            states = [s for s in ReleaseState if s is not ReleaseState.DRAFT]
            with self.store.read() as conn:
                started = self.store.releases.list(conn, states=states)
            grouped: dict[tuple[str, str], builtins.list[Release]] = {}
            for release in started:  # newest first, kept in that order
                grouped.setdefault((release.product, release.channel.value), []).append(release)
            self._cache, self._cache_at = grouped, loaded_at
            return grouped

    def _invalidate(self) -> None:
        with self._cache_lock:
            self._cache = None


def _allowed(state: ReleaseState) -> builtins.list[str]:
    return [s.value for s in RELEASE_TRANSITIONS[state]]
