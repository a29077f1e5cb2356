"""`Store.claim_batch`, the triage queue's one dialect difference, on SQLite and PostgreSQL:
PostgreSQL workers claim disjoint rows until commit; SQLite reads first and writes under the
single writer's lock; a failed batch writes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store, tables


def _submit(store: Store, settings: Settings, n: int) -> list[int]:
    results = IntakeService(store, settings).submit_batch(
        [{"text": f"report number {i}", "external_id": f"e{i}", "source": "t"} for i in range(n)]
    )
    return [r.id for r in results if r.id is not None]


def _embeddings(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.embeddings)).scalar_one())


def test_claims_and_writes_a_batch(store: Store, settings: Settings) -> None:
    ids = _submit(store, settings, 5)
    with store.claim_batch("v1", 3) as claim:
        assert [i.id for i in claim.items] == ids[:3]
        assert claim.shared == (not store.is_sqlite)
        with claim.write() as conn:
            store.triage.save_vectors(conn, "m", {ids[0]: np.ones(4, np.float32)})
    assert _embeddings(store) == 1
    with store.claim_batch("v1", 10) as claim:
        assert len(claim.items) == 5  # nothing triaged yet: all still pending


def test_a_failed_batch_writes_nothing(store: Store, settings: Settings) -> None:
    ids = _submit(store, settings, 2)
    with pytest.raises(RuntimeError), store.claim_batch("v1", 2) as claim, claim.write() as conn:
        store.triage.save_vectors(conn, "m", {ids[0]: np.ones(4, np.float32)})
        raise RuntimeError("crash")
    assert _embeddings(store) == 0


def test_workers_claim_disjoint_rows_on_postgresql(store: Store, settings: Settings) -> None:
    ids = _submit(store, settings, 4)
    with store.claim_batch("v1", 2) as first, store.claim_batch("v1", 2) as second:
        a = [i.id for i in first.items]
        b = [i.id for i in second.items]
    assert a == ids[:2]
    if store.is_sqlite:
        assert b == ids[:2]  # one writer: nothing to skip
    else:
        assert b == ids[2:]  # the first claim's rows stay locked until it commits
