"""The throttle's state store: failed attempts per key, shared by every web process.

One module per implementation (``database``, ``redis``), chosen from settings by
``build_throttle_store``. The policy (how long to wait after how many failures) is ``Backoff``;
the stores only count and remember."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from userloop.domain.entities import ThrottleState


class ThrottleUnavailable(RuntimeError):
    """A throttle store's optional dependency is missing; the message names the fix."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """After `free_failures` failures each further one doubles the wait before the next attempt
    is even checked (1 s, 2 s, 4 s, ...) up to `max_delay` seconds. A key whose last failure is
    `forget_after` seconds old starts again from nothing."""

    free_failures: int
    max_delay: float
    forget_after: float = 24 * 3600

    def delay(self, failures: int) -> float:
        over = failures - self.free_failures
        if over <= 0:
            return 0.0
        return float(min(2 ** min(over - 1, 40), self.max_delay))


@runtime_checkable
class ThrottleStore(Protocol):
    def state(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState | None:
        """The key's failures and next allowed time; None when it has none to remember."""
        ...

    def fail(self, key: str, now: datetime, backoff: Backoff) -> ThrottleState:
        """Count one failure for `key` (atomically, across processes) and set its next allowed
        time from `backoff`; the new state."""
        ...

    def clear(self, key: str) -> None:
        """Forget the key (a successful sign-in)."""
        ...
