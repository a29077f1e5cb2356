"""The embedder protocol. One module per implementation, chosen by name in settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class EmbedderUnavailable(RuntimeError):
    """An embedder's optional dependency or model is missing; the message names the fix."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (len(texts), dim)."""

    @property
    def name(self) -> str:
        """Stable id of the model, stored with every vector (e.g. ``use-m3``)."""
        ...

    @property
    def version(self) -> str:
        """Changes whenever the same text would get a different vector."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...
