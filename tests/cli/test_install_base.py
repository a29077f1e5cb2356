"""`userloop install-base` on both stores: the per-build table and its JSONL, a product without
install base, an unknown product."""

from __future__ import annotations

import json

import pytest

from tests.cli.support import run
from tests.install_base_world import TOTALS, add_install_base
from userloop.config import Settings
from userloop.store import Store


def test_the_per_build_table_and_jsonl(store: Store, settings: Settings) -> None:
    add_install_base(store, settings)
    url = settings.database_url
    code, out, err = run(url, "install-base", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["build"] for r in rows] == ["2.0", "2.1"]
    for row in rows:
        device_days, crashes, returns = TOTALS[row["build"]]
        assert row["product"] == settings.default_product
        assert row["device_days"] == device_days
        assert row["crashes"]["count"] == crashes and row["returns"]["count"] == returns
        assert row["crashes"]["low"] < row["crashes"]["rate"] < row["crashes"]["high"]
    assert rows[1]["latest_share"] == pytest.approx(0.625)

    code, out, err = run(url, "install-base", "--product", settings.default_product)
    assert code == 0, err
    lines = out.splitlines()
    assert "device-days" in lines[0] and "crashes per 1k device-days" in lines[0]
    # 2.1: 62.5% of the latest day, 1,300 device-days, 61 crashes = 46.92 per 1,000
    assert lines[2].split()[:5] == ["2.1", "62.5%", "1,300", "61", "46.92"]
    assert "2 build(s)" in err


def test_no_install_base_and_unknown_product(store: Store, settings: Settings) -> None:
    url = settings.database_url
    code, _out, err = run(url, "install-base")
    assert code == 1 and "userloop import --install-base" in err
    code, _out, err = run(url, "install-base", "--product", "watch")
    assert code == 1 and "no product 'watch'" in err
