"""Releases and their decision log. State changes are compare-and-set: an update names the state
and stage it expects, so two deciders racing on one release cannot both win."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from userloop.domain.enums import Channel
from userloop.domain.release import Release, ReleaseEvent, ReleaseState, RolloutPlan
from userloop.store.tables import release_events, releases


class DuplicateRelease(Exception):
    """A release of this product, channel and build exists already."""


@dataclass(frozen=True, slots=True)
class NewRelease:
    product: str
    channel: Channel
    build: str
    previous_build: str | None
    models: frozenset[str]
    regions: frozenset[str]
    plan: RolloutPlan
    created_by: str


class ReleaseRepo:
    def add(self, conn: Connection, new: NewRelease, at: datetime) -> Release:
        """Insert a draft; DuplicateRelease when (product, channel, build) exists. The insert
        runs in a savepoint so that the caller's transaction stays usable after a refusal."""
        values = {
            "product": new.product,
            "channel": new.channel.value,
            "build": new.build,
            "previous_build": new.previous_build,
            "models": sorted(new.models),
            "regions": sorted(new.regions),
            "plan": new.plan.record(),
            "state": ReleaseState.DRAFT.value,
            "stage": 0,
            "stage_started_at": None,
            "created_by": new.created_by,
            "created_at": at,
            "updated_at": at,
        }
        try:
            with conn.begin_nested():
                new_id = conn.execute(
                    insert(releases).values(**values).returning(releases.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise DuplicateRelease(new.product, new.channel.value, new.build) from exc
        return _release({"id": new_id, **values})

    def get(self, conn: Connection, release_id: int, *, lock: bool = False) -> Release | None:
        stmt = select(releases).where(releases.c.id == release_id)
        if lock and conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = conn.execute(stmt).mappings().first()
        return _release(row) if row else None

    def find(self, conn: Connection, product: str, channel: Channel, build: str) -> Release | None:
        row = (
            conn.execute(
                select(releases).where(
                    releases.c.product == product,
                    releases.c.channel == channel.value,
                    releases.c.build == build,
                )
            )
            .mappings()
            .first()
        )
        return _release(row) if row else None

    def list(
        self,
        conn: Connection,
        product: str | None = None,
        states: Iterable[ReleaseState] | None = None,
        channel: Channel | None = None,
        limit: int | None = None,
    ) -> builtins.list[Release]:
        """Newest first."""
        stmt = select(releases).order_by(releases.c.id.desc())
        if product is not None:
            stmt = stmt.where(releases.c.product == product)
        if channel is not None:
            stmt = stmt.where(releases.c.channel == channel.value)
        if states is not None:
            stmt = stmt.where(releases.c.state.in_([s.value for s in states]))
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_release(row) for row in conn.execute(stmt).mappings()]

    def move(
        self,
        conn: Connection,
        release: Release,
        state: ReleaseState,
        stage: int,
        stage_started_at: datetime | None,
        at: datetime,
    ) -> Release | None:
        """Set state and stage if the release is still as `release` says; None when another
        decision changed it first."""
        done = conn.execute(
            update(releases)
            .where(
                releases.c.id == release.id,
                releases.c.state == release.state.value,
                releases.c.stage == release.stage,
            )
            .values(
                state=state.value, stage=stage, stage_started_at=stage_started_at, updated_at=at
            )
        ).rowcount
        if not done:
            return None
        return self.get(conn, release.id)

    def add_event(
        self,
        conn: Connection,
        release_id: int,
        at: datetime,
        actor: str,
        action: str,
        from_state: ReleaseState | None,
        to_state: ReleaseState,
        stage: int,
        reason: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            insert(release_events).values(
                release_id=release_id,
                at=at,
                actor=actor,
                action=action,
                from_state=from_state.value if from_state else None,
                to_state=to_state.value,
                stage=stage,
                reason=reason,
                details=details or {},
            )
        )

    def events(
        self, conn: Connection, release_id: int, limit: int = 200
    ) -> builtins.list[ReleaseEvent]:
        """Oldest first (the latest `limit`)."""
        rows = conn.execute(
            select(release_events)
            .where(release_events.c.release_id == release_id)
            .order_by(release_events.c.id.desc())
            .limit(limit)
        ).mappings()
        out = [
            ReleaseEvent(
                id=m["id"],
                release_id=m["release_id"],
                at=m["at"],
                actor=m["actor"],
                action=m["action"],
                from_state=ReleaseState(m["from_state"]) if m["from_state"] else None,
                to_state=ReleaseState(m["to_state"]),
                stage=m["stage"],
                reason=m["reason"],
                details=dict(m["details"]),
            )
            for m in rows
        ]
        return out[::-1]


def _release(m: Any) -> Release:
    return Release(
        id=int(m["id"]),
        product=m["product"],
        build=m["build"],
        previous_build=m["previous_build"],
        channel=Channel(m["channel"]),
        models=frozenset(m["models"]),
        regions=frozenset(m["regions"]),
        plan=RolloutPlan.from_record(m["plan"]),
        state=ReleaseState(m["state"]),
        stage=int(m["stage"]),
        stage_started_at=m["stage_started_at"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )
