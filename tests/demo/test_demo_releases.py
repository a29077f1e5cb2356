"""The demo's release history on its own data: build #4 completed on stable, build #6 halted on
beta by the crash rate its night-mode camera crash raises, build #5 rolling out on stable."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.demo.generator import generate
from userloop.demo.loading import load_world
from userloop.demo.releases import stage_releases
from userloop.domain.release import ReleaseState
from userloop.store import Store


def test_the_demo_has_a_completed_a_halted_and_a_rolling_out_release(
    store: Store, settings: Settings
) -> None:
    services = Services.build(settings, store, fake_triage(store, settings))
    end = date(2026, 10, 18)
    world = generate(seed=7, n_feedback=200, end=end)
    load_world(services, world, now=datetime(2026, 10, 18, 20, tzinfo=UTC))
    services.triage.drain()
    done, halted, rolling = stage_releases(services, world, datetime(2026, 10, 18, 20, tzinfo=UTC))
    builds = [b.version for b in world.builds]
    assert (done.build, done.channel.value, done.state) == (
        builds[3],
        "stable",
        ReleaseState.COMPLETED,
    )
    assert (halted.build, halted.channel.value, halted.state) == (
        builds[5],
        "beta",
        ReleaseState.HALTED,
    )
    assert (rolling.build, rolling.channel.value, rolling.state) == (
        builds[4],
        "stable",
        ReleaseState.ROLLING_OUT,
    )
    assert 0 < rolling.percent < 100
    log = services.releases.status(halted.id).events
    assert log[-1].actor == "gate:health" and log[-1].action == "halt"
    assert log[-1].reason.startswith("Halt: crash rate degraded")
    assert log[-1].details["baseline_build"] == builds[4]
    gated = [e for e in services.releases.status(done.id).events if e.actor == "gate:health"]
    assert [e.action for e in gated].count("advance") == 5
