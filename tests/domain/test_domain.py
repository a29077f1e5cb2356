"""Pure domain rules: closed vocabularies, allowed transitions, build order."""

from __future__ import annotations

import pytest

from userloop.domain.builds import build_sort_key
from userloop.domain.enums import TOPIC_TRANSITIONS, Channel, InvalidTransition, TopicStatus


def test_unknown_values_raise() -> None:
    with pytest.raises(ValueError):
        Channel("nightly")
    with pytest.raises(ValueError):
        TopicStatus("open")


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


@pytest.mark.parametrize(
    "ordered",
    [
        ["3.4.9", "3.4.10", "3.5.0", "10.0"],
        ["V14.0.3.0", "V14.0.5.0", "V14.0.12.0"],
        ["OS 3.4.2639", "OS 3.4.2640", "OS 3.4.2701"],
        ["1.0-beta", "1.0-rc1", "1.0-rc2"],
    ],
)
def test_builds_sort_naturally(ordered: list[str]) -> None:
    assert sorted(ordered, key=build_sort_key) == ordered
    assert sorted(reversed(ordered), key=build_sort_key) == ordered
