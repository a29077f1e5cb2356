"""GET /api/v1/priorities: topics ranked by their stored priority (scope `read`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from userloop.domain.enums import Segment
from userloop.insight.priority_service import MAX_LIMIT, UnknownProduct
from userloop.views.priority_sentence import PlainEnglish, priority_sentence
from userloop.web.api.deps import ReadToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import AUTH, error_responses
from userloop.web.api.schemas import PriorityOut, PriorityPage

router = APIRouter()

_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"
Filter = Annotated[str | None, Query(min_length=1, max_length=100)]


@router.get(
    "/priorities",
    response_model=PriorityPage,
    tags=["insight"],
    responses=error_responses(*AUTH, 422, described={404: "No topic belongs to this product"}),
)
def list_priorities(
    services: ServicesDep,
    _token: ReadToken,
    product: Annotated[str | None, Query(pattern=_PRODUCT)] = None,
    model: Filter = None,
    build: Filter = None,
    region: Filter = None,
    segment: Annotated[Segment | None, Query(description="The users' experience")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PriorityPage:
    """Topics ranked by their stored priority, best first, each with its parts and the
    sentence that explains it. The priority job computes them after triage; this only reads
    them. A filter re-ranks by each topic's stored estimate inside that slice and leaves out
    topics with nothing in it."""
    try:
        page = services.priorities.ranked(
            product,
            model,
            build,
            region,
            None if segment is None else segment.value,
            limit=limit,
            offset=offset,
        )
    except UnknownProduct as exc:
        raise ApiError(404, "not_found", str(exc.args[0])) from exc
    english = PlainEnglish()
    return PriorityPage(
        data=[
            PriorityOut.model_validate(
                {**item.record(), "sentence": priority_sentence(english, item.parts)}
            )
            for item in page.items
        ],
        total=page.total,
        counts_only=page.counts_only,
    )
