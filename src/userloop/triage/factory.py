"""Builds the real triage stages from settings. Imported only when triage is first used."""

from __future__ import annotations

from userloop.config import Settings
from userloop.triage.embed.base import Embedder
from userloop.triage.embed.registry import build_embedder
from userloop.triage.language import LanguageDetector
from userloop.triage.pipeline import TriageComponents


class TriageSetupError(ValueError):
    """The configured parts of triage do not fit together; the message says how to fix it."""


def build_language(settings: Settings) -> LanguageDetector:
    languages = [t.strip() for t in settings.triage_languages.split(",") if t.strip()] or None
    return LanguageDetector(languages, settings.language_min_confidence)


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


def build_components(settings: Settings) -> TriageComponents:
    from userloop.triage.classify import KindModel
    from userloop.triage.sentiment import SentimentModel
    from userloop.triage.topics import cluster

    embedder = build_embedder(settings.embedder, threads=settings.embedder_threads)
    kind = KindModel.load(settings.kind_model_path)
    sentiment = SentimentModel.load(settings.sentiment_model_path)
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
    # Vectors only online: the lexical channel needs each item's text wherever vectors are
    # prepared; BENCHMARKS.md gives both variants' quality.
    params = cluster.VECTORS_ONLY
    threshold = settings.topic_threshold
    if threshold is None:
        threshold = params.join_threshold
    space = cluster.TopicSpace(params, learn=False)
    return TriageComponents(
        language=build_language(settings),
        embedder=embedder,
        kind=kind,
        sentiment=sentiment,
        topic_threshold=threshold,
        topic_version=f"topics-{params.version}",
        prepare=space.prepare,
        observe=space.observe,
        observed=lambda: space.count,
        cluster=lambda vectors: cluster.cluster(vectors, params),
    )
