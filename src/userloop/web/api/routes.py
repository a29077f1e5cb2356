"""The JSON API under /api/v1. Handlers are thin: parse, authorise, one service call."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from userloop import __version__
from userloop.domain.enums import Channel, ItemStatus
from userloop.intake.schemas import check_language, check_region
from userloop.intake.service import InstallBaseRejected, ItemResult, count_results
from userloop.store.repos.feedback import FeedbackFilter
from userloop.web.api.deps import IngestToken, ReadToken, ServicesDep
from userloop.web.api.errors import ApiError, error_body
from userloop.web.api.schemas import (
    BatchIn,
    BatchItemResult,
    BatchResult,
    ErrorBody,
    FeedbackPage,
    FeedbackPublic,
    Health,
    InstallBaseBatchIn,
    InstallBaseResult,
    SimilarIn,
    SimilarOut,
    SimilarTopicOut,
    SubmitResult,
)
from userloop.web.params import MAX_ID, IsoDateTime, PathId

router = APIRouter(prefix="/api/v1")

_FEEDBACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}}},
    }
}
_ERRORS = {
    400: "An unreadable body (not UTF-8), or a cursor this API did not return",
    401: "No API token, or an unknown or revoked one",
    403: "The token lacks the scope this operation needs",
    404: "No such item",
    409: "Same source and external_id, different text",
    413: "The request body or batch is too large",
    422: "Invalid input: `details` lists `{field, message}`",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors an operation can answer, each with the error body."""
    return {s: {"model": ErrorBody, "description": _ERRORS[s]} for s in statuses}


# Every operation that takes a token; every POST may have a body that cannot be read or that is
# too large to be read.
_AUTH = (401, 403)
_POST = (400, *_AUTH, 413, 422)

_STATUS_CODE = {
    ItemStatus.CREATED: 201,
    ItemStatus.DUPLICATE: 200,
    ItemStatus.CONFLICT: 409,
    ItemStatus.INVALID: 422,
}


@router.get(
    "/health",
    response_model=Health,
    tags=["meta"],
    responses={503: {"model": Health, "description": "The database cannot be reached"}},
)
def health(services: ServicesDep) -> JSONResponse:
    ok = services.store.ping()
    body = Health(
        status="ok" if ok else "degraded",
        database="ok" if ok else "unreachable",
        version=__version__,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.post(
    "/feedback",
    response_model=SubmitResult,
    status_code=201,
    tags=["feedback"],
    openapi_extra=_FEEDBACK_BODY,
    responses={
        200: {"model": SubmitResult, "description": "Already stored (same key, same text)"},
        **_errors(*_POST, 409),
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
    "/feedback:batch", response_model=BatchResult, tags=["feedback"], responses=_errors(*_POST)
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
    responses=_errors(*_AUTH, 404, 422),
)
def get_feedback(feedback_id: PathId, services: ServicesDep, _token: ReadToken) -> FeedbackPublic:
    with services.store.read() as conn:
        item = services.store.feedback.get(conn, feedback_id)
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
    responses=_errors(*_AUTH, 400, 422),
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
    with services.store.read() as conn:
        page = services.store.feedback.list(conn, filters, after, size)
    next_cursor = _encode_cursor(page[-1].id) if len(page) == size else None
    return FeedbackPage(
        data=[FeedbackPublic.of(f) for f in page], count=len(page), next_cursor=next_cursor
    )


@router.post(
    "/install-base",
    response_model=InstallBaseResult,
    tags=["install base"],
    responses=_errors(*_POST),
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


@router.post("/similar", response_model=SimilarOut, tags=["triage"], responses=_errors(*_POST))
def similar_topics(body: SimilarIn, services: ServicesDep, _token: ReadToken) -> SimilarOut:
    """Topics nearest to a text, each with a representative report in the asker's language
    when one exists: the portal's "already reported?"."""
    try:
        language = check_language(body.language) if body.language else None
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    hits = services.triage.similar.topics(
        body.text, language=language, k=body.k, product=body.product
    )
    return SimilarOut(data=[SimilarTopicOut.model_validate(h, from_attributes=True) for h in hits])
