"""Topic quality of the product itself, end to end, on the Mini-BAR clustering files.

Where :mod:`userloop.eval.clustering` scores the clustering functions on prepared vectors, this
runs what a deployment runs: each file's 200 reviews go through intake into a fresh SQLite
store, the triage pipeline assigns them to topics online in file order, then re-clustering
runs twice (the second run must change nothing). With ``background=True`` the 8,000 unlabelled
classification reviews are triaged first as another product, so the topic space's running
mean has seen a maker's earlier feedback. Scored: ARI of the stored topic ids against the
hand-made clusters, after online assignment and after each re-clustering.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from userloop.config import Settings
from userloop.container import Services, build_triage
from userloop.eval.clustering import adjusted_rand_index, read_background, read_clustering_files
from userloop.eval.triager_sim import CHECKPOINTS, simulate_triager
from userloop.store import Store
from userloop.triage.pipeline import TriageComponents

DEFINITIONS = {
    "online": "ARI of the topics after the pipeline's online assignment, items in file order",
    "recluster": "ARI after `userloop recluster` (regroup, merge, split)",
    "again": "ARI after a second re-clustering, which should change nothing",
    "topics": "live topics of the file's product after re-clustering",
}

_CHUNK = 1000


def _labels(services: Services, ids: list[int | None]) -> np.ndarray:
    with services.store.read() as conn:
        topic_of = {f: t for f, t, _ in services.store.triage.assignments(conn)}
    # An item without a topic (none should be) counts as a topic of its own.
    return np.array(
        [topic_of.get(i, -1 - k) if i is not None else -1 - k for k, i in enumerate(ids)],
        dtype=np.int64,
    )


def run_topics_e2e(
    datasets_dir: Path,
    components: Callable[[Settings], TriageComponents] | None = None,
    *,
    settings: Settings | None = None,
    background: bool = False,
    suggestions: int = 0,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score the product's topics per Mini-BAR clustering file (see the module doc).

    ``components`` builds the triage stages from the run's settings (default: the real ones,
    from ``settings``, whose database URL is replaced by a temporary SQLite file per file)."""
    base = settings or Settings()
    files = read_clustering_files(datasets_dir)
    bg_texts = read_background(datasets_dir) if background else []
    per_file: dict[str, dict[str, float]] = {}
    marks = [k for k in CHECKPOINTS if k < suggestions] + [suggestions] if suggestions else []
    curves: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="userloop-e2e-") as tmp:
        for f in files:
            url = f"sqlite:///{Path(tmp) / (f.name + '.db')}"
            run_settings = base.model_copy(update={"database_url": url})
            store = Store.from_url(url)
            triage = None
            if components is not None:
                triage = build_triage(run_settings, store, components(run_settings))
            services = Services.build(run_settings, store, triage)
            try:
                services.store.upgrade()
                for start in range(0, len(bg_texts), _CHUNK):
                    chunk = bg_texts[start : start + _CHUNK]
                    services.intake.submit_batch(
                        [
                            {"text": t, "product": "earlier", "external_id": f"b{start + k}"}
                            for k, t in enumerate(chunk)
                        ],
                        default_source="eval",
                    )
                services.triage.drain()
                results = services.intake.submit_batch(
                    [
                        {"text": t, "product": "file", "external_id": f"r{k}"}
                        for k, t in enumerate(f.texts)
                    ],
                    default_source="eval",
                )
                ids = [r.id for r in results]
                services.triage.drain()
                row = {"online": adjusted_rand_index(f.truth, _labels(services, ids))}
                services.triage.recluster()
                row["recluster"] = adjusted_rand_index(f.truth, _labels(services, ids))
                services.triage.recluster()
                again = _labels(services, ids)
                row["again"] = adjusted_rand_index(f.truth, again)
                row["topics"] = float(len(np.unique(again)))
                if marks:
                    truth = {i: str(t) for i, t in zip(ids, f.truth, strict=True) if i is not None}
                    curves[f.name] = simulate_triager(
                        services,
                        truth,
                        lambda: {"ari": adjusted_rand_index(f.truth, _labels(services, ids))},  # noqa: B023
                        checkpoints=marks,
                    )
            finally:
                services.store.close()
            per_file[f.name] = row
    keys = list(DEFINITIONS)
    mean = {k: float(np.mean([r[k] for r in per_file.values()])) for k in keys}
    result: dict[str, Any] = {
        "dataset": "Mini-BAR clustering (github.com/Jl-wei/mini-bar), 4 files x 200 reviews",
        "background_texts": len(bg_texts),
        "files": per_file,
        "mean": mean,
        "definitions": DEFINITIONS,
    }
    out(
        f"Product topics end to end on {result['dataset']} "
        f"(intake, triage, re-clustering; {len(bg_texts)} earlier reviews first)"
    )
    out(f"{'file':<36}" + "".join(f"{k:>11}" for k in keys))
    for name, row in [*per_file.items(), ("MEAN", mean)]:
        out(f"{name:<36}" + "".join(f"{row[k]:>11.3f}" for k in keys))
    if curves:
        # A file whose true suggestions ran out keeps its last ARI at later checkpoints.
        curve = {
            k: float(
                np.mean(
                    [
                        max((p for p in c if p["accepted"] <= k), key=lambda p: p["accepted"])[
                            "ari"
                        ]
                        for c in curves.values()
                    ]
                )
            )
            for k in marks
        }
        result["suggestions"] = {"files": curves, "mean_ari": curve}
        out("simulated triager, mean ARI after k accepted true suggestions (closest first):")
        out("  " + "  ".join(f"{k}: {v:.3f}" for k, v in curve.items()))
    out("definitions:")
    for key, text in DEFINITIONS.items():
        out(f"  {key}: {text}")
    return result
