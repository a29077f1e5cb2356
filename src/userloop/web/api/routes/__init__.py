"""The JSON API under /api/v1, one module per resource. Handlers are thin: parse, authorise,
one service call."""

from __future__ import annotations

from fastapi import APIRouter

from userloop.web.api.routes import (
    emerging,
    feedback,
    health,
    install_base,
    merge_suggestions,
    priorities,
    releases,
    returns,
    similar,
)

router = APIRouter(prefix="/api/v1")
# The order is the order of the paths in the OpenAPI document.
for _resource in (
    health,
    feedback,
    install_base,
    returns,
    similar,
    merge_suggestions,
    emerging,
    priorities,
    releases,
):
    router.include_router(_resource.router)
