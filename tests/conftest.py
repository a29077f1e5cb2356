"""Each test builds its own settings, store and app. Storage tests run on SQLite always and on
PostgreSQL too when USERLOOP_TEST_POSTGRES_URL is set (each test in a fresh schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from userloop.config import Settings, load_settings
from userloop.store import Store

POSTGRES_URL = os.environ.get("USERLOOP_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def _postgres_schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'userloop.db'}"
        return
    assert POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_postgres_schema_url(POSTGRES_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(database_url=database_url)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = Store.from_url(settings.database_url)
    s.upgrade()
    yield s
    s.close()
