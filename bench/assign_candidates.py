"""Online topic-assignment candidates on the demo world and on Mini-BAR (measurement only).

    python bench/assign_candidates.py [--seed 7] [--size 3000] [--datasets DIR]

The demo world's reports are embedded once with ``use-m3`` (cached like the evals), prepared as
the product prepares them (``vectors_only``: the running mean observed batch by batch, 256 at a
time, then centred and re-normalised) and assigned in arrival order by each rule over a grid of
thresholds. Scores: ``userloop.eval.topics_demo.score``. The best rules are then run, with their
demo threshold, on each Mini-BAR clustering file in file order (vectors prepared as the
clustering eval's emb-only variant: background texts, then the file, observed first).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from userloop.demo import generate
from userloop.eval.clustering import adjusted_rand_index, read_background, read_clustering_files
from userloop.eval.data import embed_cached
from userloop.eval.topics_demo import score
from userloop.intake.normalize import normalize_text
from userloop.intake.redaction import redact
from userloop.triage.embed.registry import build_embedder
from userloop.triage.topics.assign import OnlineTopics, vectors_only

F32 = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]
Rule = Callable[[F32, float], Labels]
BATCH = 256  # Settings.triage_batch_size default
TOP = 64  # nearest members looked at by the k-nearest rule


def today(x: F32, t: float) -> Labels:
    """(a) The product's rule itself: `OnlineTopics` without a space, on prepared vectors."""
    model = OnlineTopics(t)
    opened = iter(range(len(x)))
    placed = model.assign([0] * len(x), x, lambda _p, _v: next(opened))
    return np.array([p.topic_id for p in placed], dtype=np.int64)


def _online(x: F32, t: float, pick: Callable[[int, F32, Labels, int], tuple[int, float]]) -> Labels:
    """Generic loop: `pick(i, sims to earlier items, their labels, topics)` -> (topic, score)."""
    sims = x @ x.T
    labels = np.full(len(x), -1, dtype=np.int64)
    topics = 0
    for i in range(len(x)):
        best, s = pick(i, sims[i, :i], labels[:i], topics) if i else (-1, -np.inf)
        if best < 0 or s < t:
            best, topics = topics, topics + 1
        labels[i] = best
    return labels


def nearest_member(x: F32, t: float) -> Labels:
    """(b) Join the topic of the most similar earlier item."""

    def pick(i: int, s: F32, lab: Labels, n: int) -> tuple[int, float]:
        j = int(np.argmax(s))
        return int(lab[j]), float(s[j])

    return _online(x, t, pick)


def knn(k: int) -> Rule:
    """(c) Mean of the top-`k` member similarities per topic (fewer when a topic is smaller)."""

    def rule(x: F32, t: float) -> Labels:
        def pick(i: int, s: F32, lab: Labels, n: int) -> tuple[int, float]:
            idx = np.argpartition(-s, TOP)[:TOP] if len(s) > TOP else np.arange(len(s))
            idx = idx[np.argsort(-s[idx], kind="stable")]
            got: dict[int, list[float]] = {}
            for j in idx:
                top = got.setdefault(int(lab[j]), [])
                if len(top) < k:
                    top.append(float(s[j]))
            best = max(got.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))
            return best[0], sum(best[1]) / len(best[1])

        return _online(x, t, pick)

    return rule


def _centroid_rule(x: F32, t: float, margin: float | None) -> Labels:
    """(d) Cosine to the normalised centroid; with `margin`, (e) a per-topic radius: the
    threshold is max(t, mean member cosine - margin) once a topic has 3+ members."""
    sums = np.zeros_like(x)
    sizes = np.zeros(len(x), dtype=np.int64)
    cos_sum = np.zeros(len(x))  # sum of member cosines to the centroid when they joined
    labels = np.zeros(len(x), dtype=np.int64)
    topics = 0
    for i, v in enumerate(x):
        best = -1
        if topics:
            c = sums[:topics]
            cos = (c @ v) / np.maximum(np.linalg.norm(c, axis=1), 1e-9)
            need = np.full(topics, t)
            if margin is not None:
                big = sizes[:topics] >= 3
                radius = cos_sum[:topics] / np.maximum(sizes[:topics] - 1, 1) - margin
                need[big] = np.maximum(t, radius[big])
            ok = np.flatnonzero(cos >= need)
            if len(ok):
                best = int(ok[np.argmax(cos[ok])])
                cos_sum[best] += cos[best]
        if best < 0:
            best, topics = topics, topics + 1
        sums[best] += v
        sizes[best] += 1
        labels[i] = best
    return labels


def cosine_centroid(x: F32, t: float) -> Labels:
    return _centroid_rule(x, t, None)


def radius(margin: float) -> Rule:
    return lambda x, t: _centroid_rule(x, t, margin)


def guarded_nearest(floor: float) -> Rule:
    """(e) Nearest member at `t`, but only into a topic whose mean similarity is >= `floor`
    (guards the single-link chaining of (b))."""

    def rule(x: F32, t: float) -> Labels:
        sums = np.zeros_like(x)
        sizes = np.zeros(len(x), dtype=np.int64)
        labels = np.zeros(len(x), dtype=np.int64)
        topics = 0
        for i, v in enumerate(x):
            best = -1
            if i:
                s = x[:i] @ v
                order = np.argsort(-s, kind="stable")[:TOP]
                for j in order:
                    if s[j] < t:
                        break
                    cand = labels[j]
                    if float(sums[cand] @ v) / sizes[cand] >= floor:
                        best = int(cand)
                        break
            if best < 0:
                best, topics = topics, topics + 1
            sums[best] += v
            sizes[best] += 1
            labels[i] = best
        return labels

    return rule


