"""The learned topic similarity: fitting, refitting with staff pairs, files, and its effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from userloop.triage.topics.similarity import (
    SimilarityModel,
    SimilarityModelError,
    unit_rows,
)


def _groups(rng: np.random.Generator, k: int = 6, n: int = 12, dim: int = 16) -> list[np.ndarray]:
    """Topics that differ on the first 4 dimensions; their members vary on the others."""
    out = []
    for _ in range(k):
        centre = np.zeros(dim)
        centre[:4] = rng.normal(size=4) * 0.5
        noise = rng.normal(size=(n, dim)) * np.r_[np.full(4, 0.05), np.full(dim - 4, 0.6)]
        out.append(unit_rows(centre + noise))
    return out


def _margin(groups: list[np.ndarray], model: SimilarityModel | None) -> float:
    """Mean within-topic cosine minus mean between-topic cosine."""
    x = np.vstack(groups)
    y = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    z = model.transform(x) if model is not None else unit_rows(x)
    sims = z @ z.T
    same = y[:, None] == y[None, :]
    np.fill_diagonal(same, False)
    other = y[:, None] != y[None, :]
    return float(sims[same].mean() - sims[other].mean())


def test_whitening_separates_topics_it_has_never_seen() -> None:
    rng = np.random.default_rng(1)
    model = SimilarityModel.fit(_groups(rng), "fake", shrink=0.3)
    fresh = _groups(np.random.default_rng(2))
    assert _margin(fresh, model) > _margin(fresh, None) + 0.2


def test_staff_pairs_refit_the_model_and_change_its_version(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    model = SimilarityModel.fit(_groups(rng), "fake")
    a, b = unit_rows(rng.normal(size=(5, 16))), unit_rows(rng.normal(size=(5, 16)))
    refit = model.with_pairs(a, b, weight=2.0)
    assert refit.version != model.version and refit.dof == model.dof + 10
    assert refit.meta["staff_pairs"] == 5
    assert model.with_pairs(a[:0], b[:0]) is model
    with pytest.raises(SimilarityModelError, match=r"\(5, 16\)"):
        model.with_pairs(a, b[:, :8])
    path = refit.save(tmp_path / "sim.npz")
    loaded = SimilarityModel.load(path)
    assert loaded.version == refit.version
    np.testing.assert_allclose(loaded.transform(a), refit.transform(a), atol=1e-5)


def test_a_model_needs_groups_and_matching_files(tmp_path: Path) -> None:
    with pytest.raises(SimilarityModelError, match="two or more members"):
        SimilarityModel.fit([np.ones((1, 4))], "fake")
    with pytest.raises(SimilarityModelError, match="no similarity model"):
        SimilarityModel.load(tmp_path / "missing.npz")


def test_the_shipped_model_reads_use_m3_vectors() -> None:
    model = SimilarityModel.load()
    assert (model.embedder, model.dim) == ("use-m3", 512)
    m = model.matrix
    np.testing.assert_allclose(m, m.T, atol=1e-8)
    assert np.all(np.linalg.eigvalsh(m) > 0)


def test_staff_groups_teach_a_distinction_the_public_groups_lacked() -> None:
    rng = np.random.default_rng(4)
    model = SimilarityModel.fit(_groups(rng), "fake")
    # This installation's problems vary along dimension 0, which the public groups use to tell
    # problems apart: staff merging such reports teaches the model to ignore that direction.
    dim = 16
    staff = []
    for _ in range(4):
        centre = np.zeros(dim)
        centre[5] = 1.0 + rng.normal() * 0.1
        members = np.tile(centre, (10, 1)) + rng.normal(size=(10, dim)) * 0.05
        members[:, 0] = rng.normal(size=10) * 1.5
        staff.append(unit_rows(members))
    refit = model.with_groups(staff, weight=5.0)
    assert refit.version != model.version and refit.meta["staff_groups"] == 4
    assert refit.dof == model.dof + 5.0 * 4 * 9
    assert _margin(staff, refit) > _margin(staff, model)
    assert model.with_groups([staff[0][:1]]) is model  # one report is no group
    with pytest.raises(SimilarityModelError, match=r"\(n, 16\)"):
        model.with_groups([staff[0][:, :8]])
    with pytest.raises(SimilarityModelError, match="positive"):
        model.with_groups(staff, weight=0.0)
