"""Per-installation secrets, generated once and shared by every process on the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from userloop.store.dialect import insert_ignore_stmt
from userloop.store.tables import instance_keys


class KeyRepo:
    def get_or_create(self, conn: Connection, name: str, make: Callable[[], str]) -> str:
        """The stored key `name`; when there is none, `make()` is stored first. Two processes
        racing here both end up with the one that was inserted first."""
        stmt = insert_ignore_stmt(conn, instance_keys, ["name"]).values(
            name=name, value=make(), created_at=datetime.now(UTC)
        )
        conn.execute(stmt)
        value = conn.execute(
            select(instance_keys.c.value).where(instance_keys.c.name == name)
        ).scalar_one()
        return str(value)

    def replace(self, conn: Connection, name: str, value: str) -> None:
        conn.execute(delete(instance_keys).where(instance_keys.c.name == name))
        conn.execute(
            instance_keys.insert().values(name=name, value=value, created_at=datetime.now(UTC))
        )

    def created_at(self, conn: Connection, name: str) -> datetime | None:
        value = conn.execute(
            select(instance_keys.c.created_at).where(instance_keys.c.name == name)
        ).scalar_one_or_none()
        return value if isinstance(value, datetime) else None
