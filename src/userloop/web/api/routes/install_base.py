"""POST /api/v1/install-base: active-device counts per model, build, channel, region, day."""

from __future__ import annotations

from fastapi import APIRouter

from userloop.intake.service import InstallBaseRejected
from userloop.web.api.deps import IngestToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import POST, error_responses
from userloop.web.api.schemas import InstallBaseBatchIn, InstallBaseResult

router = APIRouter()


@router.post(
    "/install-base",
    response_model=InstallBaseResult,
    tags=["install base"],
    responses=error_responses(*POST),
)
def submit_install_base(
    batch: InstallBaseBatchIn, services: ServicesDep, _token: IngestToken
) -> InstallBaseResult:
    limit = services.settings.api_batch_limit * 10
    if len(batch.samples) > limit:
        raise ApiError(413, "batch_too_large", f"at most {limit} samples per request")
    try:
        upserted = services.intake.submit_install_base(batch.samples)
    except InstallBaseRejected as exc:
        raise ApiError(422, "validation_error", str(exc), exc.errors) from exc
    return InstallBaseResult(upserted=upserted)
