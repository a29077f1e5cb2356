"""`kill -9` in the middle of an import, then a re-run: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import userloop
from userloop.config import Settings
from userloop.intake.importers import run_import
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.store.tables import feedback

ROWS = 20_000
BAD_JSON_EVERY = 997  # these line numbers hold broken JSON
BAD_RATING_EVERY = 1_009  # these hold a rating of 9 (rejected by validation)

CHILD = """
import sys
from userloop.config import load_settings
from userloop.intake.importers import run_import
from userloop.intake.service import IntakeService
from userloop.store import Store

url, path = sys.argv[1], sys.argv[2]
store = Store.from_url(url)
run_import(IntakeService(store, load_settings(database_url=url)), path, batch_size=200,
           progress=False)
print("finished", flush=True)
"""


def _write_file(path: Path) -> tuple[int, set[int]]:
    invalid: set[int] = set()
    with path.open("w", encoding="utf-8") as fh:
        for line in range(1, ROWS + 1):
            if line % BAD_JSON_EVERY == 0:
                fh.write('{"text": "cut off\n')
                invalid.add(line)
                continue
            item = {
                "text": f"Report {line}: the phone reboots while charging",
                "external_id": f"kill-{line}",
                "rating": 9 if line % BAD_RATING_EVERY == 0 else line % 5 + 1,
            }
            if line % BAD_RATING_EVERY == 0:
                invalid.add(line)
            fh.write(json.dumps(item) + "\n")
    return ROWS - len(invalid), invalid


def _count(store: Store) -> int:
    with store.read() as conn:
        return store.feedback.count(conn)


@pytest.mark.slow
def test_kill_9_then_rerun(
    store: Store, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "kill.jsonl"
    valid, invalid = _write_file(path)
    src = str(Path(userloop.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        seen = 0
        while time.monotonic() < deadline:
            seen = _count(store)
            if 0 < seen < valid // 2:
                break
            if child.poll() is not None:
                out, err = child.communicate()
                pytest.fail(
                    f"the import exited (rc {child.returncode}) before it could be killed with "
                    f"{seen} of {valid} rows stored; make the file bigger.\n{out!r}\n{err!r}"
                )
            time.sleep(0.005)
        else:
            pytest.fail(f"no row was stored within 60 s ({seen} rows)")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    partial = _count(store)
    assert 0 < partial < valid, f"expected a partial import, found {partial} of {valid} rows"

    summary = run_import(IntakeService(store, settings), path, batch_size=1000, progress=False)
    assert not summary.interrupted
    assert _count(store) == valid
    assert summary.duplicates == partial
    assert summary.imported == valid - partial
    assert summary.rejected == len(invalid)
    assert (summary.rows, summary.conflicts) == (ROWS, 0)
    with store.read() as conn:
        doubled = conn.execute(
            select(feedback.c.source, feedback.c.external_id)
            .group_by(feedback.c.source, feedback.c.external_id)
            .having(func.count() > 1)
        ).all()
        sources = conn.execute(select(feedback.c.source).distinct()).scalars().all()
    assert doubled == []
    assert sources == ["kill"]
    rejects = [
        json.loads(x) for x in (tmp_path / "kill.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert sorted(r["line"] for r in rejects) == sorted(invalid)
