"""Console sign-in throttling that slows an attacker without locking the owner out.

Failures are counted per (account, address) pair: after a few free ones, each further failure
doubles how long that pair waits before its next attempt is even checked, up to a cap, and a
successful sign-in clears the pair. The right password from another address is never held up by
the pair's failures. A much looser count per address, across accounts, slows password spraying;
it is not cleared by a sign-in (one valid account must not reset it) and fades with time.

Keys are HMACs of the username and address, so the store holds neither."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from userloop.accounts.throttle.base import Backoff, ThrottleStore


def _now() -> datetime:
    return datetime.now(UTC)


class SignInThrottle:
    def __init__(
        self,
        store: ThrottleStore,
        secret: bytes,
        pair: Backoff,
        address: Backoff,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.secret = secret
        self.pair = pair
        self.address = address
        self.clock = clock

    def _key(self, *parts: str) -> str:
        message = "\0".join(parts).encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def _keys(self, username: str, ip: str) -> list[tuple[str, Backoff]]:
        name = username.strip().lower()
        return [
            (self._key("sign-in", name, ip), self.pair),
            (self._key("sign-in-address", ip), self.address),
        ]

    def wait_seconds(self, username: str, ip: str) -> float:
        """How long this account and address must wait before an attempt is checked; 0: now."""
        now = self.clock()
        wait = 0.0
        for key, backoff in self._keys(username, ip):
            state = self.store.state(key, now, backoff)
            if state is not None:
                wait = max(wait, (state.next_allowed_at - now).total_seconds())
        return wait

    def failed(self, username: str, ip: str) -> None:
        now = self.clock()
        for key, backoff in self._keys(username, ip):
            self.store.fail(key, now, backoff)

    def succeeded(self, username: str, ip: str) -> None:
        pair_key, _ = self._keys(username, ip)[0]
        self.store.clear(pair_key)
