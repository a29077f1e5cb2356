"""POST /api/v1/returns: returns / RMA records (scope `ingest`), per-item results like the
feedback batch; GET /api/v1/returns/summary: what they add up to (scope `read`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from userloop.insight.returns_service import InvalidWindow, UnknownProduct
from userloop.intake.service import ItemResult, count_results
from userloop.web.api.deps import IngestToken, ReadToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import AUTH, POST, error_responses
from userloop.web.api.schemas import (
    BatchItemResult,
    BatchResult,
    ReturnsBatchIn,
    ReturnsSummaryOut,
)

router = APIRouter()

_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"  # as a feedback item's `product`


@router.post(
    "/returns",
    response_model=BatchResult,
    tags=["returns"],
    responses=error_responses(*POST),
)
def submit_returns(
    batch: ReturnsBatchIn, services: ServicesDep, _token: IngestToken
) -> BatchResult:
    """Returns / RMA records, each validated on its own; all valid records (and the feedback
    items of their reason texts) are written in one transaction. A record sent again is a
    duplicate, one with the same key and other fields a conflict."""
    limit = services.settings.api_batch_limit
    if len(batch.records) > limit:
        raise ApiError(
            413,
            "batch_too_large",
            f"a batch holds at most {limit} records; got {len(batch.records)}",
        )
    results = services.intake.submit_returns(batch.records)
    return BatchResult(results=[_item(r) for r in results], counts=count_results(results))


def _item(r: ItemResult) -> BatchItemResult:
    return BatchItemResult(
        index=r.index,
        id=r.id,
        status=r.status.value,
        message=r.message,
        errors=list(r.errors) or None,
    )


@router.get(
    "/returns/summary",
    response_model=ReturnsSummaryOut,
    tags=["returns"],
    responses=error_responses(*AUTH, 422, described={404: "No product has this slug"}),
)
def returns_summary(
    services: ServicesDep,
    _token: ReadToken,
    product: Annotated[str | None, Query(pattern=_PRODUCT)] = None,
    since: Annotated[date | None, Query(description="First day, inclusive")] = None,
    until: Annotated[date | None, Query(description="Last day, inclusive")] = None,
) -> ReturnsSummaryOut:
    """Returns per model and build with their rate per 1,000 device-days of the install base
    (null where it has none), per batch with its share of the model's returns, and the batches
    out of line with their evidence (docs/insight.md, "Returns"). Default product: the
    `default_product` setting."""
    try:
        summary = services.returns.summary(product, since, until)
    except UnknownProduct as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from exc
    except InvalidWindow as exc:
        raise ApiError(422, "validation_error", str(exc.args[0])) from exc
    return ReturnsSummaryOut.model_validate(summary.record())
