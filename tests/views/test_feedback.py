"""FeedbackView: what the API and the exports read, through the container."""

from __future__ import annotations

import pytest

from tests.topics.test_lifecycle import seed
from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.filters import FeedbackFilter
from userloop.store import Store
from userloop.views import feedback as feedback_view


@pytest.fixture
def services(settings: Settings, store: Store) -> Services:
    return Services.build(settings, store=store, triage=fake_triage(store, settings))


def _submit(services: Services, count: int, source: str = "forum") -> list[int]:
    results = services.intake.submit_batch(
        [
            {"text": f"Screen flickers when dimmed {i}", "source": source, "external_id": str(i)}
            for i in range(count)
        ]
    )
    ids = [r.id for r in results]
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def test_get_and_pages_after_a_cursor(services: Services) -> None:
    ids = _submit(services, 5) + _submit(services, 2, source="app")
    item = services.feedback.get(ids[0])
    assert item is not None and item.id == ids[0] and item.source == "forum"
    assert services.feedback.get(max(ids) + 1) is None
    forum = FeedbackFilter(source="forum")
    first = services.feedback.page(forum, None, 3)
    rest = services.feedback.page(forum, first[-1].id, 3)
    assert [f.id for f in first + rest] == ids[:5]
    assert [f.id for f in services.feedback.page(FeedbackFilter(), None, 100)] == ids


def test_export_streams_every_item_with_its_triage(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedback_view, "EXPORT_PAGE", 2)  # several pages and a short last one
    ids = _submit(services, 5)
    assert [t.triage for t in services.feedback.export(FeedbackFilter())] == [None] * 5
    services.triage.drain()
    exported = list(services.feedback.export(FeedbackFilter(source="forum")))
    assert [t.feedback.id for t in exported] == ids
    assert all(t.triage is not None and t.triage.feedback_id == t.feedback.id for t in exported)
    assert list(services.feedback.export(FeedbackFilter(source="nowhere"))) == []


def test_topics_export_lists_live_topics_with_their_members(services: Services) -> None:
    ids = seed(
        services,
        {
            "a": ("Battery drains overnight after the update", None),
            "b": ("Battery drains overnight since the update", None),
        },
    )
    exported = list(services.feedback.topics_export())
    by_topic = {t.topic.id: t.member_ids for t in exported}
    assert set(by_topic) == set(ids.values())
    assert sorted(i for members in by_topic.values() for i in members) == sorted(
        f.id for f in services.feedback.page(FeedbackFilter(), None, 10)
    )
    assert list(services.feedback.topics_export(product="no-such-product")) == []


def test_health_and_schema_go_through_the_container(services: Services) -> None:
    assert services.database_ok()
    assert services.schema_is_current()
