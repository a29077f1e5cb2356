"""Re-clustering: regroup recent machine-made topics, merge near-duplicate topics, split
incoherent ones, keep ids stable.

The passes, in order:

1. **regroup** (when the topic model has a ``regroup`` clusterer: the real pipeline's batch
   clusterer with the lexical channel, which needs each item's text): the members of the most
   recent *movable* topics of a product (those with the newest members) -- status ``new``,
   no pinned member, no staff split link -- up to ``window`` items, are clustered again from
   scratch, and each new group takes the id of the old topic that gives it the most members
   (each old id used once; ties go to the older topic). Groups without an old id become new
   topics; an old topic left empty is marked merged into the topic that received most of its
   members. The clustering runs in a read transaction; its result is applied under the write
   lock only if the window has not changed meanwhile. Online assignment sees one item at a
   time in arrival order; this pass gives the window the batch clusterer's quality
   (BENCHMARKS.md measures both, end to end).
2. **merge** by centroid similarity, for pairs with at least one topic outside the regrouped
   window (the regroup pass has just decided the pairs inside it).
3. **split** of topics outside the regrouped window whose unpinned members form 2+ groups.

Rules that keep staff decisions intact:
- a topic is absorbed only if it is still `new` and has no pinned member; the survivor (the
  larger topic, then the older one) keeps its id, status and pinned members;
- topics linked by a staff split (`cannot_merge`) are never merged, directly or through a third;
- a split moves only unpinned members; the largest part keeps the topic id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from userloop.domain.entities import TriageResult
from userloop.domain.enums import TopicStatus
from userloop.store import Store
from userloop.triage.pipeline import TriagePipeline
from userloop.triage.topics.base import ClusterFn, KindHint, Reclustering, RegroupFn
from userloop.triage.topics.cluster import umbrella_channel

#: Items per product that the regroup pass clusters at once: the batch clusterer holds a few
#: n x n float64 matrices (4,000 items: about 0.5 GB at the peak) and takes a few seconds.
REGROUP_WINDOW = 4000


@dataclass
class ReclusterReport:
    merged: list[tuple[int, int]] = field(default_factory=list)  # (absorbed, survivor)
    split: list[tuple[int, int]] = field(default_factory=list)  # (topic, new topic)


def recluster(
    store: Store,
    pipeline: TriagePipeline,
    cluster: ClusterFn | None = None,
    *,
    merge_threshold: float | None = None,
    min_split: int = 3,
    window: int = REGROUP_WINDOW,
) -> ReclusterReport:
    """Re-cluster every product's topics (module doc). `cluster` splits topics; by default the
    topic model's batch clusterer."""
    report = ReclusterReport()
    topics = pipeline.c.topics
    if merge_threshold is not None:
        threshold = merge_threshold
    elif topics.recluster.merge_threshold is not None:
        threshold = topics.recluster.merge_threshold
    else:
        threshold = topics.threshold
    cluster = cluster or topics.recluster.cluster
    regroup = topics.recluster.regroup
    model = pipeline.versions["embedding"]
    plans: list[_RegroupPlan] = []
    with store.read() as conn:
        pipeline.load_topic_state(conn)  # the running mean: before anything is prepared
        if regroup is not None:
            # Clustering takes seconds: done in a read transaction, so intake never waits.
            plans = _plan_regroups(store, conn, model, regroup, window)
    with store.write() as conn:
        regrouped: set[int] = set()
        movable = _movable_topics(store, conn, model) if plans else {}
        for plan in plans:
            still = set(movable.get(plan.product_id, []))
            touched = _apply_regroup(store, conn, plan, still, report, regrouped)
            for topic_id in sorted(touched):
                recompute_centroid(store, pipeline, conn, topic_id, model)
        done = len(report.merged), len(report.split)
        _merge_pass(store, conn, model, threshold, report, regrouped, topics.recluster)
        # A topic the merge pass has just made is not split by another measure in the same run.
        settled = regrouped | {survivor for _, survivor in report.merged[done[0] :]}
        _split_pass(store, pipeline, conn, model, cluster, min_split, report, settled)
        touched = {t for pair in report.merged[done[0] :] for t in pair[1:]} | {
            t for pair in report.split[done[1] :] for t in pair
        }
        for topic_id in sorted(touched):
            recompute_centroid(store, pipeline, conn, topic_id, model)
    topics.state.clear()
    return report


