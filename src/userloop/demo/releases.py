"""The demo's release history, made through the release service and judged by the health gates
over the demo's own install base and feedback (docs/releases.md, "Gate checks in the job"):

- build #4 on stable (from #3): rolled out over five days and completed;
- build #6 on beta (from #5): where the night-mode camera crash starts; its crash rate, far
  above #5's on the beta channel, halts it (the reason names the crash rate and the numbers);
- build #5 on stable (from #4): rolling out now, at the stage its days have reached.

Each release starts on the day its build reached the channel; the gate checks then run every
6 hours of the world's time, with the release service's clock set to it, up to the end of the
world (or now, when the world ends today). The plans mirror the world's own rollout ramps, so
what the releases offered and what the install base shows agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from userloop.container import Services
from userloop.demo.generator import DemoWorld
from userloop.domain.release import Release, ReleaseState

ACTOR = "demo"
STEP = timedelta(hours=6)
STABLE_PLAN = "8,25,50,75,100@1d"  # the world's stable ramp: 8, 25, 50, 75, 92 % by day
BETA_PLAN = "35,80,100@1d"  # its beta ramp: 35, 80 % by day


@dataclass(frozen=True)
class _Spec:
    build: int  # index into world.builds
    channel: str
    plan: str
    reason: str


SPECS = (
    _Spec(3, "stable", STABLE_PLAN, "build 4 passed beta; staged to stable"),
    _Spec(5, "beta", BETA_PLAN, "weekly beta build"),
    _Spec(4, "stable", STABLE_PLAN, "build 5 passed beta; staged to stable"),
)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def stage_releases(
    services: Services, world: DemoWorld, now: datetime | None = None
) -> list[Release]:
    """Create the three releases and run their gate checks over the world's time; returns
    them as they stand at the end."""
    end = datetime.combine(world.last_day + timedelta(days=1), time(), tzinfo=UTC)
    until = min(now or datetime.now(UTC), end)
    releases = services.releases
    saved = releases.clock
    clock = _Clock(until)
    releases.clock = clock
    out: list[Release] = []
    try:
        for spec in SPECS:
            build = world.builds[spec.build]
            on = build.released_on(spec.channel)
            if on is None or spec.build == 0:
                continue
            clock.now = datetime.combine(on, time(), tzinfo=UTC)
            if clock.now >= until:
                continue
            release = releases.create(
                world.product,
                build.version,
                spec.channel,
                spec.plan,
                previous_build=world.builds[spec.build - 1].version,
                actor=ACTOR,
            )
            release = releases.start(release.id, ACTOR, spec.reason)
            while release.state is ReleaseState.ROLLING_OUT and clock.now + STEP <= until:
                clock.now += STEP
                services.release_checks.run_due_checks(clock.now)
                release = releases.get(release.id)
            out.append(release)
    finally:
        releases.clock = saved
    return out
