"""The store itself: migrations both ways, SQLite pragmas, URL errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from userloop.store import Store, migrate
from userloop.store.engine import StoreConfigError, build_engine


def test_upgrade_creates_every_table_and_downgrade_removes_them(database_url: str) -> None:
    store = Store.from_url(database_url)
    assert not store.is_up_to_date()
    store.upgrade()
    assert store.is_up_to_date()
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "products",
        "device_models",
        "builds",
        "channels",
        "reporters",
        "reporter_contacts",
        "feedback",
        "install_base_samples",
        "api_tokens",
        "audit_events",
    } <= tables
    with store.read() as conn:
        names = [n for (n,) in conn.execute(text("SELECT name FROM channels ORDER BY rank"))]
    assert names == ["dev", "beta", "stable"]
    migrate.downgrade(store.engine, "base")
    assert not ({"feedback", "products"} & set(inspect(store.engine).get_table_names()))
    store.upgrade()  # and back again
    assert store.is_up_to_date()
    store.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "not a database URL"), ("mysql://x/y", "unsupported database 'mysql'")],
)
def test_bad_database_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(StoreConfigError, match=message):
        build_engine(url)


def test_batch_centroid_updates_only_widen_first_and_last_seen(store: Store) -> None:
    from datetime import UTC, datetime

    import numpy as np

    product = store.dimensions.product_id("phone")
    day = [datetime(2026, 11, d, 12, tzinfo=UTC) for d in range(1, 8)]
    with store.write() as conn:
        a = store.topics.create(conn, product, None, None)
        b = store.topics.create(conn, product, None, None)
        v = np.ones(4, dtype=np.float32)
        store.topics.set_centroids(
            conn, [(a, v, 2, day[2], day[4]), (b, v, 1, day[3], day[3])], "m"
        )
        store.topics.set_centroids(conn, [(a, 2 * v, 3, day[1], day[3])], "m")  # earlier only
        store.topics.set_centroids(conn, [(a, 3 * v, 4, day[5], day[6])], "m")  # later only
        store.topics.set_centroids(conn, [], "m")
    with store.read() as conn:
        ta, tb = store.topics.get(conn, a), store.topics.get(conn, b)
        centroids = {t: c for t, _p, _s, c in store.topics.centroids(conn, "m")}
    assert ta is not None and tb is not None
    assert (ta.first_seen, ta.last_seen, ta.size) == (day[1], day[6], 4)
    assert (tb.first_seen, tb.last_seen, tb.size) == (day[3], day[3], 1)
    centroid = centroids[a]
    assert centroid is not None
    np.testing.assert_allclose(centroid, np.full(4, 3.0))
