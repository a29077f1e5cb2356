"""Model fitting and clustering: the libraries (scikit-learn, scipy) against our former numpy code.

    python bench/fitting.py [--datasets ../shared/datasets] [--reference 66b44d9] [--repeat 3]

The former code is read from git at ``--reference`` (the commit before the move to the
libraries: ``triage/features.py`` and ``triage/topics/cluster.py``), so nothing of it stays in
the package. On Mini-BAR (8,000 reviews, USE-m3 vectors, cached in /tmp/ul_cache):

1. the embedding part of the kind head (``fit_logistic``, C=2, 512 dims + 7 request cues) for
   the bug and feature targets: seconds and the regularised objective each reaches;
2. the lexical residual (``fit_logistic_sparse``, 2^18 hashed buckets, offset = the embedding
   part's logits): seconds and objective;
3. the sentiment ridge (``fit_ridge``, alpha=10): seconds and the largest weight difference;
4. average linkage (``average_linkage``) on prepared topic vectors of n = 500 / 1000 / 2000
   reviews at the default threshold: seconds and whether the partitions are equal.

Timings are the median of ``--repeat`` runs on this machine; the script prints the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from userloop.eval.data import DEFAULT_CACHE_DIR, embed_cached
from userloop.eval.kind import APPS, LANGS, Review, read_minibar, weak_targets
from userloop.triage.embed.use_m3 import UseM3Embedder
from userloop.triage.kind.cues import request_cues
from userloop.triage.kind.features import hash_texts
from userloop.triage.sentiment import rating_score
from userloop.triage.topics import cluster as lib_cluster
from userloop.triage.training import fitting as lib

REFERENCE = "66b44d91b47b280da698bee0050dd1c298c89cc8"


def reference_module(ref: str, path: str, name: str) -> types.ModuleType:
    """The module at ``path`` as of commit ``ref`` (it may import only numpy and stdlib)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:{path}"], check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look the module up while the body runs
    exec(compile(source, f"{ref[:7]}:{path}", "exec"), module.__dict__)
    return module


