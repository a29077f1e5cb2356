"""Cohorts: which devices a release reaches at a given percentage.

A device's bucket for a release is a number in 0..9999 from a stable hash (BLAKE2b) of the
release's key and the device id; the device is in the release's cohort at p % when its bucket
is below p × 100. So raising the percentage only adds devices, the same device always lands in
the same bucket (on every server and after every restart: never Python's `hash`), and a release
resumed after a halt reaches the devices it had already chosen first. Each release hashes with
its own key, so the first 1 % of one release is not the first 1 % of the next.
"""

from __future__ import annotations

import hashlib

BUCKETS = 10_000


def bucket(device: str, release_key: str) -> int:
    digest = hashlib.blake2b(
        f"{release_key}\x00{device}".encode(), digest_size=8, person=b"userloop-cohort"
    ).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def in_cohort(device: str, release_key: str, percent: float) -> bool:
    return bucket(device, release_key) < round(percent * 100)
