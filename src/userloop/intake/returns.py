"""Returns (RMA records): validation and storage.

A return is keyed by (source, external_id = the RMA number) like feedback: the same record sent
again is a duplicate, a changed one a conflict, and nothing is ever overwritten. Its reason text
goes through the normal feedback intake as a feedback item of the same source and external id
(same product, model, build and region; created on the return's day), so it is redacted,
language-detected and grouped into topics like any report; the return keeps its `feedback_id`.
A return without reason text stores no feedback item.

Each batch is validated item by item (a bad item never stops the others), then every valid
return and its feedback item are written in ONE transaction: a failure writes nothing of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import Connection

from userloop.domain.enums import ItemStatus
from userloop.intake.normalize import normalize_short, normalize_text
from userloop.intake.redaction import redact, refuse_personal_data
from userloop.intake.schemas import (
    DEFAULT_MAX_TEXT,
    EXTERNAL_ID_MAX,
    FIRST_DAY,
    SOURCE_PATTERN,
    check_region,
    check_source,
    describe_errors,
    format_errors,
)
from userloop.intake.service import (
    IntakeService,
    ItemResult,
    _Prepared,
    dimension_ids,
    first_and_repeats,
)
from userloop.store.repos.returns import ReturnsRepo

DEFAULT_SOURCE = "returns"
RETURN_FIELDS = (
    "product",
    "source",
    "external_id",
    "day",
    "model",
    "build",
    "region",
    "reason",
    "batch",
)
_PRODUCT = r"^[a-z0-9][a-z0-9-]{0,62}$"


class ReturnRecord(BaseModel):
    """One return (RMA record). Pass ``context={"max_text_chars": N}`` to change the limit of
    the reason text (the feedback text limit)."""

    model_config = ConfigDict(extra="forbid")

    product: str | None = Field(None, pattern=_PRODUCT)
    source: str | None = Field(
        None,
        json_schema_extra={"pattern": SOURCE_PATTERN.pattern},
        description=f"Where the records come from; {DEFAULT_SOURCE!r} if absent.",
    )
    external_id: str = Field(
        min_length=1, max_length=EXTERNAL_ID_MAX, description="The RMA number."
    )
    day: date = Field(
        description=f"Day of the return, from {FIRST_DAY.isoformat()} to tomorrow (UTC)."
    )
    model: str = Field(min_length=1, max_length=100)
    build: str | None = Field(None, max_length=100, description="The build, if known.")
    region: str | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    reason: str | None = Field(None, description="Why it came back, in the customer's words.")
    batch: str | None = Field(None, max_length=100, description="Production batch / lot.")

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        # Empty strings (CSV cells) and nulls mean absent: a required field then reads "is
        # required" rather than a complaint about its type.
        if isinstance(data, dict) and any(_absent(v) for v in data.values()):
            return {k: v for k, v in data.items() if not _absent(v)}
        return data

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("reason must be a string")
        limit = (info.context or {}).get("max_text_chars", DEFAULT_MAX_TEXT)
        text = normalize_text(value)
        if len(text) > limit:
            raise ValueError(
                f"reason is {len(text)} characters after normalisation; the limit is {limit}"
            )
        return text or None

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return None if value is None else check_source(value)

    @field_validator("product", mode="before")
    @classmethod
    def _product(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("external_id", "model", "build", "batch")
    @classmethod
    def _short(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = normalize_short(value)
        if not value:
            raise ValueError(f"{info.field_name} is empty after normalisation")
        return value

    @field_validator("model", "build", "batch")
    @classmethod
    def _no_personal_data(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Names: personal data here is certainly a mistake, so it is refused (the RMA number
        # is pseudonymised instead, the reason redacted).
        if value is None:
            return None
        return refuse_personal_data(value, versions=info.field_name in ("model", "build"))

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return None if value is None else check_region(value)

    @field_validator("day")
    @classmethod
    def _day(cls, value: date) -> date:
        latest = datetime.now(UTC).date() + timedelta(days=1)
        if not FIRST_DAY <= value <= latest:
            raise ValueError(
                f"day must be between {FIRST_DAY.isoformat()} and {latest.isoformat()} "
                f"(tomorrow); got {value.isoformat()}"
            )
        return value


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(slots=True)
class _Return:
    index: int
    record: ReturnRecord
    product: str
    source: str
    external_id: str  # personal data in it replaced by pseudonyms
    content_hash: str


class ReturnsIntake:
    """`IntakeService.submit_returns`: uses the service's feedback path for reason texts."""

    def __init__(self, intake: IntakeService) -> None:
        self.intake = intake
        self.repo = ReturnsRepo()

    def submit(self, raws: Sequence[Mapping[str, Any]]) -> list[ItemResult]:
        results: dict[int, ItemResult] = {}
        prepared: list[_Return] = []
        for index, raw in enumerate(raws):
            outcome = self._prepare(index, raw)
            if isinstance(outcome, _Return):
                prepared.append(outcome)
            else:
                results[index] = outcome
        if prepared:
            results.update(self._store(prepared))
        return [results[i] for i in range(len(raws))]

    def _prepare(self, index: int, raw: Mapping[str, Any]) -> _Return | ItemResult:
        if not isinstance(raw, Mapping):
            message = "each return record must be a JSON object"
            err = {"field": "item", "message": message}
            return ItemResult(index, ItemStatus.INVALID, message=message, errors=(err,))
        try:
            record = ReturnRecord.model_validate(
                raw, context={"max_text_chars": self.intake.config.max_text_chars}
            )
        except ValidationError as exc:
            errors = describe_errors(exc, RETURN_FIELDS)
            return ItemResult(
                index, ItemStatus.INVALID, message=format_errors(errors), errors=tuple(errors)
            )
        # The RMA number is an idempotency key: personal data in it becomes a keyed pseudonym,
        # exactly as in a feedback item's external id (so the two stay the same key).
        external_id = redact(record.external_id, pseudonym=self.intake._pseudonym).text
        if len(external_id) > EXTERNAL_ID_MAX:
            err = {
                "field": "external_id",
                "message": f"is {len(external_id)} characters once the personal data in it is "
                f"replaced by pseudonyms; the limit is {EXTERNAL_ID_MAX}",
            }
            return ItemResult(
                index, ItemStatus.INVALID, message=format_errors([err]), errors=(err,)
            )
        product = record.product or self.intake.config.default_product
        reason = redact(record.reason).text if record.reason else None
        canonical = json.dumps(
            [
                product,
                record.day.isoformat(),
                record.model,
                record.build,
                record.region,
                record.batch,
                reason,
            ],
            ensure_ascii=False,
        )
        return _Return(
            index=index,
            record=record,
            product=product,
            source=record.source or DEFAULT_SOURCE,
            external_id=external_id,
            content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        )

    def _store(self, prepared: list[_Return]) -> dict[int, ItemResult]:
        store = self.intake.store
        # Dimensions are resolved (and cached) before the transaction: the feedback path asks
        # for the same ones inside it, and on SQLite a second writer there would be locked out.
        product_ids, model_ids, build_ids = dimension_ids(
            store.dimensions, [(x.product, x.record.model, x.record.build) for x in prepared]
        )
        # The first occurrence of a key in the batch is the candidate; the rest repeat it.
        first, repeats = first_and_repeats(prepared)

        results: dict[int, ItemResult] = {}
        now = datetime.now(UTC)
        with store.write() as conn:
            fresh: list[_Return] = []
            for source in {x.source for x in first.values()}:
                items = [x for x in first.values() if x.source == source]
                known = self.repo.existing(conn, source, [x.external_id for x in items])
                for x in items:
                    stored = known.get(x.external_id)
                    if stored is None:
                        fresh.append(x)
                    else:
                        results[x.index] = _against(x, stored.id, stored.content_hash)
            feedback_ids = self._feedback(conn, [x for x in fresh if x.record.reason], now)
            rows = []
            for x in fresh:
                outcome = feedback_ids.get(x.index)
                if isinstance(outcome, ItemResult):  # the reason could not be stored
                    results[x.index] = outcome
                    continue
                r = x.record
                rows.append(
                    {
                        "product_id": product_ids[x.product],
                        "source": x.source,
                        "external_id": x.external_id,
                        "day": r.day,
                        "model_id": model_ids[(x.product, r.model)],
                        "build_id": build_ids[(x.product, r.build)] if r.build else None,
                        "region": r.region,
                        "batch": r.batch,
                        "feedback_id": outcome,
                        "content_hash": x.content_hash,
                        "received_at": now,
                    }
                )
            self.repo.insert_new(conn, rows)
            stored_rows = [x for x in fresh if x.index not in results]
            for source in {x.source for x in stored_rows}:
                items = [x for x in stored_rows if x.source == source]
                known = self.repo.existing(conn, source, [x.external_id for x in items])
                for x in items:
                    # Our row, or one another writer stored meanwhile under the same key.
                    stored = known[x.external_id]
                    if stored.content_hash == x.content_hash:
                        results[x.index] = ItemResult(x.index, ItemStatus.CREATED, stored.id)
                    else:
                        results[x.index] = _against(x, stored.id, stored.content_hash)
        store.grew("returns", len(rows))
        for x in repeats:
            winner = first[(x.source, x.external_id)]
            won = results[winner.index]
            if won.id is None:
                results[x.index] = ItemResult(
                    x.index, ItemStatus.CONFLICT, None, won.message or "conflict"
                )
            else:
                results[x.index] = _against(x, won.id, winner.content_hash)
        return results

    def _feedback(
        self, conn: Connection, items: list[_Return], now: datetime
    ) -> dict[int, int | ItemResult]:
        """Store each reason as a feedback item in the caller's transaction: the index of the
        return -> the feedback id (new or already stored with the same text), or the result
        that stops the return (its feedback key holds another text)."""
        out: dict[int, int | ItemResult] = {}
        prepared: list[_Prepared] = []
        for x in items:
            r = x.record
            raw = {
                "text": r.reason,
                "source": x.source,
                "external_id": r.external_id,
                "product": x.product,
                "model": r.model,
                "build": r.build,
                "region": r.region,
                "created_at": datetime.combine(r.day, time(), tzinfo=UTC),
            }
            outcome = self.intake._prepare(x.index, raw, x.source, now)
            if isinstance(outcome, ItemResult):  # not expected: the record was validated
                out[x.index] = outcome
            else:
                prepared.append(outcome)
        if not prepared:
            return out
        for index, result in self.intake._store_batch(prepared, conn).items():
            if result.status in (ItemStatus.CREATED, ItemStatus.DUPLICATE) and result.id:
                out[index] = result.id
            else:
                out[index] = ItemResult(
                    index,
                    ItemStatus.CONFLICT,
                    None,
                    f"the reason text cannot be stored: {result.message or 'conflict'}",
                )
        return out


def _against(x: _Return, existing_id: int, existing_hash: str) -> ItemResult:
    if existing_hash == x.content_hash:
        return ItemResult(x.index, ItemStatus.DUPLICATE, existing_id)
    return ItemResult(
        x.index,
        ItemStatus.CONFLICT,
        existing_id,
        f"source {x.source!r} already has return {x.external_id!r} (return {existing_id}) "
        "with different fields; userloop never overwrites a return",
    )
