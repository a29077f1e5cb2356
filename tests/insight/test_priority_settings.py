"""The priority settings: defaults reach PriorityConfig, the environment can set the weight
tables as JSON, and unknown kinds, attributes or negative weights are refused by name."""

from __future__ import annotations

import pytest

from userloop.config import SettingsError, load_settings
from userloop.container import priority_config
from userloop.insight.priority import DEFAULT_KIND_WEIGHTS, DEFAULT_SEGMENT_WEIGHTS


def test_the_defaults_are_the_documented_ones() -> None:
    config = priority_config(load_settings())
    assert dict(config.kind_weights) == DEFAULT_KIND_WEIGHTS
    assert {k: dict(v) for k, v in config.segment_weights.items()} == DEFAULT_SEGMENT_WEIGHTS
    assert (config.window_days, config.prior_strength, config.votes_weight) == (28, 5.0, 1.0)
    assert (config.trend_weight, config.trend_cap, config.recency_half_life_days) == (
        0.5,
        4.0,
        14.0,
    )


def test_weight_tables_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERLOOP_PRIORITY_SEGMENT_WEIGHTS", '{"region": {"cn": 2.0}}')
    monkeypatch.setenv("USERLOOP_PRIORITY_KIND_WEIGHTS", '{"bug": 3.0}')
    config = priority_config(load_settings())
    assert config.segment_weights == {"region": {"cn": 2.0}}
    assert config.kind_weights == {"bug": 3.0}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("priority_kind_weights", {"rant": 1.0}, "kinds are"),
        ("priority_kind_weights", {"bug": -1.0}, "kinds are"),
        ("priority_segment_weights", {"shoe_size": {}}, "segment attributes are"),
        ("priority_segment_weights", {"region": {"cn": -2.0}}, "0 or more"),
        ("priority_window_days", 7, "priority_window_days"),
    ],
)
def test_bad_weights_are_refused(name: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(None, **{name: value})
