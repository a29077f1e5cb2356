"""What the loop needs of a notification channel: a `Notifier` sends one `Notification` (a
message already written in the reporter's language) to one contact and says how it went.

Notifiers are chosen by name, as in the ``notifier`` setting (docs/notify.md). An outside
package adds one through an entry point in the ``userloop.notifiers`` group whose object is a
``userloop.registry.Plugin`` wrapping a `NotifierFactory`. Retries and the outbox sit above
this seam: a notifier makes one attempt and reports its outcome, it never raises for a failed
delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from userloop.registry import Registry


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one reporter, already localised: the notifier only delivers it."""

    to: str  # the reporter's contact, given with consent (an e-mail address today)
    language: str  # BCP 47 tag of the language `subject` and `body` are written in
    subject: str
    body: str
    # Same key, same message: lets a channel that supports it drop a retried duplicate.
    key: str = ""
    topic_id: int | None = None  # the topic the message is about, if any

    def __post_init__(self) -> None:
        if not self.to.strip():
            raise ValueError("a notification needs a contact to send to")
        if not self.body.strip():
            raise ValueError("a notification needs a body")


class DeliveryStatus(StrEnum):
    SENT = "sent"  # handed over to the channel
    RETRY = "retry"  # failed for now (network, rate limit): worth another attempt later
    FAILED = "failed"  # will not work as addressed (unknown address, refused): do not retry


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one attempt went; `detail` is for the operator (an id from the channel, or why)."""

    status: DeliveryStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.SENT


class Notifier(Protocol):
    @property
    def name(self) -> str:
        """The registered name (``memory``), recorded with each delivery."""
        ...

    def send(self, notification: Notification) -> Delivery: ...


@dataclass(frozen=True, slots=True)
class NotifierOptions:
    """What a notifier is built from. Empty for now: the SMTP and webhook notifiers (issues 13
    and 14) add their settings here, so every factory keeps one signature."""


NotifierFactory = Callable[[NotifierOptions], Notifier]


def _memory(options: NotifierOptions) -> Notifier:
    from userloop.notify.memory import MemoryNotifier  # here: memory.py imports this module

    return MemoryNotifier()


NOTIFIERS: Registry[NotifierFactory] = Registry("notifier", "userloop.notifiers")
NOTIFIERS.register(
    "memory",
    _memory,
    "Keeps every message in the process's memory and sends nothing: for tests and the demo.",
)


def build_notifier(name: str, options: NotifierOptions | None = None) -> Notifier:
    """The notifier registered as `name` (UnknownPlugin lists the valid names)."""
    return NOTIFIERS.get(name).factory(options or NotifierOptions())
