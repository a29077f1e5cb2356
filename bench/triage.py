"""Triage benchmark.

    python bench/triage.py [--datasets ../shared/datasets] [--n 2000] [--similar-items 100000]

1. The embedder alone on real Mini-BAR review texts, then the whole pipeline (language,
   embedding, kind, sentiment, topic, summaries) on the same texts in a fresh SQLite store:
   items/s of each and their ratio.
2. `similar` latency (p50/p95) with 100,000 triaged items: the items get synthetic clustered
   vectors under the real model's key (embedding 100,000 texts would take the better part of
   an hour here), then the real model embeds each query.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from userloop.config import load_settings
from userloop.container import Services
from userloop.domain.filters import FeedbackFilter


def minibar_texts(datasets: Path, n: int) -> list[str]:
    texts: list[str] = []
    for path in sorted((datasets / "minibar" / "classification").glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            texts += [row["data"] for row in csv.DictReader(f) if row["data"].strip()]
    rng = np.random.default_rng(5)
    picked = rng.choice(len(texts), size=min(n, len(texts)), replace=False)
    return [texts[i] for i in sorted(picked)]


def bench_pipeline(texts: list[str], tmp: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp / 'triage.db'}", serve_worker=False)
    services = Services.build(settings)
    services.store.upgrade()
    services.intake.submit_batch(
        [{"text": t, "external_id": str(i), "source": "minibar"} for i, t in enumerate(texts)]
    )
    components = services.triage.components
    embedder = components.embedder
    embedder.embed(["warm up"])  # model load is not throughput
    components.language.resolve(None, "warm up the detector")
    from userloop.triage.topics.keywords import tokenize

    tokenize("预热分词词典", "zh-Hans")  # loads jieba's dictionary, as the embedder's weights
    start = time.perf_counter()
    embedder.embed(texts)
    alone = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    done = services.triage.drain()
    whole = done / (time.perf_counter() - start)
    print(f"embedder alone ({embedder.name}): {alone:,.1f} items/s on {len(texts)} reviews")
    print(f"whole pipeline incl. storage and topic summaries: {whole:,.1f} items/s")
    print(f"ratio pipeline/embedder: {whole / alone:.2f}")
    print(f"topics formed: {len(services.topics.all())}")
    services.store.close()


def bench_similar(n_items: int, tmp: Path, queries: list[str]) -> None:
    from userloop.demo import generate

    settings = load_settings(database_url=f"sqlite:///{tmp / 'similar.db'}", serve_worker=False)
    services = Services.build(settings)
    services.store.upgrade()
    world = generate(seed=3, n_feedback=n_items)
    for start in range(0, n_items, 5000):
        services.intake.submit_batch(list(world.feedback[start : start + 5000]))
    pipeline = services.triage.pipeline
    model = pipeline.versions["embedding"]
    rng = np.random.default_rng(9)
    dim = pipeline.c.embedder.dim
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    with services.store.read() as conn:
        ids = [f.id for f in services.store.feedback.iterate(conn, FeedbackFilter())]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        vecs = centres[rng.integers(0, len(centres), len(chunk))]
        vecs = vecs + rng.normal(scale=0.6, size=vecs.shape).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        with services.store.write() as conn:
            services.store.triage.save_vectors(conn, model, dict(zip(chunk, vecs, strict=True)))
    start = time.perf_counter()
    services.triage.drain(batch_size=1000)
    print(
        f"triage of {n_items} items with stored vectors: "
        f"{n_items / (time.perf_counter() - start):,.0f} items/s"
    )
    similar = services.similar
    similar.topics("warm up", language="en")
    similar.items(text="warm up", k=10)
    for label, call in (
        ("similar topics", lambda q: similar.topics(q, k=5)),
        ("similar items", lambda q: similar.items(text=q, k=10)),
    ):
        times = []
        for q in queries:
            t = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{label} at {n_items} items ({len(services.topics.all())} topics): "
            f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
        )
    services.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--similar-items", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    if not args.datasets.exists():
        sys.exit(f"datasets not found at {args.datasets}")
    texts = minibar_texts(args.datasets, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        bench_pipeline(texts, Path(tmp))
        if args.similar_items:
            bench_similar(args.similar_items, Path(tmp), texts[:200])


if __name__ == "__main__":
    main()
