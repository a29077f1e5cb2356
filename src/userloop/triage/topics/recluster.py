"""Re-clustering: merge near-duplicate topics, split incoherent ones, keep ids stable.

Rules that keep staff decisions intact:
- a topic is absorbed only if it is still `new` and has no pinned member; the survivor (the
  larger topic, then the older one) keeps its id, status and pinned members;
- topics linked by a staff split (`cannot_merge`) are never merged, directly or through a third;
- a split moves only unpinned members; the largest part keeps the topic id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from userloop.domain.enums import TopicStatus
from userloop.store import Store
from userloop.triage.pipeline import TriagePipeline

Labels = npt.NDArray[np.int64]
ClusterFn = Callable[[npt.NDArray[np.float32]], Labels]


@dataclass
class ReclusterReport:
    merged: list[tuple[int, int]] = field(default_factory=list)  # (absorbed, survivor)
    split: list[tuple[int, int]] = field(default_factory=list)  # (topic, new topic)


def recluster(
    store: Store,
    pipeline: TriagePipeline,
    cluster: ClusterFn,
    *,
    merge_threshold: float | None = None,
    min_split: int = 3,
) -> ReclusterReport:
    report = ReclusterReport()
    threshold = pipeline.c.topic_threshold if merge_threshold is None else merge_threshold
    model = pipeline.versions["embedding"]
    with store.write() as conn:
        _merge_pass(store, conn, model, threshold, report)
        _split_pass(store, pipeline, conn, model, cluster, min_split, report)
        touched = {t for pair in report.merged for t in pair[1:]} | {
            t for pair in report.split for t in pair
        }
        for topic_id in touched:
            recompute_centroid(store, pipeline, conn, topic_id, model)
    pipeline.index.clear()
    return report


def _merge_pass(
    store: Store, conn: Connection, model: str, threshold: float, report: ReclusterReport
) -> None:
    forbidden = store.topics.cannot_merge(conn)
    rows = [r for r in store.topics.centroids(conn, model) if r[3] is not None and r[2] > 0]
    pinned = store.triage.topics_with_pinned(conn)
    statuses = store.topics.statuses(conn)
    by_product: dict[int, list[tuple[int, int, npt.NDArray[np.float32]]]] = {}
    for topic_id, product_id, size, centroid in rows:
        assert centroid is not None
        by_product.setdefault(product_id, []).append((topic_id, size, centroid))
    for topics in by_product.values():
        if len(topics) < 2:
            continue
        ids = [t[0] for t in topics]
        sizes = {t[0]: t[1] for t in topics}
        # Mean similarity between the two topics' members: the average-linkage criterion.
        matrix = np.vstack([t[2] for t in topics]).astype(np.float32)
        sims = matrix @ matrix.T
        pairs = [
            (float(sims[i, j]), ids[i], ids[j])
            for i in range(len(ids))
            for j in range(i + 1, len(ids))
            if sims[i, j] >= threshold
        ]
        groups: dict[int, set[int]] = {t: {t} for t in ids}
        survivor_of: dict[int, int] = {t: t for t in ids}
        for _sim, a, b in sorted(pairs, reverse=True):
            ra, rb = survivor_of[a], survivor_of[b]
            if ra == rb:
                continue
            # The survivor: larger, then older. The absorbed group must be all machine-made.
            keep, drop = sorted((ra, rb), key=lambda t: (-sizes[t], t))
            absorbable = all(
                t not in pinned and statuses.get(t) == TopicStatus.NEW.value for t in groups[drop]
            )
            clash = any(
                (min(x, y), max(x, y)) in forbidden for x in groups[keep] for y in groups[drop]
            )
            if not absorbable or clash:
                continue
            for t in groups[drop]:
                survivor_of[t] = keep
            groups[keep] |= groups.pop(drop)
            sizes[keep] += sizes[drop]
        for survivor, members in groups.items():
            for topic_id in sorted(members - {survivor}):
                moved = store.triage.members(conn, topic_id)
                store.triage.move_members(conn, moved, survivor, pinned=False)
                store.topics.mark_merged(conn, topic_id, survivor)
                report.merged.append((topic_id, survivor))


def _split_pass(
    store: Store,
    pipeline: TriagePipeline,
    conn: Connection,
    model: str,
    cluster: ClusterFn,
    min_split: int,
    report: ReclusterReport,
) -> None:
    for topic_id, product_id, size, _centroid in store.topics.centroids(conn, model):
        if size < 2 * min_split:
            continue
        free = store.triage.unpinned_members(conn, topic_id)
        if len(free) < 2 * min_split:
            continue
        vectors = store.triage.vectors(conn, free, model)
        ids = [i for i in free if i in vectors]
        if len(ids) < 2 * min_split:
            continue
        labels = cluster(pipeline.c.prepare(np.vstack([vectors[i] for i in ids])))
        counts = np.bincount(labels - labels.min())
        big = [
            int(lab) + int(labels.min()) for lab in np.argsort(-counts) if counts[lab] >= min_split
        ]
        if len(big) < 2:
            continue
        for label in big[1:]:  # the largest part keeps the topic id
            part = [ids[k] for k in range(len(ids)) if labels[k] == label]
            new_id = store.topics.create(conn, product_id, None, None)
            store.triage.move_members(conn, part, new_id, pinned=False)
            report.split.append((topic_id, new_id))


def recompute_centroid(
    store: Store, pipeline: TriagePipeline, conn: Connection, topic_id: int, model: str
) -> None:
    ids = store.triage.members(conn, topic_id)
    vectors = store.triage.vectors(conn, ids, model)
    if not vectors:
        store.topics.set_centroid(conn, topic_id, None, len(ids), None)
        return
    prepared = pipeline.c.prepare(np.vstack(list(vectors.values())))
    store.topics.set_centroid(
        conn, topic_id, prepared.mean(axis=0).astype(np.float32), len(ids), model
    )
