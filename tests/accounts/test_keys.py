"""The installation's keys come from the `secret_key` setting, given as a `KeysConfig`, or from
the database. (Sessions and links signed with them are tested in tests/web/test_web_edge.py.)"""

from __future__ import annotations

from pydantic import SecretStr

from userloop.accounts.keys import KeysConfig, resolve_keys
from userloop.config import DEV_SECRET_KEY, Settings
from userloop.container import keys_config
from userloop.store import Store


def test_a_configured_key_is_used_for_both(store: Store) -> None:
    keys = resolve_keys(KeysConfig(SecretStr("k" * 40)), store)
    assert keys.source == "setting" and not keys.is_public
    assert keys.signing == "k" * 40 and keys.pseudonym == b"k" * 40
    assert resolve_keys(KeysConfig(SecretStr(DEV_SECRET_KEY)), store).is_public
    assert resolve_keys(KeysConfig(SecretStr("short")), store).is_public


def test_without_one_the_database_keeps_them(store: Store, settings: Settings) -> None:
    config = keys_config(settings)
    assert config == KeysConfig(None)
    first = resolve_keys(config, store)
    assert first.source == "database" and not first.is_public
    assert resolve_keys(config, store) == first
    assert "k" * 40 not in repr(KeysConfig(SecretStr("k" * 40)))  # the key stays out of logs


def test_before_the_schema_exists_the_keys_are_this_process_s() -> None:
    bare = Store.from_url("sqlite://")
    try:
        keys = resolve_keys(KeysConfig(None), bare)
        assert keys.source == "ephemeral" and not keys.is_public
    finally:
        bare.close()
