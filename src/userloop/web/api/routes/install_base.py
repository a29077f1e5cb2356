"""POST /api/v1/install-base: active-device counts per model, build, channel, region, day;
GET: what they add up to (adoption per build, devices per model and region, rates per build)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from userloop.domain.enums import Channel, Segment
from userloop.insight.install_base import InstallBaseFilter, InvalidFilter, UnknownProduct
from userloop.intake.service import InstallBaseRejected
from userloop.web.api.deps import IngestToken, ReadToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import AUTH, POST, error_responses
from userloop.web.api.schemas import InstallBaseBatchIn, InstallBaseOut, InstallBaseResult

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


_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"  # as a feedback item's `product`
_NAME = Query(min_length=1, max_length=100)


@router.get(
    "/install-base",
    response_model=InstallBaseOut,
    tags=["install base"],
    responses=error_responses(*AUTH, 422, described={404: "No product has this slug"}),
)
def read_install_base(
    services: ServicesDep,
    _token: ReadToken,
    product: Annotated[str | None, Query(pattern=_PRODUCT)] = None,
    model: Annotated[str | None, _NAME] = None,
    build: Annotated[str | None, _NAME] = None,
    region: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    channel: Channel | None = None,
    segment: Segment | None = None,
    since: Annotated[date | None, Query(description="First day, inclusive")] = None,
    until: Annotated[date | None, Query(description="Last day, inclusive")] = None,
) -> InstallBaseOut:
    """A product's install base under the filters: active devices per day and build (each
    build's adoption), per model and per region (latest day and mean per day), and per build
    the device-days, crashes and returns with their rates per device-day and exact 95% Poisson
    intervals. A product without install-base rows answers `has_install_base: false` and a
    `hint`. Without `product`: the default product if it has an install base, else the first
    that has one."""
    where = InstallBaseFilter(
        model=model,
        build=build,
        channel=channel.value if channel else None,
        region=region,
        segment=segment.value if segment else None,
        since=since,
        until=until,
    )
    try:
        report = services.install_base.report(product, where)
    except UnknownProduct as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from exc
    except InvalidFilter as exc:
        raise ApiError(422, "validation_error", str(exc.args[0])) from exc
    return InstallBaseOut.model_validate(report.record())
