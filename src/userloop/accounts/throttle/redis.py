"""Throttle state in Redis (setting ``redis_url``; extra ``redis``): one hash per key that
expires by itself once forgotten."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from userloop.accounts.throttle.base import Backoff, ThrottleUnavailable
from userloop.domain.entities import ThrottleState

if TYPE_CHECKING:
    from redis.client import Pipeline

_FIX = "pip install 'userloop[redis]'"


class RedisThrottleStore:
    def __init__(self, url: str, prefix: str = "userloop:", client: Any = None) -> None:
        if client is None:
            try:
                import redis
            except ImportError as exc:
                raise ThrottleUnavailable(
                    f"the redis_url setting needs the redis package: {_FIX}"
                ) from exc
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.client = client
        self.prefix = f"{prefix}throttle:"

    def state(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState | None:
        data = self.client.hgetall(self.prefix + key)
        return _decode(data, now, backoff)

    def fail(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState:
        name = self.prefix + key
        result: list[ThrottleState] = []

        def count(pipe: Pipeline) -> None:
            # WATCH/MULTI: if another process changes the key meanwhile, this runs again.
            old = _decode(pipe.hgetall(name), now, backoff)
            failures = (old.failures if old else 0) + 1
            next_allowed = now.timestamp() + backoff.delay(failures)
            pipe.multi()
            pipe.hset(
                name,
                mapping={
                    "failures": failures,
                    "next_allowed_at": next_allowed,
                    "updated_at": now.timestamp(),
                },
            )
            pipe.expire(name, int(backoff.forget_after) + 1)
            result[:] = [ThrottleState(failures, datetime.fromtimestamp(next_allowed, UTC))]

        self.client.transaction(count, name)
        return result[0]

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def _decode(data: Any, now: datetime, backoff: Backoff) -> ThrottleState | None:
    if not data:
        return None
    fields = {(k.decode() if isinstance(k, bytes) else str(k)): float(v) for k, v in data.items()}
    if fields.get("updated_at", 0.0) < now.timestamp() - backoff.forget_after:
        return None
    return ThrottleState(
        int(fields.get("failures", 0)),
        datetime.fromtimestamp(fields.get("next_allowed_at", 0.0), UTC),
    )
