"""Staff accounts: argon2 hashes, roles, `userloop user ...`, the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from userloop.accounts.users import UserError, UserService
from userloop.cli.main import app
from userloop.config import Settings
from userloop.domain.enums import Role
from userloop.store import Store
from userloop.store.tables import users

PASSWORD = "correct horse battery"


def test_create_and_authenticate(store: Store) -> None:
    service = UserService(store)
    user = service.create("Alice", PASSWORD, Role.TRIAGER)
    assert user.username == "alice" and user.role is Role.TRIAGER
    with store.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert service.authenticate("alice", PASSWORD) == user
    assert service.authenticate("ALICE ", PASSWORD) == user
    assert service.authenticate("alice", PASSWORD + "x") is None
    assert service.authenticate("nobody", PASSWORD) is None
    with store.read() as conn:
        events = store.audit.recent(conn)
    assert [(e.actor, e.action, e.subject) for e in events] == [
        ("cli", "user.create", "user:alice")
    ]


def test_refusals(store: Store) -> None:
    service = UserService(store)
    service.create("bob", PASSWORD, "viewer")
    with pytest.raises(UserError, match="already exists"):
        service.create("bob", PASSWORD, "admin")
    with pytest.raises(UserError, match="at least 10 characters"):
        service.create("carol", "short", "admin")
    with pytest.raises(UserError, match="lowercase letters"):
        service.create("x y", PASSWORD, "admin")
    with pytest.raises(ValueError, match="'root'"):
        service.create("carol", PASSWORD, "root")
    assert [u.username for u in service.list()] == ["bob"]


def test_disable_role_and_password(store: Store) -> None:
    service = UserService(store)
    service.create("dave", PASSWORD, "viewer")
    assert service.set_role("dave", "admin").role is Role.ADMIN
    service.set_password("dave", "another long password")
    assert service.authenticate("dave", PASSWORD) is None
    assert service.authenticate("dave", "another long password") is not None
    service.set_disabled("dave", True)
    assert service.authenticate("dave", "another long password") is None
    with pytest.raises(UserError, match="no user named 'erin'"):
        service.set_role("erin", "admin")


def test_cli_user_create_and_list(store: Store, settings: Settings) -> None:
    url = settings.database_url
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["--database-url", url, "user", "create", "root", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "user root created with role admin" in result.stderr
    result = runner.invoke(
        app,
        ["--database-url", url, "user", "create", "root", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1 and "already exists" in result.stderr
    result = runner.invoke(app, ["--database-url", url, "user", "list"])
    assert result.exit_code == 0 and "root" in result.stderr and "admin" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    # Typed at the prompt, twice.
    result = runner.invoke(
        app,
        ["--database-url", url, "user", "create", "eve", "--role", "triager"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.stderr
    assert UserService(store).authenticate("eve", PASSWORD) is not None
