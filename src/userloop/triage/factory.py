"""Builds the real triage stages from settings. Imported only when triage is first used."""

from __future__ import annotations

from userloop.config import Settings
from userloop.triage.embed.registry import build_embedder
from userloop.triage.language import LanguageDetector
from userloop.triage.pipeline import TriageComponents


def build_language(settings: Settings) -> LanguageDetector:
    languages = [t.strip() for t in settings.triage_languages.split(",") if t.strip()] or None
    return LanguageDetector(languages, settings.language_min_confidence)


def build_components(settings: Settings) -> TriageComponents:
    from userloop.triage.classify import KindModel
    from userloop.triage.sentiment import SentimentModel
    from userloop.triage.topics import cluster

    # Vectors only online: the lexical channel needs each item's text wherever vectors are
    # prepared; BENCHMARKS.md gives both variants' quality.
    params = cluster.VECTORS_ONLY
    threshold = settings.topic_threshold
    if threshold is None:
        threshold = params.join_threshold
    space = cluster.TopicSpace(params, learn=False)
    return TriageComponents(
        language=build_language(settings),
        embedder=build_embedder(settings.embedder, threads=settings.embedder_threads),
        kind=KindModel.load(settings.kind_model_path),
        sentiment=SentimentModel.load(),
        topic_threshold=threshold,
        topic_version=f"topics-{params.version}",
        prepare=space.prepare,
        observe=space.observe,
        observed=lambda: space.count,
        cluster=lambda vectors: cluster.cluster(vectors, params),
    )
