"""Vector indexes chosen by name, as in the ``vector_index`` setting (docs/vectors.md).

Outside packages add one through an entry point in the ``userloop.vector_indexes`` group whose
object is a ``userloop.registry.Plugin`` wrapping a `VectorIndexFactory`."""

from __future__ import annotations

from collections.abc import Callable

from userloop.registry import Registry
from userloop.store.vectors.base import Hit, VectorIndex, VectorIndexOptions
from userloop.store.vectors.memory import MemoryVectorIndex

__all__ = [
    "VECTOR_INDEXES",
    "Hit",
    "VectorIndex",
    "VectorIndexFactory",
    "VectorIndexOptions",
    "build_vector_index",
]

VectorIndexFactory = Callable[[VectorIndexOptions], VectorIndex]

VECTOR_INDEXES: Registry[VectorIndexFactory] = Registry("vector index", "userloop.vector_indexes")
VECTOR_INDEXES.register(
    "memory",
    MemoryVectorIndex.build,
    "In each process's memory, at most `vector_index_max_vectors` per index; the least "
    "recently added or updated vector is dropped first.",
)


def build_vector_index(name: str, options: VectorIndexOptions) -> VectorIndex:
    """The vector index registered as `name` (UnknownPlugin lists the valid names)."""
    return VECTOR_INDEXES.get(name).factory(options)
