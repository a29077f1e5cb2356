"""The priority job: the worker recomputes the stored priorities once a batch of new feedback
has been triaged and the queue is drained, never while there is work left."""

from __future__ import annotations

from tests.priority_world import fleet_triage, load_fleet
from userloop.config import Settings
from userloop.container import Services
from userloop.intake.service import IntakeService
from userloop.jobs.worker import Worker
from userloop.store import Store


def test_the_worker_recomputes_priorities_after_a_triaged_batch(
    store: Store, settings: Settings
) -> None:
    services = Services.build(settings, store, fleet_triage(store, settings))
    _fleet, topics = load_fleet(store, settings, services.triage, devices=40_000)
    assert not services.priorities.stored_any()  # loading alone computes nothing
    assert services.priorities.recompute in services.after_triage_jobs()
    worker = Worker(
        services.triage,
        batch_size=2,
        poll_seconds=0.01,
        recluster_minutes=0,
        after_triage=services.after_triage_jobs(),
    )
    IntakeService(store, settings).submit_batch(
        [
            {"text": f"Camera crash when I open the camera app again {i}", "external_id": f"n{i}"}
            for i in range(3)
        ],
        default_source="app",
    )
    assert worker.step() == 2
    assert not services.priorities.stored_any()  # work is left: not yet
    assert worker.step() == 1
    assert not services.priorities.stored_any()
    assert worker.step() == 0  # drained: the jobs run
    ranked = services.priorities.ranked()
    assert ranked.items and topics["crash"] in [r.topic_id for r in ranked.items]
    first = ranked.computed_at
    assert worker.step() == 0  # nothing new: no second run
    assert services.priorities.ranked().computed_at == first
