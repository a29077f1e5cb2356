"""Web page latency benchmark.

    python bench/web.py [--size 3000] [--rounds 50]

Loads the demo world (`--size` feedback items) into a fresh SQLite store, triages it with the
default models, then times the main pages in-process (FastAPI test client, no network): the
portal's form, "already reported?" suggestions (one real embedding per request), a topic page,
the roadmap, and the console's topics list and topic detail. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from userloop.app import create_app
from userloop.cli.demo import load_demo
from userloop.config import load_settings
from userloop.container import Services
from userloop.domain.enums import Role

QUERIES = (
    "Батарея быстро садится ночью после обновления",
    "电池一晚上掉电很快",
    "De batterij loopt 's nachts leeg",
    "Notifications arrive late on my phone",
    "Камера вылетает в ночном режиме",
)


def timed(client: TestClient, path: str, rounds: int) -> tuple[float, float]:
    samples = []
    for i in range(rounds):
        url = path.format(q=QUERIES[i % len(QUERIES)])
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    settings = load_settings(database_url=f"sqlite:///{folder / 'bench.db'}")
    services = Services.build(settings)
    services.store.upgrade()
    load_demo(services, seed=7, n_feedback=args.size, show_progress=False)
    services.triage.drain()
    services.users.create("bench", "benchmark password", Role.VIEWER)
    topic = max(services.topics.all(), key=lambda t: t.size)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus")
    print(f"demo items: {args.size}, topics: {len(services.topics.all())}")
    app = create_app(settings, services.store, services.triage)
    with TestClient(app, base_url="https://bench") as client:
        page = client.get("/console/sign-in")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/console/sign-in",
            data={"username": "bench", "password": "benchmark password", "csrf_token": token},
        )
        client.get("/suggestions?text=warm up the embedder")
        pages = {
            "portal form GET /": "/",
            "suggestions GET /suggestions": "/suggestions?text={q}",
            f"topic page GET /topics/{topic.id} ({topic.size} reports)": f"/topics/{topic.id}",
            "roadmap GET /roadmap": "/roadmap",
            "console topics GET /console/topics": "/console/topics",
            f"console topic GET /console/topics/{topic.id}": f"/console/topics/{topic.id}",
        }
        for name, path in pages.items():
            p50, p95 = timed(client, path, args.rounds)
            print(f"{name:55s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
