"""Public votes: "this is my problem too", one per visitor and topic.

Voters are pseudonymised like reporters: only a keyed hash of the visitor id is stored."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from userloop.domain.entities import Topic, VoterProfile
from userloop.store import Store

# Domain separation: the reporter key is HMAC(secret, visitor id) too, and a vote must not be
# joinable to the visitor's reports by comparing hashes.
VOTE_HASH_PREFIX = b"vote:"
# Merges can chain (a into b, b into c); a cycle would be a bug, so stop following after this.
MAX_MERGE_HOPS = 20


class NoPublicTopic(LookupError):
    """No such topic, or it is empty (not public), or its merges lead nowhere."""


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    topic_id: int  # the topic that got the vote (the surviving one for a merged topic)
    votes: int
    voted: bool = True


def live_topic(store: Store, conn: Connection, topic_id: int) -> Topic:
    """The topic, or the one it was (transitively) merged into; empty topics are not public.
    Raises ``NoPublicTopic``."""
    topic = store.topics.get(conn, topic_id)
    for _ in range(MAX_MERGE_HOPS):
        if topic is None or topic.merged_into is None:
            break
        topic = store.topics.get(conn, topic.merged_into)
    if topic is None or topic.merged_into is not None or topic.size <= 0:
        raise NoPublicTopic(topic_id)
    return topic


class VoteService:
    def __init__(self, store: Store, secret: bytes) -> None:
        self.store = store
        self._secret = secret

    def voter_hash(self, visitor: str) -> str:
        return hmac.new(
            self._secret, VOTE_HASH_PREFIX + visitor.encode(), hashlib.sha256
        ).hexdigest()

    def vote(
        self,
        topic_id: int,
        visitor: str,
        profile: VoterProfile | None = None,
        at: datetime | None = None,
    ) -> VoteOutcome:
        """One vote per visitor and topic (a repeat changes nothing); a vote on a merged topic
        counts for the topic it was merged into. `profile`: the voter's segment where known;
        `at`: when it was cast (imports and the demo; default now)."""
        voter = self.voter_hash(visitor)
        with self.store.write() as conn:
            topic = live_topic(self.store, conn, topic_id)
            self.store.votes.add(conn, topic.id, voter, profile, at)
            count = self.store.votes.count(conn, topic.id)
        return VoteOutcome(topic_id=topic.id, votes=count, voted=True)
