"""Merge suggestions: the candidate pairs with their evidence, accept and reject, the errors,
the orders; on SQLite and, when configured, PostgreSQL. The world is tests/merge_world.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.merge_world import (
    FLOOR,
    REPORTS,
    SUGGESTIONS,
    build_world,
    seed,
    suggestion_services,
)
from userloop.config import Settings
from userloop.container import Services
from userloop.domain.entities import Topic
from userloop.domain.enums import TopicStatus
from userloop.store import Store
from userloop.topics.lifecycle import TopicError
from userloop.topics.merge_suggestions import MergeSuggestion
from userloop.triage.topics.recluster import recluster


@pytest.fixture
def services(settings: Settings, store: Store) -> Services:
    return suggestion_services(settings, store)


@pytest.fixture
def world(services: Services) -> dict[str, int]:
    """Topic names ("a", "b", "c", "e", "d") and report keys to topic ids."""
    return build_world(services)


def _pairs(found: list[MergeSuggestion]) -> list[frozenset[int]]:
    return [frozenset((s.a.id, s.b.id)) for s in found]


def _live(services: Services, topic_id: int) -> Topic:
    topic = services.topics.get(topic_id)
    assert topic is not None
    return topic


# -- the list and its evidence ------------------------------------------------------------------


def test_a_close_pair_is_listed_with_its_evidence(
    services: Services, world: dict[str, int]
) -> None:
    found, total = services.merges.suggestions(order="similarity", limit=50)
    a, b, c, e, d = (world[n] for n in "abced")
    pairs = _pairs(found)
    assert total == len(found) == SUGGESTIONS
    assert set(pairs) == {
        frozenset(p) for p in ((a, b), (b, c), (b, e), (a, e), (c, e))
    }  # battery and camera alone are too far apart, and so is the dark theme from anything
    assert all(d not in p for p in pairs)
    assert all(FLOOR <= s.similarity <= 1.0 for s in found)

    (ab,) = [s for s in found if {s.a.id, s.b.id} == {a, b}]
    # Evidence: keywords both topics have, per language ...
    assert ab.shared_keywords["en"] and ab.shared_keywords["ru"]
    for lang, words in ab.shared_keywords.items():
        assert set(words) <= set(ab.a.keywords[lang]) & set(ab.b.keywords[lang])
    # ... and the closest two reports in each language both topics have, one from each.
    assert {p.a_language for p in ab.closest} == {"en", "ru"}
    for pair in ab.closest:
        assert pair.a_language == pair.b_language
        assert -1.0 <= pair.similarity <= 1.0
        assert pair.a_id in services.topics.members(ab.a.id)
        assert pair.b_id in services.topics.members(ab.b.id)
    (ru,) = [p for p in ab.closest if p.a_language == "ru"]
    assert {ru.a_text, ru.b_text} == {REPORTS["a2"][0], REPORTS["b2"][0]}
    assert ab.size == 4 and ab.last_seen == datetime(2026, 1, 10, 10, tzinfo=UTC)

    # Without evidence: the same pairs, nothing computed per pair.
    bare, bare_total = services.merges.suggestions(order="similarity", limit=50, evidence=False)
    assert _pairs(bare) == pairs and bare_total == total
    assert all(not s.shared_keywords and not s.closest for s in bare)


def test_a_product_filter_and_other_products(services: Services, world: dict[str, int]) -> None:
    other = seed(services, {"x1": REPORTS["a1"], "x2": REPORTS["b1"]}, product="watch")
    watch = services.merges.suggestions("watch")[0]
    # Topics of different products are never paired, however alike.
    assert _pairs(watch) == [frozenset((other["x1"], other["x2"]))]
    assert services.merges.suggestions("default")[1] == SUGGESTIONS
    assert services.merges.suggestions()[1] == SUGGESTIONS + 1  # none across the products
    assert services.merges.suggestions("nothing-here") == ([], 0)


def test_orders_newest_largest_and_most_similar(services: Services, world: dict[str, int]) -> None:
    a, b, c, e = (world[n] for n in "abce")

    def listed(order: str, limit: int = 20, offset: int = 0) -> list[MergeSuggestion]:
        found, total = services.merges.suggestions(
            order=order, limit=limit, offset=offset, evidence=False
        )
        assert total == SUGGESTIONS
        return found

    # The closest pair first.
    closest = listed("similarity")
    assert _pairs(closest)[0] == {b, e}
    assert [s.similarity for s in closest] == sorted((s.similarity for s in closest), reverse=True)
    # The two topics' combined size, largest first: camera (4) and battery-and-camera (2).
    largest = listed("largest")
    assert _pairs(largest)[0] == {b, c}
    assert [s.size for s in largest] == sorted((s.size for s in largest), reverse=True)
    # The pair with the newest report first (by day), the larger first within a day.
    newest = listed("newest")
    assert _pairs(newest)[:2] == [{a, b}, {a, e}]
    days = [(s.last_seen.date() if s.last_seen else None, s.size) for s in newest]
    assert days == sorted(days, key=lambda d: (d[0], d[1]), reverse=True)
    assert listed("newest") == newest  # the default order, stable
    assert _pairs(services.merges.suggestions(evidence=False)[0]) == _pairs(newest)
    # Pages of one order.
    assert _pairs(listed("largest", limit=2, offset=1)) == _pairs(largest)[1:3]
    assert listed("largest", limit=2, offset=5) == []
    with pytest.raises(ValueError, match="oldest"):
        services.merges.suggestions(order="oldest")


# -- accept ---------------------------------------------------------------------------------------


def test_accept_merges_into_the_larger_topic(services: Services, world: dict[str, int]) -> None:
    b, c = world["b"], world["c"]
    members = set(services.topics.members(b)) | set(services.topics.members(c))
    survivor = services.merges.accept(b, c, "tom")  # the order of the ids does not matter
    assert survivor.id == c and survivor.size == 6
    assert set(services.topics.members(c)) == members
    absorbed = _live(services, b)
    assert absorbed.merged_into == c and absorbed.status == TopicStatus.DUPLICATE
    assert all(b not in (x.id, y.id) for x, y, _ in services.merges.pairs())
    with services.store.read() as conn:
        events = [e for e in services.store.audit.recent(conn, 100) if "merge" in e.action]
        accepted = [e for e in services.store.audit.recent(conn, 100) if e.action.startswith("s")]
    assert [(e.actor, e.subject) for e in events] == [("tom", f"topic:{c}")]
    assert [(e.action, e.details) for e in accepted] == [("suggestion.accept", {"absorbed": b})]


def test_accept_keeps_the_topic_staff_gave_a_status(
    services: Services, world: dict[str, int]
) -> None:
    b, e = world["b"], world["e"]  # e is the smaller topic (one report against two)
    services.topics.change(e, TopicStatus.CONFIRMED.value, None, "ana")
    (pair,) = [s for s in services.merges.suggestions(limit=50)[0] if {s.a.id, s.b.id} == {b, e}]
    assert (pair.a.id, pair.b.id) == (e, b)  # the survivor comes first in the suggestion
    survivor = services.merges.accept(b, e, "tom")
    assert survivor.id == e and survivor.status == TopicStatus.CONFIRMED and survivor.size == 3
    assert _live(services, b).merged_into == e


def test_accept_of_equal_topics_keeps_the_older(services: Services, world: dict[str, int]) -> None:
    a, b = world["a"], world["b"]  # two reports each
    assert services.merges.accept(b, a, "tom").id == min(a, b)


# -- reject ---------------------------------------------------------------------------------------


def test_reject_keeps_the_pair_apart_in_the_list_and_against_accept(
    services: Services, world: dict[str, int], store: Store
) -> None:
    a, b = world["a"], world["b"]
    services.merges.reject(b, a, "tom")
    found, total = services.merges.suggestions(limit=50)
    assert total == SUGGESTIONS - 1 and frozenset((a, b)) not in _pairs(found)
    with store.read() as conn:
        assert (min(a, b), max(a, b)) in store.topics.cannot_merge(conn)
        (event,) = [e for e in store.audit.recent(conn, 100) if e.action == "suggestion.reject"]
    assert (event.actor, event.subject, event.details) == (
        "tom",
        f"topic:{min(a, b)}",
        {"other": max(a, b)},
    )
    with pytest.raises(TopicError, match=f"topics {a} and {b} were kept apart by staff"):
        services.merges.accept(a, b, "tom")
    assert _live(services, a).merged_into is None and _live(services, b).merged_into is None


def test_a_rejected_pair_is_not_merged_by_reclustering_however_alike(
    settings: Settings, store: Store
) -> None:
    # Online assignment opens a topic per wording (0.99), re-clustering merges at 0.6.
    services = suggestion_services(settings, store, online=0.99, merge=0.6)
    ids = seed(
        services,
        {
            "c1": ("Camera crashes in night mode", 2),
            "c2": ("The camera crashes in night mode every time", 3),
            "n1": ("Bluetooth disconnects in the car", 2),
            "n2": ("Bluetooth disconnects in my car every morning", 3),
        },
    )
    camera, bluetooth = (ids["c1"], ids["c2"]), (ids["n1"], ids["n2"])
    assert len(set(ids.values())) == 4
    close = {frozenset((x.id, y.id)): s for x, y, s in services.merges.pairs()}
    assert close[frozenset(camera)] > 0.95 and close[frozenset(bluetooth)] > 0.95

    services.merges.reject(*camera, "tom")
    report = recluster(store, services.triage.pipeline)
    # The pair nobody rejected is merged (so re-clustering would have merged the other) ...
    assert sorted(report.merged) == [(bluetooth[1], bluetooth[0])]
    # ... and the rejected one stays apart, both topics live, then and on the next run.
    services.triage.recluster()
    for topic_id in camera:
        topic = _live(services, topic_id)
        assert topic.merged_into is None and topic.size == 1
    assert services.merges.suggestions() == ([], 0)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("decide", ["accept", "reject"])
def test_what_cannot_be_decided_says_why_and_changes_nothing(
    services: Services, world: dict[str, int], decide: str
) -> None:
    a, b, c, e = (world[n] for n in "abce")
    other = seed(services, {"x1": REPORTS["a1"]}, product="watch")["x1"]
    services.topics.merge([e], c, "ana")
    act = getattr(services.merges, decide)
    cases = [
        ((a, a), "^a suggestion joins two different topics$"),
        ((a, 999_999), "^no topic 999999$"),
        ((999_999, a), "^no topic 999999$"),
        ((e, b), f"^topic {e} was merged into topic {c}$"),
        ((b, e), f"^topic {e} was merged into topic {c}$"),
        ((a, other), f"^topics {a} and {other} belong to different products$"),
    ]
    for (x, y), message in cases:
        with pytest.raises(TopicError, match=message):
            act(x, y, "tom")
    with services.store.read() as conn:
        assert services.store.topics.cannot_merge(conn) == set()
        actions = {ev.action for ev in services.store.audit.recent(conn, 100)}
    assert not any(action.startswith("suggestion.") for action in actions)
    assert all(_live(services, t).merged_into is None for t in (a, b, c, other))
