"""A vector index in this process's memory, bounded: when it holds `max_vectors` vectors, adding
one drops the vector least recently added or updated (for feedback items, the oldest item; for
topics, the topic that has gone longest without a new member).

Memory: each vector takes dim x 4 bytes (float32) in a per-namespace matrix that grows by
doubling (so up to twice that while it grows, never past the bound), plus about 250 bytes of
bookkeeping per key. At 512 dimensions (use-m3) that is about 2.3 KiB a vector: 100,000
vectors, about 230 MiB."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from userloop.store.vectors.base import Dropped, Hit, Vector, VectorIndexOptions

#: Bookkeeping bytes per key beside the vector itself (two dict entries, a key tuple, a key
#: in an int64 array), measured roughly with CPython 3.11; for docs and sizing only.
OVERHEAD_BYTES = 250


def bytes_per_vector(dim: int) -> int:
    return dim * 4 + OVERHEAD_BYTES


class _Namespace:
    """One namespace's vectors as growable arrays; a removal moves the last row into the gap,
    so that search is one matrix-vector product over a dense block."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.keys = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self.row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.row_of)

    def _reserve(self, n: int, cap: int | None) -> None:
        if n <= len(self.keys):
            return
        capacity = max(16, 2 * len(self.keys), n)
        if cap is not None:
            capacity = max(n, min(capacity, cap))
        used = len(self.row_of)
        keys = np.zeros(capacity, dtype=np.int64)
        matrix = np.zeros((capacity, self.dim), dtype=np.float32)
        keys[:used], matrix[:used] = self.keys[:used], self.matrix[:used]
        self.keys, self.matrix = keys, matrix

    def append(self, keys: Sequence[int], vectors: Vector, cap: int | None) -> None:
        start = len(self.row_of)
        self._reserve(start + len(keys), cap)
        self.keys[start : start + len(keys)] = keys
        self.matrix[start : start + len(keys)] = vectors
        for offset, key in enumerate(keys):
            self.row_of[key] = start + offset

    def set(self, key: int, vector: Vector) -> None:
        self.matrix[self.row_of[key]] = vector

    def remove(self, key: int) -> None:
        row = self.row_of.pop(key)
        last = len(self.row_of)
        if row != last:
            moved = int(self.keys[last])
            self.keys[row] = moved
            self.matrix[row] = self.matrix[last]
            self.row_of[moved] = row

    def scores(self, query: Vector) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        n = len(self.row_of)
        return self.keys[:n], self.matrix[:n] @ query


class MemoryVectorIndex:
    """See the module doc. Not thread-safe: callers serialise access."""

    def __init__(self, max_vectors: int | None = None) -> None:
        if max_vectors is not None and max_vectors < 1:
            raise ValueError(f"max_vectors must be at least 1; got {max_vectors}")
        self._max = max_vectors
        self._spaces: dict[str, _Namespace] = {}
        self._recency: OrderedDict[Dropped, None] = OrderedDict()  # oldest first
        self._dim: int | None = None

    @classmethod
    def build(cls, options: VectorIndexOptions) -> MemoryVectorIndex:
        return cls(options.max_vectors)

    @property
    def max_vectors(self) -> int | None:
        return self._max

    def _check(self, vectors: Vector) -> Vector:
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if self._dim is None:
            self._dim = int(v.shape[1])
        elif v.shape[1] != self._dim:
            raise ValueError(f"vectors of {v.shape[1]} dimensions in an index of {self._dim}")
        return v

    def add(self, namespace: str, keys: Sequence[int], vectors: Vector) -> list[Dropped]:
        v = self._check(vectors)
        if len(keys) != len(v):
            raise ValueError(f"{len(keys)} keys for {len(v)} vectors")
        space = self._spaces.get(namespace)
        new_rows: dict[int, int] = {}  # key -> its last row in `v`
        for row, key in enumerate(keys):
            key = int(key)
            if space is not None and key in space.row_of:
                space.set(key, v[row])
                self._recency.move_to_end((namespace, key))
            else:
                new_rows.pop(key, None)  # a key given twice: its last vector counts
                new_rows[key] = row
        dropped: list[Dropped] = []
        fresh = list(new_rows)
        if self._max is not None and len(fresh) > self._max:
            dropped += [(namespace, k) for k in fresh[: len(fresh) - self._max]]
            fresh = fresh[len(fresh) - self._max :]
        if self._max is not None:
            dropped += self._make_room(len(fresh))
        if fresh:
            space = self._spaces.get(namespace)
            if space is None:
                space = self._spaces[namespace] = _Namespace(v.shape[1])
            space.append(fresh, v[[new_rows[k] for k in fresh]], self._max)
            self._recency.update(((namespace, k), None) for k in fresh)
        return dropped

    def _make_room(self, n: int) -> list[Dropped]:
        assert self._max is not None
        dropped: list[Dropped] = []
        while self._recency and len(self._recency) + n > self._max:
            namespace, key = self._recency.popitem(last=False)[0]
            self._remove_row(namespace, key)
            dropped.append((namespace, key))
        return dropped

    def update(self, namespace: str, key: int, vector: Vector) -> list[Dropped]:
        space = self._spaces.get(namespace)
        if space is None or key not in space.row_of:
            raise KeyError((namespace, key))
        space.set(key, self._check(vector)[0])
        self._recency.move_to_end((namespace, key))
        return []

    def remove(self, namespace: str, key: int) -> bool:
        if (namespace, key) not in self._recency:
            return False
        del self._recency[(namespace, key)]
        self._remove_row(namespace, key)
        return True

    def _remove_row(self, namespace: str, key: int) -> None:
        space = self._spaces[namespace]
        space.remove(key)
        if not len(space):
            del self._spaces[namespace]  # frees its arrays

    def get(self, namespace: str, key: int) -> Vector | None:
        space = self._spaces.get(namespace)
        if space is None or key not in space.row_of:
            return None
        vector: Vector = space.matrix[space.row_of[key]].copy()
        return vector

    def search(self, query: Vector, k: int, namespace: str | None = None) -> list[Hit]:
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if namespace is not None:
            names = [namespace] if namespace in self._spaces else []
        else:
            names = list(self._spaces)
        if k <= 0 or not names:
            return []
        parts = [self._spaces[name].scores(q) for name in names]
        keys = np.concatenate([p[0] for p in parts])
        sims = np.concatenate([p[1] for p in parts])
        which = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(parts)])
        k = min(k, len(sims))
        if k < len(sims):
            # Every candidate tied with the k-th best, so that ties go to the lower key.
            kth = np.partition(-sims, k - 1)[k - 1]
            cand = np.flatnonzero(-sims <= kth)
        else:
            cand = np.arange(len(sims))
        order = cand[np.lexsort((which[cand], keys[cand], -sims[cand]))][:k]
        return [Hit(names[int(which[i])], int(keys[i]), float(sims[i])) for i in order]

    def size(self, namespace: str | None = None) -> int:
        if namespace is None:
            return len(self._recency)
        space = self._spaces.get(namespace)
        return len(space) if space is not None else 0

    def __len__(self) -> int:
        return len(self._recency)

    def clear(self) -> None:
        self._spaces.clear()
        self._recency.clear()
        self._dim = None
