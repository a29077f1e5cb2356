"""The learned topic similarity: a regularised within-topic whitening of the embedding.

Reports of one problem differ along some directions of the embedding (wording, length, the
device named, the language) and reports of different problems along others. Given groups of
texts known to describe one problem (hand-made clusters, translations of one text, reports
staff merged), the *within-topic scatter* ``S`` is the covariance of each text's (centred,
unit) vector around its group's mean. Multiplying vectors by ``(S + shrink * I) ** -1/2``
shrinks the directions along which one problem's reports vary and stretches the others, so
that after re-normalising, cosine similarity ranks "same problem" above "same words about
another problem". ``shrink`` (a multiple of the mean eigenvalue of ``S``) keeps directions the
data never saw close to unchanged.

The model stores ``S`` itself, not its inverse root: refitting with an installation's own
staff decisions (:meth:`SimilarityModel.with_pairs`) adds their pairs' scatter to the public
one and recomputes the matrix. Saved as ``.npz`` + ``.json`` like the kind model
(``triage/models/similarity.npz``, rebuilt by ``scripts/train_models.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.triage import model_files

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]

_FORMAT = 1
DEFAULT_SIMILARITY_MODEL = Path(__file__).resolve().parent.parent / "models" / "similarity.npz"
#: ``shrink`` is this multiple of the mean eigenvalue of the scatter (chosen on the Mini-BAR
#: clustering files across apps: 0.3 / 1 / 3 give 0.256 / 0.271 / 0.267 mean ARI with average
#: linkage; 3 also kept the demo world's homogeneity highest; BENCHMARKS.md).
DEFAULT_SHRINK = 3.0


class SimilarityModelError(ValueError):
    """A similarity model that cannot be loaded or does not fit the embedder."""


def unit_rows(x: npt.ArrayLike) -> F64:
    v = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: F64 = v / np.maximum(norms, 1e-9)
    return out


def group_scatter(groups: Sequence[npt.ArrayLike]) -> tuple[F64, float]:
    """Sum of outer products of each member's deviation from its group mean, and the degrees
    of freedom (members minus groups). Rows must already be centred and unit length."""
    total: F64 | None = None
    dof = 0.0
    for group in groups:
        g = np.asarray(group, dtype=np.float64)
        if len(g) < 2:
            continue
        d = g - g.mean(axis=0)
        total = d.T @ d if total is None else total + d.T @ d
        dof += len(g) - 1
    if total is None:
        raise SimilarityModelError("no group with two or more members to learn from")
    return total, dof


@dataclass
class SimilarityModel:
    """See the module doc. ``scatter`` is the mean within-topic scatter (a ``dim x dim``
    symmetric matrix); ``dof`` how many degrees of freedom it was estimated from."""

    scatter: F64
    dof: float
    embedder: str
    shrink: float = DEFAULT_SHRINK
    meta: dict[str, Any] = field(default_factory=dict)
    _matrix: F64 | None = field(default=None, init=False, repr=False)

    @property
    def dim(self) -> int:
        return int(self.scatter.shape[0])

    @property
    def version(self) -> str:
        """Content hash: a refit (new pairs) is a new version, as for the kind model."""
        h = hashlib.sha256(np.ascontiguousarray(self.scatter, dtype=np.float32).tobytes())
        h.update(f"{self.shrink:g}".encode())
        return f"whiten-{h.hexdigest()[:10]}"

    @property
    def matrix(self) -> F64:
        """``(S + shrink * mean eigenvalue * I) ** -1/2``, scaled so its mean eigenvalue is 1."""
        if self._matrix is None:
            s = (self.scatter + self.scatter.T) / 2
            lam = self.shrink * float(np.trace(s)) / self.dim
            w, v = np.linalg.eigh(s + lam * np.eye(self.dim))
            root = 1.0 / np.sqrt(np.maximum(w, 1e-12))
            self._matrix = (v * (root / root.mean())) @ v.T
        return self._matrix

    def transform(self, centred: npt.ArrayLike) -> F64:
        """Whitened, unit-length rows of already centred vectors."""
        return unit_rows(unit_rows(centred) @ self.matrix)

    @classmethod
    def fit(
        cls,
        groups: Sequence[npt.ArrayLike],
        embedder: str,
        *,
        shrink: float = DEFAULT_SHRINK,
        meta: dict[str, Any] | None = None,
    ) -> SimilarityModel:
        """From groups of centred unit vectors, each group one problem."""
        total, dof = group_scatter(groups)
        return cls(total / dof, dof, embedder, shrink, dict(meta or {}))

    def with_pairs(
        self, a: npt.ArrayLike, b: npt.ArrayLike, *, weight: float = 1.0
    ) -> SimilarityModel:
        """A refit that adds pairs known to be one problem (centred unit vectors ``a[i]`` and
        ``b[i]``): each pair counts as a group of two, ``weight`` times."""
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 2 or x.shape[1] != self.dim:
            raise SimilarityModelError(
                f"pairs must be two ({len(x)}, {self.dim}) matrices, got {x.shape} and {y.shape}"
            )
        if not len(x):
            return self
        d = (x - y) / 2.0  # each member's deviation from the pair's mean
        added = 2.0 * (d.T @ d) * weight
        dof = self.dof + len(x) * weight
        scatter = (self.scatter * self.dof + added) / dof
        meta = {**self.meta, "staff_pairs": int(self.meta.get("staff_pairs", 0)) + len(x)}
        return SimilarityModel(scatter, dof, self.embedder, self.shrink, meta)

    def with_groups(
        self, groups: Sequence[npt.ArrayLike], *, weight: float = 1.0
    ) -> SimilarityModel:
        """A refit that adds groups known to be one problem each (centred unit vectors): their
        within-group scatter counts ``weight`` times. Staff decisions arrive as groups: the
        reports a triager merged, split off or moved into a topic."""
        usable = [m for m in (np.asarray(g, dtype=np.float64) for g in groups) if len(m) >= 2]
        if not usable:
            return self
        if weight <= 0:
            raise SimilarityModelError(f"the weight of staff groups must be positive, got {weight}")
        for g in usable:
            if g.ndim != 2 or g.shape[1] != self.dim:
                raise SimilarityModelError(
                    f"groups must be (n, {self.dim}) matrices, got {g.shape}"
                )
        added, added_dof = group_scatter(usable)
        dof = self.dof + added_dof * weight
        scatter = (self.scatter * self.dof + added * weight) / dof
        staff = int(self.meta.get("staff_groups", 0)) + len(usable)
        meta = {**self.meta, "staff_groups": staff}
        return SimilarityModel(scatter, dof, self.embedder, self.shrink, meta)

    # -- files --------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        arrays = {"scatter": self.scatter.astype(np.float32)}
        meta = {
            **self.meta,
            "format": _FORMAT,
            "version": self.version,
            "embedder": self.embedder,
            "dim": self.dim,
            "dof": self.dof,
            "shrink": self.shrink,
        }
        return model_files.save(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SimilarityModel:
        npz = Path(path) if path is not None else DEFAULT_SIMILARITY_MODEL
        meta, arrays = model_files.load(npz, _FORMAT, SimilarityModelError, "similarity model")
        scatter = arrays["scatter"].astype(np.float64)
        if scatter.ndim != 2 or scatter.shape[0] != scatter.shape[1]:
            raise SimilarityModelError(f"{npz}: scatter has shape {scatter.shape}")
        model = cls(
            scatter=scatter,
            dof=float(meta["dof"]),
            embedder=str(meta["embedder"]),
            shrink=float(meta["shrink"]),
            meta={k: v for k, v in meta.items() if k not in _DERIVED},
        )
        if meta.get("version") not in (None, model.version):
            raise SimilarityModelError(f"{npz}: arrays do not match the version in its .json")
        return model


_DERIVED = frozenset({"format", "version", "embedder", "dim", "dof", "shrink"})