def timed(repeat: int, fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls of ``fn(*args)``, and its result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def logistic_objective(x: Any, y: Any, w: Any, b: float, c: float) -> float:
    z = x @ w + b
    return float(0.5 * w @ w + c * np.sum(np.logaddexp(0.0, z) - y * z))


def residual_objective(a: Any, y: Any, w: Any, offset: Any, c: float) -> float:
    z = offset + a @ w
    return float(0.5 * w @ w + c * np.sum(np.logaddexp(0.0, z) - y * z))


def load(datasets: Path) -> tuple[list[Review], np.ndarray]:
    embedder = UseM3Embedder(threads=int(os.environ.get("BENCH_THREADS", "1")))
    reviews: list[Review] = []
    blocks = []
    for app in APPS:  # the blocks train_kind_model caches
        for lang in LANGS:
            part = read_minibar(datasets, [app], [lang])
            reviews += part
            blocks.append(embed_cached(embedder, [r.text for r in part], DEFAULT_CACHE_DIR))
    return reviews, np.vstack(blocks).astype(np.float32)


def bench_logistic(ref: Any, reviews: list[Review], v: np.ndarray, repeat: int) -> None:
    x = np.hstack([v, 0.5 * request_cues([r.text for r in reviews])])
    rows = hash_texts([r.text for r in reviews], 1 << 18)
    print("\n1-2. kind head: embedding part (fit_logistic, C=2), lexical residual (C=2)")
    for name in ("bug", "feature"):
        known = np.array([weak_targets(r)[name] is not None for r in reviews])
        y = np.array([bool(weak_targets(r)[name]) for r in reviews])[known]
        xk = x[known]
        t_ours, (w_o, b_o) = timed(repeat, ref.fit_logistic, xk, y, 2.0)
        t_lib, (w_l, b_l) = timed(repeat, lib.fit_logistic, xk, y, 2.0)
        f_o, f_l = (
            logistic_objective(xk, y, w_o, b_o, 2.0),
            logistic_objective(xk, y, w_l, b_l, 2.0),
        )
        dz = float(np.max(np.abs((xk @ w_o + b_o) - (xk @ w_l + b_l))))
        print(
            f"  {name:8s} n={len(y)}: ours {t_ours:.3f}s objective {f_o:.4f} | sklearn "
            f"{t_lib:.3f}s objective {f_l:.4f} | max |logit diff| {dz:.2e}"
        )
        sub = lib.to_csr(rows)[known]
        ref_rows = _reference_rows(ref, rows, known)
        offset = xk @ w_l + b_l
        t_ours, v_o = timed(repeat, ref.fit_logistic_sparse, ref_rows, y, offset, 2.0)
        t_lib, v_l = timed(repeat, lib.fit_logistic_sparse, sub, y, offset, 2.0)
        r_o = residual_objective(sub, y, v_o, offset, 2.0)
        r_l = residual_objective(sub, y, v_l, offset, 2.0)
        print(
            f"  {name:8s} residual: ours {t_ours:.3f}s objective {r_o:.4f} | scipy L-BFGS-B "
            f"{t_lib:.3f}s objective {r_l:.4f}"
        )


def _reference_rows(ref: Any, rows: Any, mask: np.ndarray) -> Any:
    m = lib.to_csr(rows)[mask]
    return ref.HashedRows(
        m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data.astype(np.float32), m.shape[1]
    )


def bench_ridge(ref: Any, reviews: list[Review], v: np.ndarray, repeat: int) -> None:
    rated = [i for i, r in enumerate(reviews) if r.stars]
    x = v[rated]
    y = np.array([rating_score(reviews[i].stars) for i in rated])
    t_ours, (w_o, b_o) = timed(repeat, ref.fit_ridge, x, y, 10.0)
    t_lib, (w_l, b_l) = timed(repeat, lib.fit_ridge, x, y, 10.0)
    print(
        f"\n3. sentiment ridge (alpha=10, n={len(y)}): ours {t_ours:.4f}s | sklearn {t_lib:.4f}s | "
        f"max |w diff| {np.max(np.abs(w_o - w_l)):.2e}, |b diff| {abs(b_o - b_l):.2e}"
    )


def bench_linkage(ref_cluster: Any, reviews: list[Review], v: np.ndarray, repeat: int) -> None:
    print("\n4. average linkage on prepared topic vectors (lexical space, threshold 0.15)")
    rng = np.random.default_rng(0)
    for n in (500, 1000, 2000):
        pick = np.sort(rng.choice(len(reviews), size=n, replace=False))
        space = lib_cluster.TopicSpace(lexical=True)
        x = space.prepare(v[pick], [reviews[i].text for i in pick])
        sims = (x @ x.T).astype(np.float64)
        t_ours, ours = timed(repeat, ref_cluster.average_linkage, sims, 0.15)
        t_lib, mine = timed(repeat, lib_cluster.average_linkage, sims, 0.15)
        same = np.array_equal(ref_cluster._canonical(ours), lib_cluster._canonical(mine))
        print(
            f"  n={n}: ours {t_ours:.3f}s | scipy {t_lib:.3f}s | same partition: {same} "
            f"({len(set(mine.tolist()))} groups)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--reference", default=REFERENCE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"python {platform.python_version()}; reference {args.reference[:7]}")
    ref = reference_module(args.reference, "src/userloop/triage/features.py", "ref_features")
    ref_cluster = reference_module(
        args.reference, "src/userloop/triage/topics/cluster.py", "ref_cluster"
    )
    reviews, v = load(args.datasets)
    bench_logistic(ref, reviews, v, args.repeat)
    bench_ridge(ref, reviews, v, args.repeat)
    bench_linkage(ref_cluster, reviews, v, args.repeat)


if __name__ == "__main__":
    main()
