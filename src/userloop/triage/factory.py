"""Builds the real triage stages from the triage configuration. Imported only when triage is
first used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from userloop.store.vectors import VectorIndexOptions, build_vector_index
from userloop.triage.embed.base import Embedder
from userloop.triage.embed.registry import build_embedder
from userloop.triage.language import LanguageDetector
from userloop.triage.pipeline import TriageComponents

if TYPE_CHECKING:
    from userloop.triage.service import TriageConfig


class TriageSetupError(ValueError):
    """The configured parts of triage do not fit together; the message says how to fix it."""


class LanguageConfig(Protocol):
    """What language detection is built from (`TriageConfig`, or the settings themselves)."""

    @property
    def triage_languages(self) -> str: ...

    @property
    def language_min_confidence(self) -> float: ...


def build_language(config: LanguageConfig) -> LanguageDetector:
    languages = [t.strip() for t in config.triage_languages.split(",") if t.strip()] or None
    return LanguageDetector(languages, config.language_min_confidence)


def check_head(head: str, trained_on: str, dim: int, embedder: Embedder, fix: str) -> None:
    """Refuse a model head trained on another embedder's vectors, before any batch runs.

    Heads are matched on the embedder's name and dimension, not its exact version: a new
    release of the same model moves vectors slightly, which the heads tolerate, while another
    model's vectors mean nothing to them (or do not even have the right length)."""
    name = trained_on.partition("@")[0]
    if name != embedder.name or dim != embedder.dim:
        raise TriageSetupError(
            f"the {head} model reads {dim}-dim vectors of {trained_on}, but the embedder setting "
            f"gives {embedder.dim}-dim vectors of {embedder.name}: {fix}"
        )


def build_components(config: TriageConfig) -> TriageComponents:
    from userloop.triage.kind import KindModel
    from userloop.triage.sentiment import SentimentModel
    from userloop.triage.topics.assign import vectors_only
    from userloop.triage.topics.similarity import SimilarityModel

    embedder = build_embedder(config.embedder, threads=config.embedder_threads)
    kind = KindModel.load(config.kind_model_path)
    sentiment = SentimentModel.load(config.sentiment_model_path)
    check_head(
        "kind",
        kind.embedder,
        kind.dim,
        embedder,
        "train one with `userloop model train-kind` and set USERLOOP_KIND_MODEL_PATH",
    )
    check_head(
        "sentiment",
        sentiment.embedder,
        sentiment.dim,
        embedder,
        "train one with `userloop model train-sentiment` and set USERLOOP_SENTIMENT_MODEL_PATH",
    )
    similarity = None
    if config.topic_similarity == "learned":
        similarity = SimilarityModel.load(config.similarity_model_path)
    # The shipped similarity is learned on use-m3 vectors; with another embedder and no
    # model of its own, topics compare plain centred embeddings (docs/triage.md).
    if (
        similarity is not None
        and config.similarity_model_path is None
        and (similarity.embedder, similarity.dim) != (embedder.name, embedder.dim)
    ):
        similarity = None
    if similarity is not None:
        check_head(
            "topic similarity",
            similarity.embedder,
            similarity.dim,
            embedder,
            "fit one with `userloop model train-similarity` and set "
            "USERLOOP_SIMILARITY_MODEL_PATH, or set USERLOOP_TOPIC_SIMILARITY=plain",
        )
    index = build_vector_index(
        config.vector_index, VectorIndexOptions(config.vector_index_max_vectors, "topics")
    )
    return TriageComponents(
        language=build_language(config),
        embedder=embedder,
        kind=kind,
        sentiment=sentiment,
        topics=vectors_only(config.topic_threshold, index, similarity),
    )
