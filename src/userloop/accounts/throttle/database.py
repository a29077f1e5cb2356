"""Throttle state in the store's ``throttle`` table (the default: nothing else to run)."""

from __future__ import annotations

from datetime import datetime, timedelta

from userloop.accounts.throttle.base import Backoff
from userloop.domain.entities import ThrottleState
from userloop.store import Store


class DatabaseThrottleStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def state(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState | None:
        with self.store.read() as conn:
            return self.store.throttle.get(conn, key, _forget_before(now, backoff))

    def fail(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState:
        forget_before = _forget_before(now, backoff)
        with self.store.write() as conn:
            # Forgotten rows go on the way (an indexed delete that usually finds nothing).
            self.store.throttle.purge(conn, forget_before)
            failures = self.store.throttle.add_failure(conn, key, now, forget_before)
            next_allowed = now + timedelta(seconds=backoff.delay(failures))
            self.store.throttle.set_next_allowed(conn, key, next_allowed)
        return ThrottleState(failures, next_allowed)

    def clear(self, key: str) -> None:
        with self.store.write() as conn:
            self.store.throttle.clear(conn, key)


def _forget_before(now: datetime, backoff: Backoff) -> datetime:
    return now - timedelta(seconds=backoff.forget_after)