RULES: dict[str, tuple[Rule, list[float]]] = {
    "a today (mean sim)": (today, [0.10, 0.125, 0.15, 0.175, 0.2, 0.25]),
    "b nearest member": (nearest_member, [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]),
    "c knn k=3": (knn(3), [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]),
    "c knn k=5": (knn(5), [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]),
    "d cos centroid": (cosine_centroid, [0.15, 0.2, 0.225, 0.25, 0.275, 0.3, 0.35, 0.4]),
    "e radius m=0.1": (radius(0.1), [0.15, 0.2, 0.25, 0.3, 0.35]),
    "e radius m=0.2": (radius(0.2), [0.15, 0.2, 0.25, 0.3, 0.35]),
    "e nn+mean>=0.15": (guarded_nearest(0.15), [0.25, 0.3, 0.35, 0.4, 0.45, 0.5]),
    "e nn+mean>=0.25": (guarded_nearest(0.25), [0.25, 0.3, 0.35, 0.4, 0.45, 0.5]),
}


def demo_vectors(seed: int, size: int) -> tuple[list[str], F32]:
    world = generate(seed=seed, n_feedback=size)
    truth = [world.truth[f"{x.get('source') or 'demo'}/{x['external_id']}"] for x in world.feedback]
    raw = embed_cached(
        build_embedder("use-m3"), [redact(normalize_text(x["text"])).text for x in world.feedback]
    )
    model = vectors_only(None)  # as the pipeline: observe each batch, then prepare it
    parts = []
    for start in range(0, len(raw), BATCH):
        batch = np.asarray(raw[start : start + BATCH], dtype=np.float32)
        model.observe(batch)
        parts.append(model.prepare(batch))
    return truth, np.vstack(parts).astype(np.float32)


def minibar_sets(datasets: Path) -> list[tuple[npt.NDArray[np.int64], F32]]:
    embedder = build_embedder("use-m3")
    background = read_background(datasets)
    bg = embed_cached(embedder, background) if background else None
    out = []
    for f in read_clustering_files(datasets):
        model = vectors_only(None)
        if bg is not None:
            model.observe(bg)
        vectors = embed_cached(embedder, f.texts)
        model.observe(vectors)
        out.append((f.truth, np.asarray(model.prepare(vectors), dtype=np.float32)))
    return out


def worst_share(s: dict) -> tuple[str, float]:
    shares = {p: v["largest_share"] for p, v in s["per_problem"].items() if p != "noise"}
    p = min(shares, key=shares.__getitem__)
    return p, shares[p]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--datasets", type=Path, default=Path("/work/shared/datasets"))
    ap.add_argument("--minibar-rules", type=int, default=3, help="best rules scored on Mini-BAR")
    args = ap.parse_args()
    t0 = time.perf_counter()
    truth, x = demo_vectors(args.seed, args.size)
    took = time.perf_counter() - t0
    print(f"demo world seed {args.seed}: {len(x)} reports, prepared in {took:.0f}s")
    minibar = minibar_sets(args.datasets)
    header = f"{'rule':<20}{'thr':>6}{'ARI':>7}{'hom':>7}{'comp':>7}{'topics':>7}  worst share"
    best: list[tuple[float, str, float, dict]] = []
    for name, (rule, grid) in RULES.items():
        t1 = time.perf_counter()
        rows = []
        for t in grid:
            s = score(truth, rule(x, t).tolist())
            rows.append((t, s))
        print(f"\n{name}  ({time.perf_counter() - t1:.1f}s)\n{header}")
        top = max(
            rows, key=lambda r: r[1]["ari"] if r[1]["homogeneity"] >= 0.95 else -1 + r[1]["ari"]
        )
        for t, s in rows:
            p, share = worst_share(s)
            mark = " <- best" if t == top[0] else ""
            print(
                f"{name:<20}{t:>6.3g}{s['ari']:>7.3f}{s['homogeneity']:>7.3f}"
                f"{s['completeness']:>7.3f}{s['topics']:>7}  {share:.0%} {p}{mark}"
            )
        best.append((top[1]["ari"], name, top[0], top[1]))
    best.sort(key=lambda b: -b[0])
    print("\nbest setting per rule (homogeneity >= 0.95 preferred), with Mini-BAR mean ARI:")
    cols = f"{'rule':<20}{'thr':>6}{'ARI':>7}{'hom':>7}{'comp':>7}"
    print(f"{cols}  worst share   Mini-BAR ARI (per file)")
    for rank, (_, name, t, s) in enumerate(best):
        p, share = worst_share(s)
        mb = ""
        if rank < args.minibar_rules or name.startswith("a "):
            aris = [adjusted_rand_index(y, RULES[name][0](v, t)) for y, v in minibar]
            mb = f"{np.mean(aris):.3f} (" + " ".join(f"{a:.2f}" for a in aris) + ")"
        print(
            f"{name:<20}{t:>6.3g}{s['ari']:>7.3f}{s['homogeneity']:>7.3f}"
            f"{s['completeness']:>7.3f}  {share:>4.0%} {p:<16}{mb}"
        )
    print(f"\ntotal {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
