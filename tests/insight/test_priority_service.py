"""PriorityService on both stores, with the synthetic fleet loaded through the real intake,
triage and vote services: the crash on silent novices ranks above the pros' wish with ten
times the votes, the planted share is recovered, rows are replaced in one go, filters re-rank
by the stored cells, and without install base it ranks on counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.priority_world import load_fleet
from userloop.config import Settings
from userloop.container import priority_config
from userloop.insight.priority_service import PriorityService, UnknownProduct
from userloop.store import Store
from userloop.store.tables import topic_priorities


def test_the_crash_outranks_the_wish_and_the_share_is_recovered(
    store: Store, settings: Settings
) -> None:
    fleet, topics = load_fleet(store, settings)
    service = PriorityService(store, priority_config(settings))
    assert not service.stored_any()
    scored = service.recompute()
    with store.read() as conn:
        stored = conn.execute(select(func.count()).select_from(topic_priorities)).scalar()
    assert scored == stored and scored >= 3
    page = service.ranked()
    order = [r.topic_id for r in page.items]
    assert order[0] == topics["crash"]
    assert order.index(topics["crash"]) < order.index(topics["wish"])
    assert not page.counts_only
    crash = page.items[0].parts
    assert crash["mode"] == "devices" and crash["kind"] == "bug"
    assert crash["votes"]["count"] == 10 and crash["mostly"] == "novice"
    assert crash["where"]["models"] == ["Lumo 12"]
    assert crash["where"]["share"] == pytest.approx(fleet.share("crash"), rel=0.2)
    wish = next(r for r in page.items if r.topic_id == topics["wish"]).parts
    assert wish["votes"]["count"] == 100 and wish["kind"] == "feature"
    assert page.choices["model"] == ["Lumo 12", "Lumo 9"]
    assert page.choices["segment"] == ["advanced", "novice", "pro"]

    # filters re-rank from the stored cells: the crash is not on Lumo 9, the wish is
    on_nine = service.ranked(model="Lumo 9")
    assert topics["crash"] not in [r.topic_id for r in on_nine.items]
    assert topics["wish"] in [r.topic_id for r in on_nine.items]
    pros = service.ranked(segment="pro")
    assert topics["crash"] not in [r.topic_id for r in pros.items]
    assert service.ranked(limit=1, offset=1).items[0].topic_id == order[1]

    # a second run replaces the rows (no duplicates), one product at a time too
    assert service.recompute("default") == scored
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(topic_priorities)).scalar() == scored


def test_without_install_base_it_ranks_on_counts(store: Store, settings: Settings) -> None:
    _fleet, topics = load_fleet(store, settings, devices=40_000, install_base=False)
    service = PriorityService(store, priority_config(settings))
    service.recompute()
    page = service.ranked()
    assert page.counts_only
    assert {r.parts["mode"] for r in page.items} == {"counts"}
    assert all(r.parts["reach"]["devices"] is None for r in page.items)
    assert topics["wish"] in [r.topic_id for r in page.items]


def test_bad_requests_are_refused(store: Store, settings: Settings) -> None:
    service = PriorityService(store, priority_config(settings))
    with pytest.raises(UnknownProduct):
        service.recompute("nope")
    with pytest.raises(UnknownProduct):
        service.ranked(product="nope")
    with pytest.raises(ValueError, match="segment"):
        service.ranked(segment="guru")
    with pytest.raises(ValueError, match="limit"):
        service.ranked(limit=0)
    assert service.recompute() == 0 and service.ranked().items == []
