"""Dependencies as Annotated aliases: services and token scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from userloop.domain.entities import ApiToken
from userloop.domain.enums import TokenScope
from userloop.services import Services
from userloop.web.api.errors import ApiError


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def require_scope(scope: TokenScope) -> Callable[[Request, Services], ApiToken]:
    def check(request: Request, services: ServicesDep) -> ApiToken:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise ApiError(
                401,
                "unauthenticated",
                "this endpoint needs an API token: send 'Authorization: Bearer <token>' "
                "(create one with `userloop token create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        info = services.tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
        if info is None:
            raise ApiError(
                401,
                "invalid_token",
                "the API token is unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if scope not in info.scopes:
            raise ApiError(
                403,
                "insufficient_scope",
                f"this endpoint needs a token with scope {scope.value!r}; this token has "
                f"{', '.join(sorted(info.scopes))}",
            )
        return info

    return check


IngestToken = Annotated[ApiToken, Depends(require_scope(TokenScope.INGEST))]
ReadToken = Annotated[ApiToken, Depends(require_scope(TokenScope.READ))]
