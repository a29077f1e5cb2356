"""`Store` owns the engine and hands out transactions and repositories."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from userloop.store import migrate
from userloop.store.dimensions import Dimensions
from userloop.store.engine import build_engine
from userloop.store.queries.audit import AuditQueries
from userloop.store.queries.feedback import FeedbackQueries
from userloop.store.queries.install_base import InstallBaseQueries
from userloop.store.queries.stats import StatsQueries
from userloop.store.queries.topics import TopicQueries
from userloop.store.repos.audit import AuditRepo
from userloop.store.repos.feedback import FeedbackRepo
from userloop.store.repos.install_base import InstallBaseRepo
from userloop.store.repos.key import KeyRepo
from userloop.store.repos.release import ReleaseRepo
from userloop.store.repos.reporter import ReporterRepo
from userloop.store.repos.session import SessionRepo
from userloop.store.repos.throttle import ThrottleRepo
from userloop.store.repos.token import TokenRepo
from userloop.store.repos.topic import TopicRepo
from userloop.store.repos.triage import PendingItem, TriageRepo
from userloop.store.repos.user import UserRepo
from userloop.store.repos.vote import VoteRepo


@dataclass(frozen=True)
class Claim:
    """A batch of pending items claimed by `Store.claim_batch`."""

    items: list[PendingItem]
    write: Callable[[], AbstractContextManager[Connection]]
    #: Other processes may write topics while this batch is computed, so in-memory copies
    #: of stored state (topic centroids) must be reloaded before writing.
    shared: bool


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
        self.keys = KeyRepo()
        self.triage = TriageRepo()
        self.topics = TopicRepo()
        self.users = UserRepo()
        self.sessions = SessionRepo()
        self.throttle = ThrottleRepo()
        self.votes = VoteRepo()
        self.releases = ReleaseRepo()
        # Read queries per aggregate (lists, counts) for the read models in views/.
        self.topic_queries = TopicQueries()
        self.feedback_queries = FeedbackQueries()
        self.stats = StatsQueries()
        self.audit_queries = AuditQueries()
        self.install_base_queries = InstallBaseQueries()
        self.dimensions = Dimensions(self.write)
        self._growth: dict[str, int] = {}
        self._analyzed_at: dict[str, int] = {}

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

    @contextmanager
    def claim_batch(self, pipeline_version: str, limit: int) -> Iterator[Claim]:
        """The oldest `limit` items whose triage is missing or stale, claimed for one worker.
        Compute on ``claim.items``, then write inside ``claim.write()``; everything commits
        when the block ends, and nothing does if it raises.

        PostgreSQL (several workers): the rows are locked ``FOR UPDATE SKIP LOCKED`` in the
        transaction that writes the results, so other workers skip them until commit.
        SQLite (one writer): the items are read first and the write lock is taken only for
        ``claim.write()``, so that intake never waits on the computing."""
        if self.is_sqlite:
            with self.read() as conn:
                items = self.triage.pending(conn, pipeline_version, limit)
            yield Claim(items, self.write, shared=False)
        else:
            with self.write() as conn:
                items = self.triage.pending(conn, pipeline_version, limit, lock=True)
                yield Claim(items, lambda: nullcontext(conn), shared=True)

    def grew(self, table: str, rows: int) -> None:
        """Note rows added by a bulk write. PostgreSQL plans key look-ups badly on a table whose
        statistics predate a bulk load (a sequential scan per batch), so refresh them each time
        the table has about doubled since the last refresh."""
        if self.is_sqlite or rows <= 0:
            return
        grown = self._growth.get(table, 0) + rows
        self._growth[table] = grown
        if grown >= max(5_000, self._analyzed_at.get(table, 0)):
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'ANALYZE "{table}"'))
            self._analyzed_at[table] = self._analyzed_at.get(table, 0) + grown
            self._growth[table] = 0

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
