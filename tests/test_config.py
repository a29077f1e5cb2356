"""Settings: defaults, environment, TOML file, precedence, and unsafe production defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from userloop.config import DEV_SECRET_KEY, SettingsError, describe_settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for info in describe_settings():
        monkeypatch.delenv(info.env_var, raising=False)
    monkeypatch.delenv("USERLOOP_CONFIG", raising=False)


def test_defaults() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///userloop.db"
    assert s.env == "development"
    assert s.import_batch_size == 1000


def test_precedence_overrides_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "userloop.toml"
    cfg.write_text('[userloop]\nport = 9001\nhost = "0.0.0.0"\napi_page_size = 20\n')
    monkeypatch.setenv("USERLOOP_PORT", "9002")
    s = load_settings(cfg, api_page_size=30)
    assert s.host == "0.0.0.0"  # file
    assert s.port == 9002  # env beats file
    assert s.api_page_size == 30  # explicit beats all
    monkeypatch.setenv("USERLOOP_CONFIG", str(cfg))
    assert load_settings().host == "0.0.0.0"


def test_bad_files_and_values_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("port = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'red'\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(unknown)
    monkeypatch.setenv("USERLOOP_PORT", "http")
    with pytest.raises(SettingsError, match="port"):
        load_settings()


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERLOOP_ENV", "production")
    # Unset: the installation generates its own key (accounts/keys.py).
    assert load_settings().secret_key is None
    monkeypatch.setenv("USERLOOP_SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(SettingsError, match="USERLOOP_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("USERLOOP_SECRET_KEY", "short")
    with pytest.raises(SettingsError, match="32"):
        load_settings()
    monkeypatch.setenv("USERLOOP_SECRET_KEY", "x" * 40)
    assert load_settings().env == "production"


def test_every_setting_has_help_and_an_env_var() -> None:
    rows = describe_settings()
    assert rows
    for row in rows:
        assert row.help, row.name
        assert row.env_var == "USERLOOP_" + row.name.upper()


def test_an_empty_model_path_means_the_shipped_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERLOOP_SIMILARITY_MODEL_PATH", "")
    monkeypatch.setenv("USERLOOP_KIND_MODEL_PATH", "  ")
    settings = load_settings()
    assert settings.similarity_model_path is None and settings.kind_model_path is None
