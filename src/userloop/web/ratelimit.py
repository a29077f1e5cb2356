"""In-process sliding-window rate limits for the portal (submissions, votes, suggestions).

One process keeps its own counts: with several web processes each allows the limit (the
limits are about abuse, not billing)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def allow(self, key: str) -> bool:
        """Count one attempt for `key`; False (and not counted) when the limit is reached."""
        with self._lock:
            now = self.clock()
            hits = self._prune(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle keys now and then
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True

    def blocked(self, key: str) -> bool:
        """Whether `key` is at its limit, without counting an attempt."""
        with self._lock:
            return len(self._prune(key, self.clock())) >= self.limit

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
