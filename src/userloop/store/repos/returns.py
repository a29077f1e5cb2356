"""Returns (RMA records) in: keyed by (source, external_id), never overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from userloop.store.dialect import insert_ignore
from userloop.store.tables import returns


@dataclass(frozen=True, slots=True)
class StoredReturn:
    id: int
    content_hash: str
    feedback_id: int | None


class ReturnsRepo:
    def existing(
        self, conn: Connection, source: str, external_ids: Sequence[str]
    ) -> dict[str, StoredReturn]:
        found: dict[str, StoredReturn] = {}
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            rows = conn.execute(
                select(
                    returns.c.external_id,
                    returns.c.id,
                    returns.c.content_hash,
                    returns.c.feedback_id,
                ).where(returns.c.source == source, returns.c.external_id.in_(chunk))
            )
            for ext, id_, hash_, feedback_id in rows:
                found[ext] = StoredReturn(int(id_), hash_, feedback_id)
        return found

    def insert_new(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows whose key is free; a key another writer took meanwhile is skipped (the
        caller reads the keys back to tell which rows are its own)."""
        insert_ignore(conn, returns, rows, ["source", "external_id"])

    def count(self, conn: Connection) -> int:
        return int(conn.execute(select(func.count()).select_from(returns)).scalar_one())
