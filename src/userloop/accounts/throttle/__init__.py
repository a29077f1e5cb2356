"""Throttling of failed attempts (console sign-in), with its state where every web process
sees it: the database by default, Redis when ``redis_url`` is set."""

from __future__ import annotations

from userloop.accounts.throttle.base import Backoff, ThrottleStore, ThrottleUnavailable
from userloop.config import Settings
from userloop.store import Store

__all__ = ["Backoff", "ThrottleStore", "ThrottleUnavailable", "build_throttle_store"]


def build_throttle_store(settings: Settings, store: Store) -> ThrottleStore:
    if settings.redis_url:
        from userloop.accounts.throttle.redis import RedisThrottleStore

        return RedisThrottleStore(settings.redis_url, prefix=settings.redis_prefix)
    from userloop.accounts.throttle.database import DatabaseThrottleStore

    return DatabaseThrottleStore(store)
