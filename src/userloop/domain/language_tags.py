"""Matching a reader's language tag against the tags something is available in."""

from __future__ import annotations

from collections.abc import Mapping


def reader_language_match(reader: str, available: Mapping[str, object]) -> str | None:
    """The tag among `available` a reader of `reader` reads: the same tag, else the same
    language in another script or region (zh-Hant for a zh-Hans reader), else None."""
    if reader in available:
        return reader
    base = reader.split("-")[0].lower()
    same = sorted(tag for tag in available if tag.split("-")[0].lower() == base)
    return same[0] if same else None
