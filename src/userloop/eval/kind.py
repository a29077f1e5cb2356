"""Kind classification (and sentiment) on Mini-BAR: train on one app, test on the other.

Data: ``minibar/classification/<app>.<en|fr>.csv`` for Garmin Connect and Huawei Health,
2,000 Google Play reviews per file, with multi-label 0/1 columns ``problem_report`` (our
``bug``), ``feature_request`` (``feature``) and ``irrelevant``, and the star ``score``. It is
read in place; no text of it enters the project.

Protocol (:func:`run_kind_eval`): a model is trained with :func:`train_kind` exactly as the
shipped one is (same weak labels, seed examples, regularisation and thresholds chosen by
cross-validation on the training side only) and scored on data it never saw:

* cross-app: Garmin (en + fr) -> Huawei (en + fr), and Huawei -> Garmin;
* cross-language: en (both apps) -> fr (both apps), and fr -> en; the seed examples in the
  test language are left out of training.

Weak labels for the kinds Mini-BAR lacks (:func:`weak_targets`):

* ``praise`` = ``irrelevant`` with 4-5 stars (a review that is neither a bug nor a wish and
  rates the app well is, on inspection, almost always praise); not praise: ``irrelevant`` with
  1-2 stars, and bug or wish reports with 1-3 stars; unknown: 3-star ``irrelevant`` reviews and
  4-5-star bug or wish reports (often "great app, but ...": praise and a wish at once).
* ``other`` = ``irrelevant`` with 1-3 stars (rants, "meh", off-topic); not other: every bug
  or wish report and every 4-5-star review.
* ``question``: Mini-BAR has no such label, and its questions are mostly rhetorical or part of
  a bug report; a review without ``?`` is not a question, one with ``?`` is unknown. Positive
  examples come from our seed examples only.

Every metric is on the test side's own labels: ``bug`` and ``feature`` against the human
labels, ``irrelevant`` (= neither label predicted) against ``irrelevant``, and ``praise`` /
``other`` against the weak labels above (marked weak).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.eval.data import DEFAULT_CACHE_DIR, embed_cached
from userloop.triage.embed.base import Embedder, Vectors
from userloop.triage.kind import KindModel
from userloop.triage.sentiment import SentimentModel, rating_score
from userloop.triage.stages import KINDS
from userloop.triage.training.fitting import best_threshold, f1_at
from userloop.triage.training.kind import (
    CUE_SCALE,
    LEXICAL_BUCKETS,
    KindTarget,
    load_seed_examples,
    seed_examples_digest,
    train_kind,
)
from userloop.triage.training.sentiment import train_sentiment

MINIBAR_CLASSIFICATION = Path("minibar/classification")
APPS: tuple[str, ...] = ("garmin-connect", "huawei-health")
LANGS: tuple[str, ...] = ("en", "fr")

#: Training weight of one seed example and one staff correction (a Mini-BAR review weighs 1).
SEED_WEIGHT = 1.0
CORRECTION_WEIGHT = 5.0

DEFINITIONS = {
    "P": "precision: of the items given the label, the share that carry it in the data",
    "R": "recall: of the items that carry the label in the data, the share given it",
    "F1": "harmonic mean of P and R for the positive class (the target's metric)",
    "F1 macro": "mean of the F1 of the positive and of the negative class (what some papers "
    "call F1; shown for comparison only)",
    "oracle F1": "F1 at the threshold that is best ON THE TEST SIDE: not a valid result, an "
    "upper bound showing how much a better threshold could still give",
    "irrelevant": "predicted = neither bug nor feature among the labels",
    "praise (weak)": "against irrelevant with 4-5 stars (see weak_targets)",
    "other (weak)": "against irrelevant with 1-3 stars (see weak_targets)",
    "spearman": "rank correlation of the text score with the star rating",
    "sign acc": "share of 1-2 star (4-5 star) reviews whose text score is < 0 (> 0)",
    "MAE": "mean |text score - (stars - 3) / 2|",
}

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Review:
    text: str
    stars: int
    bug: bool
    feature: bool
    irrelevant: bool
    app: str
    lang: str


def read_minibar(
    datasets_dir: Path, apps: Sequence[str] = APPS, langs: Sequence[str] = LANGS
) -> list[Review]:
    """The classification reviews of ``apps`` in ``langs``, file by file, in file order."""
    out: list[Review] = []
    for app in apps:
        for lang in langs:
            path = datasets_dir / MINIBAR_CLASSIFICATION / f"{app}.{lang}.csv"
            with path.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    out.append(
                        Review(
                            text=row["data"],
                            stars=int(row["score"]),
                            bug=row["problem_report"] == "1",
                            feature=row["feature_request"] == "1",
                            irrelevant=row["irrelevant"] == "1",
                            app=app,
                            lang=lang,
                        )
                    )
    return out


def weak_targets(r: Review) -> dict[str, bool | None]:
    """The kind targets of one Mini-BAR review (None: unknown); see the module docstring."""
    actionable = r.bug or r.feature
    praise: bool | None
    if r.irrelevant and r.stars >= 4:
        praise = True
    elif (r.irrelevant and r.stars <= 2) or (actionable and r.stars <= 3):
        praise = False
    else:
        praise = None
    return {
        "bug": r.bug,
        "feature": r.feature,
        "question": None if "?" in r.text or "？" in r.text else False,
        "praise": praise,
        "other": r.irrelevant and r.stars <= 3,
    }


@dataclass(frozen=True, slots=True)
class TrainingSet:
    texts: list[str]
    labels: list[KindTarget]
    weights: list[float]
    description: str


def kind_training_set(
    reviews: Sequence[Review],
    *,
    seeds: Iterable[tuple[str, str, str]] | None = None,
    corrections: Sequence[tuple[str, str]] = (),
    seed_weight: float = SEED_WEIGHT,
    correction_weight: float = CORRECTION_WEIGHT,
) -> TrainingSet:
    """Mini-BAR reviews with :func:`weak_targets`, seed examples ``(text, kind, lang)`` (all
    of ours when None) and staff corrections ``(text, kind)``, with their training weights."""
    seed_rows = load_seed_examples() if seeds is None else list(seeds)
    texts = [r.text for r in reviews] + [s[0] for s in seed_rows] + [c[0] for c in corrections]
    labels: list[KindTarget] = [weak_targets(r) for r in reviews]
    labels += [s[1] for s in seed_rows] + [c[1] for c in corrections]
    weights = [1.0] * len(reviews) + [seed_weight] * len(seed_rows)
    weights += [correction_weight] * len(corrections)
    parts = sorted({f"{r.app}.{r.lang}" for r in reviews})
    description = (
        f"Mini-BAR classification ({', '.join(parts)}; {len(reviews)} reviews, weak labels "
        f"for question/praise/other as in userloop.eval.kind.weak_targets), "
        f"{len(seed_rows)} seed examples ({', '.join(sorted({s[2] for s in seed_rows}))}) "
        f"x{seed_weight:g}, {len(corrections)} staff corrections x{correction_weight:g}"
    )
    return TrainingSet(texts, labels, weights, description)


def read_corrections(path: Path) -> list[tuple[str, str]]:
    """Staff corrections from a JSONL file of ``{"text": ..., "kind": ...}``, one per line."""
    out: list[tuple[str, str]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{n}: expected an object with a text and a kind")
        kind = row.get("kind")
        if kind not in KINDS:
            raise ValueError(f"{path}:{n}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        out.append((row["text"], str(kind)))
    return out


def train_kind_model(
    datasets_dir: Path | None,
    embedder: Embedder,
    *,
    corrections: Sequence[tuple[str, str]] = (),
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    seed: int = 0,
) -> KindModel:
    """The shipped recipe: all of Mini-BAR (when ``datasets_dir`` is given), our seed
    examples and the staff ``corrections`` ``(text, kind)``, through :func:`train_kind`."""
    reviews: list[Review] = []
    blocks: list[Vectors] = []
    if datasets_dir is not None:
        for app in APPS:
            for lang in LANGS:
                part = read_minibar(datasets_dir, [app], [lang])
                reviews += part
                blocks.append(embed_cached(embedder, [r.text for r in part], cache_dir))
    ts = kind_training_set(reviews, corrections=corrections)
    rest = ts.texts[len(reviews) :]
    blocks.append(embed_cached(embedder, rest[: len(rest) - len(corrections)], cache_dir))
    if corrections:
        blocks.append(embedder.embed([c[0] for c in corrections]))
    model = train_kind(
        ts.texts,
        ts.labels,
        embedder,
        vectors=np.vstack(blocks),
        sample_weight=ts.weights,
        seed=seed,
        description=ts.description,
    )
    training = {**model.meta["training"], "seed_examples_sha256": seed_examples_digest()}
    return replace(model, meta={**model.meta, "training": training})


# --- scoring -----------------------------------------------------------------------------


def prf(y: BoolArray, pred: BoolArray) -> dict[str, float]:
    tp = float(np.sum(y & pred))
    p = tp / float(pred.sum()) if pred.any() else 0.0
    r = tp / float(y.sum()) if y.any() else 0.0
    return {
        "P": round(p, 4),
        "R": round(r, 4),
        "F1": round(f1_at(y, pred), 4),
        "F1 macro": round((f1_at(y, pred) + f1_at(~y, ~pred)) / 2, 4),
        "support": int(y.sum()),
    }


def _score_kind(model: KindModel, test: Sequence[Review], vectors: Vectors) -> dict[str, Any]:
    probs = model.scores([r.text for r in test], vectors)
    results = model.predict([r.text for r in test], vectors)
    col = {c: j for j, c in enumerate(model.classes)}

    def has(label: str) -> BoolArray:
        return np.array([label in res.labels for res in results])

    gold = {
        "bug": np.array([r.bug for r in test]),
        "feature": np.array([r.feature for r in test]),
        "irrelevant": np.array([r.irrelevant for r in test]),
    }
    out: dict[str, Any] = {}
    for name in ("bug", "feature"):
        row = prf(gold[name], has(name))
        _, oracle = best_threshold(gold[name], probs[:, col[name]])
        row["oracle F1"] = round(oracle, 4)
        out[name] = row
    out["irrelevant"] = prf(gold["irrelevant"], ~(has("bug") | has("feature")))
    weak = [weak_targets(r) for r in test]
    for name in ("praise", "other"):
        known = np.array([w[name] is not None for w in weak])
        y = np.array([bool(w[name]) for w in weak])
        out[f"{name} (weak)"] = prf(y[known], has(name)[known])
    kinds = [res.kind for res in results]
    out["primary kinds"] = {k: kinds.count(k) for k in model.classes}
    return out


def _mean_rows(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per class, the mean of each metric over ``rows`` (supports and counts left out)."""
    return {
        cls: {
            m: round(float(np.mean([r[cls][m] for r in rows])), 4)
            for m in metrics
            if m != "support"
        }
        for cls, metrics in rows[0].items()
        if isinstance(metrics, dict) and "F1" in metrics
    }


