"""Embedders chosen by name, as in the ``embedder`` setting."""

from __future__ import annotations

from collections.abc import Callable

from userloop.triage.embed.base import Embedder

# The spec forms ``build_embedder`` accepts, for docs and error messages.
EMBEDDER_NAMES: tuple[str, ...] = (
    "use-m3",
    "e5-small",
    "hashing",
    "hashing:<dim>",
    "sentence-transformers:<model>",
)


def _use_m3(arg: str | None, threads: int) -> Embedder:
    if arg is not None:
        raise ValueError("use-m3 takes no argument: use 'use-m3'")
    from userloop.triage.embed.use_m3 import UseM3Embedder

    return UseM3Embedder(threads=threads)


def _e5_small(arg: str | None, threads: int) -> Embedder:
    if arg is not None:
        raise ValueError("e5-small takes no argument: use 'e5-small'")
    from userloop.triage.embed.e5_small import E5SmallEmbedder

    return E5SmallEmbedder(threads=threads)


def _hashing(arg: str | None, threads: int) -> Embedder:
    from userloop.triage.embed.hashing import HashingEmbedder

    if arg is None:
        return HashingEmbedder()
    try:
        dim = int(arg)
    except ValueError:
        raise ValueError(f"hashing:<dim> needs a whole number of dimensions, not {arg!r}") from None
    return HashingEmbedder(dim)


def _sentence_transformers(arg: str | None, threads: int) -> Embedder:
    if not arg:
        raise ValueError("sentence-transformers needs a model: 'sentence-transformers:<model>'")
    from userloop.triage.embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(arg, threads=threads)


_FACTORIES: dict[str, Callable[[str | None, int], Embedder]] = {
    "use-m3": _use_m3,
    "e5-small": _e5_small,
    "hashing": _hashing,
    "sentence-transformers": _sentence_transformers,
}


def build_embedder(spec: str, *, threads: int = 2) -> Embedder:
    """The embedder for ``spec`` (one of :data:`EMBEDDER_NAMES`). Models load on first use.

    Raises ValueError for an unknown or malformed spec, and EmbedderUnavailable when the
    embedder's optional package is missing (the message names the ``pip install``).
    """
    kind, sep, arg = spec.strip().partition(":")
    factory = _FACTORIES.get(kind.strip().lower())
    if factory is None:
        valid = ", ".join(EMBEDDER_NAMES)
        raise ValueError(f"unknown embedder {spec!r}; valid embedders: {valid}")
    return factory(arg.strip() if sep else None, threads)
