"""Build order: versions sort naturally, independent of arrival order."""

from __future__ import annotations

import pytest

from userloop.domain.rules.builds import build_sort_key


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
