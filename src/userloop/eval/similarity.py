"""Fitting the learned topic similarity (``triage/topics/similarity.py``) on public data.

Two sources of "these texts are one problem", read in place from ``../shared/datasets``:

* the four Mini-BAR clustering files: 800 English/French app reviews in hand-made clusters,
  each file centred on the mean of the 8,000 Mini-BAR classification reviews;
* the GitBugs VS Code issues written in other languages with their English translation
  (GPT column): 1,233 pairs, each one text in two languages, centred on their own mean.
  They weigh as much as the clusters together, so that whitening keeps (and here raises:
  recall@1 of the translation among all translations 0.934 -> 0.95) cross-lingual grouping.

Run by ``scripts/train_models.py``; ``userloop model train-similarity`` refits with the
installation's own staff decisions on top.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from userloop.eval.clustering import read_background, read_clustering_files
from userloop.eval.data import (
    DEFAULT_CACHE_DIR,
    clean_vscode_text,
    embed_cached,
    read_vscode_multilingual,
    vscode_original_text,
)
from userloop.triage.embed.base import Embedder
from userloop.triage.topics.similarity import DEFAULT_SHRINK, SimilarityModel, unit_rows

_MAX_CHARS = 500  # issue bodies can be long; their first lines say what the issue is about


def translation_pairs(datasets_dir: Path) -> tuple[list[str], list[str]]:
    """(original, English translation) of the non-English VS Code issues."""
    originals, english = [], []
    for issue in read_vscode_multilingual(datasets_dir):
        text = clean_vscode_text(vscode_original_text(issue))[:_MAX_CHARS]
        translated = issue.translations.get("gpt")
        if text and translated and issue.src_lang != "en":
            originals.append(text)
            english.append(clean_vscode_text(translated)[:_MAX_CHARS])
    return originals, english


def train_similarity_model(
    datasets_dir: Path,
    embedder: Embedder,
    *,
    shrink: float = DEFAULT_SHRINK,
    translations: bool = True,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    exclude: tuple[str, ...] = (),
) -> SimilarityModel:
    """The recipe in the module doc. ``exclude``: clustering files (stems) or apps (their
    prefix) left out, to score on them."""
    files = [
        f
        for f in read_clustering_files(datasets_dir)
        if f.name not in exclude and f.name.split(".")[0] not in exclude
    ]
    background = read_background(datasets_dir)
    mean = (
        np.asarray(embed_cached(embedder, background, cache_dir), dtype=np.float64).mean(axis=0)
        if background
        else None
    )
    groups: list[np.ndarray] = []
    for f in files:
        x = np.asarray(embed_cached(embedder, f.texts, cache_dir), dtype=np.float64)
        x = unit_rows(x - (mean if mean is not None else x.mean(axis=0)))
        groups.extend(x[f.truth == label] for label in np.unique(f.truth))
    model = SimilarityModel.fit(
        groups,
        embedder.name,
        shrink=shrink,
        meta={
            "trained_on": f"{embedder.name}@{embedder.version}",
            "data": "Mini-BAR clustering files: "
            + ", ".join(f.name for f in files)
            + (" + GitBugs VS Code translation pairs" if translations else ""),
        },
    )
    if translations:
        a_texts, b_texts = translation_pairs(datasets_dir)
        a = np.asarray(embed_cached(embedder, a_texts, cache_dir), dtype=np.float64)
        b = np.asarray(embed_cached(embedder, b_texts, cache_dir), dtype=np.float64)
        centre = np.vstack([a, b]).mean(axis=0)
        weight = model.dof / len(a)  # the pairs together weigh as much as the clusters
        model = model.with_pairs(unit_rows(a - centre), unit_rows(b - centre), weight=weight)
        model.meta.pop("staff_pairs", None)
        model.meta["translation_pairs"] = len(a)
    return model
