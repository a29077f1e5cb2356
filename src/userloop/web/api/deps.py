"""Dependencies as Annotated aliases: services and token scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

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
        return _in_scope(info, scope)

    return check


def require_scope_async(scope: TokenScope) -> Callable[..., Awaitable[ApiToken]]:
    """`require_scope` for a hot async route: the token's look-up is the request's only trip
    to the thread pool (a sync dependency costs one trip each)."""

    async def check(
        request: Request,
        _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiToken:
        found = getattr(request.state, "api_token", None)
        if isinstance(found, ApiToken):
            return _in_scope(found, scope)
        header = request.headers.get("authorization", "")
        verify = get_services(request).tokens.verify
        return _in_scope(await run_in_threadpool(authenticate, header, verify), scope)

    return check


def _in_scope(info: ApiToken, scope: TokenScope) -> ApiToken:
    if scope not in info.scopes:
        raise ApiError(
            403,
            "insufficient_scope",
            f"this endpoint needs a token with scope {scope.value!r}; this token has "
            f"{', '.join(sorted(info.scopes))}",
        )
    return info


IngestToken = Annotated[ApiToken, Depends(require_scope(TokenScope.INGEST))]
ReadToken = Annotated[ApiToken, Depends(require_scope(TokenScope.READ))]
TriageToken = Annotated[ApiToken, Depends(require_scope(TokenScope.TRIAGE))]
ReleaseToken = Annotated[ApiToken, Depends(require_scope(TokenScope.RELEASE))]
# Devices asking for updates: the `ingest` token they send telemetry with, checked on the loop.
DeviceToken = Annotated[ApiToken, Depends(require_scope_async(TokenScope.INGEST))]
