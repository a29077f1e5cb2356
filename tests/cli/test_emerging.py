"""`userloop emerging` on both stores: a planted regression and a topic new on the latest build
are flagged with their evidence; an unknown build is refused."""

from __future__ import annotations

import json

import pytest

from tests.cli.support import run
from tests.emerging_world import add_install_base, build_world
from tests.triage_fakes import fake_triage
from userloop.config import Settings
from userloop.insight.service import EmergingService
from userloop.intake.service import IntakeService
from userloop.store import Store


def test_emerging_flags_the_regression_and_the_new_topic(store: Store, settings: Settings) -> None:
    build_world(store, settings, fake_triage(store, settings))
    url = settings.database_url
    service = EmergingService(store)
    # without install base: each topic's share of its build's feedback
    plain = service.emerging("1.3", False, None)
    assert {i.evidence["exposure"] for i in plain} == {"feedback"}
    add_install_base(store, settings)
    code, out, err = run(url, "emerging", "--build", "1.3", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {"build", "topic_id", "terms", "representative_texts", "score", "evidence"} <= set(
        rows[0]
    )
    by_reason = {r["reason"]: r for r in rows}
    assert set(by_reason) == {"rise", "new"} and len(rows) == 2
    rise, new = by_reason["rise"], by_reason["new"]
    assert all(r["build"] == "1.3" for r in rows)
    assert rise["representative_texts"][0].startswith("Camera crash")
    assert len(rise["representative_texts"]) == 3
    assert new["representative_texts"][0] == "Dark theme unreadable 0"
    assert rise["terms"] and isinstance(rise["score"], float) and rise["score"] > 1.3
    evidence = rise["evidence"]
    assert evidence["exposure"] == "active_devices"
    assert (evidence["count"], evidence["count_before"]) == (12, 3)
    assert (evidence["exposure_build"], evidence["exposure_before"]) == (10_000, 30_000)
    assert evidence["ratio"] == pytest.approx(12.0) and evidence["p_adjusted"] <= 0.05
    assert new["evidence"]["count_before"] == 0

    # the regression is not flagged before it happened
    code, out, err = run(url, "emerging", "--build", "1.2", "--format", "jsonl")
    assert code == 0 and out == "", err
    code, out, err = run(url, "emerging", "--all-builds", "--format", "jsonl")
    assert code == 0, err
    assert {(json.loads(line)["build"]) for line in out.splitlines()} == {"1.3"}
    code, out, err = run(url, "emerging", "--product", settings.default_product)
    assert code == 0 and "Camera" in out and "2 emerging topic(s)" in err


def test_emerging_refuses_an_unknown_build_or_product(settings: Settings, store: Store) -> None:
    IntakeService(store, settings).submit_batch(
        [{"text": "Battery drains", "external_id": "1", "build": "2.0"}], default_source="app"
    )
    code, out, err = run(settings.database_url, "emerging", "--build", "9.9")
    assert code == 1 and "no feedback names build '9.9'" in err and out == ""
    code, _, err = run(settings.database_url, "emerging", "--product", "nope")
    assert code == 1 and "nope" in err
    code, _, err = run(settings.database_url, "emerging", "--build", "2.0", "--all-builds")
    assert code == 1 and "not both" in err
    # a single build has nothing to compare with
    code, out, err = run(settings.database_url, "emerging", "--build", "2.0")
    assert code == 0 and out == "" and "0 emerging" in err
