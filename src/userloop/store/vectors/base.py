"""What callers need of a vector index: vectors kept under integer keys within namespaces
(a product's topics, the items of one embedding model), searched by dot product.

Implementations: `memory.py` (this process's memory, bounded). A backend kept in the
database (pgvector) can be added through the registry in ``userloop.store.vectors`` without
touching callers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

#: A vector dropped to stay within the bound: (namespace, key).
Dropped = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Hit:
    namespace: str
    key: int
    score: float  # dot product with the query


@dataclass(frozen=True, slots=True)
class VectorIndexOptions:
    """What a backend is built with. `purpose` names the use (``topics``, ``items``) so that a
    backend that stores vectors elsewhere can keep each use apart."""

    max_vectors: int
    purpose: str = "vectors"


class VectorIndex(Protocol):
    """Vectors by (namespace, key); all of one dimension (fixed by the first vector added).

    A bounded index drops vectors when full; `add` and `update` return what they dropped, so
    that a caller keeping data beside each vector can drop it too."""

    @property
    def max_vectors(self) -> int | None:
        """The bound, or None for an index that keeps everything."""
        ...

    def add(self, namespace: str, keys: Sequence[int], vectors: Vector) -> list[Dropped]:
        """Add rows of `vectors` under `keys`, replacing vectors already there."""
        ...

    def update(self, namespace: str, key: int, vector: Vector) -> list[Dropped]:
        """Replace the vector of a present key (KeyError when absent)."""
        ...

    def remove(self, namespace: str, key: int) -> bool:
        """Forget one vector; False when it was not there."""
        ...

    def get(self, namespace: str, key: int) -> Vector | None: ...

    def search(self, query: Vector, k: int, namespace: str | None = None) -> list[Hit]:
        """The `k` vectors with the highest dot product with `query`, best first, ties to the
        lower key; within one namespace, or across all of them when `namespace` is None."""
        ...

    def size(self, namespace: str | None = None) -> int: ...

    def clear(self) -> None: ...
