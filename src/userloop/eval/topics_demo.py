"""Topic quality on the demo world, whose generator knows which problem every report describes.

What a first-time user sees, scored against that truth: the demo world goes through intake into
a fresh SQLite store, the triage pipeline assigns topics online, then `userloop recluster`
runs. After each step: ARI, homogeneity (each topic holds one problem), completeness (each
problem lies in one topic), and per problem the number of topics holding it and the share of
its reports in its largest topic.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sklearn import metrics

from userloop.config import Settings
from userloop.container import Services, build_triage
from userloop.demo import generate
from userloop.demo.generator import DEFAULT_END
from userloop.demo.loading import load_world
from userloop.domain.filters import FeedbackFilter
from userloop.eval.triager_sim import CHECKPOINTS, simulate_triager
from userloop.store import Store
from userloop.triage.pipeline import TriageComponents

#: The generator's label for texts that describe no problem: never merged by the triager.
NOISE = "noise"

DEFINITIONS = {
    "ari": "adjusted Rand index of the topics against the generator's problems",
    "homogeneity": "1 when every topic holds reports of one problem only",
    "completeness": "1 when every problem's reports lie in one topic",
    "topics": "live topics holding the demo's reports",
    "per_problem": "for each problem: its reports, the topics holding them, the share in its "
    "largest topic, and the share in its own topic (the largest of the topics it is the "
    "majority of; 0 when another problem's topic swallowed it)",
    "suggestions": "after re-clustering, a simulated triager accepts the merge suggestions the "
    "truth confirms (closest first, rejecting the others): scores after k accepted",
}


def score(truth: Sequence[str], topics: Sequence[int]) -> dict[str, Any]:
    """The scores of one grouping (`topics[i]` is the topic of the report whose problem is
    `truth[i]`)."""
    by_problem: dict[str, Counter[int]] = {}
    by_topic: dict[int, Counter[str]] = {}
    for problem, topic in zip(truth, topics, strict=True):
        by_problem.setdefault(problem, Counter())[topic] += 1
        by_topic.setdefault(topic, Counter())[problem] += 1
    majority = {topic: counts.most_common(1)[0][0] for topic, counts in by_topic.items()}
    per_problem = {
        problem: {
            "reports": sum(counts.values()),
            "topics": len(counts),
            "largest_share": round(max(counts.values()) / sum(counts.values()), 3),
            "own_share": round(
                max((n for t, n in counts.items() if majority[t] == problem), default=0)
                / sum(counts.values()),
                3,
            ),
        }
        for problem, counts in sorted(by_problem.items())
    }
    return {
        "ari": round(float(metrics.adjusted_rand_score(truth, topics)), 4),
        "homogeneity": round(float(metrics.homogeneity_score(truth, topics)), 4),
        "completeness": round(float(metrics.completeness_score(truth, topics)), 4),
        "topics": len(set(topics)),
        "per_problem": per_problem,
    }


def _grouping(services: Services, truth: Mapping[str, str]) -> tuple[list[str], list[int]]:
    """(problem, topic) of every stored demo report, in id order."""
    problems: list[str] = []
    topics: list[int] = []
    for row in services.feedback.export(FeedbackFilter()):
        item, triaged = row.feedback, row.triage
        problem = truth.get(f"{item.source}/{item.external_id}")
        if problem is None or triaged is None or triaged.topic_id is None:
            continue
        problems.append(problem)
        topics.append(triaged.topic_id)
    return problems, topics


def _truth_by_id(services: Services, truth: Mapping[str, str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for row in services.feedback.export(FeedbackFilter()):
        problem = truth.get(f"{row.feedback.source}/{row.feedback.external_id}")
        if problem is not None:
            out[row.feedback.id] = problem
    return out


def _worst(scores: Mapping[str, Any]) -> tuple[str, float]:
    """The problem (other than the generator's noise) with the smallest share in its own topic:
    a problem merged into another's topic counts as 0, however large that topic."""
    shares = {p: v["own_share"] for p, v in scores["per_problem"].items() if p != NOISE}
    problem = min(shares, key=lambda p: (shares[p], p))
    return problem, shares[problem]


def run_topics_demo(
    seed: int = 7,
    size: int = 3000,
    *,
    suggestions: int = 0,
    end: date = DEFAULT_END,
    settings: Settings | None = None,
    components: Callable[[Settings], TriageComponents] | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score the demo world's topics after online assignment and after re-clustering (see the
    module doc). ``components`` builds fake triage stages in tests; by default the real ones
    from ``settings`` (whose database URL is replaced by a temporary SQLite file). The world
    ends on ``end``, a fixed day by default, so the numbers do not change with the day it runs."""
    world = generate(seed=seed, n_feedback=size, end=end)
    with tempfile.TemporaryDirectory(prefix="userloop-topics-demo-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        run_settings = (settings or Settings()).model_copy(update={"database_url": url})
        store = Store.from_url(url)
        store.upgrade()  # before the services read the installation's keys
        parts = components(run_settings) if components is not None else None
        services = Services.build(run_settings, store, build_triage(run_settings, store, parts))
        try:
            load_world(services, world)
            services.triage.drain()
            online = score(*_grouping(services, world.truth))
            services.triage.recluster()
            reclustered = score(*_grouping(services, world.truth))
            curve: list[dict[str, Any]] = []
            if suggestions > 0:

                def scored() -> dict[str, Any]:
                    s = score(*_grouping(services, world.truth))
                    problem, share = _worst(s)
                    return {
                        "ari": s["ari"],
                        "homogeneity": s["homogeneity"],
                        "completeness": s["completeness"],
                        "topics": s["topics"],
                        "smallest_share": share,
                        "smallest_share_problem": problem,
                    }

                marks = [k for k in CHECKPOINTS if k < suggestions] + [suggestions]
                curve = simulate_triager(
                    services,
                    _truth_by_id(services, world.truth),
                    scored,
                    checkpoints=marks,
                    ignore={NOISE},
                )
        finally:
            services.close()
    result = {
        "seed": seed,
        "size": size,
        "end": end.isoformat(),
        "online": online,
        "recluster": reclustered,
        "suggestions": curve,
        "definitions": DEFINITIONS,
    }
    for line in report_lines(result):
        out(line)
    return result


def report_lines(result: Mapping[str, Any]) -> list[str]:
    """A plain-text table of a result of :func:`run_topics_demo`."""
    lines = [f"demo world: seed {result['seed']}, {result['size']} reports"]
    for step in ("online", "recluster"):
        s = result[step]
        lines.append(
            f"{step:>9}: ARI {s['ari']:.3f}  homogeneity {s['homogeneity']:.3f}  "
            f"completeness {s['completeness']:.3f}  topics {s['topics']}"
        )
    lines.append(
        f"{'problem':<22}{'reports':>8}{'topics':>8}{'largest':>9}{'own':>6}  (after recluster)"
    )
    for problem, p in result["recluster"]["per_problem"].items():
        lines.append(
            f"{problem:<22}{p['reports']:>8}{p['topics']:>8}{p['largest_share']:>9.0%}"
            f"{p['own_share']:>6.0%}"
        )
    if result.get("suggestions"):
        lines.append("simulated triager (accepts only the suggestions the truth confirms):")
        for point in result["suggestions"]:
            lines.append(
                f"  accepted {point['accepted']:>3} (rejected {point['rejected']:>4}): "
                f"ARI {point['ari']:.3f}  homogeneity {point['homogeneity']:.3f}  smallest "
                f"own share {point['smallest_share']:.0%} ({point['smallest_share_problem']})"
            )
    return lines
