"""Triage as the rest of userloop sees it: built lazily from its configuration, since loading
the models takes seconds and most commands never need them."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from userloop.store import Store
from userloop.triage.pipeline import TriageComponents, TriagePipeline
from userloop.triage.stages import KINDS
from userloop.triage.topics.base import Vectors
from userloop.triage.topics.recluster import ReclusterReport, recluster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriageConfig:
    """The settings triage uses, under the settings' names (`container.triage_config` builds
    it; docs/settings.md says what each means)."""

    embedder: str
    embedder_threads: int
    triage_languages: str
    language_min_confidence: float
    topic_threshold: float | None
    kind_model_path: str | None
    topic_similarity: str
    similarity_model_path: str | None
    sentiment_model_path: str | None
    triage_batch_size: int
    recluster_window: int
    similar_lexical_weight: float
    vector_index: str
    vector_index_max_vectors: int


class TopicSummaries(Protocol):
    """What triage asks of the topic lifecycle after a batch: recompute the titles, keywords
    and counts of changed topics (at most `limit`), returning how many it did."""

    def refresh(self, limit: int = 100) -> int: ...


class Triage:
    """The pipeline runner. `summaries` (the topic lifecycle, built by the container) refreshes
    the topics each batch touched; without it topics keep no titles."""

    def __init__(
        self,
        store: Store,
        config: TriageConfig,
        components: TriageComponents | Callable[[], TriageComponents] | None = None,
        *,
        summaries: TopicSummaries | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self._components = components
        self.summaries = summaries

    @functools.cached_property
    def components(self) -> TriageComponents:
        if isinstance(self._components, TriageComponents):
            return self._components
        if callable(self._components):
            return self._components()
        from userloop.triage.factory import build_components

        return build_components(self.config)

    def check(self) -> None:
        """Build the components and load the embedder now; raises what a misconfiguration
        raises (``TriageSetupError``, ``EmbedderUnavailable``, a model file error)."""
        embedder = self.components.embedder
        load = getattr(embedder, "load", None)
        if callable(load):
            load()

    @functools.cached_property
    def pipeline(self) -> TriagePipeline:
        return TriagePipeline(self.store, self.components)

    def run_once(self, batch_size: int | None = None) -> int:
        """One batch through the pipeline, then summaries of the topics it touched."""
        done = self.pipeline.run_batch(batch_size or self.config.triage_batch_size)
        if done:
            self._refresh_summaries(once=True)
        return done

    def drain(
        self, batch_size: int | None = None, on_batch: Callable[[int], None] | None = None
    ) -> int:
        total = 0
        while True:
            done = self.pipeline.run_batch(batch_size or self.config.triage_batch_size)
            if not done:
                break
            total += done
            if on_batch:
                on_batch(done)
        self._refresh_summaries()
        return total

    def correct_kind(self, feedback_id: int, kind: str, actor: str) -> None:
        """A person's verdict on an item's kind: shown at once, kept as a training label for
        `userloop model train-kind`."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        with self.store.write() as conn:
            if self.store.feedback.get(conn, feedback_id) is None:
                raise LookupError(f"no feedback {feedback_id}")
            self.store.triage.correct_kind(conn, feedback_id, kind, actor)
            self.store.audit.record(
                conn, actor, "feedback.kind", f"feedback:{feedback_id}", {"kind": kind}
            )

    def corrections(self) -> list[tuple[str, str]]:
        with self.store.read() as conn:
            return self.store.triage.corrections(conn)

    def staff_groups(self, limit: int = 50_000) -> list[Vectors]:
        """The embeddings of each topic staff have shaped (see ``TriageRepo.staff_groups``),
        centred and unit length as the topic space prepares them before whitening: the
        training groups of ``userloop model train-similarity``."""
        model = self.pipeline.versions["embedding"]
        with self.store.read() as conn:
            self.pipeline.load_topic_state(conn)
            groups = self.store.triage.staff_groups(conn, limit)
            vectors = self.store.triage.vectors(conn, [i for g in groups for i in g], model)
        return [
            self.pipeline.c.topics.centred(np.vstack([vectors[i] for i in g if i in vectors]))
            for g in groups
            if sum(i in vectors for i in g) >= 2
        ]

    def rated(self, limit: int) -> list[tuple[str, int]]:
        """(text, stars) of the newest rated feedback: weak labels for the sentiment head."""
        with self.store.read() as conn:
            return self.store.triage.rated(conn, limit)

    def recluster(self) -> ReclusterReport:
        report = recluster(self.store, self.pipeline, window=self.config.recluster_window)
        self._refresh_summaries()
        return report

    def _refresh_summaries(self, *, once: bool = False) -> None:
        if self.summaries is None:
            return
        if once:
            self.summaries.refresh()
            return
        while self.summaries.refresh(500):
            pass
