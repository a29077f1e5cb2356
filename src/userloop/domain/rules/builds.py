"""Build ordering: versions sort naturally (3.4.10 after 3.4.9), independent of arrival order."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+)|(\D+)")


def build_sort_key(version: str) -> str:
    """A string that sorts like the version does: digit runs are zero-padded to 12 places."""
    parts = []
    for digits, other in _PART.findall(version.strip().lower()):
        parts.append(digits.zfill(12) if digits else other)
    return "".join(parts)[:255]
