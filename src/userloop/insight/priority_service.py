"""Topic priorities on the store: `recompute` reads each product's inputs
(`store.queries.priority`), scores them (`insight.priority`) and writes every row in one
transaction; `ranked` only reads what was stored, re-ranking by a slice's stored cells when
filtered. Recomputing is a job's work (the worker after triage batches, `userloop triage`, the
demo, `userloop priorities --refresh`), never a web request's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from userloop.domain.enums import Segment
from userloop.insight.priority import PriorityConfig, Report, Vote, compute, slice_score
from userloop.insight.propensity import Cell
from userloop.store import Store
from userloop.store.queries.priority import PriorityInputs, PriorityQueries, StoredPriority

MAX_LIMIT = 500


class UnknownProduct(LookupError):
    """No live topic belongs to this product."""


@dataclass(frozen=True)
class RankedTopic:
    topic_id: int
    product: str
    title: str
    status: str
    score: float  # within the chosen slice (the stored score when not filtered)
    parts: dict[str, Any]
    computed_at: datetime

    def record(self) -> dict[str, Any]:
        """The JSON object of the API and of `userloop priorities --format jsonl` (the CLI
        and API add the sentence)."""
        return {
            "topic_id": self.topic_id,
            "product": self.product,
            "title": self.title,
            "status": self.status,
            "score": self.score,
            "mode": self.parts.get("mode"),
            "parts": self.parts,
            "computed_at": self.computed_at.isoformat(),
        }


@dataclass(frozen=True)
class RankedPage:
    items: list[RankedTopic]
    total: int
    counts_only: bool  # some listed product has no install base in its window
    computed_at: datetime | None
    choices: dict[str, list[str]] = field(default_factory=dict)  # filter values seen


class PriorityService:
    def __init__(self, store: Store, config: PriorityConfig | None = None) -> None:
        self.store = store
        self.config = config or PriorityConfig()
        self.queries = PriorityQueries()

    def recompute(self, product: str | None = None) -> int:
        """Score every live topic (of `product`, else of every product) and store the rows in
        one transaction. Returns the number of topics scored."""
        with self.store.read() as conn:
            known = self.queries.products(conn)
            if product is not None and product not in known:
                raise UnknownProduct(f"no topic belongs to product {product!r}")
            chosen = [product] if product else known
            inputs = [self.queries.inputs(conn, p, self.config.window_days) for p in chosen]
        now = datetime.now(UTC)
        results = [(i.product_id, self._compute(i)) for i in inputs if i is not None]
        with self.store.write() as conn:
            for pid, rows in results:
                self.queries.replace(conn, pid, rows, now)
        return sum(len(rows) for _, rows in results)

    def _compute(self, inputs: PriorityInputs) -> list[tuple[int, float, dict[str, Any]]]:
        reports = [
            Report(
                r.topic_id,
                r.reporter,
                r.at,
                r.model,
                r.build,
                r.channel,
                r.region,
                r.experience,
                r.verified_owner,
                r.kind,
                r.sentiment,
            )
            for r in inputs.reports
        ]
        votes = [
            Vote(v.topic_id, v.at, v.experience, v.verified_owner, v.model, v.region, v.channel)
            for v in inputs.votes
        ]
        daily = [
            (d.day, Cell(d.model, d.build, d.channel, d.region, d.segment), d.active_devices)
            for d in inputs.daily
        ]
        out = compute(
            inputs.topic_ids, reports, votes, daily, inputs.builds, self.config, inputs.latest
        )
        return [(p.topic_id, p.score, p.parts) for p in out]

    def stored_any(self) -> bool:
        with self.store.read() as conn:
            return self.queries.count(conn) > 0

    def ranked(
        self,
        product: str | None = None,
        model: str | None = None,
        build: str | None = None,
        region: str | None = None,
        segment: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> RankedPage:
        """The stored priorities, best first; with a filter, re-ranked by each topic's score
        within the slice (topics with nothing in it are left out)."""
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise ValueError(f"limit must lie between 1 and {MAX_LIMIT}, offset at least 0")
        if segment is not None and segment not in {s.value for s in Segment}:
            allowed = ", ".join(s.value for s in Segment)
            raise ValueError(f"segment must be one of {allowed}; got {segment!r}")
        with self.store.read() as conn:
            if product is not None and product not in self.queries.products(conn):
                raise UnknownProduct(f"no topic belongs to product {product!r}")
            stored = self.queries.stored(conn, product)
        choices = _choices(stored)
        filtered = any(v is not None for v in (model, build, region, segment))
        ranked: list[RankedTopic] = []
        for row in stored:
            score = slice_score(row.parts, model, build, region, segment)
            if filtered and score <= 0:
                continue
            ranked.append(
                RankedTopic(
                    row.topic_id,
                    row.product,
                    row.title,
                    row.status,
                    score,
                    row.parts,
                    row.computed_at,
                )
            )
        ranked.sort(key=lambda r: (-r.score, r.topic_id))
        return RankedPage(
            items=ranked[offset : offset + limit],
            total=len(ranked),
            counts_only=any(r.parts.get("mode") == "counts" for r in stored),
            computed_at=max((r.computed_at for r in stored), default=None),
            choices=choices,
        )


def _choices(stored: list[StoredPriority]) -> dict[str, list[str]]:
    """The models, builds, regions and segments the stored topics have reports on."""
    seen: dict[str, set[str]] = {"model": set(), "build": set(), "region": set(), "segment": set()}
    for row in stored:
        for cell in row.parts.get("cells") or []:
            model, build, _channel, region, segment = cell[:5]
            seen["model"].add(str(model))
            seen["build"].add(str(build))
            seen["region"].add(str(region))
            seen["segment"].add(str(segment))
    return {k: sorted(v - {"unknown"}) for k, v in seen.items()}
