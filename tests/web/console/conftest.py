"""Fixtures of the console tests: a fake-model triage, a web client, a small world.

Runs on SQLite, and on PostgreSQL too when USERLOOP_TEST_POSTGRES_URL is set. Triage uses the
fast stand-in models of tests/triage_fakes (cross-lingual concepts, "please add" = feature)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.triage_fakes import fake_triage
from tests.web.console.support import REPORTS, submit, topic_of
from tests.web_helpers import web_client
from userloop.config import Settings
from userloop.store import Store
from userloop.triage.service import Triage


@pytest.fixture
def triage(store: Store, settings: Settings) -> Triage:
    return fake_triage(store, settings)


@pytest.fixture
def client(settings: Settings, store: Store, triage: Triage) -> Iterator[TestClient]:
    with web_client(settings, store, triage) as c:
        yield c


@pytest.fixture
def world(client: TestClient, triage: Triage) -> dict[str, int]:
    """Report keys and topic names ("battery", "camera", "dark") to their ids."""
    ids = submit(client, REPORTS)
    triage.drain()
    out = dict(ids)
    for name, key in (("battery", "b1"), ("camera", "c1"), ("dark", "d1")):
        out[name] = topic_of(triage, ids[key])
    assert len({out["battery"], out["camera"], out["dark"]}) == 3
    return out
