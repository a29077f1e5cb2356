"""`userloop eval topics`: the product's topics end to end, on a small labelled file we write
here (the real runs read Mini-BAR from ../shared, which tests never need)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.triage_fakes import components
from userloop.config import Settings
from userloop.eval.topics_e2e import run_topics_e2e
from userloop.triage.pipeline import TriageComponents
from userloop.triage.topics.cluster import ClusterParams, cluster

# Written for this test: three problems, reported in three languages.
ROWS = [
    ("Battery drains overnight since the update", 1),
    ("Батарея садится за ночь", 1),
    ("电池耗电很快", 1),
    ("Camera app crashes in night mode", 2),
    ("Камера вылетает ночью", 2),
    ("夜景模式相机崩溃", 2),
    ("Please add a dark theme", 3),
    ("Добавьте тёмную тему", 3),
]


def _write(folder: Path) -> None:
    folder.mkdir(parents=True)
    with (folder / "device.problem_report.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["data", "ground_truth"])
        writer.writerows(ROWS)


def _components(threshold: float, regroup: bool) -> TriageComponents:
    params = ClusterParams(join_threshold=0.5, lexical_weight=0.0)
    return components(
        threshold,
        regroup=(lambda vectors, texts, kinds: cluster(vectors, params)) if regroup else None,
    )


@pytest.mark.parametrize(("threshold", "online", "after"), [(0.6, 1.0, 1.0), (0.99, 0.0, 1.0)])
def test_topics_are_scored_after_online_assignment_and_reclustering(
    tmp_path: Path, threshold: float, online: float, after: float
) -> None:
    _write(tmp_path / "minibar" / "clustering")
    lines: list[str] = []
    result = run_topics_e2e(
        tmp_path,
        lambda settings: _components(threshold, regroup=True),
        settings=Settings(),
        out=lines.append,
    )
    row = result["files"]["device.problem_report"]
    assert row["online"] == pytest.approx(online)
    assert row["recluster"] == pytest.approx(after) and row["again"] == row["recluster"]
    assert row["topics"] == 3
    assert result["mean"]["recluster"] == row["recluster"]
    assert any(line.startswith("MEAN") for line in lines)


def test_without_regroup_reclustering_keeps_singletons(tmp_path: Path) -> None:
    _write(tmp_path / "minibar" / "clustering")
    result = run_topics_e2e(
        tmp_path, lambda s: _components(0.99, regroup=False), settings=Settings(), out=print
    )
    row = result["files"]["device.problem_report"]
    assert row["online"] == pytest.approx(0.0) and row["topics"] == len(ROWS)
