"""`userloop import FILE --returns` on both stores: CSV and JSONL, the rejects file, a re-run
that stores nothing twice, a bad header, and the options it refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from tests.cli.support import run
from tests.returns_world import today
from userloop.config import Settings
from userloop.store import Store
from userloop.store.tables import feedback, returns


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(returns)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(feedback)).scalar_one()),
        )


def test_csv_import_rejects_and_rerun(store: Store, settings: Settings, tmp_path: Path) -> None:
    day = today().isoformat()
    src = tmp_path / "rma.csv"
    src.write_text(
        "external_id,day,model,build,region,reason,batch\n"
        f"RMA-1,{day},X1,2.1,NL,Screen cracked; mail me at a.b@example.com,L7\n"
        f"RMA-2,{day},X1,,DE,,L7\n"
        f"RMA-3,not-a-day,X1,2.1,NL,Battery swelled,L8\n"
        f"RMA-4,{day},X1,2.1,XX,Battery swelled,L8\n",
        encoding="utf-8",
    )
    url = settings.database_url
    code, _out, err = run(url, "import", str(src), "--returns", "--no-progress")
    assert code == 0, err
    assert re.search(r"imported\s+2\s+returns", err) and re.search(r"rejected\s+2\s", err)
    rejects = [json.loads(x) for x in (tmp_path / "rma.csv.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [4, 5]
    assert rejects[0]["reason"].startswith("day: must be a date such as 2026-10-01")
    assert "ISO 3166-1 alpha-2" in rejects[1]["reason"]
    assert _counts(store) == (2, 1)
    with store.read() as conn:
        text = conn.execute(select(feedback.c.text)).scalar_one()
    assert "example.com" not in text

    # safe to run again: the stored rows come back as duplicates
    code, _out, err = run(url, "import", str(src), "--returns", "--no-progress")
    assert code == 0, err
    assert re.search(r"duplicates\s+2\s", err) and _counts(store) == (2, 1)

    # a changed record is a conflict, written to the rejects file, and changes nothing
    src.write_text(f"external_id,day,model,batch\nRMA-2,{day},X1,L9\n", encoding="utf-8")
    code, _out, err = run(url, "import", str(src), "--returns", "--no-progress")
    assert code == 0, err
    [conflict] = [
        json.loads(x) for x in (tmp_path / "rma.csv.rejects.jsonl").read_text().splitlines()
    ]
    assert "never overwrites a return" in conflict["reason"]


def test_jsonl_import(store: Store, settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "rma.jsonl"
    record = {"external_id": "R-9", "day": today().isoformat(), "model": "X2", "reason": "Dead"}
    src.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _out, err = run(settings.database_url, "import", str(src), "--returns", "--no-progress")
    assert code == 0, err
    assert _counts(store) == (1, 1)


def test_bad_header_and_refused_options(store: Store, settings: Settings, tmp_path: Path) -> None:
    url = settings.database_url
    src = tmp_path / "rma.csv"
    src.write_text("rma,day,model\nR-1,2026-11-01,X1\n", encoding="utf-8")
    code, _out, err = run(url, "import", str(src), "--returns", "--no-progress")
    assert code == 1 and "unknown return column(s) 'rma'" in err
    src.write_text("external_id,model\nR-1,X1\n", encoding="utf-8")
    code, _out, err = run(url, "import", str(src), "--returns", "--no-progress")
    assert code == 1 and "missing return column(s) 'day'" in err
    code, _out, err = run(url, "import", str(src), "--returns", "--install-base")
    assert code == 1 and "cannot be combined" in err
    code, _out, err = run(url, "import", str(src), "--returns", "--source", "shop")
    assert code == 1 and "--source are for feedback files" in err
    assert _counts(store) == (0, 0)
