"""The simulated triager accepts exactly the merge suggestions the truth confirms."""

from __future__ import annotations

from typing import Any

from sklearn.metrics import adjusted_rand_score

from tests.merge_world import build_world, suggestion_services
from userloop.config import Settings
from userloop.domain.filters import FeedbackFilter
from userloop.eval.triager_sim import ACTOR, simulate_triager, topic_majorities
from userloop.store import Store

# Report key -> its problem: "a" and "b" reports are one battery problem the online rule split.
PROBLEM = {"a": "battery", "b": "battery", "c": "camera", "e": "bluetooth", "d": "theme"}


def test_accepts_the_true_suggestion_and_rejects_the_rest(store: Store, settings: Settings) -> None:
    services = suggestion_services(settings, store)
    world = build_world(services)
    with store.read() as conn:
        ids = {f: t for f, t, _ in store.triage.assignments(conn)}
    keys = {k for k in world if len(k) == 2}
    feedback_of = {
        row.feedback.external_id: row.feedback.id
        for row in services.feedback.export(FeedbackFilter())
    }
    truth = {feedback_of[k]: PROBLEM[k[0]] for k in keys}

    def score() -> dict[str, Any]:
        with store.read() as conn:
            now = {f: t for f, t, _ in store.triage.assignments(conn)}
        order = sorted(truth)
        return {"ari": adjusted_rand_score([truth[i] for i in order], [now[i] for i in order])}

    assert len(set(ids.values())) == 5
    points = simulate_triager(services, truth, score, checkpoints=(0, 1, 5))
    assert [p["accepted"] for p in points] == [0, 1]  # the one true pair, then none is left
    assert points[0]["ari"] < points[-1]["ari"] == 1.0
    assert points[-1]["rejected"] >= 1
    majority = topic_majorities(services, truth)
    battery = {t for t, label in majority.items() if label == "battery"}
    assert len(battery) == 1  # a and b are one topic now
    # Every decision is the simulated triager's, in the audit log; nothing is left to suggest.
    assert services.merges.pairs() == []
    with store.read() as conn:
        actors = {e.actor for e in store.audit.recent(conn, 100)}
    assert ACTOR in actors
