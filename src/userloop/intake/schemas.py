"""What intake accepts. Validation messages are written for the person who sent the data."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import langcodes
import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from userloop.domain.entities import INSTALL_BASE_COUNTS, INSTALL_BASE_KEY
from userloop.domain.enums import Channel, Experience, Segment
from userloop.intake.normalize import normalize_short, normalize_text
from userloop.intake.redaction import refuse_personal_data

DEFAULT_MAX_TEXT = 20_000
EXTERNAL_ID_MAX = 200
SOURCE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
INSTALL_BASE_FIELDS = (*INSTALL_BASE_KEY, *INSTALL_BASE_COUNTS)
_CHANNELS = frozenset(c.value for c in Channel)
# The counts of one install-base sample (per day, model, build, channel, region and segment).
# The columns are 64-bit, but sums over many rows must fit too: two billion a day is plenty.
MAX_COUNT = 2**31 - 1
# Install-base days: none before this, none more than a day ahead of the server's clock.
FIRST_DAY = date(2000, 1, 1)
FIELDS = (
    "source",
    "external_id",
    "product",
    "text",
    "rating",
    "model",
    "build",
    "channel",
    "region",
    "language",
    "created_at",
    "reporter",
)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _refuse_bool(value: Any) -> Any:
    # Pydantic reads true as 1; JSON's true is no number, and a rating of `true` is a bug.
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {str(value).lower()}")
    return value


# A whole number that refuses JSON booleans (numeric text such as "3" from CSV is still read).
Whole = Annotated[int, BeforeValidator(_refuse_bool)]


def check_source(value: str) -> str:
    value = value.strip().lower()
    if not SOURCE_PATTERN.match(value):
        raise ValueError(
            "source must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a "
            f"letter or digit; got {value!r}"
        )
    return value


@functools.lru_cache(maxsize=4096)
def check_region(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(
            f"region must be an ISO 3166-1 alpha-2 country code such as US; got {value!r}"
        )
    return code


@functools.lru_cache(maxsize=4096)
def check_language(value: str) -> str:
    tag = value.strip().replace("_", "-")
    if not langcodes.tag_is_valid(tag):
        raise ValueError(f"language must be a BCP 47 tag such as en, ru or zh-Hans; got {value!r}")
    return str(langcodes.standardize_tag(tag))


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200, description="Pseudonymous reporter id.")
    experience: Experience | None = None
    verified_owner: bool | None = None
    language: str | None = None
    email: str | None = Field(None, max_length=254)
    consent: bool = False

    @field_validator("experience", "verified_owner", "language", "email", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else check_language(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("email is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _consent(self) -> ReporterIn:
        if self.email is not None and not self.consent:
            raise ValueError(
                "reporter.email was given without reporter.consent=true; userloop stores a "
                "contact address only with the reporter's consent"
            )
        return self


class FeedbackIn(BaseModel):
    """One piece of feedback. Pass ``context={"max_text_chars": N}`` to change the text limit."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, json_schema_extra={"pattern": r"\S"})
    source: str | None = Field(None, json_schema_extra={"pattern": SOURCE_PATTERN.pattern})
    external_id: str | None = Field(None, max_length=EXTERNAL_ID_MAX)
    product: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    rating: int | None = Field(None, ge=1, le=5)
    model: str | None = Field(None, max_length=100)
    build: str | None = Field(None, max_length=100)
    channel: Channel | None = None
    region: str | None = None
    language: str | None = None
    created_at: datetime | None = None
    reporter: ReporterIn | None = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        # One pass instead of a validator per field: empty strings (CSV cells) mean absent.
        if isinstance(data, dict) and any(v == "" for v in data.values()):
            return {
                k: (None if k != "text" and _blank_to_none(v) is None else v)
                for k, v in data.items()
            }
        return data

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        return _refuse_bool(value)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in _CHANNELS:
                allowed = ", ".join(c.value for c in Channel)
                raise ValueError(f"channel must be one of {allowed}; got {value!r}")
        return value

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            raise ValueError("text must be a string")
        limit = (info.context or {}).get("max_text_chars", DEFAULT_MAX_TEXT)
        text = normalize_text(value)
        if not text:
            raise ValueError("text is empty after normalisation")
        if len(text) > limit:
            raise ValueError(
                f"text is {len(text)} characters after normalisation; the limit is {limit}"
            )
        return text

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return None if value is None else check_source(value)

    @field_validator("external_id", "model", "build")
    @classmethod
    def _short(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = normalize_short(value)
        return value or None

    @field_validator("source", "product", "model", "build")
    @classmethod
    def _no_personal_data(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Names and enumerations: personal data here is certainly a mistake, so it is refused
        # (external_id is pseudonymised by the service instead, text is redacted).
        if value is None:
            return None
        return refuse_personal_data(value, versions=info.field_name in ("model", "build"))

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return None if value is None else check_region(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else check_language(value)

    @field_validator("created_at")
    @classmethod
    def _created_at(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # exports without an offset are taken as UTC (documented)
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if value > datetime.now(UTC) + timedelta(days=1):
            raise ValueError(f"created_at {value.isoformat()} is in the future")
        return value


class InstallBaseIn(BaseModel):
    """One daily aggregate of the install base: the fields of `InstallBaseKey` and the counts
    (a test checks the two stay in step)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    day: date = Field(
        description=f"From {FIRST_DAY.isoformat()} to tomorrow (by the server's clock, in UTC)."
    )
    model: str = Field(min_length=1, max_length=100)
    build: str = Field(min_length=1, max_length=100)
    channel: Channel
    region: str
    segment: Segment = Segment.UNKNOWN
    active_devices: Whole = Field(ge=0, le=MAX_COUNT)
    crashes: Whole = Field(0, ge=0, le=MAX_COUNT)
    returns: Whole = Field(0, ge=0, le=MAX_COUNT)

    @field_validator("product", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("segment", "crashes", "returns", mode="before")
    @classmethod
    def _defaults(cls, value: Any, info: ValidationInfo) -> Any:
        if _blank_to_none(value) is None:
            return Segment.UNKNOWN if info.field_name == "segment" else 0
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_region(value)

    @field_validator("product", "model", "build")
    @classmethod
    def _no_personal_data(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return refuse_personal_data(value, versions=info.field_name in ("model", "build"))

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

    @model_validator(mode="after")
    def _counts(self) -> InstallBaseIn:
        if self.crashes > self.active_devices * 1000:
            raise ValueError("crashes is implausibly large for active_devices")
        if self.returns > self.active_devices:
            raise ValueError("returns cannot exceed active_devices")
        return self


_FRIENDLY = {
    "datetime_parsing": "must be an ISO 8601 date-time such as 2026-10-05T08:30:00Z",
    "datetime_from_date_parsing": "must be an ISO 8601 date-time such as 2026-10-05T08:30:00Z",
    "datetime_type": "must be an ISO 8601 date-time such as 2026-10-05T08:30:00Z",
    "date_parsing": "must be a date such as 2026-10-01",
    "date_from_datetime_parsing": "must be a date such as 2026-10-01",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
}


def describe_errors(
    exc: ValidationError, accepted: tuple[str, ...] = FIELDS
) -> list[dict[str, str]]:
    """Pydantic errors as ``{"field", "message"}`` pairs with our own wording kept."""
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "item"
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        elif err["type"] == "extra_forbidden":
            msg = f"unknown field; accepted fields are {', '.join(accepted)}"
        elif err["type"] == "missing":
            msg = "is required"
        elif err["type"] in _FRIENDLY:
            msg = f"{_FRIENDLY[err['type']]}; got {err.get('input')!r}"
        out.append({"field": loc, "message": msg})
    return out


def format_errors(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)
