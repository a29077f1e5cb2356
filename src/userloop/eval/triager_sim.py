"""A simulated triager working through the merge suggestions.

It reads the suggestions closest first (the console's "most similar" order), accepts each one
the truth confirms (both topics' majority problem is the same, and it is not a label that is
no problem, such as the demo generator's ``noise``) and rejects the others, so a rejected pair
is never shown again. After each accept the list is read afresh, since a merged topic has a
new centroid. The grouping is scored after 0, 10, 20, ... accepted suggestions: what the
suggestions buy a triager who only ever confirms what is true.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from userloop.container import Services

ACTOR = "simulated-triager"
CHECKPOINTS = (0, 10, 20, 30, 50)


def topic_majorities(services: Services, truth: Mapping[int, str]) -> dict[int, str]:
    """Topic id -> the label most of its (labelled) members carry."""
    counts: dict[int, Counter[str]] = {}
    with services.store.read() as conn:
        for feedback_id, topic_id, _pinned in services.store.triage.assignments(conn):
            label = truth.get(feedback_id)
            if label is not None:
                counts.setdefault(topic_id, Counter())[label] += 1
    return {t: c.most_common(1)[0][0] for t, c in counts.items()}


def simulate_triager(
    services: Services,
    truth: Mapping[int, str],
    score: Callable[[], dict[str, Any]],
    *,
    checkpoints: Sequence[int] = CHECKPOINTS,
    ignore: Collection[str] = (),
) -> list[dict[str, Any]]:
    """Accept the true suggestions (module doc) until ``max(checkpoints)`` are accepted or none
    is left; returns ``score()`` at each checkpoint reached (and at the end), with the counts
    of accepted and rejected suggestions."""
    points: list[dict[str, Any]] = []
    accepted = rejected = 0

    def record() -> None:
        points.append({"accepted": accepted, "rejected": rejected, **score()})

    record()
    goal = max(checkpoints)
    while accepted < goal:
        majority = topic_majorities(services, truth)
        for survivor, absorbed, _similarity in services.merges.pairs():
            label = majority.get(survivor.id)
            if label is not None and label not in ignore and label == majority.get(absorbed.id):
                services.merges.accept(survivor.id, absorbed.id, ACTOR)
                accepted += 1
                break
            services.merges.reject(survivor.id, absorbed.id, ACTOR)
            rejected += 1
        else:
            break  # no true suggestion left
        if accepted in checkpoints:
            record()
    if points[-1]["accepted"] != accepted:
        record()
    return points
