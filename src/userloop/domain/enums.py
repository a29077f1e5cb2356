"""Closed vocabularies. Unknown values raise instead of silently becoming a default."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    DEV = "dev"
    BETA = "beta"
    STABLE = "stable"


class Kind(StrEnum):
    """What a piece of feedback is; the order is the classifier's class order."""

    BUG = "bug"
    FEATURE = "feature"
    QUESTION = "question"
    PRAISE = "praise"
    OTHER = "other"


# The kinds as plain strings, in class order (model files and score dicts are keyed by these).
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)


class Experience(StrEnum):
    NOVICE = "novice"
    ADVANCED = "advanced"
    PRO = "pro"


class Segment(StrEnum):
    """Install-base segment; `unknown` where telemetry cannot tell."""

    NOVICE = "novice"
    ADVANCED = "advanced"
    PRO = "pro"
    UNKNOWN = "unknown"


class TokenScope(StrEnum):
    """What an API token may do: ``ingest`` writes feedback and install-base data (and asks
    for updates, as devices do), ``read`` reads, ``triage`` changes topics (accepts and rejects
    merge suggestions), ``release`` creates releases and moves them through their states."""

    INGEST = "ingest"
    READ = "read"
    TRIAGE = "triage"
    RELEASE = "release"


class ItemStatus(StrEnum):
    """Outcome of submitting one feedback item."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    INVALID = "invalid"


class TopicStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    SHIPPED = "shipped"
    DECLINED = "declined"
    DUPLICATE = "duplicate"

    def can_become(self, target: TopicStatus) -> bool:
        return target in TOPIC_TRANSITIONS[self]

    def require_transition(self, target: TopicStatus) -> None:
        if not self.can_become(target):
            allowed = ", ".join(sorted(TOPIC_TRANSITIONS[self])) or "none"
            raise InvalidTransition(
                f"topic status cannot go from {self.value} to {target.value}; allowed: {allowed}"
            )


class InvalidTransition(ValueError):
    pass


_S = TopicStatus
TOPIC_TRANSITIONS: dict[TopicStatus, frozenset[TopicStatus]] = {
    _S.NEW: frozenset({_S.CONFIRMED, _S.PLANNED, _S.DECLINED, _S.DUPLICATE}),
    _S.CONFIRMED: frozenset({_S.PLANNED, _S.IN_PROGRESS, _S.DECLINED, _S.DUPLICATE}),
    _S.PLANNED: frozenset({_S.IN_PROGRESS, _S.CONFIRMED, _S.DECLINED, _S.DUPLICATE}),
    _S.IN_PROGRESS: frozenset({_S.FIXED, _S.PLANNED, _S.DECLINED}),
    _S.FIXED: frozenset({_S.SHIPPED, _S.IN_PROGRESS}),
    _S.SHIPPED: frozenset({_S.IN_PROGRESS}),  # a fix that did not hold reopens the work
    _S.DECLINED: frozenset({_S.NEW, _S.CONFIRMED}),
    _S.DUPLICATE: frozenset({_S.NEW}),
}


class Role(StrEnum):
    """Staff roles: a viewer reads, a triager also changes topics, an admin also manages users."""

    ADMIN = "admin"
    TRIAGER = "triager"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self in (Role.ADMIN, Role.TRIAGER)

    @property
    def can_admin(self) -> bool:
        return self is Role.ADMIN
