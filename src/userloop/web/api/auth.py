"""Who an API request is: the bearer token in its Authorization header."""

from __future__ import annotations

from collections.abc import Callable

from userloop.domain.entities import ApiToken
from userloop.web.api.errors import ApiError

TokenCheck = Callable[[str], ApiToken | None]


def authenticate(header: str, verify: TokenCheck) -> ApiToken:
    """The token's record, or ApiError 401 saying what is wrong with the header."""
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(
            401,
            "unauthenticated",
            "this endpoint needs an API token: send 'Authorization: Bearer <token>' "
            "(create one with `userloop token create`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    info = verify(token.strip()) if scheme.lower() == "bearer" else None
    if info is None:
        raise ApiError(
            401,
            "invalid_token",
            "the API token is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return info