@dataclass
class _Data:
    reviews: list[Review]
    vectors: Vectors
    seeds: list[tuple[str, str, str]]
    seed_vectors: Vectors

    def part(self, keep: Callable[[Review], bool]) -> tuple[list[Review], Vectors]:
        """The reviews for which ``keep`` holds, and their vectors."""
        idx = [i for i, r in enumerate(self.reviews) if keep(r)]
        return [self.reviews[i] for i in idx], self.vectors[idx]


def _not(keep: Callable[[Review], bool]) -> Callable[[Review], bool]:
    return lambda r: not keep(r)


def _load(datasets_dir: Path, embedder: Embedder, cache_dir: Path | None) -> _Data:
    reviews: list[Review] = []
    blocks: list[Vectors] = []
    for app in APPS:
        for lang in LANGS:
            part = read_minibar(datasets_dir, [app], [lang])
            reviews += part
            blocks.append(embed_cached(embedder, [r.text for r in part], cache_dir))
    seeds = load_seed_examples()
    seed_vectors = embed_cached(embedder, [s[0] for s in seeds], cache_dir)
    return _Data(reviews, np.vstack(blocks), seeds, seed_vectors)


def _train(
    data: _Data,
    train: Sequence[Review],
    train_vectors: Vectors,
    embedder: Embedder,
    seed_langs: Callable[[str], bool],
    lexical: bool = True,
    cue_scale: float = CUE_SCALE,
) -> KindModel:
    keep = [i for i, s in enumerate(data.seeds) if seed_langs(s[2])]
    seeds = [data.seeds[i] for i in keep]
    ts = kind_training_set(train, seeds=seeds)
    vectors = np.vstack([train_vectors, data.seed_vectors[keep]])
    return train_kind(
        ts.texts,
        ts.labels,
        embedder,
        vectors=vectors,
        sample_weight=ts.weights,
        lexical_buckets=LEXICAL_BUCKETS if lexical else 0,
        cue_scale=cue_scale,
        description=ts.description,
    )


