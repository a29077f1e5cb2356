"""SQL helpers the read queries share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal_column, select

from userloop.store.tables import topics, triage

# SQLite allows 999 bound parameters per statement in older builds: stay well under.
CHUNK = 500


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def utc_day(conn: Connection, column: Any) -> ColumnElement[str]:
    """The UTC calendar day of a timestamp as 'YYYY-MM-DD'. Literal columns, not bound
    parameters: PostgreSQL only sees a GROUP BY expression as the selected one when the text
    is identical, and two bind parameters never are."""
    if conn.dialect.name == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD'")
        )
    # SQLite keeps naive UTC text: its date() is the UTC day.
    return func.date(column)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def main_kind() -> Any:
    """Correlated subquery: the most frequent kind among a topic's reports (ties: by name)."""
    return (
        select(triage.c.kind)
        .where(triage.c.topic_id == topics.c.id)
        .group_by(triage.c.kind)
        .order_by(func.count().desc(), triage.c.kind)
        .limit(1)
        .scalar_subquery()
    )
