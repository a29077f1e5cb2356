"""Server-side staff sessions: the cookie holds a random token, a row its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from userloop.domain.entities import User
from userloop.store.repos.user import _user
from userloop.store.tables import staff_sessions, users


class SessionRepo:
    def add(
        self,
        conn: Connection,
        session_id: str,
        user_id: int,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        conn.execute(
            insert(staff_sessions).values(
                id=session_id, user_id=user_id, created_at=created_at, expires_at=expires_at
            )
        )

    def user_of(self, conn: Connection, session_id: str, now: datetime) -> User | None:
        """The user of an unexpired session (disabled or not: the caller decides)."""
        m = (
            conn.execute(
                select(users)
                .join(staff_sessions, staff_sessions.c.user_id == users.c.id)
                .where(staff_sessions.c.id == session_id, staff_sessions.c.expires_at > now)
            )
            .mappings()
            .first()
        )
        return _user(m) if m else None

    def delete(self, conn: Connection, session_id: str) -> None:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.id == session_id))

    def delete_for_user(self, conn: Connection, user_id: int) -> int:
        result = conn.execute(delete(staff_sessions).where(staff_sessions.c.user_id == user_id))
        return result.rowcount

    def count_for_user(self, conn: Connection, user_id: int) -> int:
        rows = conn.execute(
            select(staff_sessions.c.id).where(staff_sessions.c.user_id == user_id)
        ).all()
        return len(rows)

    def purge_expired(self, conn: Connection, now: datetime) -> int:
        result = conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_at <= now))
        return result.rowcount
