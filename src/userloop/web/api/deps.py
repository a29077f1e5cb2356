"""Dependencies as Annotated aliases: services and token scopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from userloop.container import Services
from userloop.domain.entities import ApiToken
from userloop.domain.enums import TokenScope
from userloop.web.api.auth import authenticate
from userloop.web.api.errors import ApiError


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

# Publishes the bearer scheme in OpenAPI; `check` reads the header itself for its own messages.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `userloop token create`, with the scope the operation needs.",
)


def require_scope(scope: TokenScope) -> Callable[..., ApiToken]:
    def check(
        request: Request,
        services: ServicesDep,
        _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiToken:
        # The edge (web/edge.py) has already checked the token of a request with a body.
        info = getattr(request.state, "api_token", None)
        if not isinstance(info, ApiToken):
            info = authenticate(request.headers.get("authorization", ""), services.tokens.verify)
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
TriageToken = Annotated[ApiToken, Depends(require_scope(TokenScope.TRIAGE))]
ReleaseToken = Annotated[ApiToken, Depends(require_scope(TokenScope.RELEASE))]
