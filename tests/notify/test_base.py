"""The notifier seam: the value sent, the delivery result, and notifiers chosen by name."""

from __future__ import annotations

import pytest

from userloop.config import load_settings
from userloop.container import Services
from userloop.notify.base import (
    NOTIFIERS,
    Delivery,
    DeliveryStatus,
    Notification,
    Notifier,
    build_notifier,
)
from userloop.notify.memory import MemoryNotifier
from userloop.registry import UnknownPlugin


def test_a_notification_needs_a_contact_and_a_body() -> None:
    with pytest.raises(ValueError, match="contact"):
        Notification(to=" ", language="en", subject="Fixed", body="Your report is fixed.")
    with pytest.raises(ValueError, match="body"):
        Notification(to="a@example.org", language="en", subject="Fixed", body="")


def test_only_sent_is_ok() -> None:
    assert Delivery(DeliveryStatus.SENT).ok
    assert not Delivery(DeliveryStatus.RETRY, "timeout").ok
    assert not Delivery(DeliveryStatus.FAILED, "no such mailbox").ok


def test_notifiers_are_chosen_by_name() -> None:
    assert "memory" in NOTIFIERS
    notifier: Notifier = build_notifier(" Memory ")
    assert isinstance(notifier, MemoryNotifier)
    assert notifier.name == "memory"
    assert build_notifier("memory") is not notifier  # each build is a fresh notifier


def test_an_unknown_notifier_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownPlugin, match=r"unknown notifier 'carrier-pigeon'; valid: memory"):
        build_notifier("carrier-pigeon")


def test_the_setting_picks_the_container_s_notifier() -> None:
    settings = load_settings(database_url="sqlite://")
    assert settings.notifier == "memory"
    services = Services.build(settings)
    try:
        assert isinstance(services.notifier, MemoryNotifier)
    finally:
        services.close()
    with pytest.raises(UnknownPlugin):
        Services.build(load_settings(database_url="sqlite://", notifier="nope"))
