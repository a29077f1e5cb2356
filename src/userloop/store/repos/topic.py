"""Topics: clusters of feedback meaning the same thing, with their centroid and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import BindParameter, Connection, bindparam, case, func, insert, select, update

from userloop.domain.entities import StatusChange, Topic
from userloop.domain.enums import TopicStatus
from userloop.store.tables import (
    builds,
    device_models,
    feedback,
    products,
    topic_links,
    topic_status_history,
    topics,
    triage,
)


def _topic(m: Any) -> Topic:
    return Topic(
        id=m["id"],
        product=m["slug"],
        status=TopicStatus(m["status"]),  # an unknown status raises
        title=m["title"],
        merged_into=m["merged_into"],
        size=m["size"],
        first_seen=m["first_seen"],
        last_seen=m["last_seen"],
        keywords=dict(m["keywords"]),
        representatives={k: int(v) for k, v in m["representatives"].items()},
        languages=dict(m["languages"]),
        builds=dict(m["builds"]),
        models=dict(m["models"]),
        fixed_build=m["fixed_build"],
        created_at=m["created_at"],
        title_language=m["title_language"],
        titles=dict(m["titles"] or {}),
    )


def _select() -> Any:
    return select(topics, products.c.slug).join(products, products.c.id == topics.c.product_id)


class TopicRepo:
    def create(
        self,
        conn: Connection,
        product_id: int,
        centroid: np.ndarray | None,
        model: str | None,
        *,
        status: TopicStatus = TopicStatus.NEW,
    ) -> int:
        now = datetime.now(UTC)
        return int(
            conn.execute(
                insert(topics)
                .values(
                    product_id=product_id,
                    status=status.value,
                    title="",
                    centroid=None if centroid is None else centroid.astype(np.float32).tobytes(),
                    embedding_model=model,
                    size=0,
                    keywords={},
                    representatives={},
                    languages={},
                    builds={},
                    models={},
                    dirty=True,
                    created_at=now,
                    updated_at=now,
                )
                .returning(topics.c.id)
            ).scalar_one()
        )

    def get(self, conn: Connection, topic_id: int) -> Topic | None:
        m = conn.execute(_select().where(topics.c.id == topic_id)).mappings().first()
        return _topic(m) if m else None

    def product_id_of_slug(self, conn: Connection, slug: str) -> int | None:
        return conn.execute(select(products.c.id).where(products.c.slug == slug)).scalar()

    def statuses(self, conn: Connection) -> dict[int, str]:
        return dict(conn.execute(select(topics.c.id, topics.c.status)).all())

    def product_id(self, conn: Connection, topic_id: int) -> int:
        return int(
            conn.execute(select(topics.c.product_id).where(topics.c.id == topic_id)).scalar_one()
        )

    def all(
        self, conn: Connection, *, product: str | None = None, include_merged: bool = False
    ) -> list[Topic]:
        query = _select()
        if product:
            query = query.where(products.c.slug == product)
        if not include_merged:
            query = query.where(topics.c.merged_into.is_(None))
        return [_topic(m) for m in conn.execute(query.order_by(topics.c.id)).mappings()]

    def centroids(
        self, conn: Connection, model: str
    ) -> list[tuple[int, int, int, np.ndarray | None]]:
        """(topic id, product id, size, centroid) of every live topic."""
        out = []
        for id_, pid, size, blob, emb_model in conn.execute(
            select(
                topics.c.id,
                topics.c.product_id,
                topics.c.size,
                topics.c.centroid,
                topics.c.embedding_model,
            ).where(topics.c.merged_into.is_(None))
        ):
            vec = None
            if blob is not None and emb_model == model:
                vec = np.frombuffer(blob, dtype=np.float32)
            out.append((id_, pid, size, vec))
        return out

    def set_centroid(
        self,
        conn: Connection,
        topic_id: int,
        centroid: np.ndarray | None,
        size: int,
        model: str | None,
        seen: Sequence[datetime] = (),
    ) -> None:
        values: dict[str, Any] = {
            "centroid": None if centroid is None else centroid.astype(np.float32).tobytes(),
            "embedding_model": model,
            "size": size,
            "dirty": True,
            "updated_at": datetime.now(UTC),
        }
        if seen:
            current = conn.execute(
                select(topics.c.first_seen, topics.c.last_seen).where(topics.c.id == topic_id)
            ).one()
            firsts = [d for d in (current[0], min(seen)) if d is not None]
            lasts = [d for d in (current[1], max(seen)) if d is not None]
            values["first_seen"] = min(firsts)
            values["last_seen"] = max(lasts)
        conn.execute(update(topics).where(topics.c.id == topic_id).values(**values))

    def set_centroids(
        self,
        conn: Connection,
        rows: Sequence[tuple[int, np.ndarray, int, datetime, datetime]],
        model: str,
    ) -> None:
        """:meth:`set_centroid` for many topics in one statement, as the pipeline writes a
        batch: (topic id, centroid, size, first and last ``seen`` of the batch's new members).
        First/last seen only ever widen, compared in SQL so nothing is read first."""
        if not rows:
            return
        # Typed like the columns, so both sides of each comparison are stored values.
        first: BindParameter[datetime] = bindparam("b_first", type_=topics.c.first_seen.type)
        last: BindParameter[datetime] = bindparam("b_last", type_=topics.c.last_seen.type)
        statement = (
            update(topics)
            .where(topics.c.id == bindparam("b_id"))
            .values(
                centroid=bindparam("b_centroid"),
                embedding_model=model,
                size=bindparam("b_size"),
                dirty=True,
                updated_at=datetime.now(UTC),
                first_seen=case(
                    (topics.c.first_seen.is_(None), first),
                    (topics.c.first_seen > first, first),
                    else_=topics.c.first_seen,
                ),
                last_seen=case(
                    (topics.c.last_seen.is_(None), last),
                    (topics.c.last_seen < last, last),
                    else_=topics.c.last_seen,
                ),
            )
        )
        conn.execute(
            statement,
            [
                {
                    "b_id": topic_id,
                    "b_centroid": centroid.astype(np.float32).tobytes(),
                    "b_size": size,
                    "b_first": first_seen,
                    "b_last": last_seen,
                }
                for topic_id, centroid, size, first_seen, last_seen in rows
            ],
        )

    def dirty_ids(self, conn: Connection, limit: int = 200) -> list[int]:
        return [
            i
            for (i,) in conn.execute(
                select(topics.c.id)
                .where(topics.c.dirty.is_(True), topics.c.merged_into.is_(None))
                .order_by(topics.c.id)
                .limit(limit)
            )
        ]

    def member_rows(self, conn: Connection, topic_id: int) -> list[dict[str, Any]]:
        """Members with what summaries need: text, language, build, model, created_at."""
        rows = conn.execute(
            select(
                feedback.c.id,
                feedback.c.text,
                triage.c.language,
                builds.c.version,
                device_models.c.name,
                feedback.c.created_at,
            )
            .join(triage, triage.c.feedback_id == feedback.c.id)
            .outerjoin(builds, builds.c.id == feedback.c.build_id)
            .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
            .where(triage.c.topic_id == topic_id)
            .order_by(feedback.c.id)
        )
        return [
            {
                "id": r[0],
                "text": r[1],
                "language": r[2],
                "build": r[3],
                "model": r[4],
                "created_at": r[5],
            }
            for r in rows
        ]

    def save_summary(
        self,
        conn: Connection,
        topic_id: int,
        *,
        title: str,
        title_language: str | None = None,
        titles: dict[str, str] | None = None,
        keywords: dict[str, list[str]],
        representatives: dict[str, int],
        languages: dict[str, int],
        builds_seen: dict[str, int],
        models_seen: dict[str, int],
        size: int,
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> None:
        conn.execute(
            update(topics)
            .where(topics.c.id == topic_id)
            .values(
                title=title[:300],
                # A title's language travels with it: no title, no language.
                title_language=title_language if title else None,
                titles={k: v[:300] for k, v in (titles or {}).items()},
                keywords=keywords,
                representatives={k: int(v) for k, v in representatives.items()},
                languages=languages,
                builds=builds_seen,
                models=models_seen,
                size=size,
                first_seen=first_seen,
                last_seen=last_seen,
                dirty=False,
                updated_at=datetime.now(UTC),
            )
        )

    def mark_merged(self, conn: Connection, topic_id: int, into: int) -> None:
        self._record_status(conn, topic_id, TopicStatus.DUPLICATE)
        conn.execute(
            update(topics)
            .where(topics.c.id == topic_id)
            .values(
                merged_into=into,
                status=TopicStatus.DUPLICATE.value,
                size=0,
                centroid=None,
                dirty=False,
                updated_at=datetime.now(UTC),
            )
        )

    def set_status(self, conn: Connection, topic_id: int, status: TopicStatus) -> None:
        self._record_status(conn, topic_id, status)
        conn.execute(
            update(topics)
            .where(topics.c.id == topic_id)
            .values(status=status.value, updated_at=datetime.now(UTC))
        )

    def forbid_merge(self, conn: Connection, a: int, b: int, actor: str) -> None:
        lo, hi = sorted((a, b))
        exists = conn.execute(
            select(func.count())
            .select_from(topic_links)
            .where(topic_links.c.topic_a == lo, topic_links.c.topic_b == hi)
        ).scalar_one()
        if not exists:
            conn.execute(
                insert(topic_links).values(
                    topic_a=lo,
                    topic_b=hi,
                    kind="cannot_merge",
                    created_by=actor,
                    created_at=datetime.now(UTC),
                )
            )

    def cannot_merge(self, conn: Connection) -> set[tuple[int, int]]:
        return {
            (a, b)
            for a, b in conn.execute(
                select(topic_links.c.topic_a, topic_links.c.topic_b).where(
                    topic_links.c.kind == "cannot_merge"
                )
            )
        }

    def _record_status(self, conn: Connection, topic_id: int, status: TopicStatus) -> None:
        old = conn.execute(select(topics.c.status).where(topics.c.id == topic_id)).scalar_one()
        if old != status.value:
            conn.execute(
                insert(topic_status_history).values(
                    topic_id=topic_id,
                    old_status=old,
                    new_status=status.value,
                    at=datetime.now(UTC),
                )
            )

    def status_history(self, conn: Connection, topic_id: int) -> list[StatusChange]:
        rows = conn.execute(
            select(
                topic_status_history.c.at,
                topic_status_history.c.old_status,
                topic_status_history.c.new_status,
            )
            .where(topic_status_history.c.topic_id == topic_id)
            .order_by(topic_status_history.c.id)
        )
        return [StatusChange(at, TopicStatus(old), TopicStatus(new)) for at, old, new in rows]

    def set_fixed_build(self, conn: Connection, topic_id: int, build: str | None) -> None:
        conn.execute(
            update(topics)
            .where(topics.c.id == topic_id)
            .values(fixed_build=build, updated_at=datetime.now(UTC))
        )
