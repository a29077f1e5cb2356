"""A small world with merge suggestions, on the fake models of tests/triage_fakes.py (service,
API, console and browser tests share it).

The fake embedder gives a report one dimension per problem it names, so a report about the
battery *and* the camera sits between the battery topic and the camera topic: online
assignment (at 0.85) keeps them apart, and the suggestions (from FLOOR) pair them. The world
has five suggestions: battery~battery-and-camera, battery-and-camera~camera, and the
three-problem report with each of those three topics; the dark theme is like nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.store import Store
from userloop.triage.service import Triage
from userloop.triage.topics.assign import OnlineTopics

FLOOR = 0.3  # the tests' own floor: the shipped default may change with the benchmarks
ONLINE = 0.85  # items join a topic from this cosine on
MERGE = 0.5  # re-clustering merges topics from this mean similarity on
MARKUP = "<script>alert('pwn')</script>"

# key -> (text, day of January 2026); keys with one first letter become one topic.
REPORTS: dict[str, tuple[str, int]] = {
    # battery
    "a1": ("Battery drains overnight since the update", 10),
    "a2": ("Батарея садится за ночь после обновления", 10),
    # battery and camera
    "b1": ("Battery drains fast while the camera is open", 5),
    "b2": ("Батарея садится когда камера включена", 5),
    # camera
    "c1": ("Camera crashes in night mode", 2),
    "c2": ("Камера вылетает в ночном режиме", 2),
    "c3": ("Camera crashes when zooming", 2),
    "c4": ("夜景模式相机崩溃", 2),
    # battery, camera and bluetooth: closest to "battery and camera"
    "e1": ("Battery drains and the camera freezes when bluetooth is on " + MARKUP, 1),
    # nothing like the others
    "d1": ("Please add a dark theme", 3),
}
# Topic name -> the key of one of its reports.
TOPICS = {"a": "a1", "b": "b1", "c": "c1", "e": "e1", "d": "d1"}
SUGGESTIONS = 5


def floor_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"merge_suggestion_floor": FLOOR})


def suggestion_triage(
    store: Store, settings: Settings, online: float = ONLINE, merge: float = MERGE
) -> Triage:
    """Fake-model triage that joins items at a cosine of `online` and merges topics when
    re-clustering at a mean similarity of `merge`."""
    topics = OnlineTopics(online, merge_threshold=merge)
    return fake_triage(store, settings, topics=topics)


def suggestion_services(
    settings: Settings, store: Store, online: float = ONLINE, merge: float = MERGE
) -> Services:
    settings = floor_settings(settings)
    triage = suggestion_triage(store, settings, online, merge)
    return Services.build(settings, store=store, triage=triage)


def seed(
    services: Services, reports: dict[str, tuple[str, int]], product: str | None = None
) -> dict[str, int]:
    """Store and triage the reports; returns key -> topic id."""
    results = services.intake.submit_batch(
        [
            {
                "text": text,
                "source": "test",
                "external_id": key,
                "created_at": datetime(2026, 1, day, 10, tzinfo=UTC).isoformat(),
                **({"product": product} if product else {}),
            }
            for key, (text, day) in reports.items()
        ]
    )
    services.triage.drain()
    out = {}
    with services.store.read() as conn:
        for key, result in zip(reports, results, strict=True):
            assert result.id is not None, result
            triaged = services.store.triage.get(conn, result.id)
            assert triaged is not None and triaged.topic_id is not None
            out[key] = triaged.topic_id
    return out


def build_world(services: Services) -> dict[str, int]:
    """Seeds REPORTS; returns topic name ("a", "b", "c", "e", "d") -> topic id, and each
    report key -> its topic id."""
    ids = seed(services, REPORTS)
    topics = {name: ids[key] for name, key in TOPICS.items()}
    assert len(set(topics.values())) == len(topics), ids
    assert all(ids[k] == topics[k[0]] for k in ids), ids
    return {**ids, **topics}
