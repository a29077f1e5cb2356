"""Builds the real triage stages from settings. Imported only when triage is first used."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.config import Settings
from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.embed.registry import build_embedder
from userloop.triage.language import LanguageDetector
from userloop.triage.pipeline import TriageComponents

Labels = npt.NDArray[np.int64]


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
    # Online, vectors only: the index keeps one centroid per topic, and the lexical channel
    # would make each 33 times larger. Re-clustering regroups recent topics with the lexical
    # channel (the texts are at hand there); BENCHMARKS.md gives both variants' quality.
    params = cluster.VECTORS_ONLY
    threshold = settings.topic_threshold
    if threshold is None:
        threshold = params.join_threshold
    space = cluster.TopicSpace(params, learn=False)

    def regroup(vectors: Vectors, texts: Sequence[str]) -> Labels:
        # The running mean of everything seen; n-gram frequencies of the window itself.
        state = space.state()
        state["doc_freq"] = np.zeros(cluster.DEFAULT.lexical_dim)
        lexical = cluster.TopicSpace.from_state(state, cluster.DEFAULT, lexical=True, learn=False)
        lexical.observe(np.zeros((0, vectors.shape[1])), texts)  # texts only: the mean is set
        return cluster.cluster(lexical.prepare(vectors, texts), cluster.DEFAULT)

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
        regroup=regroup,
    )
