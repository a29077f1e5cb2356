"""The audit log: who did what, when. Append-only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from userloop.domain.entities import AuditEvent
from userloop.store.tables import audit_events


class AuditRepo:
    def record(
        self,
        conn: Connection,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, object] | None = None,
        at: datetime | None = None,
    ) -> None:
        """`at`: when it happened by the caller's clock (a service on simulated time, as the
        demo's releases and `userloop simulate`); default now."""
        conn.execute(
            insert(audit_events).values(
                at=at or datetime.now(UTC),
                actor=actor,
                action=action,
                subject=subject,
                details=details or {},
            )
        )

    def recent(self, conn: Connection, limit: int = 100) -> list[AuditEvent]:
        rows = conn.execute(select(audit_events).order_by(audit_events.c.id.desc()).limit(limit))
        return [
            AuditEvent(m["id"], m["at"], m["actor"], m["action"], m["subject"], m["details"])
            for m in (r._mapping for r in rows)
        ]
