"""Saved models: arrays in an ``.npz`` and metadata in a ``.json`` of the same name, never
pickle; and the training input checks (shared by the kind and the sentiment models)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from userloop.triage.embed.base import Embedder, Vectors


def save(path: str | Path, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any]) -> Path:
    """Write ``path`` as .npz (compressed arrays) and its .json beside it; returns the .npz."""
    npz = Path(path).with_suffix(".npz")
    npz.parent.mkdir(parents=True, exist_ok=True)
    with npz.open("wb") as f:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]
    npz.with_suffix(".json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return npz


def load(
    npz: Path, fmt: int, error: type[Exception], what: str
) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """The metadata and arrays at ``npz``; `error` (with a precise message) when the files are
    missing or of another format."""
    meta_path = npz.with_suffix(".json")
    if not npz.is_file() or not meta_path.is_file():
        raise error(f"no {what} at {npz} (and {meta_path.name} beside it)")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != fmt:
        raise error(f"{meta_path}: unsupported format {meta.get('format')!r}")
    with np.load(npz, allow_pickle=False) as stored:
        arrays = {name: np.asarray(stored[name]) for name in stored.files}
    return meta, arrays


def training_vectors(
    texts: Sequence[str],
    vectors: Vectors | npt.ArrayLike | None,
    embedder: Embedder | None,
    embedder_id: str | None,
    error: type[Exception],
    trainer: str,
) -> tuple[npt.NDArray[np.float32], str]:
    """The (n, dim) training matrix for ``texts`` (embedding them when no vectors are given)
    and the id of the embedder that made it."""
    if vectors is None:
        if embedder is None:
            raise error(f"{trainer} needs an embedder or precomputed vectors")
        vectors = embedder.embed(list(texts))
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != len(texts):
        raise error(f"vectors must be ({len(texts)}, dim), got {x.shape}")
    if embedder_id is None:
        embedder_id = f"{embedder.name}@{embedder.version}" if embedder is not None else "unknown"
    return x, embedder_id
