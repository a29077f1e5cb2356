"""GET /api/v1/health: whether this process and its database answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from userloop import __version__
from userloop.web.api.deps import ServicesDep
from userloop.web.api.schemas import Health

router = APIRouter()


@router.get(
    "/health",
    response_model=Health,
    tags=["meta"],
    responses={503: {"model": Health, "description": "The database cannot be reached"}},
)
def health(services: ServicesDep) -> JSONResponse:
    ok = services.database_ok()
    body = Health(
        status="ok" if ok else "degraded",
        database="ok" if ok else "unreachable",
        version=__version__,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
