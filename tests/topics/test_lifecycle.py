"""The topic lifecycle: summaries store the title's language; status and fixed-in changes."""

from __future__ import annotations

import pytest

from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import InvalidTransition, TopicStatus
from userloop.store import Store
from userloop.topics.lifecycle import TopicError, TopicService


@pytest.fixture
def services(settings: Settings, store: Store) -> Services:
    return Services.build(settings, store=store, triage=fake_triage(store, settings))


def seed(services: Services, texts: dict[str, tuple[str, str | None]]) -> dict[str, int]:
    """Store reports (key -> (text, language)), triage them; returns key -> topic id."""
    results = services.intake.submit_batch(
        [
            {"text": text, "source": "test", "external_id": key, "language": language}
            for key, (text, language) in texts.items()
        ]
    )
    services.triage.drain()
    out = {}
    with services.store.read() as conn:
        for key, result in zip(texts, results, strict=True):
            assert result.id is not None
            triaged = services.store.triage.get(conn, result.id)
            assert triaged is not None and triaged.topic_id is not None
            out[key] = triaged.topic_id
    return out


def test_a_refreshed_title_keeps_the_language_it_is_written_in(services: Services) -> None:
    ids = seed(
        services,
        {
            "ru": ("Батарея садится за ночь после обновления", None),
            "ru2": ("Батарея садится очень быстро", None),
            "zh": ("电池耗电很快", None),
        },
    )
    topic = services.topics.get(ids["ru"])
    assert topic is not None and topic.title
    assert topic.title_language == ("zh-Hans" if "电" in topic.title else "ru")


def test_a_title_is_the_sentence_about_the_problem_not_the_greeting(services: Services) -> None:
    """Reports of two problems open with the same greeting and close with the same complaint:
    the title is the sentence that says what the topic is about (the closest to the topic's
    direction in the centred space, where what every topic shares lies near the origin)."""
    greeting, close = "Hello dear support team, hi!", "Please fix this soon, thanks a lot."
    texts: dict[str, tuple[str, str | None]] = {
        f"{problem}{k}": (f"{greeting} {sentence} {close}", "en")
        for problem, sentence in (
            ("camera", "The camera app crashes in night mode."),
            ("battery", "The battery drains overnight since the update."),
        )
        for k in range(3)
    }
    ids = seed(services, texts)
    assert ids["camera0"] != ids["battery0"]
    camera = services.topics.get(ids["camera0"])
    battery = services.topics.get(ids["battery0"])
    assert camera is not None and battery is not None
    assert camera.title == "The camera app crashes in night mode"
    assert camera.titles["en"] == camera.title
    assert battery.title == "The battery drains overnight since the update"


def test_a_topic_of_texts_that_say_nothing_is_titled_by_what_they_say(
    services: Services,
) -> None:
    ids = seed(services, {"a": ("meh", "en"), "b": ("meh", "en"), "c": ("ok", "en")})
    topic = services.topics.get(ids["a"])
    assert topic is not None
    assert topic.title and set(topic.title.split(", ")) <= {"meh", "ok"}
    assert "en" not in topic.titles  # no member says enough for a reader's title


def test_a_topic_without_members_has_no_title_language(services: Services) -> None:
    ids = seed(services, {"a": ("Camera crashes on start", None), "b": ("camera crash", None)})
    topic_id = ids["a"]
    new = services.topics.split(topic_id, services.topics.members(topic_id)[:1], "ana")
    assert new.title_language == "en"
    with services.store.write() as conn:
        services.store.triage.move_members(
            conn, services.topics.members(new.id), topic_id, pinned=True
        )
    services.topics.refresh_one(new.id)
    emptied = services.topics.get(new.id)
    assert emptied is not None and emptied.title == "" and emptied.title_language is None


def test_change_sets_status_then_build_and_says_what_changed(services: Services) -> None:
    topic_id = seed(services, {"a": ("Battery drains overnight", None)})["a"]
    lifecycle = services.topics
    assert lifecycle.change(topic_id, "confirmed", None, "li") == ["status"]
    assert lifecycle.change(topic_id, None, " 3.4.1 ", "li") == ["build"]
    assert lifecycle.change(topic_id, None, "3.4.1", "li") == []  # the same build again
    with pytest.raises(InvalidTransition):
        lifecycle.change(topic_id, "shipped", "3.5.0", "li")
    topic = lifecycle.get(topic_id)
    assert topic is not None
    assert (topic.status, topic.fixed_build) == (TopicStatus.CONFIRMED.value, "3.4.1")


def test_the_pipeline_is_built_only_when_an_operation_needs_it(store: Store) -> None:
    asked: list[str] = []

    def pipeline() -> object:
        asked.append("pipeline")
        raise AssertionError("not needed to read")

    lifecycle = TopicService(store, pipeline)  # type: ignore[arg-type]
    assert lifecycle.get(1) is None and lifecycle.all() == []
    assert asked == []


def test_move_pins_reports_in_another_topic_and_refuses_what_it_cannot_do(
    services: Services,
) -> None:
    ids = seed(
        services,
        {
            "a": ("Camera crashes on start", None),
            "b": ("camera crash at launch", None),
            "c": ("Battery drains overnight", None),
        },
    )
    camera, battery = ids["a"], ids["c"]
    assert camera == ids["b"] != battery
    members = services.topics.members(camera)
    target = services.topics.move(camera, members[:1], battery, "ana")
    assert target.id == battery and members[0] in services.topics.members(battery)
    with services.store.read() as conn:
        pinned = services.store.triage.topics_with_pinned(conn)
        events = services.store.audit.recent(conn, 10)
    assert battery in pinned and camera not in pinned
    assert any(e.action == "topic.move" and e.actor == "ana" for e in events)
    assert services.triage.staff_groups()  # the target is a staff-shaped topic now
    rest = services.topics.members(camera)
    with pytest.raises(TopicError, match="merge topic"):
        services.topics.move(camera, rest, battery, "ana")
    with pytest.raises(TopicError, match="not in topic"):
        services.topics.move(camera, [members[0]], battery, "ana")
    with pytest.raises(TopicError, match="another topic"):
        services.topics.move(camera, rest, camera, "ana")
    with pytest.raises(TopicError, match="no topic 999999"):
        services.topics.move(camera, rest, 999_999, "ana")
