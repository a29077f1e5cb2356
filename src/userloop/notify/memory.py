"""A notifier that keeps what it is given: tests read `sent`, the demo shows it. Nothing
leaves the process."""

from __future__ import annotations

import threading

from userloop.notify.base import Delivery, DeliveryStatus, Notification


class MemoryNotifier:
    name = "memory"

    def __init__(self, *, limit: int = 10_000) -> None:
        self._sent: list[Notification] = []
        self._limit = limit  # a long-running demo must not grow without bound
        self._lock = threading.Lock()  # web requests and the worker may send at once
        self._count = 0

    def send(self, notification: Notification) -> Delivery:
        with self._lock:
            self._sent.append(notification)
            del self._sent[: -self._limit]
            self._count += 1
            number = self._count
        return Delivery(DeliveryStatus.SENT, f"memory:{number}")

    @property
    def sent(self) -> tuple[Notification, ...]:
        """What was sent, oldest first (the latest `limit` messages)."""
        with self._lock:
            return tuple(self._sent)

    def to(self, contact: str) -> tuple[Notification, ...]:
        """What was sent to one contact, oldest first."""
        return tuple(n for n in self.sent if n.to == contact)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()
