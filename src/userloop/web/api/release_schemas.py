"""Request and response bodies of the release and update-check endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from userloop.domain.enums import Channel
from userloop.domain.release import Release, ReleaseEvent, ReleaseState
from userloop.release.update_check import UpdateAction, UpdateAnswer, UpdateReason

PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"  # as a feedback item's `product`
NAME = r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$"  # printable, not blank
REGION = r"^[A-Za-z]{2}$"


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: str = Field(pattern=PRODUCT)
    build: str = Field(min_length=1, max_length=100, pattern=NAME)
    previous_build: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        pattern=NAME,
        description="The build devices move from, and go back to on rollback. Without it, "
        "devices on any other build are offered this one.",
    )
    channel: Channel
    plan: str = Field(
        min_length=1,
        max_length=200,
        description="A preset (`app-store-7-day`, `ubuntu-phased`) or a custom plan "
        "`PERCENTS[@DWELL][/EXPOSURE]`, e.g. `1,5,25,100@24h` (docs/releases.md).",
    )
    models: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="Device models the release is for; empty: every model.",
    )
    regions: list[str] = Field(
        default_factory=list,
        max_length=300,
        description="Two-letter region codes the release is for; empty: every region.",
    )


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000, description="Why; kept in the decision log.")


class AdvanceIn(ActionIn):
    force: bool = Field(
        False,
        description="Advance before the stage's minimum dwell has passed (needs a reason).",
    )


class StageOut(BaseModel):
    percent: float
    min_dwell_seconds: int
    min_exposure: int = Field(description="Device-days on the build the stage needs.")


class PlanOut(BaseModel):
    name: str = Field(description="A preset's name, or `custom`.")
    spec: str
    stages: list[StageOut]


class ReleaseOut(BaseModel):
    id: int
    product: str
    build: str
    previous_build: str | None
    channel: Channel
    models: list[str]
    regions: list[str]
    plan: PlanOut
    state: ReleaseState
    stage: int = Field(description="The current stage, from 1.")
    percent: float = Field(description="The share of eligible devices offered the build now.")
    stage_started_at: datetime | None
    dwell_ends_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Release) -> ReleaseOut:
        return cls(
            id=r.id,
            product=r.product,
            build=r.build,
            previous_build=r.previous_build,
            channel=r.channel,
            models=sorted(r.models),
            regions=sorted(r.regions),
            plan=PlanOut.model_validate(r.plan.record()),
            state=r.state,
            stage=r.stage + 1,
            percent=r.percent,
            stage_started_at=r.stage_started_at,
            dwell_ends_at=r.dwell_ends_at() if r.state is ReleaseState.ROLLING_OUT else None,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class ReleaseEventOut(BaseModel):
    at: datetime
    actor: str = Field(description="A user, a token (`token:ID (name)`) or `gate:<name>`.")
    action: str
    from_state: ReleaseState | None
    to_state: ReleaseState
    stage: int = Field(description="The stage after the event, from 1.")
    reason: str
    details: dict[str, Any]

    @classmethod
    def of(cls, e: ReleaseEvent) -> ReleaseEventOut:
        return cls(
            at=e.at,
            actor=e.actor,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            stage=e.stage + 1,
            reason=e.reason,
            details=e.details,
        )


class ReleaseDetail(ReleaseOut):
    events: list[ReleaseEventOut] = Field(description="The decision log, oldest first.")


class ReleasePage(BaseModel):
    data: list[ReleaseOut]


class UpdateOut(BaseModel):
    action: UpdateAction = Field(
        description="`update`: install `build` now; `rollback`: install `build`, the previous "
        "one; `stay`: keep the installed build; `none`: nothing to do now, ask again later."
    )
    build: str | None = Field(description="The build to install (update, rollback) or keep.")
    reason: UpdateReason
    release_id: int | None
    state: ReleaseState | None
    stage: int | None = Field(description="The release's current stage, from 1.")
    percent: float | None

    @classmethod
    def of(cls, a: UpdateAnswer) -> UpdateOut:
        return cls.model_validate(a.record())
