"""Merge suggestions: list the pairs of topics that probably describe one problem (scope
`read`), accept or reject one (scope `triage`). The service checks every rule and writes the
audit log; a decision it refuses is a 409 with its reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from userloop.domain.entities import ApiToken
from userloop.topics.lifecycle import TopicError
from userloop.topics.merge_suggestions import SuggestionOrder
from userloop.web.api.deps import ReadToken, ServicesDep, TriageToken
from userloop.web.api.errors import ApiError
from userloop.web.api.routes.common import AUTH, POST, error_responses
from userloop.web.api.schemas import (
    AcceptedOut,
    MergeSuggestionOut,
    MergeSuggestionPage,
    RejectedOut,
    TopicBrief,
    TopicPairIn,
)
from userloop.web.params import MAX_ID

router = APIRouter()

MAX_PAGE = 100
# What a refused decision means (the message says which).
_REFUSED = {
    409: "The decision cannot be made: the same topic twice, an unknown or merged topic, "
    "topics of different products, or (accept) a pair staff kept apart"
}
# The same pattern as a feedback item's `product`.
_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"


@router.get(
    "/merge-suggestions",
    response_model=MergeSuggestionPage,
    tags=["triage"],
    responses=error_responses(*AUTH, 422),
)
def list_merge_suggestions(
    services: ServicesDep,
    _token: ReadToken,
    product: Annotated[str | None, Query(pattern=_PRODUCT)] = None,
    order: Annotated[
        SuggestionOrder,
        Query(
            description="`newest`: the pair with the most recent report first; `largest`: by "
            "the two topics' combined size; `similarity`: the closest pair first."
        ),
    ] = SuggestionOrder.NEWEST,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> MergeSuggestionPage:
    """Pairs of live topics of one product that probably describe one problem, with the
    evidence: the keywords both share and the closest pair of reports per language."""
    found, total = services.merges.suggestions(product, order=order, limit=limit, offset=offset)
    return MergeSuggestionPage(data=[MergeSuggestionOut.of(s) for s in found], total=total)


@router.post(
    "/merge-suggestions/accept",
    response_model=AcceptedOut,
    tags=["triage"],
    responses=error_responses(*POST, described=_REFUSED),
)
def accept_merge_suggestion(
    body: TopicPairIn, services: ServicesDep, token: TriageToken
) -> AcceptedOut:
    """Merge the two topics: the one with a status other than new survives, else the larger,
    else the older; the other becomes a duplicate pointing to it."""
    try:
        survivor = services.merges.accept(body.topic_a, body.topic_b, _actor(token))
    except TopicError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    absorbed = body.topic_b if survivor.id == body.topic_a else body.topic_a
    return AcceptedOut(survivor=TopicBrief.of(survivor), absorbed=absorbed)


@router.post(
    "/merge-suggestions/reject",
    response_model=RejectedOut,
    tags=["triage"],
    responses=error_responses(*POST, described=_REFUSED),
)
def reject_merge_suggestion(
    body: TopicPairIn, services: ServicesDep, token: TriageToken
) -> RejectedOut:
    """Keep the two topics apart: the pair is no longer suggested, and re-clustering never
    merges them."""
    try:
        services.merges.reject(body.topic_a, body.topic_b, _actor(token))
    except TopicError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return RejectedOut(topic_a=body.topic_a, topic_b=body.topic_b)


def _actor(token: ApiToken) -> str:
    # The audit log names who decided: for the API, the token (its id as in the token's own
    # audit events, and its name for people reading the log; names are at most 100 chars).
    return f"token:{token.id} ({token.name})"
