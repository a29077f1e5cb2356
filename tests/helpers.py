"""Small builders shared by tests (no fixtures here: those live in conftest.py)."""

from __future__ import annotations

from typing import Any


def item(text: str = "Battery drains overnight since the update", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"text": text, "source": "test", "external_id": "x-1"}
    base.update(fields)
    return base
