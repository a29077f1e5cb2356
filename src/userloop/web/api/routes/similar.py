"""POST /api/v1/similar: the topics nearest to a text (the portal's "already reported?")."""

from __future__ import annotations

from fastapi import APIRouter

from userloop.intake.schemas import check_language
from userloop.web.api.deps import ReadToken, ServicesDep
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import POST, error_responses
from userloop.web.api.schemas import SimilarIn, SimilarOut, SimilarTopicOut

router = APIRouter()


@router.post(
    "/similar", response_model=SimilarOut, tags=["triage"], responses=error_responses(*POST)
)
def similar_topics(body: SimilarIn, services: ServicesDep, _token: ReadToken) -> SimilarOut:
    """Topics nearest to a text, each with a representative report in the asker's language
    when one exists: the portal's "already reported?"."""
    try:
        language = check_language(body.language) if body.language else None
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    hits = services.similar.topics(body.text, language=language, k=body.k, product=body.product)
    return SimilarOut(data=[SimilarTopicOut.model_validate(h, from_attributes=True) for h in hits])
