"""Merge suggestions: pairs of live topics that probably describe one problem, with the
evidence a triager needs to decide in one click.

Candidates are pairs of live topics of one product whose normalised centroids (in the topic
space: the learned similarity where it is on) have a cosine of at least ``floor``, and that no
staff decision keeps apart (a split or a rejected suggestion: a ``cannot_merge`` link).
Accepting merges the smaller topic into the larger (into the one staff already gave a status,
when only one has); rejecting records a ``cannot_merge`` link, so neither the suggestion nor
re-clustering brings the pair together again. Both are audited, and both are what
``userloop model train-similarity`` learns from (pinned members, cannot-links).

The evidence is computed only for the suggestions shown: the shared keywords per language and,
for each language both topics have reports in, the closest pair of reports in that language
(plus the closest pair across languages when it is closer still).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from userloop.domain.entities import Topic
from userloop.domain.enums import TopicStatus
from userloop.store import Store
from userloop.topics.lifecycle import TopicError, TopicService, spread
from userloop.triage.pipeline import TriagePipeline
from userloop.triage.topics.similarity import unit_rows

#: Default lowest centroid cosine worth a triager's look (demo and Mini-BAR, BENCHMARKS.md).
DEFAULT_FLOOR = 0.1
#: Members per topic compared for the closest pairs (spread over the topic's history).
EVIDENCE_MEMBERS = 300
#: Rows of the centroid matrix compared at a time: bounds memory at many topics.
_BLOCK = 1024
_DAY_SECONDS = 86_400


class SuggestionOrder(StrEnum):
    """How the list is ordered. ``newest``: the pair with the most recent report first (by
    day), the largest pair first within a day; ``largest``: by the two topics' combined size;
    ``similarity``: the closest pair first."""

    NEWEST = "newest"
    LARGEST = "largest"
    SIMILARITY = "similarity"


@dataclass(frozen=True, slots=True)
class ClosePair:
    """The closest two reports of a suggestion's topics (one from each)."""

    similarity: float
    a_id: int
    a_language: str
    a_text: str
    b_id: int
    b_language: str
    b_text: str


@dataclass(frozen=True, slots=True)
class MergeSuggestion:
    a: Topic  # the topic the other would merge into (the survivor of an accept)
    b: Topic
    similarity: float
    shared_keywords: dict[str, list[str]] = field(default_factory=dict)
    closest: list[ClosePair] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.a.size + self.b.size

    @property
    def last_seen(self) -> datetime | None:
        seen = [t for t in (self.a.last_seen, self.b.last_seen) if t is not None]
        return max(seen) if seen else None


def survivor_first(a: Topic, b: Topic) -> tuple[Topic, Topic]:
    """(survivor, absorbed) of merging two topics: the one staff already gave a status other
    than new, else the larger, else the older (smaller id)."""

    def rank(t: Topic) -> tuple[int, int, int]:
        return (0 if t.status != TopicStatus.NEW else 1, -t.size, t.id)

    return (a, b) if rank(a) <= rank(b) else (b, a)


def candidate_pairs(
    ids: Sequence[int],
    products: Sequence[int],
    centroids: npt.ArrayLike,
    floor: float,
    forbidden: set[tuple[int, int]],
) -> list[tuple[int, int, float]]:
    """(lower id, higher id, cosine) of every pair of one product with a centroid cosine of at
    least ``floor`` and no cannot-link, the closest first. Blockwise: memory stays at
    ``_BLOCK`` rows of the gram matrix however many topics there are."""
    if len(ids) < 2:
        return []
    unit = unit_rows(centroids)
    prod = np.asarray(products)
    idx = np.asarray(ids)
    out: list[tuple[int, int, float]] = []
    for start in range(0, len(idx), _BLOCK):
        block = unit[start : start + _BLOCK] @ unit.T
        rows, cols = np.nonzero(block >= floor)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if c <= i or prod[i] != prod[c]:
                continue
            lo, hi = sorted((int(idx[i]), int(idx[c])))
            if (lo, hi) in forbidden:
                continue
            out.append((lo, hi, float(block[r, c])))
    out.sort(key=lambda p: (-p[2], p[0], p[1]))
    return out


