"""Saved models: arrays in an ``.npz`` and metadata in a ``.json`` of the same name, never
pickle (shared by the kind and the sentiment models)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


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
