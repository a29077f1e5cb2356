"""Feedback: submit one or a batch, read one, list a page with filters and a cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from userloop.domain.enums import Channel, ItemStatus
from userloop.domain.filters import FeedbackFilter
from userloop.intake.schemas import check_language, check_region
from userloop.intake.service import ItemResult, count_results
from userloop.web.api.deps import IngestToken, ReadToken, ServicesDep
from userloop.web.api.errors import ApiError, error_body
from userloop.web.api.routes.common import AUTH, POST, error_responses
from userloop.web.api.schemas import (
    BatchIn,
    BatchItemResult,
    BatchResult,
    FeedbackPage,
    FeedbackPublic,
    SubmitResult,
)
from userloop.web.params import MAX_ID, IsoDateTime, PathId

router = APIRouter()

_FEEDBACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}}},
    }
}
_STATUS_CODE = {
    ItemStatus.CREATED: 201,
    ItemStatus.DUPLICATE: 200,
    ItemStatus.CONFLICT: 409,
    ItemStatus.INVALID: 422,
}


@router.post(
    "/feedback",
    response_model=SubmitResult,
    status_code=201,
    tags=["feedback"],
    openapi_extra=_FEEDBACK_BODY,
    responses={
        200: {"model": SubmitResult, "description": "Already stored (same key, same text)"},
        **error_responses(*POST, 409),
    },
)
def submit_feedback(
    payload: Annotated[Any, Body()], services: ServicesDep, _token: IngestToken
) -> JSONResponse:
    if not isinstance(payload, dict):
        raise ApiError(422, "validation_error", "the request body must be a JSON object")
    result = services.intake.submit(payload)
    if result.status is ItemStatus.INVALID:
        return JSONResponse(
            error_body("validation_error", result.message or "invalid", list(result.errors)), 422
        )
    if result.status is ItemStatus.CONFLICT:
        return JSONResponse(
            error_body("conflict", result.message or "conflict", {"existing_id": result.id}), 409
        )
    body = SubmitResult(id=result.id, status=result.status.value)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=_STATUS_CODE[result.status])


@router.post(
    "/feedback:batch",
    response_model=BatchResult,
    tags=["feedback"],
    responses=error_responses(*POST),
)
def submit_feedback_batch(
    batch: BatchIn, services: ServicesDep, _token: IngestToken
) -> BatchResult:
    limit = services.settings.api_batch_limit
    if len(batch.items) > limit:
        raise ApiError(
            413, "batch_too_large", f"a batch holds at most {limit} items; got {len(batch.items)}"
        )
    results = services.intake.submit_batch(batch.items)
    return BatchResult(results=[_batch_item(r) for r in results], counts=count_results(results))


def _batch_item(r: ItemResult) -> BatchItemResult:
    return BatchItemResult(
        index=r.index,
        id=r.id,
        status=r.status.value,
        message=r.message,
        errors=list(r.errors) or None,
    )


@router.get(
    "/feedback/{feedback_id}",
    response_model=FeedbackPublic,
    tags=["feedback"],
    responses=error_responses(*AUTH, 404, 422),
)
def get_feedback(feedback_id: PathId, services: ServicesDep, _token: ReadToken) -> FeedbackPublic:
    item = services.feedback.get(feedback_id)
    if item is None:
        raise ApiError(404, "not_found", f"no feedback with id {feedback_id}")
    return FeedbackPublic.of(item)


def _decode_cursor(cursor: str) -> int:
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_cursor", "cursor is not one this API returned") from exc
    if not 1 <= value <= MAX_ID:  # ids are positive 64-bit numbers; the store would overflow
        raise ApiError(400, "bad_cursor", "cursor is not one this API returned")
    return value


def _utc(value: datetime | None, name: str) -> datetime | None:
    """Like `created_at`: a date-time without an offset is UTC."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00
        raise ApiError(
            422,
            "validation_error",
            f"{name}: is out of range; got {value.isoformat()}",
            [{"field": name, "message": "is out of range"}],
        ) from exc


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


@router.get(
    "/feedback",
    response_model=FeedbackPage,
    tags=["feedback"],
    responses=error_responses(*AUTH, 400, 422),
)
def list_feedback(
    services: ServicesDep,
    _token: ReadToken,
    product: str | None = None,
    source: str | None = None,
    model: str | None = None,
    build: str | None = None,
    channel: Channel | None = None,
    region: str | None = None,
    language: str | None = None,
    since: Annotated[
        IsoDateTime | None, Query(description="created_at >= since (ISO 8601 date-time)")
    ] = None,
    until: Annotated[
        IsoDateTime | None, Query(description="created_at < until (ISO 8601 date-time)")
    ] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> FeedbackPage:
    settings = services.settings
    size = min(limit or settings.api_page_size, settings.api_max_page_size)
    try:
        filters = FeedbackFilter(
            product=product,
            source=source,
            model=model,
            build=build,
            channel=channel,
            region=check_region(region) if region else None,
            language=check_language(language) if language else None,
            since=_utc(since, "since"),
            until=_utc(until, "until"),
        )
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    after = _decode_cursor(cursor) if cursor else None
    page = services.feedback.page(filters, after, size)
    next_cursor = _encode_cursor(page[-1].id) if len(page) == size else None
    return FeedbackPage(
        data=[FeedbackPublic.of(f) for f in page], count=len(page), next_cursor=next_cursor
    )
