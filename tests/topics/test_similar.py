""" "Already reported?" within its memory bound, on SQLite and PostgreSQL: past
``vector_index_max_vectors`` the oldest items' vectors and texts are dropped, and the newest
are still found, as they arrive."""

from __future__ import annotations

from tests.triage.test_triage_pipeline import load
from tests.triage_fakes import fake_triage, similar_of
from userloop.config import Settings
from userloop.store import Store

ROWS: list[tuple[str, str, str | None]] = [
    ("o1", "Battery error ZX81 overnight", None),
    ("o2", "Camera error ZX81 in night mode", None),
    ("n1", "Bluetooth error ZX81 disconnects", None),
    ("n2", "Dark theme error ZX81 schedule", None),
    ("n3", "Battery drains with error ZX81", None),
]


def test_similar_items_keep_only_the_newest_vectors_and_texts(
    store: Store, settings: Settings
) -> None:
    ids = load(store, settings, ROWS)
    fake_triage(store, settings).drain()
    bounded = settings.model_copy(update={"vector_index_max_vectors": 3})
    newest = {ids["n1"], ids["n2"], ids["n3"]}
    for weight in (0.0, 0.65, 1.0):  # embeddings only, fused, words only
        similar = similar_of(
            fake_triage(store, bounded.model_copy(update={"similar_lexical_weight": weight}))
        )
        hits = similar.items(text="Battery error ZX81", k=5)
        assert hits and {h.feedback_id for h in hits} <= newest, weight
        assert similar._item_index.size() <= 3 and len(similar._bm25) <= 3
    # New feedback enters; the oldest of the kept ones leaves.
    late = load(store, settings, [("n4", "Battery error ZX81 again", None)])
    fake_triage(store, settings).drain()
    hits = similar.items(text="Battery error ZX81", k=5)
    assert late["n4"] in {h.feedback_id for h in hits}
    assert {h.feedback_id for h in hits} <= {ids["n2"], ids["n3"], late["n4"]}
    assert len(similar._bm25) == 3


def test_without_a_tight_bound_every_item_is_found(store: Store, settings: Settings) -> None:
    ids = load(store, settings, ROWS)
    fake_triage(store, settings).drain()
    similar = similar_of(
        fake_triage(store, settings.model_copy(update={"similar_lexical_weight": 1.0}))
    )
    hits = similar.items(text="error ZX81", k=10)
    assert {h.feedback_id for h in hits} == set(ids.values())


def test_similar_topics_keep_at_most_the_bound(store: Store, settings: Settings) -> None:
    load(store, settings, ROWS)
    strict = fake_triage(store, settings, threshold=0.999)  # each report its own topic
    strict.drain()
    assert len(similar_of(strict).topics("Battery error ZX81", k=10)) == len(ROWS)
    bounded = settings.model_copy(update={"vector_index_max_vectors": 2})
    similar = similar_of(fake_triage(store, bounded))
    assert len(similar.topics("Battery error ZX81", k=10)) == 2
    assert similar.topics("Battery error ZX81", k=10, product="no-such-product") == []


def test_a_similar_topic_is_titled_in_the_askers_language(store: Store, settings: Settings) -> None:
    """The same battery problem reported in Russian and English: an English asker gets the
    English title, a Russian one the Russian title, whatever the topic's one title is."""
    load(
        store,
        settings,
        [
            ("ru1", "Батарея садится за ночь после обновления", "ru"),
            ("ru2", "Батарея садится очень быстро ночью", "ru"),
            ("en1", "The battery drains overnight since the update", "en"),
        ],
    )
    fake_triage(store, settings).drain()
    similar = similar_of(fake_triage(store, settings))
    (en,) = similar.topics("battery drain overnight", language="en", k=1)
    assert en.title == "The battery drains overnight since the update"
    assert en.title_language == "en"
    (ru,) = similar.topics("battery drain overnight", language="ru", k=1)
    assert ru.title_language == "ru" and ru.title.startswith("Батарея садится")
    (nl,) = similar.topics("battery drain overnight", language="nl", k=1)
    with store.read() as conn:
        topic = store.topics.get(conn, nl.topic_id)
    assert topic is not None  # no Dutch report: the topic's one title, with its language
    assert (nl.title, nl.title_language) == (topic.title, topic.title_language)
