"""Votes: one per visitor and topic, merged topics count for their target."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from userloop.store import Store
from userloop.topics.votes import NoPublicTopic, VoteService

SECRET = b"s" * 32


def make_topic(store: Store, size: int = 1) -> int:
    product = store.dimensions.product_id("phone")
    with store.write() as conn:
        topic_id = store.topics.create(conn, product, None, None)
        store.topics.save_summary(
            conn,
            topic_id,
            title="Battery drains" if size else "",
            title_language="en",
            keywords={},
            representatives={},
            languages={"en": size} if size else {},
            builds_seen={},
            models_seen={},
            size=size,
            first_seen=None,
            last_seen=None,
        )
    return topic_id


def test_a_vote_counts_once_per_visitor(store: Store) -> None:
    votes = VoteService(store, SECRET)
    topic = make_topic(store)
    first = votes.vote(topic, "visitor-1")
    again = votes.vote(topic, "visitor-1")
    other = votes.vote(topic, "visitor-2")
    assert (first.topic_id, first.votes, first.voted) == (topic, 1, True)
    assert again.votes == 1
    assert other.votes == 2
    with store.read() as conn:
        voted = store.votes.voted_among(conn, votes.voter_hash("visitor-1"), [topic, topic + 99])
    assert voted == {topic}


def test_a_vote_on_a_merged_topic_counts_for_the_target(store: Store) -> None:
    votes = VoteService(store, SECRET)
    source, target = make_topic(store), make_topic(store)
    with store.write() as conn:
        store.topics.mark_merged(conn, source, target)
    outcome = votes.vote(source, "visitor-1")
    assert (outcome.topic_id, outcome.votes) == (target, 1)


def test_unknown_and_empty_topics_take_no_votes(store: Store) -> None:
    votes = VoteService(store, SECRET)
    empty = make_topic(store, size=0)
    for topic in (empty, empty + 1000):
        with pytest.raises(NoPublicTopic):
            votes.vote(topic, "visitor-1")


def test_the_voter_hash_cannot_be_joined_to_the_reporter_key(store: Store) -> None:
    votes = VoteService(store, SECRET)
    plain = hmac.new(SECRET, b"visitor-1", hashlib.sha256).hexdigest()
    assert votes.voter_hash("visitor-1") != plain
    assert votes.voter_hash("visitor-1") == votes.voter_hash("visitor-1")
