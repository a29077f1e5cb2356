"""Read queries over the audit log."""

from __future__ import annotations

from sqlalchemy import Connection, select

from userloop.domain.entities import AuditEvent
from userloop.store.tables import audit_events


class AuditQueries:
    def audit_for(self, conn: Connection, subject: str, limit: int = 100) -> list[AuditEvent]:
        """The newest events about one subject ("topic:12"), newest first."""
        rows = conn.execute(
            select(audit_events)
            .where(audit_events.c.subject == subject)
            .order_by(audit_events.c.id.desc())
            .limit(limit)
        ).mappings()
        return [
            AuditEvent(m["id"], m["at"], m["actor"], m["action"], m["subject"], m["details"])
            for m in rows
        ]
