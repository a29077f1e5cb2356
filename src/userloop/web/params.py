"""Parameters bounded at the edge, shared by the portal, the console and the API.

An id larger than a database integer can name nothing, and handing it to the store fails
deep inside the driver (SQLite: OverflowError; PostgreSQL: NumericValueOutOfRange). Routes take
ids through these aliases, so such a request is refused as invalid before any query runs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BeforeValidator, Field

# The largest value of a signed 64-bit integer: PostgreSQL's bigint and SQLite's INTEGER.
MAX_ID = 2**63 - 1

# An id inside a form, a body or a list.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An id in the URL path: `/topics/{topic_id}`, `/api/v1/feedback/{feedback_id}`.
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive 64-bit id.")]

_DATE_PART = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME_EXAMPLE = "2026-10-05T08:30:00Z"


def _iso_datetime(value: Any) -> Any:
    """Pydantic also reads bare numbers ("0.5") as Unix times; people mean dates. Only ISO 8601
    text with its date part (`2026-10-05`, `2026-10-05T08:30:00Z`) goes on to be parsed."""
    if isinstance(value, str) and _DATE_PART.match(value.strip()):
        return value.strip()
    if isinstance(value, datetime):
        return value
    raise ValueError(f"must be an ISO 8601 date-time such as {DATETIME_EXAMPLE}; got {value!r}")


# A date-time in a query string: ISO 8601 with a date part, never a number.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
