"""The read models: titles carry their stored language; writes are handed to loop services."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.topics.test_lifecycle import seed
from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.enums import TopicStatus
from userloop.domain.filters import TopicFilter
from userloop.store import Store
from userloop.store.tables import topics
from userloop.views.portal_models import PortalNotFound, TopicView


@pytest.fixture
def services(settings: Settings, store: Store) -> Services:
    return Services.build(settings, store=store, triage=fake_triage(store, settings))


def _store_title_language(store: Store, topic_id: int, language: str) -> None:
    with store.write() as conn:
        conn.execute(update(topics).where(topics.c.id == topic_id).values(title_language=language))


def test_screens_show_the_stored_title_language(services: Services) -> None:
    topic_id = seed(services, {"a": ("Battery drains overnight", None)})["a"]
    services.topics.set_status(topic_id, TopicStatus.CONFIRMED, "li")
    services.topics.set_status(topic_id, TopicStatus.PLANNED, "li")
    # A language no guess would give: what the screens show comes from the store.
    _store_title_language(services.store, topic_id, "en-GB")
    view = services.portal.topic(topic_id, "visitor", "de")
    assert isinstance(view, TopicView) and view.title_language == "en-GB"
    # A German reader: the topic has no German reports, so no German title; the one title shows.
    (planned,) = [c for c in services.portal.roadmap("de") if c.status == "planned"]
    assert [card.title_language for card in planned.cards] == ["en-GB"]
    page = services.console.topics(TopicFilter(), "size", True, 1)
    assert [row.title_language for row in page.rows] == ["en-GB"]


def test_votes_and_changes_go_through_the_loop_services(services: Services) -> None:
    ids = seed(
        services,
        {"a": ("Battery drains overnight", None), "b": ("Camera crashes on start", None)},
    )
    battery, camera = ids["a"], ids["b"]
    assert services.portal.vote(battery, "visitor").votes == 1
    assert services.votes.vote(battery, "visitor").votes == 1  # the same vote
    assert services.console.change_status(battery, "confirmed", "3.1", "li") == [
        "status",
        "build",
    ]
    services.console.merge([camera], battery, "li")
    assert services.portal.vote(camera, "other").topic_id == battery
    with pytest.raises(PortalNotFound):
        services.portal.vote(battery + 1000, "visitor")
    detail = services.console.topic(battery)
    assert detail is not None and detail.votes == 2
    assert [e.action for e in detail.activity][:3] == [
        "topic.merge",
        "topic.fixed_build",
        "topic.status",
    ]
