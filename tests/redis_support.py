"""The local Redis for the tests of the Redis backends.

Skipped on a machine without Redis (the message says what is missing), unless
USERLOOP_REQUIRE_REDIS=1 or CI is set: there a missing Redis is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = os.environ.get("USERLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unavailable(message: str) -> None:
    if os.environ.get("USERLOOP_REQUIRE_REDIS") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def redis_client() -> Any:
    """A client of the test Redis, or a skip (a failure in CI) saying why there is none."""
    try:
        import redis
    except ImportError:
        _unavailable("Redis tests need the redis package (pip install -e '.[dev]')")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL} ({exc}); start redis-server")
    return client


def redis_prefix() -> Iterator[str]:
    """A key prefix of its own for one test; its keys are deleted afterwards."""
    client = redis_client()
    prefix = f"userloop-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()
