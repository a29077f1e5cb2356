"""Topic clustering on Mini-BAR: ARI, V-measure and nearest-neighbour-in-cluster rate.

Data: ``minibar/clustering/<app>.<problem_report|feature_request>.csv`` (4 files of 200
English/French reviews; ``ground_truth`` is a hand-made cluster id). Each file is clustered on
its own with ONE fixed parameter set (:data:`userloop.triage.topics.cluster.DEFAULT`).

Protocol, as the product runs: a :class:`TopicSpace` is fed the corpus statistics first (the
running embedding mean and the n-gram document frequencies), then prepares the file's
vectors. The corpus is the 8,000 unlabelled reviews of ``minibar/classification/`` of the same
two apps (what a maker's earlier feedback gives the running statistics in production) plus the
file itself; ``background=False`` uses the file alone. No labels are used anywhere but in
scoring. Reported:

* ``batch``: :func:`cluster` (average linkage + local moves) with the lexical channel;
* ``online``: :func:`assign` item by item in file order, topics' centroids updated as items
  join (what the pipeline does between re-clusterings);
* ``embedding only``: the same without the lexical channel (vectors alone);
* a curve of batch ARI / V-measure over join thresholds (same vectors, nothing re-embedded).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn import metrics

from userloop.eval.data import DEFAULT_CACHE_DIR, embed_cached
from userloop.triage.embed.base import Embedder
from userloop.triage.topics.cluster import (
    DEFAULT,
    VECTORS_ONLY,
    ClusterParams,
    TopicSpace,
    assign,
    cluster,
    update_centroid,
)

IntArray = npt.NDArray[np.int64]

CURVE_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 + 0.025 * i, 3) for i in range(11))

DEFINITIONS = {
    "ARI": "adjusted Rand index: agreement of the pairs (same topic or not) with the hand-made "
    "clusters, corrected for chance; 0 = chance, 1 = identical",
    "V": "V-measure: harmonic mean of homogeneity (each topic holds one true cluster) and "
    "completeness (each true cluster lies in one topic)",
    "NN": "nearest-neighbour-in-cluster rate: share of items whose most similar other item (dot "
    "product of prepared vectors) has the same true cluster; items whose true cluster is a "
    "singleton count as misses (NN>1: the rate over items whose true cluster has 2+ members)",
    "online": "ARI of assign() applied item by item in file order",
    "emb-only": "the same without the lexical channel, with the VECTORS_ONLY parameters",
}


@dataclass(frozen=True, slots=True)
class LabelledFile:
    name: str
    texts: list[str]
    truth: IntArray
    languages: list[str]


def read_clustering_files(datasets_dir: Path) -> list[LabelledFile]:
    """The four Mini-BAR clustering files (``datasets_dir`` holds ``minibar/``, or is the
    folder of the CSV files itself)."""
    folder = datasets_dir / "minibar" / "clustering"
    if not folder.is_dir():
        folder = datasets_dir
    files = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if not rows or "ground_truth" not in rows[0]:
            continue
        files.append(
            LabelledFile(
                name=path.stem,
                texts=[r["data"] for r in rows],
                truth=np.array([int(r["ground_truth"]) for r in rows], dtype=np.int64),
                languages=[r.get("ori_lang", "") for r in rows],
            )
        )
    if not files:
        raise FileNotFoundError(f"no clustering CSV files under {folder}")
    return files


def read_background(datasets_dir: Path) -> list[str]:
    """Texts of ``minibar/classification/*.csv`` (unlabelled use only); [] when absent."""
    texts: list[str] = []
    for path in sorted((datasets_dir / "minibar" / "classification").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            texts.extend(r["data"] for r in csv.DictReader(f))
    return texts


# --- metrics ----------------------------------------------------------------------------------


def adjusted_rand_index(truth: npt.ArrayLike, pred: npt.ArrayLike) -> float:
    """Hubert & Arabie's ARI (sklearn's ``adjusted_rand_score``)."""
    return float(metrics.adjusted_rand_score(np.asarray(truth), np.asarray(pred)))


def v_measure(truth: npt.ArrayLike, pred: npt.ArrayLike) -> float:
    """Rosenberg & Hirschberg's V-measure (beta = 1; sklearn's ``v_measure_score``)."""
    return float(metrics.v_measure_score(np.asarray(truth), np.asarray(pred)))


def nn_in_cluster(vectors: npt.ArrayLike, truth: npt.ArrayLike) -> tuple[float, float]:
    """(rate over all items, rate over items whose true cluster has 2+ members)."""
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(truth)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    hit = y[np.argmax(sims, axis=1)] == y
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    multi = counts[inverse.reshape(-1)] > 1
    return float(hit.mean()), float(hit[multi].mean()) if multi.any() else 0.0


def online_labels(vectors: npt.ArrayLike, params: ClusterParams = DEFAULT) -> IntArray:
    """:func:`assign` over the rows in order, each joining or opening a topic."""
    x = np.asarray(vectors, dtype=np.float32)
    centroids = np.zeros_like(x)
    sizes = np.zeros(len(x), dtype=np.int64)
    topics = 0
    labels = np.zeros(len(x), dtype=np.int64)
    for i, v in enumerate(x):
        index, _ = assign(v, centroids[:topics], params)
        if index is None:
            index = topics
            topics += 1
        centroids[index], sizes[index] = update_centroid(centroids[index], int(sizes[index]), v)
        labels[i] = index
    return labels


# --- the evaluation ------------------------------------------------------------------------


def _base_space(
    background: tuple[list[str], npt.NDArray[np.float32]] | None,
    params: ClusterParams,
    lexical: bool,
) -> TopicSpace:
    space = TopicSpace(params, lexical=lexical, learn=False)
    if background is not None:
        space.observe(background[1], background[0] if lexical else None)
    return space


def _prepare(
    f: LabelledFile, vectors: npt.NDArray[np.float32], base: TopicSpace
) -> npt.NDArray[np.float32]:
    space = TopicSpace.from_state(base.state(), base.params, lexical=base.lexical, learn=False)
    texts = f.texts if base.lexical else None
    space.observe(vectors, texts)
    return space.prepare(vectors, texts)


def _scores(truth: IntArray, labels: IntArray) -> dict[str, float]:
    return {
        "ARI": adjusted_rand_index(truth, labels),
        "V": v_measure(truth, labels),
        "topics": float(len(np.unique(labels))),
    }


def _mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}


def run_clustering_eval(
    datasets_dir: Path,
    embedder: Embedder,
    params: ClusterParams = DEFAULT,
    *,
    vectors_params: ClusterParams = VECTORS_ONLY,
    background: bool = True,
    thresholds: Sequence[float] = CURVE_THRESHOLDS,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Cluster each Mini-BAR file with ``params``; print and return per-file and mean ARI,
    V-measure and NN rate, the online and embedding-only ARI, and the threshold curve."""
    files = read_clustering_files(datasets_dir)
    bg: tuple[list[str], npt.NDArray[np.float32]] | None = None
    if background:
        bg_texts = read_background(datasets_dir)
        if bg_texts:
            bg = (bg_texts, embed_cached(embedder, bg_texts, cache_dir))
    base_lexical = _base_space(bg, params, lexical=True)
    base_vectors = _base_space(bg, vectors_params, lexical=False)
    per_file: dict[str, dict[str, float]] = {}
    by_threshold: dict[float, list[dict[str, float]]] = {t: [] for t in thresholds}
    for f in files:
        vectors = embed_cached(embedder, f.texts, cache_dir)
        x = _prepare(f, vectors, base_lexical)
        e = _prepare(f, vectors, base_vectors)
        row = _scores(f.truth, cluster(x, params))
        row["NN"], row["NN>1"] = nn_in_cluster(x, f.truth)
        row["online"] = adjusted_rand_index(f.truth, online_labels(x, params))
        row["ARI emb-only"] = adjusted_rand_index(f.truth, cluster(e, vectors_params))
        row["NN emb-only"] = nn_in_cluster(e, f.truth)[0]
        per_file[f.name] = row
        for t in thresholds:
            point = _scores(f.truth, cluster(x, replace(params, join_threshold=t)))
            point["online ARI"] = adjusted_rand_index(
                f.truth, online_labels(x, replace(params, join_threshold=t))
            )
            point["emb-only ARI"] = adjusted_rand_index(
                f.truth, cluster(e, replace(vectors_params, join_threshold=t))
            )
            by_threshold[t].append(point)
    result: dict[str, Any] = {
        "dataset": "Mini-BAR clustering (github.com/Jl-wei/mini-bar), 4 files x 200 reviews",
        "embedder": f"{embedder.name}@{embedder.version}",
        "params": asdict(params),
        "vectors_params": asdict(vectors_params),
        "background_texts": 0 if bg is None else len(bg[0]),
        "files": per_file,
        "mean": _mean(list(per_file.values())),
        "curve": [{"threshold": t, **_mean(by_threshold[t])} for t in thresholds],
        "definitions": DEFINITIONS,
    }
    _print(result, out)
    return result


def _print(result: dict[str, Any], out: Callable[[str], None]) -> None:
    out(f"Topic clustering on {result['dataset']}; embedder {result['embedder']}")
    out(f"params: {result['params']}")
    out(f"emb-only params: {result['vectors_params']}")
    out(
        f"background texts (unlabelled, for the running mean and n-gram frequencies): "
        f"{result['background_texts']}"
    )
    keys = ["ARI", "V", "NN", "NN>1", "topics", "online", "ARI emb-only", "NN emb-only"]
    out(f"{'file':<36}" + "".join(f"{k:>13}" for k in keys))
    rows = [*result["files"].items(), ("MEAN", result["mean"])]
    for name, row in rows:
        out(f"{name:<36}" + "".join(f"{row[k]:>13.3f}" for k in keys))
    out("threshold curve (mean over files; batch ARI / V / topics, online ARI, emb-only ARI):")
    for c in result["curve"]:
        out(
            f"  t={c['threshold']:.3f}  ARI {c['ARI']:.3f}  V {c['V']:.3f}  "
            f"topics {c['topics']:5.1f}  online {c['online ARI']:.3f}  "
            f"emb-only {c['emb-only ARI']:.3f}"
        )
    out("definitions:")
    for key, text in result["definitions"].items():
        out(f"  {key}: {text}")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m userloop.eval.clustering [DATASETS_DIR] [--no-background] [--json]``."""
    from userloop.triage.embed.use_m3 import UseM3Embedder

    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a for a in args if a.startswith("--")}
    paths = [a for a in args if not a.startswith("--")]
    datasets = Path(paths[0]) if paths else Path("../shared/datasets")
    result = run_clustering_eval(
        datasets, UseM3Embedder(threads=2), background="--no-background" not in flags
    )
    if "--json" in flags:
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
