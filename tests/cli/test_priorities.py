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


def test_the_table_shows_each_topic_by_its_english_title(store: Store, settings: Settings) -> None:
    """The CLI speaks English: a topic whose stored title is another language's report is
    shown by the title its English reports give; one without English reports keeps its title,
    marked with its language."""
    from sqlalchemy import update

    from userloop.store.tables import topics as topics_table

    _fleet, topics = load_fleet(store, settings)
    with store.write() as conn:
        conn.execute(
            update(topics_table)
            .where(topics_table.c.id == topics["crash"])
            .values(
                title="启动器一直崩溃",
                title_language="zh-Hans",
                titles={"zh-Hans": "启动器一直崩溃", "en": "The launcher keeps crashing"},
            )
        )
        conn.execute(
            update(topics_table)
            .where(topics_table.c.id == topics["wish"])
            .values(title="Хочу запись звонков", title_language="ru", titles={})
        )
    code, out, err = run(settings.database_url, "priorities", "--limit", "50")
    assert code == 0, err
    assert f"{topics['crash']:>6}" in out and "The launcher keeps crashing" in out
    assert "启动器一直崩溃" not in out
    assert "Хочу запись звонков [ru]" in out
