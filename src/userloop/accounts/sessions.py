"""Staff sessions kept on the server: a copied cookie stops working once the session ends.

Signing in stores a row keyed by the SHA-256 of a random token and puts the token in the signed
cookie; each request needs that row, unexpired. Signing out deletes the row; a changed password
or role, or a disabled account, deletes all of the user's rows (see ``UserService``)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from userloop.domain.entities import User
from userloop.store import Store


def _now() -> datetime:
    return datetime.now(UTC)


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionService:
    def __init__(
        self, store: Store, lifetime: timedelta, clock: Callable[[], datetime] = _now
    ) -> None:
        self.store = store
        self.lifetime = lifetime
        self.clock = clock

    def start(self, user: User) -> str:
        """A new session for `user`; the token to keep in the cookie (only its hash is stored).
        Expired sessions of anyone are removed on the way."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.write() as conn:
            self.store.sessions.purge_expired(conn, now)
            self.store.sessions.add(conn, session_id(token), user.id, now, now + self.lifetime)
        return token

    def user(self, token: str) -> User | None:
        """The enabled user of an unexpired session, else None."""
        if not token:
            return None
        with self.store.read() as conn:
            user = self.store.sessions.user_of(conn, session_id(token), self.clock())
        return None if user is None or user.disabled else user

    def end(self, token: str) -> None:
        if token:
            with self.store.write() as conn:
                self.store.sessions.delete(conn, session_id(token))

    def end_all(self, user_id: int) -> int:
        """End every session of a user; how many there were."""
        with self.store.write() as conn:
            return self.store.sessions.delete_for_user(conn, user_id)
