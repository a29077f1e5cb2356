"""The synthetic fleet (`userloop.demo.fleet`) loaded through the real intake, triage and vote
services, for the priority service, CLI, API and console tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tests.triage_fakes import FakeKind, fake_triage
from userloop.config import Settings
from userloop.demo.fleet import PRAISE, Fleet, build_fleet, stem
from userloop.domain.entities import VoterProfile
from userloop.domain.enums import Channel, Experience
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.store.tables import feedback
from userloop.store.tables import triage as triage_rows
from userloop.topics.votes import VoteService
from userloop.triage.embed.base import Vectors
from userloop.triage.service import Triage
from userloop.triage.stages import KindPrediction


class FleetKind(FakeKind):
    """The fake kind stage, and praise for the fleet's praise texts."""

    def predict(self, texts: Sequence[str], vectors: Vectors) -> list[KindPrediction]:
        out = super().predict(texts, vectors)
        for i, text in enumerate(texts):
            if stem(text) in PRAISE:
                scores = {k: 0.0 for k in out[i].scores} | {"praise": 0.9}
                out[i] = KindPrediction(scores, "praise", ("praise",))
        return out


def fleet_triage(store: Store, settings: Settings) -> Triage:
    return fake_triage(store, settings, kind=FleetKind())


def load_fleet(
    store: Store,
    settings: Settings,
    triage: Triage | None = None,
    devices: int = 100_000,
    install_base: bool = True,
) -> tuple[Fleet, dict[str, int]]:
    """The fleet's reports (triaged), votes and install base; returns the fleet and the
    topic id of each planted key."""
    fleet = build_fleet(devices)
    intake = IntakeService(store, settings)
    intake.submit_batch(fleet.feedback, default_source="app")
    (triage or fleet_triage(store, settings)).drain()
    if install_base:
        intake.submit_install_base(fleet.install_base)
    with store.read() as conn:
        rows = conn.execute(
            select(feedback.c.text, triage_rows.c.topic_id).join(
                triage_rows, triage_rows.c.feedback_id == feedback.c.id
            )
        ).all()
    topics: dict[str, int] = {}
    for text, topic in rows:
        key = fleet.keys[stem(str(text))]
        if key != "praise" and topic is not None:
            topics.setdefault(key, int(topic))
    votes = VoteService(store, b"fleet-vote-secret")
    for v in fleet.votes:
        profile = VoterProfile(
            Experience(v.experience), v.verified_owner, v.model, v.region, Channel(v.channel)
        )
        votes.vote(topics[v.key], v.visitor, profile, v.at)
    return fleet, topics
