"""GET /api/v1/emerging: the topics that rose, or appeared, on a build (scope `read`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from userloop.insight.service import UnknownBuild, UnknownProduct
from userloop.web.api.deps import ReadToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import AUTH, error_responses
from userloop.web.api.schemas import EmergingOut, EmergingPage

router = APIRouter()

# The same patterns as a feedback item's `product` and `build`.
_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"
_NOT_FOUND = {404: "No feedback names this build (in this product), or this product has none"}


@router.get(
    "/emerging",
    response_model=EmergingPage,
    tags=["insight"],
    responses=error_responses(*AUTH, 422, described=_NOT_FOUND),
)
def list_emerging(
    services: ServicesDep,
    _token: ReadToken,
    build: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    product: Annotated[str | None, Query(pattern=_PRODUCT)] = None,
    all_builds: Annotated[bool, Query(description="Every build, not one")] = False,
) -> EmergingPage:
    """Topics whose rate rose significantly on a build against the earlier builds, or that
    are new on it, with the evidence (counts, exposures, rates, the test, the p-values after
    the Benjamini–Hochberg correction) and the topic's rate per build. Without `build` or
    `all_builds`: each product's latest build."""
    if build is not None and all_builds:
        raise ApiError(422, "validation_error", "give either build or all_builds, not both")
    try:
        found = services.emerging.emerging(build=build, all_builds=all_builds, product=product)
    except (UnknownBuild, UnknownProduct) as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from exc
    return EmergingPage(data=[EmergingOut.model_validate(i.record()) for i in found])
