"""Which secret keys anyone could know: the rule `userloop serve` and production settings share."""

from __future__ import annotations

# The key earlier versions used when none was set. It is public, so it is refused wherever
# someone else could reach the server (production settings, `userloop serve` off loopback).
DEV_SECRET_KEY = "userloop-development-secret-do-not-use-in-production"
MIN_SECRET_CHARS = 32


def is_public_secret(key: str) -> bool:
    """The development constant, or one short enough to guess."""
    return key == DEV_SECRET_KEY or len(key) < MIN_SECRET_CHARS
