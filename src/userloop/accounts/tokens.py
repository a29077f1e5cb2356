"""API tokens: random secrets shown once, stored as SHA-256 hashes, with scopes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from userloop.domain.entities import ApiToken
from userloop.domain.enums import TokenScope
from userloop.store import Store

TOKEN_PREFIX = "ul_"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once; only its hash is kept
    info: ApiToken


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, name: str, scopes: frozenset[TokenScope], actor: str = "cli") -> IssuedToken:
        if not scopes:
            raise ValueError(
                "a token needs at least one scope: " + ", ".join(s.value for s in TokenScope)
            )
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError("token name must be 1-100 characters")
        secret = secrets.token_urlsafe(32)
        token = f"{TOKEN_PREFIX}{secret}"
        with self.store.write() as conn:
            info = self.store.tokens.add(conn, name, token[:10], _hash(token), scopes)
            self.store.audit.record(
                conn,
                actor,
                "token.create",
                f"token:{info.id}",
                {"name": name, "scopes": sorted(scopes)},
            )
        return IssuedToken(token, info)

    def verify(self, token: str) -> ApiToken | None:
        """The token's record if it exists and is not revoked."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.store.read() as conn:
            info = self.store.tokens.by_hash(conn, _hash(token))
        if info is None or info.revoked:
            return None
        return info

    def list(self) -> list[ApiToken]:
        with self.store.read() as conn:
            return self.store.tokens.all(conn)

    def revoke(self, token_id: int, actor: str = "cli") -> bool:
        with self.store.write() as conn:
            done = self.store.tokens.revoke(conn, token_id)
            if done:
                self.store.audit.record(conn, actor, "token.revoke", f"token:{token_id}")
        return done
