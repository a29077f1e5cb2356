"""Failed attempts per throttle key, for the database backend of the sign-in throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, case, delete, select, update

from userloop.domain.entities import ThrottleState
from userloop.store.dialect import insert_stmt
from userloop.store.tables import throttle


class ThrottleRepo:
    def get(self, conn: Connection, key: str, forget_before: datetime) -> ThrottleState | None:
        """The key's state, unless its last failure is older than `forget_before`."""
        m = (
            conn.execute(
                select(throttle.c.failures, throttle.c.next_allowed_at).where(
                    throttle.c.key == key, throttle.c.updated_at >= forget_before
                )
            )
            .mappings()
            .first()
        )
        return ThrottleState(m["failures"], m["next_allowed_at"]) if m else None

    def add_failure(
        self, conn: Connection, key: str, now: datetime, forget_before: datetime
    ) -> int:
        """Count one failure (starting again from 1 when the last is older than `forget_before`)
        in one statement, so concurrent failures all count; the new count."""
        stmt = insert_stmt(conn, throttle).values(
            key=key, failures=1, next_allowed_at=now, updated_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case(
                    (throttle.c.updated_at < forget_before, 1), else_=throttle.c.failures + 1
                ),
                "updated_at": now,
            },
        ).returning(throttle.c.failures)
        return int(conn.execute(stmt).scalar_one())

    def set_next_allowed(self, conn: Connection, key: str, at: datetime) -> None:
        conn.execute(update(throttle).where(throttle.c.key == key).values(next_allowed_at=at))

    def clear(self, conn: Connection, key: str) -> None:
        conn.execute(delete(throttle).where(throttle.c.key == key))

    def purge(self, conn: Connection, forget_before: datetime) -> int:
        result = conn.execute(delete(throttle).where(throttle.c.updated_at < forget_before))
        return result.rowcount
