"""Closed vocabularies and allowed transitions."""

from __future__ import annotations

import pytest

from userloop.domain.enums import (
    KINDS,
    TOPIC_TRANSITIONS,
    Channel,
    InvalidTransition,
    Kind,
    TopicStatus,
)


def test_unknown_values_raise() -> None:
    with pytest.raises(ValueError):
        Channel("nightly")
    with pytest.raises(ValueError):
        TopicStatus("open")
    with pytest.raises(ValueError):
        Kind("complaint")


def test_kinds_keep_their_values_and_order() -> None:
    # Model files store scores in this order: reordering would silently swap kinds.
    assert KINDS == ("bug", "feature", "question", "praise", "other")
    assert tuple(Kind) == KINDS
    assert all(isinstance(k, str) and not isinstance(k, Kind) for k in KINDS)


def test_every_status_has_its_transitions_listed() -> None:
    assert set(TOPIC_TRANSITIONS) == set(TopicStatus)
    for source, targets in TOPIC_TRANSITIONS.items():
        assert source not in targets


def test_allowed_and_refused_transitions() -> None:
    TopicStatus.NEW.require_transition(TopicStatus.CONFIRMED)
    TopicStatus.IN_PROGRESS.require_transition(TopicStatus.FIXED)
    with pytest.raises(InvalidTransition, match="cannot go from new to shipped"):
        TopicStatus.NEW.require_transition(TopicStatus.SHIPPED)
    assert not TopicStatus.DUPLICATE.can_become(TopicStatus.FIXED)
