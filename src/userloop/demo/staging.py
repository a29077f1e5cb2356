"""Staff decisions a demo would show: statuses and a fixed build on the topics the triage found,
so the roadmap, the changelog and the topic pages have something to say; and the world's votes,
cast through the vote service on the topics that hold their problems.

Topics are matched to the demo's problems by the majority of their members' true problem (the
generator knows which problem each report is about)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from userloop.container import Services
from userloop.demo.catalog import FIXED_BUILD_INDEX, FIXED_PROBLEM, REGRESSION_PROBLEM
from userloop.demo.generator import DemoWorld
from userloop.demo.releases import stage_releases
from userloop.domain.entities import VoterProfile
from userloop.domain.enums import Channel, Experience, TopicStatus

ACTOR = "demo"
# problem -> the path of statuses its largest topic walks (each step an allowed transition)
PLAN: dict[str, tuple[TopicStatus, ...]] = {
    FIXED_PROBLEM: (
        TopicStatus.CONFIRMED,
        TopicStatus.IN_PROGRESS,
        TopicStatus.FIXED,
        TopicStatus.SHIPPED,
    ),
    REGRESSION_PROBLEM: (TopicStatus.CONFIRMED, TopicStatus.IN_PROGRESS),
    "battery_drain": (TopicStatus.CONFIRMED,),
    "dark_mode_schedule": (TopicStatus.PLANNED,),
    "app_lock": (TopicStatus.PLANNED,),
}


def topics_by_problem(services: Services, world: DemoWorld) -> dict[str, list[tuple[int, int]]]:
    """problem -> [(topic id, size)], largest first, by the majority of each topic's members."""
    store = services.store
    found: dict[str, list[tuple[int, int]]] = {}
    with store.read() as conn:
        for topic in store.topics.all(conn, product=world.product):
            votes: Counter[str] = Counter()
            for feedback_id in store.triage.members(conn, topic.id):
                item = store.feedback.get(conn, feedback_id)
                if item is not None:
                    problem = world.truth.get(f"{item.source}/{item.external_id}")
                    if problem:
                        votes[problem] += 1
            if votes:
                problem, _ = votes.most_common(1)[0]
                found.setdefault(problem, []).append((topic.id, topic.size))
    for topics in found.values():
        topics.sort(key=lambda t: -t[1])
    return found


def _profile(raw: object) -> VoterProfile:
    if not isinstance(raw, dict):
        raise ValueError(f"a demo vote's profile must be an object, not {raw!r}")
    return VoterProfile(
        experience=Experience(str(raw["experience"])),
        verified_owner=bool(raw["verified_owner"]),
        model=str(raw["model"]),
        region=str(raw["region"]),
        channel=Channel(str(raw["channel"])),
    )


def cast_votes(
    services: Services, world: DemoWorld, matched: dict[str, list[tuple[int, int]]] | None = None
) -> int:
    """Cast the world's votes, each on the largest topic holding its problem (a problem without
    a topic loses its votes); returns how many were cast."""
    matched = topics_by_problem(services, world) if matched is None else matched
    cast = 0
    for vote in world.votes:
        topics = matched.get(str(vote["problem"]))
        if not topics:
            continue
        services.votes.vote(
            topics[0][0],
            str(vote["visitor"]),
            profile=_profile(vote["profile"]),
            at=datetime.fromisoformat(str(vote["at"])),
        )
        cast += 1
    return cast


def stage(services: Services, world: DemoWorld) -> int:
    """Give the demo's main topics their statuses and cast the world's votes; returns how many
    topics changed status."""
    topics = services.topics
    matched = topics_by_problem(services, world)
    cast_votes(services, world, matched)
    changed = 0
    for problem, path in PLAN.items():
        if problem not in matched:
            continue
        topic_id = matched[problem][0][0]
        for status in path:
            if status is TopicStatus.FIXED:
                fixed = world.builds[FIXED_BUILD_INDEX].version
                topics.set_fixed_build(topic_id, fixed, ACTOR)
            topics.set_status(topic_id, status, ACTOR)
        changed += 1
    stage_releases(services, world)  # completed, halted by a gate, rolling out (releases.py)
    return changed
