"""What the portal service takes and returns: plain values the web layer renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from userloop.domain.entities import StatusChange

# Votes are written by topics/votes.py; the outcome is re-exported for the screens.
from userloop.topics.votes import VoteOutcome as VoteOutcome
from userloop.views.titles import ReaderTitle


class PortalNotFound(LookupError):
    """No such public page: unknown or empty topic, bad "my reports" token."""


class SubmissionRejected(ValueError):
    """Intake refused a submission the portal form had accepted (its rules changed)."""


@dataclass(frozen=True, slots=True)
class Submission:
    text: str
    visitor: str  # the pseudonymous visitor id; intake stores only its HMAC
    language: str  # the page's language tag, kept as the reporter's language
    submission_id: str | None = None
    model: str | None = None
    build: str | None = None
    channel: str | None = None
    email: str | None = None
    consent: bool = False


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    feedback_id: int
    duplicate: bool  # the same submission arrived before (double submit)
    token: str  # the reporter's private "my reports" token


@dataclass(frozen=True, slots=True)
class Moved:
    """The topic was merged: its page lives at `topic_id` now."""

    topic_id: int


@dataclass(frozen=True, slots=True)
class TopicCard:
    id: int
    shown_title: ReaderTitle  # the title for the reader (with keywords where a fallback)
    status: str
    people: int
    votes: int
    fixed_build: str | None = None

    @property
    def title(self) -> str:
        return self.shown_title.text

    @property
    def title_language(self) -> str:
        return self.shown_title.language


@dataclass(frozen=True, slots=True)
class Representative:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    shown_title: ReaderTitle  # the title for the reader (with keywords where a fallback)
    status: str
    people: int
    size: int
    votes: int
    voted: bool
    languages: list[tuple[str, int]]  # (language tag, reports), most first
    representatives: list[Representative]  # the visitor's language first
    history: list[StatusChange]
    first_seen: datetime | None
    fixed_build: str | None

    @property
    def title(self) -> str:
        return self.shown_title.text

    @property
    def title_language(self) -> str:
        return self.shown_title.language


@dataclass(frozen=True, slots=True)
class Suggestion:
    topic_id: int
    shown_title: ReaderTitle  # the title for the reader (with keywords where a fallback)
    status: str
    people: int
    votes: int
    voted: bool
    similarity: float
    text: str | None
    language: str | None

    @property
    def title(self) -> str:
        return self.shown_title.text

    @property
    def title_language(self) -> str:
        return self.shown_title.language


@dataclass(frozen=True, slots=True)
class RoadmapColumn:
    status: str
    cards: list[TopicCard]
    total: int


@dataclass(frozen=True, slots=True)
class BuildFixes:
    build: str
    cards: list[TopicCard] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MyReport:
    feedback_id: int
    text: str
    language: str | None
    created_at: datetime
    topic_id: int | None  # None: not triaged yet ("being sorted")
    shown_title: ReaderTitle | None  # its topic's title for the reader; None: not triaged yet
    topic_status: str | None

    @property
    def topic_title(self) -> str | None:
        return None if self.shown_title is None else self.shown_title.text

    @property
    def title_language(self) -> str | None:
        return None if self.shown_title is None else self.shown_title.language
