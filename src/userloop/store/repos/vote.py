"""Public votes: "this is my problem too", one per topic and voter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from userloop.domain.entities import VoterProfile
from userloop.store.dialect import insert_ignore_stmt
from userloop.store.queries._sql import chunks
from userloop.store.tables import votes


class VoteRepo:
    def add(
        self,
        conn: Connection,
        topic_id: int,
        voter_hash: str,
        profile: VoterProfile | None = None,
        at: datetime | None = None,
    ) -> bool:
        """True when the vote is new; a repeated vote changes nothing."""
        profile = profile or VoterProfile()
        stmt = insert_ignore_stmt(conn, votes, ["topic_id", "voter_hash"]).values(
            topic_id=topic_id,
            voter_hash=voter_hash,
            created_at=at or datetime.now(UTC),
            experience=profile.experience.value if profile.experience else None,
            verified_owner=profile.verified_owner,
            model=profile.model,
            region=profile.region,
            channel=profile.channel.value if profile.channel else None,
        )
        return bool(conn.execute(stmt).rowcount)

    def count(self, conn: Connection, topic_id: int) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(votes).where(votes.c.topic_id == topic_id)
            ).scalar_one()
        )

    def counts(self, conn: Connection, topic_ids: Sequence[int]) -> dict[int, int]:
        if not topic_ids:
            return {}
        rows = conn.execute(
            select(votes.c.topic_id, func.count())
            .where(votes.c.topic_id.in_(list(topic_ids)))
            .group_by(votes.c.topic_id)
        )
        return {int(t): int(n) for t, n in rows}

    def has_voted(self, conn: Connection, topic_id: int, voter_hash: str) -> bool:
        return (
            conn.execute(
                select(votes.c.topic_id).where(
                    votes.c.topic_id == topic_id, votes.c.voter_hash == voter_hash
                )
            ).first()
            is not None
        )

    def voted_among(self, conn: Connection, voter_hash: str, topic_ids: Sequence[int]) -> set[int]:
        """The topics among `topic_ids` this voter has voted for."""
        out: set[int] = set()
        for chunk in chunks(topic_ids):
            out.update(
                int(t)
                for (t,) in conn.execute(
                    select(votes.c.topic_id).where(
                        votes.c.voter_hash == voter_hash, votes.c.topic_id.in_(chunk)
                    )
                )
            )
        return out

    def move(self, conn: Connection, source: int, target: int) -> None:
        """Carry a merged topic's votes to the surviving topic (a voter counts once)."""
        carried = [c for c in votes.c if c.name != "topic_id"]
        rows = conn.execute(select(*carried).where(votes.c.topic_id == source)).mappings().all()
        if rows:
            conn.execute(
                insert_ignore_stmt(conn, votes, ["topic_id", "voter_hash"]),
                [{**row, "topic_id": target} for row in rows],
            )
