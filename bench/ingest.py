"""Ingest benchmark: file import into SQLite and PostgreSQL, and API submissions per second.

    python bench/ingest.py [--rows 100000] [--postgres URL] [--single 2000] [--batches 50]

Prints one line per measurement. Uses the demo generator for realistic multilingual rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from userloop.config import load_settings
from userloop.container import Services
from userloop.demo import generate
from userloop.domain.enums import TokenScope
from userloop.intake.importers import run_import


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_rows(path: Path, n: int) -> list[dict[str, Any]]:
    world = generate(seed=11, n_feedback=n)
    rows = [{**x, "product": world.product} for x in world.feedback]
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def bench_import(url: str, path: Path, rows: int, label: str) -> None:
    services = Services.build(load_settings(database_url=url))
    services.store.upgrade()
    start = time.perf_counter()
    summary = run_import(services.intake, path, progress=False)
    elapsed = time.perf_counter() - start
    assert summary.imported == rows, summary
    print(f"import {label}: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")
    start = time.perf_counter()
    again = run_import(services.intake, path, progress=False)
    elapsed = time.perf_counter() - start
    assert again.duplicates == rows, again
    print(f"re-import {label} (all duplicates): {rows / elapsed:,.0f} rows/s")
    services.store.close()


def postgres_schema(base: str) -> tuple[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = make_url(base)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), (admin, schema)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_api(url: str, rows: list[dict[str, Any]], single: int, batches: int) -> None:
    services = Services.build(load_settings(database_url=url))
    services.store.upgrade()
    token = services.tokens.create("bench", frozenset({TokenScope.INGEST})).token
    services.store.close()
    port = free_port()
    env = {**os.environ, "USERLOOP_DATABASE_URL": url, "USERLOOP_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "userloop", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(headers=headers, timeout=60) as client:
            for _ in range(100):
                try:
                    if client.get(f"{base}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            items = [{**r, "source": "bench-single"} for r in rows[:single]]
            start = time.perf_counter()
            for item in items:
                assert client.post(f"{base}/feedback", json=item).status_code == 201
            elapsed = time.perf_counter() - start
            print(
                f"API single POST /feedback: {single / elapsed:,.0f} submissions/s "
                f"({elapsed / single * 1000:.2f} ms each, one client, keep-alive)"
            )
            chunk = rows[single : single + batches * 1000]
            start = time.perf_counter()
            for i in range(0, len(chunk), 1000):
                r = client.post(f"{base}/feedback:batch", json={"items": chunk[i : i + 1000]})
                assert r.status_code == 200 and r.json()["counts"]["created"] == len(
                    chunk[i : i + 1000]
                )
            elapsed = time.perf_counter() - start
            print(f"API POST /feedback:batch (1,000 per call): {len(chunk) / elapsed:,.0f} items/s")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("USERLOOP_TEST_POSTGRES_URL"))
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--batches", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.jsonl"
        rows = write_rows(path, args.rows)
        size = path.stat().st_size / 1e6
        print(f"input: {len(rows)} rows, {size:.1f} MB JSONL (zh/ru/nl/en demo texts)")
        bench_import(f"sqlite:///{Path(tmp) / 'bench.db'}", path, len(rows), "SQLite")
        if args.postgres:
            pg_url, (admin, schema) = postgres_schema(args.postgres)
            try:
                bench_import(pg_url, path, len(rows), "PostgreSQL")
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        bench_api(f"sqlite:///{Path(tmp) / 'api.db'}", rows, args.single, args.batches)


if __name__ == "__main__":
    main()
