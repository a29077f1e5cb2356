"""Response schemas of the JSON API. Routes never return rows or domain objects directly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from userloop.domain.entities import Feedback
from userloop.intake.schemas import Whole


class FeedbackPublic(BaseModel):
    id: int
    product: str
    source: str
    external_id: str
    text: str = Field(description="Normalised text with personal data replaced by placeholders.")
    language: str | None
    rating: int | None
    model: str | None
    build: str | None
    channel: str | None
    region: str | None
    created_at: datetime
    received_at: datetime
    redacted: list[str] = Field(
        description="Kinds of personal data removed from the text or pseudonymised in external_id."
    )

    @classmethod
    def of(cls, f: Feedback) -> FeedbackPublic:
        return cls(
            id=f.id,
            product=f.product,
            source=f.source,
            external_id=f.external_id,
            text=f.text,
            language=f.language,
            rating=f.rating,
            model=f.model,
            build=f.build,
            channel=f.channel.value if f.channel else None,
            region=f.region,
            created_at=f.created_at,
            received_at=f.received_at,
            redacted=list(f.redacted),
        )


class FeedbackPage(BaseModel):
    data: list[FeedbackPublic]
    count: int
    next_cursor: str | None


class SubmitResult(BaseModel):
    id: int | None
    status: str
    message: str | None = None
    errors: list[dict[str, str]] | None = None


class BatchItemResult(SubmitResult):
    index: int


class BatchResult(BaseModel):
    results: list[BatchItemResult]
    counts: dict[str, int]


class BatchIn(BaseModel):
    items: list[Any] = Field(
        description="Feedback objects, each with the fields of POST /feedback."
    )


class InstallBaseBatchIn(BaseModel):
    samples: list[Any] = Field(description="Daily aggregates keyed by day, model, build, ...")


class InstallBaseResult(BaseModel):
    upserted: int


class Health(BaseModel):
    status: str
    database: str
    version: str


class SimilarIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    language: str | None = Field(None, description="BCP 47 tag of the text; detected if absent")
    k: Whole = Field(5, ge=1, le=50)
    product: str | None = None


class SimilarTopicOut(BaseModel):
    topic_id: int
    similarity: float
    title: str
    status: str
    size: int
    representative_id: int | None
    representative_text: str | None
    representative_language: str | None


class SimilarOut(BaseModel):
    data: list[SimilarTopicOut]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: `validation_error`, `not_found`, ...")
    message: str = Field(description="For the person reading the log.")
    details: Any = Field(
        None, description="For `validation_error`: a list of `{field, message}`; absent if none."
    )


class ErrorBody(BaseModel):
    """Every API error: `{"error": {"code", "message", "details"?}}`."""

    error: ErrorDetail
