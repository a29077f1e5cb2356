"""Filters and sort orders of the lists staff browse and the API and exports serve: pure values,
no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from userloop.domain.enums import Channel

# -- topics ---------------------------------------------------------------------------------

TOPIC_SORTS = ("size", "votes", "last_seen", "id", "priority")
SORTS = TOPIC_SORTS  # the name the topic list used before the filters moved here


@dataclass(frozen=True, slots=True)
class TopicFilter:
    """Topic attributes (kind, status) and report attributes: a topic matches when at least
    one of its reports has every report attribute asked for."""

    kind: str | None = None  # the topic's main kind (most frequent among its reports)
    status: str | None = None
    language: str | None = None
    model: str | None = None
    build: str | None = None
    channel: str | None = None
    q: str | None = None  # title, keywords, report text; "#12" or "12" also finds topic 12
    include_merged: bool = False


@dataclass(frozen=True, slots=True)
class FilterValues:
    """The values the topic list's filters can take: those present in the data."""

    kinds: list[str]
    statuses: list[str]
    languages: list[str]
    models: list[str]
    builds: list[str]
    channels: list[str]


# -- feedback -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedbackFilter:
    """Which feedback items a list or an export holds: each attribute given must match."""

    product: str | None = None
    source: str | None = None
    model: str | None = None
    build: str | None = None
    channel: Channel | None = None
    region: str | None = None
    language: str | None = None
    since: datetime | None = None  # created_at >= since
    until: datetime | None = None  # created_at < until
