"""Read queries for emerging issues: per product, its builds in release order with their
exposure, each topic's count per build, and the evidence of flagged topics.

Release order is the order in which builds first appear in the feedback (the earliest
`created_at` of a report on the build; ties by the build's version sort key): it needs no
release records and matches what the reports saw. Builds with install-base rows but no feedback
are left out, since they carry nothing to compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, case, delete, distinct, func, insert, select, update

from userloop.store.tables import (
    builds,
    emerging_flags,
    feedback,
    install_base,
    products,
    topics,
    triage,
)


@dataclass(frozen=True, slots=True)
class BuildRow:
    version: str
    first_seen: datetime
    feedback: int  # reports on the build, triaged or not
    active_devices: int | None  # summed over the install base's days and cells; None: no rows


@dataclass(frozen=True, slots=True)
class EmergingCounts:
    product: str
    builds: list[BuildRow]  # in release order
    reports: dict[tuple[str, int], int] = field(default_factory=dict)  # (build, topic) -> n
    # Distinct reporters; a report without a reporter counts as one reporter of its own.
    reporters: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TopicEvidence:
    topic_id: int
    title: str
    keywords: dict[str, list[str]]  # language -> words, best first
    texts: list[str]  # the earliest reports of the topic on the build, oldest first


class EmergingQueries:
    def products(self, conn: Connection, build: str | None = None) -> list[str]:
        """Products with feedback on some build (or on the build `build`), by slug."""
        query = (
            select(products.c.slug)
            .distinct()
            .join(builds, builds.c.product_id == products.c.id)
            .where(
                select(feedback.c.id).where(feedback.c.build_id == builds.c.id).limit(1).exists()
            )
        )
        if build is not None:
            query = query.where(builds.c.version == build)
        return sorted(str(s) for s in conn.execute(query).scalars())

    def counts(self, conn: Connection, product: str) -> EmergingCounts:
        pid = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        if pid is None:
            return EmergingCounts(product, [])
        first = func.min(feedback.c.created_at)
        rows = conn.execute(
            select(builds.c.id, builds.c.version, builds.c.sort_key, first, func.count())
            .select_from(feedback.join(builds, builds.c.id == feedback.c.build_id))
            .where(feedback.c.product_id == pid)
            .group_by(builds.c.id, builds.c.version, builds.c.sort_key)
        ).all()
        devices = {
            int(b): int(n)
            for b, n in conn.execute(
                select(install_base.c.build_id, func.sum(install_base.c.active_devices))
                .where(install_base.c.product_id == pid)
                .group_by(install_base.c.build_id)
            )
        }
        ordered = sorted(rows, key=lambda r: (r[3], str(r[2])))
        build_rows = [
            BuildRow(str(version), seen, int(n), devices.get(int(bid)))
            for bid, version, _key, seen, n in ordered
        ]
        anonymous = func.sum(case((feedback.c.reporter_id.is_(None), 1), else_=0))
        per_topic = conn.execute(
            select(
                builds.c.version,
                triage.c.topic_id,
                func.count(),
                func.count(distinct(feedback.c.reporter_id)) + anonymous,
            )
            .select_from(
                feedback.join(triage, triage.c.feedback_id == feedback.c.id).join(
                    builds, builds.c.id == feedback.c.build_id
                )
            )
            .where(feedback.c.product_id == pid, triage.c.topic_id.is_not(None))
            .group_by(builds.c.version, triage.c.topic_id)
        )
        reports: dict[tuple[str, int], int] = {}
        reporters: dict[tuple[str, int], int] = {}
        for version, topic, n, people in per_topic:
            reports[(str(version), int(topic))] = int(n)
            reporters[(str(version), int(topic))] = int(people or 0)
        return EmergingCounts(product, build_rows, reports, reporters)

    def evidence(
        self, conn: Connection, product: str, build: str, topic_ids: list[int], texts: int = 3
    ) -> dict[int, TopicEvidence]:
        """Title, keywords and the `texts` earliest reports on `build` of each topic."""
        if not topic_ids:
            return {}
        found = conn.execute(
            select(topics.c.id, topics.c.title, topics.c.keywords).where(topics.c.id.in_(topic_ids))
        ).all()
        early: dict[int, list[str]] = {t: [] for t in topic_ids}
        for topic in topic_ids:
            rows = conn.execute(
                select(feedback.c.text)
                .select_from(
                    feedback.join(triage, triage.c.feedback_id == feedback.c.id)
                    .join(builds, builds.c.id == feedback.c.build_id)
                    .join(products, products.c.id == feedback.c.product_id)
                )
                .where(
                    products.c.slug == product,
                    builds.c.version == build,
                    triage.c.topic_id == topic,
                )
                .order_by(feedback.c.created_at, feedback.c.id)
                .limit(texts)
            )
            early[topic] = [str(t) for t in rows.scalars()]
        return {
            int(tid): TopicEvidence(
                int(tid), str(title or ""), dict(keywords or {}), early.get(int(tid), [])
            )
            for tid, title, keywords in found
        }


@dataclass(frozen=True, slots=True)
class StoredFlag:
    build: str
    topic_id: int
    reason: str
    score: float
    first_flagged_at: datetime
    last_flagged_at: datetime


@dataclass(frozen=True, slots=True)
class FlagToStore:
    build: str
    topic_id: int
    reason: str
    score: float
    evidence: dict[str, object]


class EmergingFlagQueries:
    """The flags the job after triage found, kept with when each was first seen."""

    def stored(self, conn: Connection, product: str) -> dict[tuple[str, int], StoredFlag]:
        rows = conn.execute(
            select(emerging_flags)
            .join(products, products.c.id == emerging_flags.c.product_id)
            .where(products.c.slug == product)
        ).mappings()
        return {
            (str(m["build"]), int(m["topic_id"])): StoredFlag(
                str(m["build"]),
                int(m["topic_id"]),
                str(m["reason"]),
                float(m["score"]),
                m["first_flagged_at"],
                m["last_flagged_at"],
            )
            for m in rows
        }

    def replace(
        self, conn: Connection, product: str, flags: list[FlagToStore], now: datetime
    ) -> list[FlagToStore]:
        """Make the product's stored flags exactly `flags`: a flag seen before keeps its first
        time, one no longer flagged goes. Returns the flags that are new."""
        pid = conn.execute(select(products.c.id).where(products.c.slug == product)).scalar()
        if pid is None:
            return []
        before = self.stored(conn, product)
        wanted = {(f.build, f.topic_id): f for f in flags}
        gone = [key for key in before if key not in wanted]
        for build, topic in gone:
            conn.execute(
                delete(emerging_flags).where(
                    emerging_flags.c.product_id == pid,
                    emerging_flags.c.build == build,
                    emerging_flags.c.topic_id == topic,
                )
            )
        fresh: list[FlagToStore] = []
        for key, flag in wanted.items():
            values = {
                "reason": flag.reason,
                "score": flag.score,
                "evidence": flag.evidence,
                "last_flagged_at": now,
            }
            if key in before:
                conn.execute(
                    update(emerging_flags)
                    .where(
                        emerging_flags.c.product_id == pid,
                        emerging_flags.c.build == flag.build,
                        emerging_flags.c.topic_id == flag.topic_id,
                    )
                    .values(**values)
                )
            else:
                conn.execute(
                    insert(emerging_flags).values(
                        product_id=pid,
                        build=flag.build,
                        topic_id=flag.topic_id,
                        first_flagged_at=now,
                        **values,
                    )
                )
                fresh.append(flag)
        return fresh
