"""`userloop token create`, `list`, `revoke`."""

from __future__ import annotations

from tests.cli.support import run
from userloop.config import Settings
from userloop.store import Store


def test_token_lifecycle(store: Store, settings: Settings) -> None:
    url = settings.database_url
    code, out, err = run(url, "token", "create", "--scope", "ingest", "--scope", "read")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("ul_") and len(token) > 40
    code, _, err = run(url, "token", "list")
    assert code == 0 and "ingest,read" in err and token not in err
    assert run(url, "token", "revoke", "1")[0] == 0
    code, _, err = run(url, "token", "revoke", "1")
    assert code == 1 and "no active token with id 1" in err
    code, _, err = run(url, "token", "create", "--scope", "admin")
    assert code == 2 and "admin" in err
