"""`userloop priorities` on both stores: computed once when nothing is stored, JSON Lines with
the sentence and the parts, the crash first, filters, --refresh, bad input refused."""

from __future__ import annotations

import json

from tests.cli.support import run
from tests.priority_world import load_fleet
from userloop.config import Settings
from userloop.container import priority_config
from userloop.insight.priority_service import PriorityService
from userloop.store import Store


def test_priorities_lists_the_crash_first_with_its_sentence(
    store: Store, settings: Settings
) -> None:
    _fleet, topics = load_fleet(store, settings)
    url = settings.database_url
    service = PriorityService(store, priority_config(settings))
    assert not service.stored_any()
    code, out, err = run(url, "priorities", "--format", "jsonl", "--limit", "5")
    assert code == 0, err
    assert service.stored_any()  # computed once, since nothing was stored
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5 and "5 of" in err
    first = rows[0]
    assert {"topic_id", "title", "score", "parts", "sentence", "mode"} <= set(first)
    assert first["topic_id"] == topics["crash"] and first["mode"] == "devices"
    assert first["sentence"].startswith("about 2.0% of Lumo 12 in CN and RU;")
    assert first["sentence"].endswith("mostly novice users; bug, very negative")
    assert first["parts"]["votes"]["count"] == 10

    code, out, err = run(url, "priorities", "--segment", "pro", "--format", "jsonl")
    assert code == 0, err
    ids = [json.loads(line)["topic_id"] for line in out.splitlines()]
    assert topics["wish"] in ids and topics["crash"] not in ids

    code, out, err = run(url, "priorities", "--refresh", "--limit", "2")
    assert code == 0, err
    assert "score" in out and "bug, very negative" in out


def test_bad_input_is_refused(store: Store, settings: Settings) -> None:
    load_fleet(store, settings, devices=40_000)
    url = settings.database_url
    code, _out, err = run(url, "priorities", "--product", "nope")
    assert code == 1 and "nope" in err
    code, _out, err = run(url, "priorities", "--segment", "guru")
    assert code == 1 and "segment must be one of" in err
    code, _out, err = run(url, "priorities", "--limit", "0")
    assert code == 2
