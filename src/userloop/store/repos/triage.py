"""Triage results and stored embeddings. The feedback table plus this one is the work queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, delete, func, or_, select, update

from userloop.domain.entities import TriageResult
from userloop.domain.enums import Kind
from userloop.store.dialect import upsert
from userloop.store.tables import (
    builds,
    device_models,
    embeddings,
    feedback,
    kind_corrections,
    triage,
)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """What the pipeline needs of one feedback item, and what was computed before."""

    id: int
    product_id: int
    text: str
    client_language: str | None
    rating: int | None
    created_at: datetime
    build: str | None
    model: str | None
    previous: TriageResult | None


def _result(m: Any) -> TriageResult:
    return TriageResult(
        feedback_id=m["feedback_id"],
        language=m["language"],
        language_source=m["language_source"],
        kind=Kind(m["kind"]),  # an unknown kind raises
        labels=tuple(x for x in m["labels"].split(",") if x),
        kind_scores=dict(m["kind_scores"]),
        sentiment=m["sentiment"],
        topic_id=m["topic_id"],
        topic_similarity=m["topic_similarity"],
        topic_pinned=bool(m["topic_pinned"]),
        versions=dict(m["versions"]),
    )


class TriageRepo:
    def pending(
        self, conn: Connection, pipeline_version: str, limit: int, *, lock: bool = False
    ) -> list[PendingItem]:
        """Oldest feedback whose triage is missing or was made by another pipeline version.
        With `lock` (PostgreSQL), rows are locked and skipped by other workers until commit."""
        ids_query = (
            select(feedback.c.id)
            .outerjoin(triage, triage.c.feedback_id == feedback.c.id)
            .where(
                or_(
                    triage.c.feedback_id.is_(None),
                    triage.c.pipeline_version != pipeline_version,
                )
            )
            .order_by(feedback.c.id)
            .limit(limit)
        )
        if lock:
            ids_query = ids_query.with_for_update(of=feedback, skip_locked=True)
        ids = [i for (i,) in conn.execute(ids_query)]
        if not ids:
            return []
        rows = conn.execute(
            select(
                feedback.c.id,
                feedback.c.product_id,
                feedback.c.text,
                feedback.c.language,
                feedback.c.rating,
                feedback.c.created_at,
                builds.c.version,
                device_models.c.name,
            )
            .outerjoin(builds, builds.c.id == feedback.c.build_id)
            .outerjoin(device_models, device_models.c.id == feedback.c.model_id)
            .where(feedback.c.id.in_(ids))
            .order_by(feedback.c.id)
        ).all()
        previous = {
            r.feedback_id: r
            for r in (
                _result(m)
                for m in conn.execute(select(triage).where(triage.c.feedback_id.in_(ids)))
                .mappings()
                .all()
            )
        }
        return [
            PendingItem(
                id=r[0],
                product_id=r[1],
                text=r[2],
                client_language=r[3],
                rating=r[4],
                created_at=r[5],
                build=r[6],
                model=r[7],
                previous=previous.get(r[0]),
            )
            for r in rows
        ]

    def backlog(self, conn: Connection, pipeline_version: str) -> int:
        return int(
            conn.execute(
                select(func.count())
                .select_from(feedback)
                .outerjoin(triage, triage.c.feedback_id == feedback.c.id)
                .where(
                    or_(
                        triage.c.feedback_id.is_(None),
                        triage.c.pipeline_version != pipeline_version,
                    )
                )
            ).scalar_one()
        )

    def save(
        self, conn: Connection, results: Sequence[TriageResult], pipeline_version: str
    ) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "feedback_id": r.feedback_id,
                "language": r.language,
                "language_source": r.language_source,
                "language_confidence": None,
                "kind": r.kind.value,
                "labels": ",".join(r.labels),
                "kind_scores": r.kind_scores,
                "sentiment": r.sentiment,
                "topic_id": r.topic_id,
                "topic_similarity": r.topic_similarity,
                "topic_pinned": r.topic_pinned,
                "versions": r.versions,
                "pipeline_version": pipeline_version,
                "updated_at": now,
            }
            for r in results
        ]
        upsert(
            conn,
            triage,
            rows,
            ["feedback_id"],
            [k for k in rows[0] if k != "feedback_id"] if rows else [],
        )

    def get(self, conn: Connection, feedback_id: int) -> TriageResult | None:
        m = (
            conn.execute(select(triage).where(triage.c.feedback_id == feedback_id))
            .mappings()
            .first()
        )
        return _result(m) if m else None

    def many(self, conn: Connection, ids: Sequence[int]) -> dict[int, TriageResult]:
        out: dict[int, TriageResult] = {}
        for start in range(0, len(ids), 500):
            for m in conn.execute(
                select(triage).where(triage.c.feedback_id.in_(ids[start : start + 500]))
            ).mappings():
                out[m["feedback_id"]] = _result(m)
        return out

    def move_members(
        self, conn: Connection, ids: Sequence[int], topic_id: int, *, pinned: bool
    ) -> None:
        for start in range(0, len(ids), 500):
            conn.execute(
                update(triage)
                .where(triage.c.feedback_id.in_(ids[start : start + 500]))
                .values(topic_id=topic_id, topic_pinned=pinned)
            )

    def members(self, conn: Connection, topic_id: int) -> list[int]:
        return [
            i
            for (i,) in conn.execute(
                select(triage.c.feedback_id)
                .where(triage.c.topic_id == topic_id)
                .order_by(triage.c.feedback_id)
            )
        ]

    def unpinned_members(self, conn: Connection, topic_id: int) -> list[int]:
        return [
            i
            for (i,) in conn.execute(
                select(triage.c.feedback_id)
                .where(triage.c.topic_id == topic_id, triage.c.topic_pinned.is_(False))
                .order_by(triage.c.feedback_id)
            )
        ]

    def topics_with_pinned(self, conn: Connection) -> set[int]:
        return {
            t
            for (t,) in conn.execute(
                select(triage.c.topic_id)
                .where(triage.c.topic_pinned.is_(True), triage.c.topic_id.is_not(None))
                .distinct()
            )
        }

    def assignments(
        self, conn: Connection, product_id: int | None = None
    ) -> list[tuple[int, int, bool]]:
        """(feedback id, topic id, pinned) of every item that has a topic."""
        query = select(triage.c.feedback_id, triage.c.topic_id, triage.c.topic_pinned).where(
            triage.c.topic_id.is_not(None)
        )
        if product_id is not None:
            query = query.join(feedback, feedback.c.id == triage.c.feedback_id).where(
                feedback.c.product_id == product_id
            )
        return [(a, b, bool(c)) for a, b, c in conn.execute(query.order_by(triage.c.feedback_id))]

    def staff_groups(self, conn: Connection, limit: int) -> list[list[int]]:
        """Members of the live topics staff have shaped (merged into, split off, moved a report
        into: the topics with a pinned member), largest first, at most ``limit`` ids in all."""
        shaped = [
            int(t)
            for (t,) in conn.execute(
                select(triage.c.topic_id)
                .where(triage.c.topic_id.is_not(None), triage.c.topic_pinned.is_(True))
                .group_by(triage.c.topic_id)
            )
        ]
        groups = [self.members(conn, t) for t in shaped]
        out: list[list[int]] = []
        total = 0
        for group in sorted(groups, key=lambda g: (-len(g), g[:1])):
            if len(group) < 2 or total + len(group) > limit:
                continue
            out.append(group)
            total += len(group)
        return out

    def kind_counts(self, conn: Connection, kinds: Sequence[str]) -> dict[int, dict[str, int]]:
        """Topic id -> how many of its members triage gave each of ``kinds``."""
        out: dict[int, dict[str, int]] = {}
        for topic_id, kind, n in conn.execute(
            select(triage.c.topic_id, triage.c.kind, func.count())
            .where(triage.c.topic_id.is_not(None), triage.c.kind.in_(list(kinds)))
            .group_by(triage.c.topic_id, triage.c.kind)
        ):
            out.setdefault(int(topic_id), {})[str(kind)] = int(n)
        return out

    # -- staff corrections of kind (training labels) ---------------------------------------

    def correct_kind(self, conn: Connection, feedback_id: int, kind: str, actor: str) -> None:
        upsert(
            conn,
            kind_corrections,
            [
                {
                    "feedback_id": feedback_id,
                    "kind": kind,
                    "corrected_by": actor,
                    "corrected_at": datetime.now(UTC),
                }
            ],
            ["feedback_id"],
            ["kind", "corrected_by", "corrected_at"],
        )
        conn.execute(update(triage).where(triage.c.feedback_id == feedback_id).values(kind=kind))

    def corrections(self, conn: Connection) -> list[tuple[str, str]]:
        """(text, kind) of every staff correction, oldest first."""
        return [
            (text_, kind)
            for text_, kind in conn.execute(
                select(feedback.c.text, kind_corrections.c.kind)
                .join(feedback, feedback.c.id == kind_corrections.c.feedback_id)
                .order_by(kind_corrections.c.corrected_at)
            )
        ]

    def rated(self, conn: Connection, limit: int) -> list[tuple[str, int]]:
        """(text, rating) of the newest ``limit`` feedback items that carry a star rating."""
        rows = conn.execute(
            select(feedback.c.text, feedback.c.rating)
            .where(feedback.c.rating.is_not(None))
            .order_by(feedback.c.id.desc())
            .limit(limit)
        )
        return [(text_, int(rating)) for text_, rating in rows]

    # -- embeddings -------------------------------------------------------------------------

    def vectors(self, conn: Connection, ids: Sequence[int], model: str) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        for start in range(0, len(ids), 500):
            for fid, blob in conn.execute(
                select(embeddings.c.feedback_id, embeddings.c.vector).where(
                    and_(
                        embeddings.c.model == model,
                        embeddings.c.feedback_id.in_(ids[start : start + 500]),
                    )
                )
            ):
                out[fid] = np.frombuffer(blob, dtype=np.float32)
        return out

    def vectors_after(
        self, conn: Connection, model: str, after_id: int = 0, limit: int | None = None
    ) -> tuple[list[int], np.ndarray]:
        """Stored vectors of `model` for feedback ids above `after_id`, in id order: all of
        them, or the first `limit`."""
        ids: list[int] = []
        blobs: list[bytes] = []
        query = (
            select(embeddings.c.feedback_id, embeddings.c.vector)
            .where(embeddings.c.model == model, embeddings.c.feedback_id > after_id)
            .order_by(embeddings.c.feedback_id)
        )
        if limit is not None:
            query = query.limit(limit)
        for fid, blob in conn.execute(query):
            ids.append(fid)
            blobs.append(blob)
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)

    def vector_floor(self, conn: Connection, model: str, newest: int) -> int:
        """The feedback id above which the newest `newest` vectors of `model` lie (0 when there
        are no more than that): where a bounded in-memory copy starts reading."""
        below = conn.execute(
            select(embeddings.c.feedback_id)
            .where(embeddings.c.model == model)
            .order_by(embeddings.c.feedback_id.desc())
            .offset(newest)
            .limit(1)
        ).scalar()
        return int(below) if below is not None else 0

    def feedback_floor(self, conn: Connection, newest: int) -> int:
        """The feedback id above which the newest `newest` feedback items lie (0 when there are
        no more than that)."""
        below = conn.execute(
            select(feedback.c.id).order_by(feedback.c.id.desc()).offset(newest).limit(1)
        ).scalar()
        return int(below) if below is not None else 0

    def save_vectors(self, conn: Connection, model: str, vectors: dict[int, np.ndarray]) -> None:
        if not vectors:
            return
        conn.execute(
            delete(embeddings).where(
                embeddings.c.feedback_id.in_(list(vectors)), embeddings.c.model != model
            )
        )
        rows = [
            {
                "feedback_id": fid,
                "model": model,
                "dim": int(v.shape[0]),
                "vector": np.asarray(v, dtype=np.float32).tobytes(),
            }
            for fid, v in vectors.items()
        ]
        upsert(conn, embeddings, rows, ["feedback_id", "model"], ["dim", "vector"])
