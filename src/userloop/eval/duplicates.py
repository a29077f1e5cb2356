"""Duplicate retrieval on GitBugs Hadoop: recall-rate@k of BM25, USE-m3 and their fusion.

Data: 2,503 Hadoop Jira issues and the pairs files (126 rows combined = 100 train + 26 test;
one test row names two linked issues). A pairs row links an issue to the issue(s) it
duplicates, but the files hold links rather than directions (122 of the 127 pairs appear in
both directions, 19 of the 26 test rows have their reverse among the train rows), so two
protocols are reported:

``all-candidates`` (the pairs files as given): every row is a query; the query issue is ranked
against all 2,502 other issues; a hit at k when any of the row's linked issues is in the top
k. 100 train / 26 test / 126 combined queries.

``chronological`` (what the product sees): each link is read as duplicate = the later-created
issue, master = the earlier; the duplicate is ranked against the issues created before it
only; links of one duplicate are merged into one query (hit when any master is in the top
k). A split holds the links that appear (in either direction) in its pairs file.

Texts: an issue is its summary, ". ", then its description without code / noformat / quote
blocks, markup and URLs (:func:`userloop.eval.data.clean_jira_text`). Methods: ``bm25`` over
that text (the query is the whole text too); ``use-m3 summary``; ``use-m3 summary+desc200``
(summary and the first 200 characters of the description, the best of 200 / 500 / 1,000 /
all on the train pairs); ``hybrid``: :func:`userloop.triage.lexical.fuse` of the 100 best
BM25 hits and the 100 best ``summary+desc200`` hits, as the product's ``similar`` command
does, with the lexical weight chosen on the 100 train rows only (best recall@10, then best
mean of recall@1/5/10, then the smaller weight) and applied unchanged to test and combined.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from userloop.eval.data import (
    DEFAULT_CACHE_DIR,
    JiraIssue,
    Split,
    clean_jira_text,
    embed_cached,
    read_hadoop_issues,
    read_hadoop_links,
)
from userloop.triage.embed.base import Embedder
from userloop.triage.lexical import BM25Index, FuseMethod, fuse

Protocol = Literal["all-candidates", "chronological"]
PROTOCOLS: tuple[Protocol, ...] = ("all-candidates", "chronological")
SPLITS: tuple[Split, ...] = ("train", "test", "combined")
KS = (1, 5, 10)
POOL = 100  # hits taken from each side before fusion
DESCRIPTION_PREFIX = 200
WEIGHT_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Query:
    issue: int  # row of the query issue
    relevant: tuple[int, ...]  # rows of the issues that count as hits
    candidates: npt.NDArray[np.bool_]  # rows that may be ranked


def issue_text(issue: JiraIssue, description_chars: int | None = None) -> str:
    description = clean_jira_text(issue.description)
    if description_chars is not None:
        description = description[:description_chars]
    return f"{issue.summary}. {description}".strip()


def build_queries(
    issues: Sequence[JiraIssue], datasets_dir: Path, split: Split, protocol: Protocol
) -> list[Query]:
    row = {issue.id: i for i, issue in enumerate(issues)}
    links = read_hadoop_links(datasets_dir, split)
    n = len(issues)
    if protocol == "all-candidates":
        out: list[Query] = []
        for link in links:
            candidates = np.ones(n, dtype=np.bool_)
            candidates[row[link.issue_id]] = False
            relevant = tuple(row[x] for x in link.linked_ids)
            out.append(Query(row[link.issue_id], relevant, candidates))
        return out
    created = np.array([issue.created.timestamp() for issue in issues])
    masters: dict[int, set[int]] = defaultdict(set)
    for link in links:
        for other in link.linked_ids:
            a, b = row[link.issue_id], row[other]
            duplicate, master = (a, b) if created[a] > created[b] else (b, a)
            masters[duplicate].add(master)
    return [
        Query(dup, tuple(sorted(ms)), created < created[dup]) for dup, ms in sorted(masters.items())
    ]


def rank_of(ranked_rows: Sequence[int], relevant: Sequence[int]) -> int:
    """1-based rank of the best-placed relevant row; a large number when none is ranked."""
    position = {r: i for i, r in enumerate(ranked_rows)}
    found = [position[r] for r in relevant if r in position]
    return min(found) + 1 if found else 1_000_000


def top_rows(scores: Scores, candidates: npt.NDArray[np.bool_], n: int | None = None) -> list[int]:
    masked = np.where(candidates, scores, -np.inf)
    order = np.argsort(-masked, kind="stable")
    order = order[np.isfinite(masked[order])]
    return [int(r) for r in (order if n is None else order[:n])]


def recall(ranks: Sequence[int]) -> dict[str, float]:
    r = np.asarray(ranks)
    return {f"recall@{k}": round(float(np.mean(r <= k)), 4) if len(r) else 0.0 for k in KS}


def fused_rank(
    query: Query, lexical: Scores, vector: Scores, weight: float, method: FuseMethod = "score"
) -> int:
    lex = [(r, float(lexical[r])) for r in top_rows(lexical, query.candidates, POOL)]
    vec = [(r, float(vector[r])) for r in top_rows(vector, query.candidates, POOL)]
    ranked = fuse([h for h in lex if h[1] > 0], vec, weight, method=method)
    return rank_of([r for r, _ in ranked], query.relevant)


def choose_weight(
    queries: Sequence[Query],
    lexical: Callable[[int], Scores],
    vector: Callable[[int], Scores],
    grid: Sequence[float] = WEIGHT_GRID,
) -> tuple[float, dict[str, list[float]]]:
    """Best lexical weight on ``queries``: recall@10, then mean recall@1/5/10, then smaller."""
    curve: dict[str, list[float]] = {}
    best: tuple[float, float, float] | None = None
    chosen = grid[0]
    for w in grid:
        ranks = [fused_rank(q, lexical(q.issue), vector(q.issue), w) for q in queries]
        rec = list(recall(ranks).values())
        curve[f"{w:.2f}"] = rec
        key = (rec[-1], sum(rec) / len(rec), -w)
        if best is None or key > best:
            best, chosen = key, w
    return chosen, curve


def run_duplicate_eval(
    datasets_dir: Path,
    embedder: Embedder,
    *,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    weight: float | None = None,
) -> dict[str, Any]:
    """Recall-rate@1/5/10 of each method under both protocols (see the module docstring).

    ``weight`` fixes the hybrid's lexical weight instead of choosing it on the train rows.
    Embeddings are cached under ``cache_dir`` (None: no cache).
    """
    issues = read_hadoop_issues(datasets_dir)
    full = [issue_text(x) for x in issues]
    index: BM25Index[int] = BM25Index()
    for i, text in enumerate(full):
        index.add(i, text)
    bm25_cache: dict[int, Scores] = {}

    def bm25(row: int) -> Scores:
        if row not in bm25_cache:
            bm25_cache[row] = index.scores(full[row])[1]
        return bm25_cache[row]

    vectors = {
        "use-m3 summary": embed_cached(embedder, [x.summary for x in issues], cache_dir),
        f"use-m3 summary+desc{DESCRIPTION_PREFIX}": embed_cached(
            embedder, [issue_text(x, DESCRIPTION_PREFIX) for x in issues], cache_dir
        ),
    }
    hybrid_vectors = vectors[f"use-m3 summary+desc{DESCRIPTION_PREFIX}"]

    def cosine(matrix: npt.NDArray[np.float32]) -> Callable[[int], Scores]:
        return lambda row: (matrix @ matrix[row]).astype(np.float64)

    queries = {(p, s): build_queries(issues, datasets_dir, s, p) for p in PROTOCOLS for s in SPLITS}
    chosen, curve = (
        (weight, {})
        if weight is not None
        else choose_weight(queries["all-candidates", "train"], bm25, cosine(hybrid_vectors))
    )

    scorers: dict[str, Callable[[int], Scores]] = {"bm25": bm25}
    scorers.update({name: cosine(m) for name, m in vectors.items()})
    methods: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for name, scorer in scorers.items():
        methods[name] = {
            p: {
                s: recall(
                    [
                        rank_of(top_rows(scorer(q.issue), q.candidates), q.relevant)
                        for q in queries[p, s]
                    ]
                )
                for s in SPLITS
            }
            for p in PROTOCOLS
        }
    vec = cosine(hybrid_vectors)
    methods["hybrid"] = {
        p: {
            s: recall([fused_rank(q, bm25(q.issue), vec(q.issue), chosen) for q in queries[p, s]])
            for s in SPLITS
        }
        for p in PROTOCOLS
    }
    return {
        "dataset": "GitBugs Hadoop: 2,503 Jira issues, hadoop_bugs-{train,test,combined}.csv",
        "embedder": f"{embedder.name} {embedder.version}",
        "queries": {p: {s: len(queries[p, s]) for s in SPLITS} for p in PROTOCOLS},
        "methods": methods,
        "fusion": {
            "method": "score: w * bm25 / best bm25 + (1 - w) * cosine, top 100 of each side",
            "vector_side": f"use-m3 summary+desc{DESCRIPTION_PREFIX}",
            "weight": chosen,
            "chosen_on": "all-candidates train rows (recall@10, then mean recall@1/5/10)"
            if weight is None
            else "given",
            "train_curve": curve,
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m userloop.eval.duplicates DATASETS_DIR``: print the report as JSON."""
    from userloop.triage.embed.use_m3 import UseM3Embedder

    args = list(sys.argv[1:] if argv is None else argv)
    datasets = Path(args[0]) if args else Path("../shared/datasets")
    report = run_duplicate_eval(datasets, UseM3Embedder(threads=2))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
