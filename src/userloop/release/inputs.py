"""Checks on what callers give the release service: each refusal names the field and says
what is wrong (`ReleaseInputError`)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from userloop.domain.enums import Channel
from userloop.domain.release import RolloutPlan
from userloop.release.errors import ReleaseInputError
from userloop.release.plans import PlanError, parse_plan

_PRODUCT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_REGION = re.compile(r"^[A-Za-z]{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 100
MAX_REASON = 2000
MAX_ACTOR = 200


def product(value: str) -> str:
    if not _PRODUCT.match(value):
        raise ReleaseInputError(
            "product", f"{value!r} is not a product slug (lower-case letters, digits, '-')"
        )
    return value


def channel(value: Channel | str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise ReleaseInputError("channel", f"{value!r} is not one of {allowed}") from None


def name(field: str, value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > MAX_NAME:
        raise ReleaseInputError(field, f"{value!r} must be 1-{MAX_NAME} characters")
    printable(field, cleaned)
    return cleaned


def actor(actor: str) -> str:
    if not actor.strip() or len(actor) > MAX_ACTOR:
        raise ReleaseInputError("actor", f"{actor!r} must be 1-{MAX_ACTOR} characters")
    printable("actor", actor)
    return actor


def plain(details: dict[str, Any]) -> dict[str, Any]:
    """`details` as plain JSON: a gate's numbers may be NumPy scalars or arrays."""
    try:
        plain: dict[str, Any] = json.loads(json.dumps(details, default=_to_json))
    except (TypeError, ValueError) as exc:
        raise ReleaseInputError("details", f"not JSON: {exc}") from None
    return plain


def _to_json(value: Any) -> Any:
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return value.tolist()
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def reason(reason: str) -> None:
    if len(reason) > MAX_REASON:
        raise ReleaseInputError("reason", f"at most {MAX_REASON} characters")
    if "\x00" in reason:
        raise ReleaseInputError("reason", "contains a NUL character")


def printable(field: str, value: str) -> None:
    # Control characters name no build or device (and PostgreSQL refuses NUL in text).
    if _CONTROL.search(value):
        raise ReleaseInputError(field, f"{value!r} contains control characters")


def region(value: str) -> str:
    if not _REGION.match(value.strip()):
        raise ReleaseInputError("regions", f"{value!r} is not a two-letter region code (e.g. NL)")
    return value.strip().upper()


def plan(plan: str | RolloutPlan) -> RolloutPlan:
    if isinstance(plan, RolloutPlan):
        return plan
    try:
        return parse_plan(plan)
    except PlanError as exc:
        raise ReleaseInputError("plan", str(exc)) from None
