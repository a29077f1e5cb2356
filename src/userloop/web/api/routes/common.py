"""What the API's operations share: the documented error responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userloop.web.api.schemas import ErrorBody

_ERRORS = {
    400: "An unreadable body (not UTF-8), or a cursor this API did not return",
    401: "No API token, or an unknown or revoked one",
    403: "The token lacks the scope this operation needs",
    404: "No such item",
    409: "Same source and external_id, different text",
    413: "The request body or batch is too large",
    422: "Invalid input: `details` lists `{field, message}`",
}

# Every operation that takes a token; every POST may have a body that cannot be read or that is
# too large to be read.
AUTH = (401, 403)
POST = (400, *AUTH, 413, 422)


def error_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors an operation can answer, each with the error body;
    `described` gives an operation's own description of a status (what its 409 means)."""
    own = described or {}
    return {
        s: {"model": ErrorBody, "description": own[s] if s in own else _ERRORS[s]}
        for s in (*statuses, *own)
    }
