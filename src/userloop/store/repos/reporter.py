"""Reporters keyed by an HMAC of their pseudonymous id; contacts kept in their own table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from userloop.domain.entities import Reporter
from userloop.domain.enums import Experience
from userloop.store.dialect import insert_ignore, upsert
from userloop.store.tables import reporter_contacts, reporters


@dataclass(frozen=True, slots=True)
class ReporterUpsert:
    key_hash: str
    experience: str | None
    verified_owner: bool | None
    language: str | None
    email: str | None  # only ever set with consent


class ReporterRepo:
    def upsert_many(self, conn: Connection, items: Sequence[ReporterUpsert]) -> dict[str, int]:
        """Create missing reporters, refresh attributes that changed; returns key_hash -> id."""
        now = datetime.now(UTC)
        latest = {item.key_hash: item for item in items}  # the last word in a batch wins
        keys = list(latest)
        existing: dict[str, tuple[int, str | None, bool | None, str | None]] = {}
        for start in range(0, len(keys), 500):
            for id_, key, exp, owner, lang in conn.execute(
                select(
                    reporters.c.id,
                    reporters.c.key_hash,
                    reporters.c.experience,
                    reporters.c.verified_owner,
                    reporters.c.language,
                ).where(reporters.c.key_hash.in_(keys[start : start + 500]))
            ):
                existing[key] = (id_, exp, owner, lang)
        new_rows = [
            {
                "key_hash": it.key_hash,
                "experience": it.experience,
                "verified_owner": it.verified_owner,
                "language": it.language,
                "created_at": now,
                "updated_at": now,
            }
            for key, it in latest.items()
            if key not in existing
        ]
        insert_ignore(conn, reporters, new_rows, ["key_hash"])
        for key, (id_, exp, owner, lang) in existing.items():
            it = latest[key]
            changes = {
                col: new
                for col, old, new in (
                    ("experience", exp, it.experience),
                    ("verified_owner", owner, it.verified_owner),
                    ("language", lang, it.language),
                )
                if new is not None and new != old
            }
            if changes:
                conn.execute(
                    update(reporters).where(reporters.c.id == id_).values(**changes, updated_at=now)
                )
        ids = {key: row[0] for key, row in existing.items()}
        missing = [k for k in keys if k not in ids]
        for start in range(0, len(missing), 500):
            for id_, key in conn.execute(
                select(reporters.c.id, reporters.c.key_hash).where(
                    reporters.c.key_hash.in_(missing[start : start + 500])
                )
            ):
                ids[key] = id_
        contacts = [
            {"reporter_id": ids[it.key_hash], "email": it.email, "consented_at": now}
            for it in latest.values()
            if it.email
        ]
        upsert(conn, reporter_contacts, contacts, ["reporter_id"], ["email", "consented_at"])
        return ids

    def get(self, conn: Connection, reporter_id: int) -> Reporter | None:
        row = conn.execute(
            select(reporters, reporter_contacts.c.email)
            .outerjoin(reporter_contacts, reporter_contacts.c.reporter_id == reporters.c.id)
            .where(reporters.c.id == reporter_id)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return Reporter(
            id=m["id"],
            experience=Experience(m["experience"]) if m["experience"] else None,
            verified_owner=m["verified_owner"],
            language=m["language"],
            has_contact=m["email"] is not None,
        )

    def contact_email(self, conn: Connection, reporter_id: int) -> str | None:
        return conn.execute(
            select(reporter_contacts.c.email).where(reporter_contacts.c.reporter_id == reporter_id)
        ).scalar_one_or_none()
