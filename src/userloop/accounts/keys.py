"""The installation's secrets: one that signs (sessions, "My reports" links) and one that
pseudonymises (reporter and voter ids).

A configured `secret_key` is used for both, as before. Without one, each installation gets its
own random keys, generated on first use and stored in the database, so every web process and
command on that database shares them and no two installations share a key. Nothing falls back to
a key written in the source code."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import SecretStr
from sqlalchemy.exc import OperationalError, ProgrammingError

from userloop.domain.rules.secrets import is_public_secret
from userloop.store import Store

log = logging.getLogger(__name__)

SIGNING = "signing"
PSEUDONYM = "pseudonym"

KeySource = Literal["setting", "database", "ephemeral"]


class KeySettings(Protocol):
    """What the keys are resolved from: a `KeysConfig`, or anything with the same field (the
    settings themselves, in tests)."""

    @property
    def secret_key(self) -> SecretStr | None: ...


@dataclass(frozen=True, repr=False)
class KeysConfig:
    """The `secret_key` setting (built by the container); None: per-installation keys."""

    secret_key: SecretStr | None


@dataclass(frozen=True, repr=False)
class InstallationKeys:
    signing: str
    pseudonym: bytes
    source: KeySource

    @property
    def is_public(self) -> bool:
        """A key anyone could know: the development constant or a short configured one."""
        return self.source == "setting" and is_public_secret(self.signing)


def _new_key() -> str:
    return secrets.token_urlsafe(48)


def resolve_keys(config: KeySettings, store: Store) -> InstallationKeys:
    if config.secret_key is not None:
        key = config.secret_key.get_secret_value()
        return InstallationKeys(signing=key, pseudonym=key.encode(), source="setting")
    try:
        with store.write() as conn:
            signing = store.keys.get_or_create(conn, SIGNING, _new_key)
            pseudonym = store.keys.get_or_create(conn, PSEUDONYM, _new_key)
    except (OperationalError, ProgrammingError):
        # No schema yet (`userloop db upgrade` not run): nothing is stored that a key would have
        # to match later, so a random key for this process alone is safe.
        log.warning("no instance_keys table: using a random key for this process only")
        return InstallationKeys(
            signing=_new_key(), pseudonym=_new_key().encode(), source="ephemeral"
        )
    return InstallationKeys(signing=signing, pseudonym=pseudonym.encode(), source="database")


def rotate_signing_key(store: Store, actor: str | None = None) -> None:
    """A new signing key: every staff session ends and every "My reports" link stops working.
    The pseudonymisation key is never rotated here: a new one would split every reporter.
    With `actor`, the rotation is written to the audit log in the same transaction."""
    with store.write() as conn:
        store.keys.replace(conn, SIGNING, _new_key())
        if actor is not None:
            store.audit.record(conn, actor, "secret.rotate", "key:signing")


def signing_key_created(store: Store) -> datetime | None:
    """When the generated signing key was made (None where the database holds none)."""
    with store.read() as conn:
        return store.keys.created_at(conn, SIGNING)