def _movable_topics(store: Store, conn: Connection, model: str) -> dict[int, list[int]]:
    """Product id -> ids of its topics the machine may reshape freely, the topic with the
    newest member first (recent activity, not creation, makes a topic recent)."""
    forbidden = store.topics.cannot_merge(conn)
    linked = {t for pair in forbidden for t in pair}
    pinned = store.triage.topics_with_pinned(conn)
    statuses = store.topics.statuses(conn)
    newest: dict[int, int] = {}
    for feedback_id, topic_id, _pinned in store.triage.assignments(conn):
        newest[topic_id] = max(newest.get(topic_id, 0), feedback_id)
    out: dict[int, list[int]] = {}
    for topic_id, product_id, size, _centroid in store.topics.centroids(conn, model):
        if (
            size > 0
            and topic_id in newest
            and statuses.get(topic_id) == TopicStatus.NEW.value
            and topic_id not in pinned
            and topic_id not in linked
        ):
            out.setdefault(product_id, []).append(topic_id)
    return {p: sorted(ids, key=lambda t: -newest[t]) for p, ids in out.items()}


@dataclass(frozen=True)
class _RegroupPlan:
    product_id: int
    chosen: list[int]  # the window's topics
    topic_of: dict[int, int]  # item -> its topic when planned
    ids: list[int]  # the items clustered, in feedback order
    labels: list[int]  # their new groups


def _plan_regroups(
    store: Store, conn: Connection, model: str, regroup: RegroupFn, window: int
) -> list[_RegroupPlan]:
    """Pass 1's slow half (module doc): each product's window and its new groups."""
    plans = []
    for product_id, topic_ids in sorted(_movable_topics(store, conn, model).items()):
        chosen: list[int] = []
        topic_of: dict[int, int] = {}
        for topic_id in topic_ids:
            members = store.triage.members(conn, topic_id)
            if chosen and len(topic_of) + len(members) > window:
                break
            chosen.append(topic_id)
            topic_of.update((m, topic_id) for m in members)
        vectors = store.triage.vectors(conn, list(topic_of), model)
        texts = store.feedback.texts(conn, list(vectors))
        # In feedback order, so that the same items give the same groups whatever topics
        # they sit in now (the clusterer breaks ties by position): a regroup is a fixed point.
        # A topic with a member that has no vector of this model (or no text) stays as it is.
        incomplete = {t for i, t in topic_of.items() if i not in vectors or i not in texts}
        chosen = [t for t in chosen if t not in incomplete]
        topic_of = {i: t for i, t in topic_of.items() if t not in incomplete}
        ids = sorted(topic_of)
        if len(chosen) < 2 and len(ids) < 2:
            continue
        triaged = store.triage.many(conn, ids)
        kinds = [_kind_hint(triaged.get(i)) for i in ids]
        labels = regroup(np.vstack([vectors[i] for i in ids]), [texts[i] for i in ids], kinds)
        plans.append(_RegroupPlan(product_id, chosen, topic_of, ids, labels.tolist()))
    return plans


