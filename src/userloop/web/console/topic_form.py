"""The topic list's query string as a form of the web layer: validated here, then turned into
the domain's `TopicFilter` and a sort order for the console's read model.

Unknown values fall back to defaults instead of an error page: these come from links."""

from __future__ import annotations

from dataclasses import dataclass

from userloop.domain.filters import TOPIC_SORTS, TopicFilter
from userloop.web.labels import KIND_LABELS, STATUS_LABELS

# The direction a column sorts in when its header is first clicked.
DEFAULT_DESCENDING = {
    "size": True,
    "votes": True,
    "last_seen": True,
    "id": False,
    "priority": True,
}
DEFAULT_SORT = "size"
# The filters that narrow the list (the merged switch only widens it).
NARROWING = ("kind", "status", "language", "model", "build", "channel", "q")


@dataclass(frozen=True, slots=True)
class TopicListForm:
    sort: str = DEFAULT_SORT  # one of TOPIC_SORTS
    descending: bool = True
    kind: str = ""  # "" or a known kind
    status: str = ""  # "" or a known status
    language: str = ""
    model: str = ""
    build: str = ""
    channel: str = ""
    q: str = ""  # stripped
    include_merged: bool = False
    page: int = 1  # asked for; the read model clamps it to the pages there are

    @classmethod
    def parse(
        cls,
        *,
        sort: str = DEFAULT_SORT,
        direction: str = "",
        kind: str = "",
        status: str = "",
        language: str = "",
        model: str = "",
        build: str = "",
        channel: str = "",
        q: str = "",
        merged: str = "",
        page: str = "1",
    ) -> TopicListForm:
        sort = sort if sort in TOPIC_SORTS else DEFAULT_SORT
        return cls(
            sort=sort,
            descending={"asc": False, "desc": True}.get(direction, DEFAULT_DESCENDING[sort]),
            kind=kind if kind in KIND_LABELS else "",
            status=status if status in STATUS_LABELS else "",
            language=language,
            model=model,
            build=build,
            channel=channel,
            q=q.strip(),
            include_merged=merged == "1",
            # Past 8 digits it is no page of ours; isascii: int() refuses digits like "²".
            page=int(page) if page.isascii() and page.isdigit() and len(page) < 9 else 1,
        )

    def to_filter(self) -> TopicFilter:
        return TopicFilter(
            kind=self.kind or None,
            status=self.status or None,
            language=self.language or None,
            model=self.model or None,
            build=self.build or None,
            channel=self.channel or None,
            q=self.q or None,
            include_merged=self.include_merged,
        )

    def params(self) -> dict[str, str]:
        """The query string that shows this list again (page aside)."""
        return {
            "kind": self.kind,
            "status": self.status,
            "language": self.language,
            "model": self.model,
            "build": self.build,
            "channel": self.channel,
            "q": self.q,
            "merged": "1" if self.include_merged else "",
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }

    @property
    def filtered(self) -> bool:
        params = self.params()
        return any(params[k] for k in NARROWING)
