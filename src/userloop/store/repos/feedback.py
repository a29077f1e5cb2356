"""Feedback rows in and domain objects out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, select

from userloop.domain.entities import Feedback
from userloop.domain.enums import Channel
from userloop.domain.filters import FeedbackFilter
from userloop.store.dialect import insert_ignore_stmt
from userloop.store.tables import builds, channels, device_models, feedback, products


@dataclass(frozen=True, slots=True)
class ExistingKey:
    id: int
    content_hash: str


def _select() -> Select[Any]:
    return (
        select(
            feedback,
            products.c.slug.label("product_slug"),
            device_models.c.name.label("model_name"),
            builds.c.version.label("build_version"),
            channels.c.name.label("channel_name"),
        )
        .join(products, products.c.id == feedback.c.product_id)
        .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
        .outerjoin(builds, builds.c.id == feedback.c.build_id)
        .outerjoin(channels, channels.c.id == feedback.c.channel_id)
    )


def _to_domain(row: Row[Any]) -> Feedback:
    m = row._mapping
    return Feedback(
        id=m["id"],
        product=m["product_slug"],
        source=m["source"],
        external_id=m["external_id"],
        text=m["text"],
        language=m["language"],
        rating=m["rating"],
        model=m["model_name"],
        build=m["build_version"],
        channel=Channel(m["channel_name"]) if m["channel_name"] else None,
        region=m["region"],
        created_at=m["created_at"],
        received_at=m["received_at"],
        reporter_id=m["reporter_id"],
        redacted=tuple(k for k in m["redacted"].split(",") if k),
    )


class FeedbackRepo:
    def existing(
        self, conn: Connection, source: str, external_ids: Sequence[str]
    ) -> dict[str, ExistingKey]:
        found: dict[str, ExistingKey] = {}
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            rows = conn.execute(
                select(feedback.c.external_id, feedback.c.id, feedback.c.content_hash).where(
                    feedback.c.source == source, feedback.c.external_id.in_(chunk)
                )
            )
            for ext, id_, hash_ in rows:
                found[ext] = ExistingKey(id_, hash_)
        return found

    def insert_new(
        self, conn: Connection, rows: Sequence[dict[str, Any]]
    ) -> dict[tuple[str, str], int]:
        """Insert rows whose key is free; a key taken meanwhile by another writer is skipped.
        Returns the ids of the rows this call actually inserted, by (source, external_id)."""
        if not rows:
            return {}
        if conn.dialect.name == "postgresql":
            return _insert_new_pipelined(conn, rows)
        stmt = insert_ignore_stmt(conn, feedback, ["source", "external_id"]).returning(
            feedback.c.source, feedback.c.external_id, feedback.c.id
        )
        return {(src, ext): id_ for src, ext, id_ in conn.execute(stmt, rows)}

    def texts(self, conn: Connection, ids: Sequence[int]) -> dict[int, str]:
        """Feedback id -> stored (redacted) text, for the ids that exist."""
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            query = select(feedback.c.id, feedback.c.text).where(feedback.c.id.in_(chunk))
            out.update((int(i), str(t)) for i, t in conn.execute(query))
        return out

    def texts_after(self, conn: Connection, after: int, limit: int) -> list[tuple[int, str]]:
        """(id, text) of up to ``limit`` feedback items with an id above ``after``, by id."""
        query = (
            select(feedback.c.id, feedback.c.text)
            .where(feedback.c.id > after)
            .order_by(feedback.c.id)
            .limit(limit)
        )
        return [(int(i), str(t)) for i, t in conn.execute(query)]

    def get(self, conn: Connection, feedback_id: int) -> Feedback | None:
        row = conn.execute(_select().where(feedback.c.id == feedback_id)).first()
        return _to_domain(row) if row else None

    def list(
        self, conn: Connection, filters: FeedbackFilter, after_id: int | None, limit: int
    ) -> list[Feedback]:
        query = self._filtered(filters)
        if after_id is not None:
            query = query.where(feedback.c.id > after_id)
        rows = conn.execute(query.order_by(feedback.c.id).limit(limit))
        return [_to_domain(r) for r in rows]

    def iterate(self, conn: Connection, filters: FeedbackFilter) -> Iterator[Feedback]:
        """All matching feedback in id order, streamed in pages (constant memory)."""
        after = 0
        while True:
            page = self.list(conn, filters, after, 1000)
            yield from page
            if len(page) < 1000:
                return
            after = page[-1].id

    def count(self, conn: Connection) -> int:
        from sqlalchemy import func

        return int(conn.execute(select(func.count()).select_from(feedback)).scalar_one())

    def _filtered(self, f: FeedbackFilter) -> Select[Any]:
        query = _select()
        if f.product:
            query = query.where(products.c.slug == f.product)
        if f.source:
            query = query.where(feedback.c.source == f.source)
        if f.model:
            query = query.where(device_models.c.name == f.model)
        if f.build:
            query = query.where(builds.c.version == f.build)
        if f.channel:
            query = query.where(channels.c.name == f.channel.value)
        if f.region:
            query = query.where(feedback.c.region == f.region)
        if f.language:
            query = query.where(feedback.c.language == f.language)
        if f.since:
            query = query.where(feedback.c.created_at >= f.since)
        if f.until:
            query = query.where(feedback.c.created_at < f.until)
        return query


def _insert_new_pipelined(
    conn: Connection, rows: Sequence[dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """PostgreSQL: psycopg's pipelined executemany of one small prepared INSERT. SQLAlchemy's
    multi-row VALUES form spends most of a bulk import parsing its own giant statements."""
    cols = list(rows[0])
    sql = (
        f"INSERT INTO feedback ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
        "ON CONFLICT (source, external_id) DO NOTHING RETURNING source, external_id, id"
    )
    raw: Any = conn.connection.driver_connection  # same transaction as `conn`
    inserted: dict[tuple[str, str], int] = {}
    with raw.cursor() as cur:
        cur.executemany(sql, [tuple(r[c] for c in cols) for r in rows], returning=True)
        while True:
            for src, ext, id_ in cur.fetchall():
                inserted[(src, ext)] = id_
            if not cur.nextset():
                break
    return inserted
