"""API tokens, stored as SHA-256 hashes (tokens are random 256-bit values, so no slow hash)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from userloop.domain.entities import ApiToken
from userloop.domain.enums import TokenScope
from userloop.store.tables import api_tokens


def _to_domain(m: Any) -> ApiToken:
    return ApiToken(
        id=m["id"],
        name=m["name"],
        prefix=m["prefix"],
        scopes=frozenset(TokenScope(s) for s in m["scopes"].split(",") if s),
        created_at=m["created_at"],
        revoked=m["revoked_at"] is not None,
    )


class TokenRepo:
    def add(
        self,
        conn: Connection,
        name: str,
        prefix: str,
        token_hash: str,
        scopes: frozenset[TokenScope],
    ) -> ApiToken:
        now = datetime.now(UTC)
        id_ = conn.execute(
            insert(api_tokens)
            .values(
                name=name,
                prefix=prefix,
                token_hash=token_hash,
                scopes=",".join(sorted(scopes)),
                created_at=now,
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
        return ApiToken(id_, name, prefix, scopes, now, False)

    def by_hash(self, conn: Connection, token_hash: str) -> ApiToken | None:
        row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
        return _to_domain(row._mapping) if row else None

    def all(self, conn: Connection) -> list[ApiToken]:
        return [
            _to_domain(r._mapping)
            for r in conn.execute(select(api_tokens).order_by(api_tokens.c.id))
        ]

    def revoke(self, conn: Connection, token_id: int) -> bool:
        result = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return result.rowcount > 0
