"""`userloop secret status` and `rotate`: the generated signing key, audited."""

from __future__ import annotations

import pytest

from tests.cli.support import run
from userloop.accounts.keys import KeysConfig, resolve_keys
from userloop.config import Settings
from userloop.store import Store


@pytest.mark.postgres
def test_status_and_rotate_the_generated_key(store: Store, settings: Settings) -> None:
    url = settings.database_url
    before = resolve_keys(KeysConfig(secret_key=None), store)
    code, out, err = run(url, "secret", "status")
    assert code == 0, err
    assert "keys from: database" in out and "signing key created: 20" in out
    code, _, err = run(url, "secret", "rotate")
    assert code == 0, err
    after = resolve_keys(KeysConfig(secret_key=None), store)
    assert after.signing != before.signing and after.pseudonym == before.pseudonym
    with store.read() as conn:
        events = store.audit.recent(conn, 10)
    assert [(e.actor, e.action) for e in events if e.action == "secret.rotate"] == [
        ("cli", "secret.rotate")
    ]
