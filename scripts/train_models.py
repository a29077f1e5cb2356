"""Train the shipped kind and sentiment heads (reproducible: fixed seed, deterministic fits).

    python scripts/train_models.py [--datasets ../shared/datasets] [--corrections FILE.jsonl]
                                   [--out src/userloop/triage/models] [--no-eval]

Data, read in place at run time (nothing of it is written into the repository):

* kind: all 8,000 Mini-BAR classification reviews (Garmin Connect and Huawei Health, English
  and French) with weak labels for question / praise / other
  (``userloop.eval.kind.weak_targets``), our own seed examples
  (``triage/models/seed_examples.jsonl``: en, zh-Hans, ru, nl, fr) and optional staff
  corrections (JSONL of ``{"text", "kind"}``);
* sentiment: the same reviews, target ``(stars - 3) / 2``.

* similarity (the learned topic similarity, a within-topic whitening): the Mini-BAR
  clustering files' hand-made clusters and the GitBugs VS Code translation pairs
  (``userloop.eval.similarity``).

Writes ``kind``, ``sentiment`` and ``similarity`` (``.npz`` + ``.json``) to ``--out``;
``--models`` picks some of them.
Unless ``--no-eval``, the JSON metadata also records the Mini-BAR cross-app and
cross-language metrics of the same recipe (``userloop.eval.kind.run_kind_eval``).
Embeddings are cached under ``/tmp/ul_cache``; USE-m3 runs on two threads.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from userloop.eval.data import DEFAULT_CACHE_DIR, embed_cached
from userloop.eval.kind import (
    read_corrections,
    read_minibar,
    run_kind_eval,
    train_kind_model,
)
from userloop.eval.similarity import train_similarity_model
from userloop.triage.embed.use_m3 import UseM3Embedder
from userloop.triage.kind import MODELS_DIR
from userloop.triage.training.sentiment import train_sentiment

SEED = 0


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """The metrics worth keeping beside the weights: F1 etc. per split and the means."""
    keep = ("bug", "feature", "irrelevant", "praise (weak)", "other (weak)")
    splits = {
        name: {c: split["head"][c] for c in keep if c in split["head"]}
        for name, split in result["splits"].items()
    }
    return {
        "dataset": result["dataset"],
        "protocol": "train on one side, thresholds by 5-fold CV on the training side only, "
        "score on the other side (see userloop.eval.kind)",
        "splits": splits,
        "cross-app mean": result["cross-app mean"],
        "cross-language mean": result["cross-language mean"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--corrections", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    parser.add_argument("--no-eval", action="store_true", help="skip the Mini-BAR metrics")
    parser.add_argument("--models", default="kind,sentiment,similarity", help="which to train")
    args = parser.parse_args()
    wanted = set(args.models.split(","))
    if "similarity" in wanted:
        similarity = train_similarity_model(args.datasets, UseM3Embedder(threads=2))
        path = similarity.save(args.out / "similarity.npz")
        print(f"wrote {path} (+ .json): {path.stat().st_size / 1024:.1f} KiB, {similarity.version}")
    if not wanted & {"kind", "sentiment"}:
        return

    t0 = time.perf_counter()
    embedder = UseM3Embedder(threads=2)
    corrections = read_corrections(args.corrections) if args.corrections else []

    kind = train_kind_model(args.datasets, embedder, corrections=corrections, seed=SEED)
    t_kind = time.perf_counter() - t0

    reviews = read_minibar(args.datasets)
    vectors = np.vstack(
        [
            embed_cached(embedder, [r.text for r in reviews if (r.app, r.lang) == key])
            for key in dict.fromkeys((r.app, r.lang) for r in reviews)
        ]
    )
    sentiment = train_sentiment(
        [r.text for r in reviews],
        [r.stars for r in reviews],
        embedder,
        vectors=vectors,
        seed=SEED,
        description="Mini-BAR classification, all four files (8,000 reviews), star ratings",
    )
    t_train = time.perf_counter() - t0

    if not args.no_eval:
        result = run_kind_eval(args.datasets, embedder, cache_dir=DEFAULT_CACHE_DIR)
        kind = replace(kind, meta={**kind.meta, "metrics": _summary(result)})
        sentiment = replace(sentiment, meta={**sentiment.meta, "metrics": result["sentiment"]})
    for model, name in ((kind, "kind"), (sentiment, "sentiment")):
        path = model.save(args.out / f"{name}.npz")
        size = path.stat().st_size + path.with_suffix(".json").stat().st_size
        print(f"wrote {path} (+ .json): {size / 1024:.1f} KiB, {model.version}")
    print(
        f"training {t_train:.1f} s (kind {t_kind:.1f} s), "
        f"total with eval {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
