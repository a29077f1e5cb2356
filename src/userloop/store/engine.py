"""Engine construction: SQLite in WAL mode with foreign keys on, PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


class StoreConfigError(ValueError):
    pass


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names when it does not exist (connecting would create it, empty);
    None for an existing file, an in-memory database, or any other database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename (`?uri=true`): mode=memory and such
        return None
    path = Path(database)
    return None if path.exists() else path


def build_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreConfigError(f"USERLOOP_DATABASE_URL is not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
        except (ModuleNotFoundError, NoSuchModuleError) as exc:
            raise StoreConfigError(
                "PostgreSQL needs the psycopg driver: pip install 'userloop[postgres]'"
            ) from exc
    raise StoreConfigError(
        f"unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://..."
    )
