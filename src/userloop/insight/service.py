"""Emerging issues on the store: the counts from `store.queries.emerging`, the rule from
`insight.emerging`, and the words and first reports that explain each flag."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from userloop.insight.emerging import BuildExposure, EmergingConfig, emerging
from userloop.store import Store
from userloop.store.queries.emerging import (
    EmergingCounts,
    EmergingFlagQueries,
    EmergingQueries,
    FlagToStore,
)

MAX_TERMS = 10


class UnknownBuild(LookupError):
    """No feedback names this build (in this product)."""


class UnknownProduct(LookupError):
    """No feedback with a build belongs to this product."""


@dataclass(frozen=True)
class EmergingIssue:
    product: str
    build: str
    topic_id: int
    reason: str  # new | rise
    title: str
    terms: list[str]
    representative_texts: list[str]
    score: float
    evidence: dict[str, Any]
    #: The topic's rate on every build up to this one, in release order (for a chart).
    by_build: list[dict[str, Any]] = field(default_factory=list)
    #: When the job after triage first flagged it (None: not yet recorded by the job).
    first_flagged_at: datetime | None = None

    def record(self) -> dict[str, Any]:
        """The JSON object of `userloop emerging --format jsonl`."""
        return {
            "build": self.build,
            "product": self.product,
            "topic_id": self.topic_id,
            "reason": self.reason,
            "title": self.title,
            "terms": self.terms,
            "representative_texts": self.representative_texts,
            "score": self.score,
            "evidence": self.evidence,
            "by_build": self.by_build,
            "first_flagged_at": (
                self.first_flagged_at.isoformat() if self.first_flagged_at else None
            ),
        }


class EmergingService:
    def __init__(self, store: Store, config: EmergingConfig | None = None) -> None:
        self.store = store
        self.config = config or EmergingConfig()
        self.queries = EmergingQueries()
        self.flags = EmergingFlagQueries()

    def emerging(
        self, build: str | None = None, all_builds: bool = False, product: str | None = None
    ) -> list[EmergingIssue]:
        """Flagged topics of `build` (every product that has it, or `product`), of every build
        with `all_builds`, or of each product's latest build when neither is given; per
        product in release order of the builds, each build's flags best first."""
        with self.store.read() as conn:
            known = self.queries.products(conn)
            if product is not None and product not in known:
                raise UnknownProduct(f"no feedback with a build for product {product!r}")
            chosen = [product] if product is not None else known
            if build is not None and not all_builds:
                chosen = [p for p in chosen if p in self.queries.products(conn, build)]
                if not chosen:
                    where = f" of product {product!r}" if product else ""
                    raise UnknownBuild(f"no feedback names build {build!r}{where}")
            out: list[EmergingIssue] = []
            for slug in chosen:
                counts = self.queries.counts(conn, slug)
                if not counts.builds:
                    continue
                only = None if all_builds else (build or counts.builds[-1].version)
                out += self._issues(conn, counts, only)
        return out

    def record(
        self, now: datetime | None = None, actor: str = "job:emerging"
    ) -> list[EmergingIssue]:
        """The job after triage: flag every build of every product, keep the flags with when
        each was first found (a topic no longer flagged is dropped), and put each new flag in
        the audit log. Returns the new flags."""
        now = now or datetime.now(UTC)
        fresh: list[EmergingIssue] = []
        with self.store.write() as conn:
            for slug in self.queries.products(conn):
                counts = self.queries.counts(conn, slug)
                if not counts.builds:
                    continue
                issues = self._issues(conn, counts, None)
                stored = [
                    FlagToStore(i.build, i.topic_id, i.reason, i.score, i.evidence) for i in issues
                ]
                new = {(f.build, f.topic_id) for f in self.flags.replace(conn, slug, stored, now)}
                for issue in issues:
                    if (issue.build, issue.topic_id) not in new:
                        continue
                    fresh.append(replace(issue, first_flagged_at=now))
                    self.store.audit.record(
                        conn,
                        actor,
                        "emerging.flagged",
                        f"topic:{issue.topic_id}",
                        {
                            "product": slug,
                            "build": issue.build,
                            "reason": issue.reason,
                            "score": issue.score,
                        },
                    )
        return fresh

    def _issues(
        self, conn: Connection, counts: EmergingCounts, only: str | None
    ) -> list[EmergingIssue]:
        exposures = [BuildExposure(b.version, b.feedback, b.active_devices) for b in counts.builds]
        flags = emerging(exposures, counts.reporters, self.config, only=only)
        seen = self.flags.stored(conn, counts.product) if flags else {}
        issues: list[EmergingIssue] = []
        for version in dict.fromkeys(f.build for f in flags):
            mine = [f for f in flags if f.build == version]
            details = self.queries.evidence(
                conn, counts.product, version, [f.topic_id for f in mine]
            )
            for flag in mine:
                found = details.get(flag.topic_id)
                reports = counts.reports.get((version, flag.topic_id), 0)
                evidence = {**flag.evidence, "counted": "reporters", "reports": reports}
                issues.append(
                    EmergingIssue(
                        product=counts.product,
                        build=version,
                        topic_id=flag.topic_id,
                        reason=flag.reason,
                        title=found.title if found else "",
                        terms=_terms(found.keywords) if found else [],
                        representative_texts=found.texts if found else [],
                        score=flag.score,
                        evidence=evidence,
                        by_build=_series(counts, version, flag.topic_id),
                        first_flagged_at=(
                            seen[(version, flag.topic_id)].first_flagged_at
                            if (version, flag.topic_id) in seen
                            else None
                        ),
                    )
                )
        return issues


def _series(counts: EmergingCounts, upto: str, topic_id: int) -> list[dict[str, Any]]:
    """Reporters of the topic per build up to `upto` and their rate: per active device when the
    install base covers every one of these builds, else per report of the build (the same
    choice the test makes)."""
    builds = []
    for b in counts.builds:
        builds.append(b)
        if b.version == upto:
            break
    devices = all(b.active_devices for b in builds)
    out = []
    for b in builds:
        exposure = (b.active_devices or 0) if devices else b.feedback
        n = counts.reporters.get((b.version, topic_id), 0)
        out.append(
            {
                "build": b.version,
                "reporters": n,
                "exposure": exposure,
                "exposure_kind": "active_devices" if devices else "feedback",
                "rate": n / exposure if exposure else 0.0,
            }
        )
    return out


def _terms(keywords: dict[str, list[str]]) -> list[str]:
    """The topic's keywords over its languages, best first in each, at most MAX_TERMS."""
    words: dict[str, None] = {}
    for language_words in keywords.values():
        for word in language_words:
            words.setdefault(word, None)
    return list(words)[:MAX_TERMS]
