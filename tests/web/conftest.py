"""The browser tests' Chromium: one per test module, launched after the module's `world` (its
live server) is up, so a module without a browser skips or fails before launching one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_support import launch_browser


@pytest.fixture(scope="module")
def browser(world: Any) -> Iterator[Any]:
    yield from launch_browser()
