"""Staff accounts: argon2id password hashes, roles, and the inbox mark.

Changing a password or a role, and disabling an account, ends all of its sessions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from userloop.domain.entities import User
from userloop.domain.enums import Role
from userloop.store import Store

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


class UserError(ValueError):
    """An account operation that cannot be done; the message says why."""


class UserService:
    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()
        # Verifying against this keeps sign-in time the same for unknown usernames.
        self._dummy = self.hasher.hash("userloop-no-such-user")

    def create(self, username: str, password: str, role: Role | str, actor: str = "cli") -> User:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise UserError(
                "a username is 2-64 characters: lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        _check_password(password)
        role = Role(role)
        try:
            with self.store.write() as conn:
                user = self.store.users.add(conn, username, self.hasher.hash(password), role)
                self.store.audit.record(
                    conn, actor, "user.create", f"user:{username}", {"role": role.value}
                )
        except IntegrityError:
            raise UserError(f"a user named {username!r} already exists") from None
        return user

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches and the account is enabled."""
        with self.store.read() as conn:
            found = self.store.users.by_username(conn, username.strip().lower())
        if found is None:
            self._verify(self._dummy, password)
            return None
        user, stored = found
        if not self._verify(stored, password) or user.disabled:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.store.write() as conn:
                self.store.users.set_password(conn, user.id, self.hasher.hash(password))
        return user

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def get(self, user_id: int) -> User | None:
        with self.store.read() as conn:
            return self.store.users.get(conn, user_id)

    def list(self) -> list[User]:
        with self.store.read() as conn:
            return self.store.users.all(conn)

    def set_password(self, username: str, password: str, actor: str = "cli") -> None:
        _check_password(password)
        user = self._by_name(username)
        with self.store.write() as conn:
            self.store.users.set_password(conn, user.id, self.hasher.hash(password))
            # Whoever knew the old password may hold a session: end them all.
            self.store.sessions.delete_for_user(conn, user.id)
            self.store.audit.record(conn, actor, "user.password", f"user:{user.username}")

    def set_role(self, username: str, role: Role | str, actor: str = "cli") -> User:
        user = self._by_name(username)
        role = Role(role)
        with self.store.write() as conn:
            self.store.users.set_role(conn, user.id, role)
            self.store.sessions.delete_for_user(conn, user.id)
            self.store.audit.record(
                conn, actor, "user.role", f"user:{user.username}", {"role": role.value}
            )
        return self._by_name(username)

    def set_disabled(self, username: str, disabled: bool, actor: str = "cli") -> None:
        user = self._by_name(username)
        with self.store.write() as conn:
            self.store.users.set_disabled(conn, user.id, disabled)
            # Enabling the account again must not bring its old sessions back.
            self.store.sessions.delete_for_user(conn, user.id)
            self.store.audit.record(
                conn, actor, "user.disable" if disabled else "user.enable", f"user:{user.username}"
            )

    def _by_name(self, username: str) -> User:
        with self.store.read() as conn:
            found = self.store.users.by_username(conn, username.strip().lower())
        if found is None:
            raise UserError(f"no user named {username!r}")
        return found[0]

    def mark_inbox_seen(self, user: User, until: datetime | None = None) -> datetime:
        """Move the user's inbox mark forward to `until` (the moment their inbox page was
        built, so topics that arrived since stay new; never later than now, never backwards).
        Only the user's own mark changes; it is audited like every other change."""
        now = datetime.now(UTC)
        mark = min(until or now, now)
        if user.inbox_seen_at is not None and mark < user.inbox_seen_at:
            mark = user.inbox_seen_at
        with self.store.write() as conn:
            self.store.users.set_inbox_seen(conn, user.id, mark)
            self.store.audit.record(
                conn,
                user.username,
                "user.inbox_seen",
                f"user:{user.username}",
                {"until": mark.isoformat()},
            )
        return mark


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise UserError("a password is at most 1024 characters")