class MergeSuggestionService:
    """Lists, accepts and rejects merge suggestions (module doc)."""

    def __init__(
        self,
        store: Store,
        topics: TopicService,
        pipeline: TriagePipeline | Callable[[], TriagePipeline],
        floor: float = DEFAULT_FLOOR,
    ) -> None:
        if not -1.0 <= floor <= 1.0:
            raise ValueError(f"the suggestion floor is a cosine in [-1, 1]; got {floor}")
        self.store = store
        self.topics = topics
        self._pipeline = pipeline
        self.floor = floor

    @property
    def pipeline(self) -> TriagePipeline:
        if not isinstance(self._pipeline, TriagePipeline):
            self._pipeline = self._pipeline()
        return self._pipeline

    # -- reads --------------------------------------------------------------------------------

    def pairs(self, product: str | None = None) -> list[tuple[Topic, Topic, float]]:
        """Every candidate pair, (survivor, absorbed, cosine), the closest first."""
        model = self.pipeline.versions["embedding"]
        with self.store.read() as conn:
            live = {t.id: t for t in self.store.topics.all(conn, product=product)}
            rows = [
                r
                for r in self.store.topics.centroids(conn, model)
                if r[0] in live and r[2] > 0 and r[3] is not None
            ]
            forbidden = self.store.topics.cannot_merge(conn)
        if len(rows) < 2:
            return []
        found = candidate_pairs(
            [r[0] for r in rows],
            [r[1] for r in rows],
            np.vstack([r[3] for r in rows if r[3] is not None]),
            self.floor,
            forbidden,
        )
        return [(*survivor_first(live[a], live[b]), s) for a, b, s in found]

    def suggestions(
        self,
        product: str | None = None,
        *,
        order: SuggestionOrder | str = SuggestionOrder.NEWEST,
        limit: int = 20,
        offset: int = 0,
        evidence: bool = True,
    ) -> tuple[list[MergeSuggestion], int]:
        """One page of suggestions in ``order`` and how many there are in all."""
        order = SuggestionOrder(order)
        found = self.pairs(product)
        if order is SuggestionOrder.NEWEST:
            found.sort(key=lambda p: (-_day(p[0], p[1]), -(p[0].size + p[1].size), -p[2]))
        elif order is SuggestionOrder.LARGEST:
            found.sort(key=lambda p: (-(p[0].size + p[1].size), -p[2]))
        page = found[offset : offset + limit]
        out = [
            self._with_evidence(a, b, s) if evidence else MergeSuggestion(a, b, s)
            for a, b, s in page
        ]
        return out, len(found)

    def _with_evidence(self, a: Topic, b: Topic, similarity: float) -> MergeSuggestion:
        shared = {
            lang: [w for w in a.keywords.get(lang, []) if w in set(words)]
            for lang, words in b.keywords.items()
        }
        shared = {lang: words for lang, words in shared.items() if words}
        return MergeSuggestion(a, b, similarity, shared, self._closest(a, b))

    def _closest(self, a: Topic, b: Topic) -> list[ClosePair]:
        model = self.pipeline.versions["embedding"]
        with self.store.read() as conn:
            rows_a = spread(self.store.topics.member_rows(conn, a.id), EVIDENCE_MEMBERS)
            rows_b = spread(self.store.topics.member_rows(conn, b.id), EVIDENCE_MEMBERS)
            vectors = self.store.triage.vectors(
                conn, [r["id"] for r in rows_a] + [r["id"] for r in rows_b], model
            )
        rows_a = [r for r in rows_a if r["id"] in vectors]
        rows_b = [r for r in rows_b if r["id"] in vectors]
        if not rows_a or not rows_b:
            return []
        space = self.pipeline.c.topics
        va = unit_rows(space.prepare(np.vstack([vectors[r["id"]] for r in rows_a])))
        vb = unit_rows(space.prepare(np.vstack([vectors[r["id"]] for r in rows_b])))
        sims = va @ vb.T
        lang_a = np.array([str(r["language"]) for r in rows_a])
        lang_b = np.array([str(r["language"]) for r in rows_b])
        out: list[ClosePair] = []
        best_same = -np.inf
        common = sorted(set(lang_a) & set(lang_b), key=lambda x: -int(np.sum(lang_a == x)))
        for lang in common:
            masked = np.where((lang_a == lang)[:, None] & (lang_b == lang)[None, :], sims, -np.inf)
            out.append(_pair(masked, rows_a, rows_b))
            best_same = max(best_same, out[-1].similarity)
        overall = _pair(sims, rows_a, rows_b)
        if overall.similarity > best_same and overall.a_language != overall.b_language:
            out.append(overall)
        return out

    # -- staff decisions ------------------------------------------------------------------------

    def accept(self, a: int, b: int, actor: str) -> Topic:
        """Merge the pair (the survivor keeps its id, status and votes); returns the survivor."""
        first, second = self._live_pair(a, b)
        keep, drop = survivor_first(first, second)
        with self.store.read() as conn:
            if (min(a, b), max(a, b)) in self.store.topics.cannot_merge(conn):
                raise TopicError(f"topics {a} and {b} were kept apart by staff; merge by hand")
        merged = self.topics.merge([drop.id], keep.id, actor)
        with self.store.write() as conn:
            self.store.audit.record(
                conn, actor, "suggestion.accept", f"topic:{keep.id}", {"absorbed": drop.id}
            )
        return merged

    def reject(self, a: int, b: int, actor: str) -> None:
        """Keep the pair apart: a cannot-link the suggestions and re-clustering respect."""
        self._live_pair(a, b)
        with self.store.write() as conn:
            self.store.topics.forbid_merge(conn, a, b, actor)
            self.store.audit.record(
                conn, actor, "suggestion.reject", f"topic:{min(a, b)}", {"other": max(a, b)}
            )

    def _live_pair(self, a: int, b: int) -> tuple[Topic, Topic]:
        if a == b:
            raise TopicError("a suggestion joins two different topics")
        with self.store.read() as conn:
            found = [self.store.topics.get(conn, t) for t in (a, b)]
            products = {self.store.topics.product_id(conn, f.id) for f in found if f}
        for topic_id, topic in zip((a, b), found, strict=True):
            if topic is None:
                raise TopicError(f"no topic {topic_id}")
            if topic.merged_into is not None:
                raise TopicError(f"topic {topic_id} was merged into topic {topic.merged_into}")
        if len(products) > 1:
            raise TopicError(f"topics {a} and {b} belong to different products")
        x, y = found
        assert x is not None and y is not None
        return x, y


def _day(a: Topic, b: Topic) -> int:
    seen = [t.timestamp() for t in (a.last_seen, b.last_seen) if t is not None]
    return int(max(seen) // _DAY_SECONDS) if seen else 0


def _pair(
    sims: npt.NDArray[np.float64], rows_a: list[dict[str, object]], rows_b: list[dict[str, object]]
) -> ClosePair:
    i, j = divmod(int(np.argmax(sims)), sims.shape[1])
    ra, rb = rows_a[i], rows_b[j]
    return ClosePair(
        float(sims[i, j]),
        int(str(ra["id"])),
        str(ra["language"]),
        str(ra["text"]),
        int(str(rb["id"])),
        str(rb["language"]),
        str(rb["text"]),
    )
