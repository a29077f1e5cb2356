"""`userloop model train-similarity`: what staff did becomes a new, versioned similarity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.cli.support import run
from tests.merge_world import build_world, suggestion_services, suggestion_triage
from userloop import container
from userloop.config import Settings
from userloop.store import Store
from userloop.triage.topics.similarity import SimilarityModel, unit_rows


def _base_model(tmp_path: Path, dim: int = 64) -> Path:
    rng = np.random.default_rng(0)
    groups = [unit_rows(rng.normal(size=(6, dim))) for _ in range(5)]
    return SimilarityModel.fit(groups, "concept-fake").save(tmp_path / "base.npz")


def test_refits_with_the_topics_staff_shaped(
    store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_path = _base_model(tmp_path)
    services = suggestion_services(settings, store)
    world = build_world(services)
    url = settings.database_url
    monkeypatch.setattr(
        container, "build_triage", lambda s, st, parts=None: suggestion_triage(st, s)
    )
    monkeypatch.setenv("USERLOOP_SIMILARITY_MODEL_PATH", str(base_path))
    out_path = tmp_path / "staff.npz"
    code, _out, err = run(url, "model", "train-similarity", "--output", str(out_path))
    assert code == 1 and "no topic shaped by staff yet" in err

    services.merges.accept(world["a"], world["b"], "ana")  # four reports: one problem
    code, out, err = run(url, "model", "train-similarity", "--output", str(out_path))
    assert code == 0, err + out
    said = " ".join((out + err).split())  # progress goes to the console (stderr)
    assert "1 staff topic(s), 4 reports" in said
    base, refit = SimilarityModel.load(base_path), SimilarityModel.load(out_path)
    assert refit.version != base.version and refit.version in said
    assert refit.meta["staff_groups"] == 1 and refit.dof == base.dof + 3
