"""Domain objects returned by the store; services and the web speak in these, never rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime

from userloop.domain.enums import Channel, Experience, Kind, Role, Segment, TokenScope, TopicStatus


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    product: str
    source: str
    external_id: str
    text: str
    language: str | None
    rating: int | None
    model: str | None
    build: str | None
    channel: Channel | None
    region: str | None
    created_at: datetime
    received_at: datetime
    reporter_id: int | None
    redacted: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Reporter:
    id: int
    experience: Experience | None
    verified_owner: bool | None
    language: str | None
    has_contact: bool


@dataclass(frozen=True, slots=True)
class VoterProfile:
    """What is known about who cast a vote, for correcting votes by segment (all optional: an
    anonymous visitor's vote still counts, in the unknown segment)."""

    experience: Experience | None = None
    verified_owner: bool | None = None
    model: str | None = None
    region: str | None = None
    channel: Channel | None = None


@dataclass(frozen=True, slots=True)
class InstallBaseKey:
    """What identifies one daily install-base aggregate: a second sample with the same key
    replaces the first. The one place these columns are listed (see `INSTALL_BASE_KEY`)."""

    product: str
    day: date
    model: str
    build: str
    channel: Channel
    region: str
    segment: Segment


# The key's field names in order, for schemas, upserts and unique constraints.
INSTALL_BASE_KEY: tuple[str, ...] = tuple(f.name for f in fields(InstallBaseKey))
# The counts a sample carries for its key.
INSTALL_BASE_COUNTS: tuple[str, ...] = ("active_devices", "crashes", "returns")


@dataclass(frozen=True, slots=True)
class InstallBaseSample:
    product: str
    day: date
    model: str
    build: str
    channel: Channel
    region: str
    segment: Segment
    active_devices: int
    crashes: int
    returns: int

    @property
    def key(self) -> InstallBaseKey:
        return InstallBaseKey(
            *(getattr(self, name) for name in INSTALL_BASE_KEY)  # same names, same order
        )


@dataclass(frozen=True, slots=True)
class Build:
    id: int
    product: str
    version: str
    sort_key: str


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    scopes: frozenset[TokenScope]
    created_at: datetime
    revoked: bool


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, object]


@dataclass(frozen=True, slots=True)
class TriageResult:
    feedback_id: int
    language: str
    language_source: str
    kind: Kind
    labels: tuple[str, ...]
    kind_scores: dict[str, float]
    sentiment: float
    topic_id: int | None
    topic_similarity: float | None
    topic_pinned: bool
    versions: dict[str, str]


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    product: str
    status: TopicStatus
    title: str
    merged_into: int | None
    size: int
    first_seen: datetime | None
    last_seen: datetime | None
    keywords: dict[str, list[str]]
    representatives: dict[str, int]
    languages: dict[str, int]
    builds: dict[str, int]
    models: dict[str, int]
    fixed_build: str | None = None
    created_at: datetime | None = None
    title_language: str | None = None  # the language tag the title is written in
    titles: dict[str, str] = field(default_factory=dict)  # per language, from its members


@dataclass(frozen=True, slots=True)
class User:
    """A staff member of the console."""

    id: int
    username: str
    role: Role
    created_at: datetime
    disabled: bool
    inbox_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a topic's public status history."""

    at: datetime
    old: TopicStatus
    new: TopicStatus


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """Failed attempts counted under one throttle key, and when the next may be checked."""

    failures: int
    next_allowed_at: datetime