def _apply_regroup(
    store: Store,
    conn: Connection,
    plan: _RegroupPlan,
    movable: set[int],
    report: ReclusterReport,
    regrouped: set[int],
) -> set[int]:
    """Pass 1's quick half, under the write lock: applies a plan unless its window changed
    since (an item joined or left, staff touched a topic, so that one of its topics is no
    longer in ``movable``); the next run plans afresh.
    Adds the window's topics, old and new, to ``regrouped``; returns the topics changed."""
    now = {f: t for f, t, _ in store.triage.assignments(conn, plan.product_id) if t in plan.chosen}
    if not set(plan.chosen) <= movable or now != plan.topic_of:
        return set()
    product_id, chosen, topic_of, ids, labels = (
        plan.product_id,
        plan.chosen,
        plan.topic_of,
        plan.ids,
        plan.labels,
    )
    regrouped.update(chosen)
    touched: set[int] = set()
    groups: dict[int, list[int]] = {}
    for item, label in zip(ids, labels, strict=True):
        groups.setdefault(int(label), []).append(item)
    # Old id for each new group: largest overlap first, then the older topic.
    overlaps = sorted(
        (-count, old, label)
        for label, items in groups.items()
        for old, count in Counter(topic_of[i] for i in items).items()
    )
    target: dict[int, int] = {}
    used: set[int] = set()
    for _neg, old, label in overlaps:
        if label not in target and old not in used:
            target[label] = old
            used.add(old)
    for label in sorted(groups):
        items = groups[label]
        if label not in target:
            origin = Counter(topic_of[i] for i in items).most_common(1)[0][0]
            target[label] = store.topics.create(conn, product_id, None, None)
            regrouped.add(target[label])
            report.split.append((origin, target[label]))
        moving = [i for i in items if topic_of[i] != target[label]]
        if moving:
            store.triage.move_members(conn, moving, target[label], pinned=False)
            touched.add(target[label])
            touched.update(topic_of[i] for i in moving)
    receivers: dict[int, Counter[int]] = {}
    for label, items in groups.items():
        for i in items:
            receivers.setdefault(topic_of[i], Counter())[target[label]] += 1
    for old in chosen:
        if old in used:
            continue
        into = min(receivers[old].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        store.topics.mark_merged(conn, old, into)
        store.votes.move(conn, old, into)  # the people who voted keep their say
        report.merged.append((old, into))
        touched.discard(old)
    return touched


def _merge_pass(
    store: Store,
    conn: Connection,
    model: str,
    threshold: float,
    report: ReclusterReport,
    regrouped: AbstractSet[int] = frozenset(),
    config: Reclustering | None = None,
) -> None:
    forbidden = store.topics.cannot_merge(conn)
    umbrella = config.umbrella_kinds if config is not None and config.umbrella_weight else ()
    kind_counts = store.triage.kind_counts(conn, (*umbrella, *PROBLEM_KINDS))
    rows = [r for r in store.topics.centroids(conn, model) if r[3] is not None and r[2] > 0]
    pinned = store.triage.topics_with_pinned(conn)
    statuses = store.topics.statuses(conn)
    by_product: dict[int, list[tuple[int, int, npt.NDArray[np.float32]]]] = {}
    sizes = {topic_id: size for topic_id, _product, size, _centroid in rows}
    for topic_id, product_id, size, centroid in rows:
        assert centroid is not None
        if umbrella:
            # Average linkage of [vector, sqrt(w) * one-hot umbrella kind] rows: a topic's
            # mean row is its centroid followed by its members' umbrella-kind shares.
            assert config is not None
            counts = kind_counts.get(topic_id, {})
            shares = [counts.get(k, 0) / size for k in umbrella]
            extra = np.sqrt(config.umbrella_weight) * np.array(shares, dtype=np.float32)
            centroid = np.concatenate([centroid, extra]).astype(np.float32)
        by_product.setdefault(product_id, []).append((topic_id, size, centroid))
    for topics in by_product.values():
        if len(topics) < 2:
            continue
        groups = _average_linkage_merges(
            topics,
            threshold,
            allowed=lambda keep, drop: (
                all(t not in pinned and statuses.get(t) == TopicStatus.NEW.value for t in drop)
                and not any((min(x, y), max(x, y)) in forbidden for x in keep for y in drop)
                and (bool(umbrella) or not (keep | drop) <= regrouped)
                and not _kinds_clash(keep, drop, kind_counts, sizes)
            ),
        )
        for survivor, members in groups.items():
            for topic_id in sorted(members - {survivor}):
                moved = store.triage.members(conn, topic_id)
                store.triage.move_members(conn, moved, survivor, pinned=False)
                store.topics.mark_merged(conn, topic_id, survivor)
                store.votes.move(conn, topic_id, survivor)
                report.merged.append((topic_id, survivor))


#: A topic of mostly bug reports and one of mostly feature requests are two problems however
#: alike their words ("notifications stop when the phone is locked" / "lock apps with a PIN").
PROBLEM_KINDS = ("bug", "feature")
KIND_DOMINANCE = 0.6


def _dominant_kind(
    group: AbstractSet[int], kind_counts: Mapping[int, Mapping[str, int]], sizes: Mapping[int, int]
) -> str | None:
    total = sum(sizes.get(t, 0) for t in group)
    if not total:
        return None
    for kind in PROBLEM_KINDS:
        if sum(kind_counts.get(t, {}).get(kind, 0) for t in group) >= KIND_DOMINANCE * total:
            return kind
    return None


def _kinds_clash(
    keep: AbstractSet[int],
    drop: AbstractSet[int],
    kind_counts: Mapping[int, Mapping[str, int]],
    sizes: Mapping[int, int],
) -> bool:
    """Whether one group is mostly bugs and the other mostly feature requests."""
    a = _dominant_kind(keep, kind_counts, sizes)
    b = _dominant_kind(drop, kind_counts, sizes)
    return a is not None and b is not None and a != b


def _average_linkage_merges(
    topics: list[tuple[int, int, npt.NDArray[np.float32]]],
    threshold: float,
    allowed: Callable[[set[int], set[int]], bool],
) -> dict[int, set[int]]:
    """Average linkage over topics: repeatedly join the two groups whose members' mean
    similarity (the dot product of their size-weighted centroids) is highest, while it is at
    least ``threshold`` and ``allowed(survivor's group, absorbed group)``. The similarity of a
    merged group is recomputed from all its members, so A~B and B~C never pull in a C that is
    unlike A (no chaining). Returns survivor -> the topic ids of its group; the survivor is the
    larger topic, then the older."""
    ids = [t[0] for t in topics]
    k = len(ids)
    sums = np.vstack([t[2].astype(np.float64) * t[1] for t in topics])
    sizes = np.array([float(t[1]) for t in topics])
    own = np.array([float(t[1]) for t in topics])  # the size of the group's own first topic
    gram = sums @ sums.T
    members: list[set[int]] = [{t} for t in ids]
    alive = np.ones(k, dtype=bool)
    blocked = np.zeros((k, k), dtype=bool)
    np.fill_diagonal(blocked, True)
    while True:
        mean = gram / np.outer(sizes, sizes)
        mean[blocked | ~alive[:, None] | ~alive[None, :]] = -np.inf
        flat = int(np.argmax(mean))
        i, j = divmod(flat, k)
        if not np.isfinite(mean[i, j]) or mean[i, j] < threshold:
            return {ids[g]: members[g] for g in range(k) if alive[g]}
        keep, drop = sorted((i, j), key=lambda g: (-own[g], ids[g]))
        if not allowed(members[keep], members[drop]):
            blocked[i, j] = blocked[j, i] = True
            continue
        members[keep] |= members[drop]
        gram[keep, :] += gram[drop, :]
        gram[:, keep] += gram[:, drop]
        sizes[keep] += sizes[drop]
        alive[drop] = False
        # A pair refused before may be allowed now and vice versa: ask again.
        blocked[keep, :] = blocked[:, keep] = False
        blocked[keep, keep] = True


def _split_pass(
    store: Store,
    pipeline: TriagePipeline,
    conn: Connection,
    model: str,
    cluster: ClusterFn,
    min_split: int,
    report: ReclusterReport,
    regrouped: Container[int] = frozenset(),
) -> None:
    for topic_id, product_id, size, _centroid in store.topics.centroids(conn, model):
        if size < 2 * min_split or topic_id in regrouped:
            continue
        free = store.triage.unpinned_members(conn, topic_id)
        if len(free) < 2 * min_split:
            continue
        vectors = store.triage.vectors(conn, free, model)
        ids = [i for i in free if i in vectors]
        if len(ids) < 2 * min_split:
            continue
        prepared = pipeline.c.topics.prepare(np.vstack([vectors[i] for i in ids]))
        config = pipeline.c.topics.recluster
        if config.umbrella_weight:
            # As in the regroup and merge passes, so a split never undoes their umbrella topics.
            triaged = store.triage.many(conn, ids)
            texts = store.feedback.texts(conn, ids)
            hints = [_kind_hint(triaged.get(i)) for i in ids]
            extra = umbrella_channel(
                hints,
                [texts.get(i, "") for i in ids],
                config.umbrella_kinds,
                config.umbrella_weight,
            )
            prepared = np.hstack([prepared, extra]).astype(np.float32)
        labels = cluster(prepared)
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


def _kind_hint(result: TriageResult | None) -> KindHint:
    if result is None:
        return ("", 0.0)
    return (str(result.kind), max(result.kind_scores.values(), default=0.0))


def recompute_centroid(
    store: Store, pipeline: TriagePipeline, conn: Connection, topic_id: int, model: str
) -> None:
    pipeline.load_topic_state(conn)
    ids = store.triage.members(conn, topic_id)
    vectors = store.triage.vectors(conn, ids, model)
    if not vectors:
        store.topics.set_centroid(conn, topic_id, None, len(ids), None)
        return
    prepared = pipeline.c.topics.prepare(np.vstack(list(vectors.values())))
    store.topics.set_centroid(
        conn, topic_id, prepared.mean(axis=0).astype(np.float32), len(ids), model
    )
