"""The in-memory notifier records what it is given, in order, per contact, within its limit."""

from __future__ import annotations

import threading

from userloop.notify.base import DeliveryStatus, Notification
from userloop.notify.memory import MemoryNotifier


def message(to: str, n: int = 0, language: str = "en") -> Notification:
    return Notification(
        to=to, language=language, subject="Fixed", body=f"message {n}", key=f"k{n}", topic_id=7
    )


def test_records_every_message_in_order() -> None:
    notifier = MemoryNotifier()
    first = notifier.send(message("a@example.org", 1))
    second = notifier.send(message("b@example.org", 2, language="nl"))
    third = notifier.send(message("a@example.org", 3))
    assert first.status is DeliveryStatus.SENT and first.ok
    assert len({first.detail, second.detail, third.detail}) == 3
    assert [n.body for n in notifier.sent] == ["message 1", "message 2", "message 3"]
    assert [n.body for n in notifier.to("a@example.org")] == ["message 1", "message 3"]
    assert notifier.to("b@example.org")[0].language == "nl"
    notifier.clear()
    assert notifier.sent == ()


def test_keeps_only_the_latest_messages() -> None:
    notifier = MemoryNotifier(limit=3)
    for n in range(5):
        notifier.send(message("a@example.org", n))
    assert [n.body for n in notifier.sent] == ["message 2", "message 3", "message 4"]
    assert notifier.send(message("a@example.org", 5)).detail == "memory:6"


def test_concurrent_senders_lose_nothing() -> None:
    notifier = MemoryNotifier()

    def send(t: int) -> None:
        for n in range(200):
            notifier.send(message(f"{t}@example.org", n))

    threads = [threading.Thread(target=send, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(notifier.sent) == 800
    assert [n.body for n in notifier.to("2@example.org")] == [f"message {n}" for n in range(200)]
