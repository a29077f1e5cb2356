"""Response schemas of the JSON API. Routes never return rows or domain objects directly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from userloop.domain.entities import Feedback, Topic
from userloop.intake.schemas import Whole
from userloop.topics.merge_suggestions import ClosePair, MergeSuggestion
from userloop.web.params import MAX_ID


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
    title: str = Field(
        description="The topic's title in the asker's language where its reports in that "
        "language give one, else its one title (in `title_language`)."
    )
    title_language: str | None = Field(description="BCP 47 tag the title is written in.")
    status: str
    size: int
    representative_id: int | None
    representative_text: str | None
    representative_language: str | None


class SimilarOut(BaseModel):
    data: list[SimilarTopicOut]


class TopicBrief(BaseModel):
    id: int
    title: str
    status: str
    size: int = Field(description="Reports in the topic.")
    languages: dict[str, int] = Field(description="Reports per language tag.")

    @classmethod
    def of(cls, t: Topic) -> TopicBrief:
        return cls(
            id=t.id, title=t.title, status=str(t.status), size=t.size, languages=dict(t.languages)
        )


class ClosePairOut(BaseModel):
    """The closest two reports of the two topics, one from each."""

    similarity: float
    a_id: int
    a_language: str
    a_text: str
    b_id: int
    b_language: str
    b_text: str

    @classmethod
    def of(cls, p: ClosePair) -> ClosePairOut:
        return cls.model_validate(p, from_attributes=True)


class MergeSuggestionOut(BaseModel):
    a: TopicBrief = Field(description="The topic that would survive an accept.")
    b: TopicBrief = Field(description="The topic that would be merged into `a`.")
    similarity: float = Field(description="Cosine of the two topics' centroids.")
    shared_keywords: dict[str, list[str]] = Field(
        description="Keywords both topics have, per language."
    )
    closest: list[ClosePairOut] = Field(
        description="Per language both topics have reports in, the closest pair of reports "
        "in it; plus the closest pair across languages when that is closer still."
    )

    @classmethod
    def of(cls, s: MergeSuggestion) -> MergeSuggestionOut:
        return cls(
            a=TopicBrief.of(s.a),
            b=TopicBrief.of(s.b),
            similarity=s.similarity,
            shared_keywords=s.shared_keywords,
            closest=[ClosePairOut.of(p) for p in s.closest],
        )


class MergeSuggestionPage(BaseModel):
    data: list[MergeSuggestionOut]
    total: int = Field(description="Suggestions in all, on every page.")


class TopicPairIn(BaseModel):
    """Two topic ids: positive 64-bit numbers, never JSON booleans."""

    model_config = ConfigDict(extra="forbid")

    topic_a: Whole = Field(ge=1, le=MAX_ID)
    topic_b: Whole = Field(ge=1, le=MAX_ID)


class AcceptedOut(BaseModel):
    survivor: TopicBrief = Field(description="The topic both are now, after the merge.")
    absorbed: int = Field(description="The topic merged into the survivor (now a duplicate).")


class RejectedOut(BaseModel):
    topic_a: int
    topic_b: int
    kept_apart: bool = Field(
        True, description="Neither suggestions nor re-clustering will join the two again."
    )


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: `validation_error`, `not_found`, ...")
    message: str = Field(description="For the person reading the log.")
    details: Any = Field(
        None, description="For `validation_error`: a list of `{field, message}`; absent if none."
    )


class ErrorBody(BaseModel):
    """Every API error: `{"error": {"code", "message", "details"?}}`."""

    error: ErrorDetail


class EmergingOut(BaseModel):
    build: str
    product: str
    topic_id: int
    reason: str = Field(description="`new` on this build, or its rate `rise`-d.")
    title: str
    terms: list[str] = Field(description="The topic's keywords over its languages.")
    representative_texts: list[str] = Field(
        description="The topic's earliest reports on the build (redacted)."
    )
    score: float = Field(description="-log10 of the p-value after the correction.")
    evidence: dict[str, Any] = Field(
        description="Counts, exposures, rates, their ratio, the test and its p-values."
    )
    by_build: list[dict[str, Any]] = Field(
        description="The topic's reporters, exposure and rate on each build up to this one."
    )


class EmergingPage(BaseModel):
    data: list[EmergingOut]


class PriorityOut(BaseModel):
    topic_id: int
    product: str
    title: str
    status: str
    score: float = Field(
        description="The product of the factors in `parts.factors`; within the slice when "
        "filtered (the share of the topic's estimate inside it times the stored score)."
    )
    mode: str = Field(
        description="`devices` (an install base covers the window) or `counts` (it does not: "
        "the reach is a share of the reporters)."
    )
    sentence: str = Field(description="The score in words, in English.")
    parts: dict[str, Any] = Field(
        description="Every factor and what it was computed from (docs/insight.md, Priority)."
    )
    computed_at: str


class PriorityPage(BaseModel):
    data: list[PriorityOut]
    total: int
    counts_only: bool = Field(description="Some listed product has no install base in its window.")


class RateOut(BaseModel):
    count: int
    rate: float = Field(description="Per device-day.")
    low: float = Field(description="Lower end of the exact 95% Poisson interval, per device-day.")
    high: float = Field(description="Upper end of the exact 95% Poisson interval, per device-day.")


class AdoptionOut(BaseModel):
    day: str
    build: str
    active_devices: int
    share: float = Field(description="Of the day's active devices under the filters.")


class DeviceCountOut(BaseModel):
    value: str = Field(description="The model name or region code.")
    latest: int = Field(description="Active devices on the window's latest day.")
    mean: float = Field(description="Mean active devices per day over the window's days.")


class BuildHealthOut(BaseModel):
    build: str
    device_days: int = Field(description="Active devices summed over the days.")
    crashes: RateOut
    returns: RateOut
    first_day: str
    last_day: str
    latest_active_devices: int
    latest_share: float = Field(description="Share of the latest day's active devices.")


class InstallBaseFilterOut(BaseModel):
    model: str | None
    build: str | None
    channel: str | None
    region: str | None
    segment: str | None
    since: str | None
    until: str | None


class InstallBaseOptionsOut(BaseModel):
    models: list[str]
    builds: list[str]
    channels: list[str]
    regions: list[str]
    segments: list[str]


class InstallBaseOut(BaseModel):
    product: str
    has_install_base: bool = Field(description="False: the product has no install-base rows.")
    hint: str | None = Field(description="What to do when there is no install base.")
    filters: InstallBaseFilterOut
    options: InstallBaseOptionsOut = Field(description="The values the filters can take.")
    matched: bool = Field(description="Whether any install-base row matches the filters.")
    days: list[str] = Field(description="The days in the range on which the product has rows.")
    latest_day: str | None
    builds: list[str] = Field(description="Builds in the window, in version order.")
    adoption: list[AdoptionOut] = Field(description="Active devices per day and build.")
    models: list[DeviceCountOut]
    regions: list[DeviceCountOut]
    per_build: list[BuildHealthOut]
    level: float = Field(description="The intervals' confidence level.")


class ReturnsBatchIn(BaseModel):
    records: list[Any] = Field(
        description="Returns / RMA records: external_id, day, model, and optionally product, "
        "source, build, region, reason, batch."
    )


class ReturnRateOut(BaseModel):
    value: str = Field(description="The model or the build.")
    returns: int
    device_days: int | None = Field(description="From the install base; null: none there.")
    rate: float | None = Field(description="Returns per 1,000 device-days; null: no rate.")
    low: float | None = Field(description="Lower end of the exact 95% Poisson interval.")
    high: float | None = Field(description="Upper end of the exact 95% Poisson interval.")


class ReturnBatchOut(BaseModel):
    model: str
    batch: str
    returns: int
    share: float = Field(description="Of the model's returns that name a batch.")


class FlaggedBatchOut(BaseModel):
    model: str
    batch: str
    topic_id: int = Field(description="The topic the batch's returns are about more often.")
    topic_title: str
    evidence: dict[str, Any] = Field(
        description="returns, batch_returns, other_returns, other_batch_returns, share, "
        "other_share, ratio (null: no other batch has the topic), p, p_adjusted, alpha, "
        "pairs_tested, test."
    )


class ReturnsSummaryOut(BaseModel):
    product: str
    since: str | None
    until: str | None
    returns: int = Field(description="Returns in the window.")
    has_install_base: bool = Field(
        description="Whether the install base has device-days for a returned model."
    )
    per_model: list[ReturnRateOut]
    per_build: list[ReturnRateOut] = Field(description="In build order.")
    unknown_build: int = Field(description="Returns that name no build.")
    per_batch: list[ReturnBatchOut]
    without_batch: int = Field(description="Returns that name no batch.")
    flagged: list[FlaggedBatchOut] = Field(description="Batches out of line, best first.")
    per: int = Field(description="Rates are per this many device-days.")
    level: float = Field(description="The intervals' confidence level.")
