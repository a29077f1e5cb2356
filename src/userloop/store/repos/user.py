"""Staff accounts of the console."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from userloop.domain.entities import User
from userloop.domain.enums import Role
from userloop.store.tables import users


def _user(m: Any) -> User:
    return User(
        id=m["id"],
        username=m["username"],
        role=Role(m["role"]),
        created_at=m["created_at"],
        disabled=bool(m["disabled"]),
        inbox_seen_at=m["inbox_seen_at"],
    )


class UserRepo:
    def add(self, conn: Connection, username: str, password_hash: str, role: Role) -> User:
        row = (
            conn.execute(
                insert(users)
                .values(
                    username=username,
                    password_hash=password_hash,
                    role=role.value,
                    disabled=False,
                    created_at=datetime.now(UTC),
                )
                .returning(*users.c)
            )
            .mappings()
            .one()
        )
        return _user(row)

    def by_username(self, conn: Connection, username: str) -> tuple[User, str] | None:
        """The user and their password hash."""
        m = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        return (_user(m), str(m["password_hash"])) if m else None

    def get(self, conn: Connection, user_id: int) -> User | None:
        m = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
        return _user(m) if m else None

    def all(self, conn: Connection) -> list[User]:
        return [_user(m) for m in conn.execute(select(users).order_by(users.c.id)).mappings()]

    def set_password(self, conn: Connection, user_id: int, password_hash: str) -> None:
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def set_role(self, conn: Connection, user_id: int, role: Role) -> None:
        conn.execute(update(users).where(users.c.id == user_id).values(role=role.value))

    def set_disabled(self, conn: Connection, user_id: int, disabled: bool) -> None:
        conn.execute(update(users).where(users.c.id == user_id).values(disabled=disabled))

    def set_inbox_seen(self, conn: Connection, user_id: int, at: datetime) -> None:
        conn.execute(update(users).where(users.c.id == user_id).values(inbox_seen_at=at))
