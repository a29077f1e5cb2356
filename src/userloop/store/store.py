"""`Store` owns the engine and hands out transactions and repositories."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Connection, Engine, text

from userloop.store import migrate
from userloop.store.audit_repo import AuditRepo
from userloop.store.dimensions import Dimensions
from userloop.store.engine import build_engine
from userloop.store.feedback_repo import FeedbackRepo
from userloop.store.install_base_repo import InstallBaseRepo
from userloop.store.reporter_repo import ReporterRepo
from userloop.store.token_repo import TokenRepo


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite allows one writer: serialise writers in-process instead of failing on
        # "database is locked". PostgreSQL needs no such lock.
        self._write_lock: AbstractContextManager[object] = (
            threading.RLock() if self.is_sqlite else nullcontext()
        )
        self.feedback = FeedbackRepo()
        self.reporters = ReporterRepo()
        self.install_base = InstallBaseRepo()
        self.tokens = TokenRepo()
        self.audit = AuditRepo()
        self.dimensions = Dimensions(self.write)

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(build_engine(url))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back on any exception."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def upgrade(self) -> None:
        migrate.upgrade(self.engine)

    def is_up_to_date(self) -> bool:
        return migrate.is_up_to_date(self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def close(self) -> None:
        self.engine.dispose()
