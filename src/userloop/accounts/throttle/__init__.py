"""Throttling of failed attempts (console sign-in), with its state where every web process
sees it: the database by default, Redis when ``redis_url`` is set."""

from __future__ import annotations

from dataclasses import dataclass

from userloop.accounts.throttle.base import Backoff, ThrottleStore, ThrottleUnavailable
from userloop.store import Store

__all__ = [
    "Backoff",
    "ThrottleConfig",
    "ThrottleStore",
    "ThrottleUnavailable",
    "build_throttle_store",
]


@dataclass(frozen=True)
class ThrottleConfig:
    """The settings `redis_url` (empty: the database) and `redis_prefix`."""

    redis_url: str
    redis_prefix: str


def build_throttle_store(config: ThrottleConfig, store: Store) -> ThrottleStore:
    if config.redis_url:
        from userloop.accounts.throttle.redis import RedisThrottleStore

        return RedisThrottleStore(config.redis_url, prefix=config.redis_prefix)
    from userloop.accounts.throttle.database import DatabaseThrottleStore

    return DatabaseThrottleStore(store)