def _splits() -> list[tuple[str, Callable[[Review], bool], Callable[[str], bool]]]:
    """(name, is-training-review, is-training-seed-language); the test side is the rest."""
    return [
        (f"{APPS[0]} -> {APPS[1]}", lambda r: r.app == APPS[0], lambda lang: True),
        (f"{APPS[1]} -> {APPS[0]}", lambda r: r.app == APPS[1], lambda lang: True),
        ("en -> fr", lambda r: r.lang == "en", lambda lang: lang != "fr"),
        ("fr -> en", lambda r: r.lang == "fr", lambda lang: lang != "en"),
    ]


def run_kind_eval(
    datasets_dir: Path,
    embedder: Embedder,
    *,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    baseline: bool = True,
    ablations: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train and score the kind head on every split; print and return the metrics.

    ``baseline``: also score char TF-IDF + logistic regression on the cross-app splits (needs
    scikit-learn). ``ablations``: also, on every split, the head without
    seed examples, the head without its lexical residual, the head without the request
    cues (``kind.cues.request_cues``), and a joint logistic regression on embedding + lexical
    features (scikit-learn).
    """
    from userloop.eval import kind_baselines  # it builds on this module's types

    t0 = time.perf_counter()
    data = _load(datasets_dir, embedder, cache_dir)
    result: dict[str, Any] = {
        "dataset": "Mini-BAR classification (github.com/Jl-wei/mini-bar, MIT)",
        "embedder": f"{embedder.name}@{embedder.version}",
        "splits": {},
        "definitions": DEFINITIONS,
    }
    for name, is_train, seed_ok in _splits():
        train, train_v = data.part(is_train)
        test, test_v = data.part(_not(is_train))
        model = _train(data, train, train_v, embedder, seed_ok)
        split: dict[str, Any] = {"train": len(train), "test": len(test)}
        split["head"] = _score_kind(model, test, test_v)
        split["thresholds"] = model.meta["training"]["per_class"]
        if ablations:
            split["head, no seeds"] = _score_kind(
                _train(data, train, train_v, embedder, lambda lang: False), test, test_v
            )
            split["head, no lexical"] = _score_kind(
                _train(data, train, train_v, embedder, seed_ok, lexical=False), test, test_v
            )
            split["head, no request cues"] = _score_kind(
                _train(data, train, train_v, embedder, seed_ok, cue_scale=0.0), test, test_v
            )
            split["joint LR, no seeds"] = kind_baselines.joint_lexical(train, train_v, test, test_v)
        if baseline and name in _cross_app_names():
            split["baseline char TF-IDF + LR"] = kind_baselines.tfidf_baseline(train, test)
        result["splits"][name] = split
    result["cross-app mean"] = _mean_rows([result["splits"][n]["head"] for n in _cross_app_names()])
    result["cross-language mean"] = _mean_rows(
        [result["splits"][n]["head"] for n in ("en -> fr", "fr -> en")]
    )
    result["sentiment"] = _sentiment_eval(data, embedder)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    _print(result, out)
    return result


def _cross_app_names() -> tuple[str, str]:
    return (f"{APPS[0]} -> {APPS[1]}", f"{APPS[1]} -> {APPS[0]}")


# --- sentiment ---------------------------------------------------------------------------


def _spearman(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    def ranks(v: npt.ArrayLike) -> npt.NDArray[np.float64]:
        x = np.asarray(v, dtype=np.float64)
        order = np.argsort(x, kind="mergesort")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=np.float64)
        # average ranks over ties
        _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
        sums = np.bincount(inv, weights=r)
        return np.asarray(sums[inv] / counts[inv], dtype=np.float64)

    ra, rb = ranks(a), ranks(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def score_sentiment(
    model: SentimentModel, stars: Sequence[int], vectors: Vectors
) -> dict[str, Any]:
    """Spearman, sign accuracy and MAE of the text score against the star ratings."""
    s = model.text_scores(vectors).astype(np.float64)
    st = np.asarray(stars)
    polar = st != 3
    target = np.array([rating_score(int(v)) for v in st])
    return {
        "spearman": round(_spearman(s, st), 4),
        "sign acc": round(float(np.mean(np.sign(s[polar]) == np.sign(target[polar]))), 4),
        "MAE": round(float(np.mean(np.abs(s - target))), 4),
        "n": len(st),
    }


def _sentiment_eval(data: _Data, embedder: Embedder) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, is_train, _ in _splits():
        train, train_v = data.part(is_train)
        test, test_v = data.part(_not(is_train))
        model = train_sentiment(
            [r.text for r in train], [r.stars for r in train], embedder, vectors=train_v
        )
        out[name] = score_sentiment(model, [r.stars for r in test], test_v)
        out[name]["alpha"] = model.meta["training"]["alpha"]
    return out


# --- report ------------------------------------------------------------------------------


def _print(result: dict[str, Any], out: Callable[[str], None]) -> None:
    out(f"Kind classification on {result['dataset']}; embedder {result['embedder']}")
    metrics = ("P", "R", "F1", "F1 macro", "oracle F1")
    header = f"{'split / model':<44}{'class':<15}" + "".join(f"{m:>10}" for m in metrics)
    out(header)

    def rows(title: str, block: dict[str, Any]) -> None:
        for cls, row in block.items():
            if not isinstance(row, dict) or "F1" not in row:
                continue
            cells = "".join(f"{row[m]:>10.3f}" if m in row else f"{'':>10}" for m in metrics)
            out(f"{title:<44}{cls:<15}{cells}")
            title = ""

    for name, split in result["splits"].items():
        for key, block in split.items():
            if isinstance(block, dict) and key not in ("thresholds",):
                rows(f"{name} [{key}]", block)
    rows("MEAN cross-app [head]", result["cross-app mean"])
    rows("MEAN cross-language [head]", result["cross-language mean"])
    out("Sentiment (text score vs stars):")
    for name, row in result["sentiment"].items():
        out(
            f"  {name:<40} spearman {row['spearman']:.3f}  sign acc {row['sign acc']:.3f}  "
            f"MAE {row['MAE']:.3f}  (alpha {row['alpha']:g})"
        )
    out("definitions:")
    for key, text in result["definitions"].items():
        out(f"  {key}: {text}")
    out(f"({result['seconds']} s)")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m userloop.eval.kind [DATASETS_DIR] [--ablations] [--json]``."""
    from userloop.triage.embed.use_m3 import UseM3Embedder

    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a for a in args if a.startswith("--")}
    paths = [a for a in args if not a.startswith("--")]
    datasets = Path(paths[0]) if paths else Path("../shared/datasets")
    result = run_kind_eval(datasets, UseM3Embedder(threads=2), ablations="--ablations" in flags)
    if "--json" in flags:
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
