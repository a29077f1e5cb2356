"""Update-check latency benchmark.

    python bench/update_check.py [--devices 10000] [--http 3000] [--database-url URL]

A fresh store (SQLite in a temporary folder unless `--database-url` names an empty database)
with a few releases per product and channel (completed, rolling out, paused, rolled back, a
draft), then `--devices` distinct device ids asking for updates: twice each through
`ReleaseService.update_check` in-process, and `--http` times through the ASGI app
(`GET /api/v1/updates` with an `ingest` token; httpx's ASGI transport in one event loop, then
FastAPI's test client; no network). The service
keeps its default 2-second copy of the started releases, so the loop includes the refreshes a
server does. Prints p50/p95/p99 in milliseconds and the answers' mix.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from userloop.app import create_app
from userloop.config import load_settings
from userloop.container import Services
from userloop.domain.enums import TokenScope

PRODUCTS = ("phone", "tablet", "watch")
CHANNELS = ("dev", "beta", "stable")
MODELS = ("x1", "x2", "x3", "x4")
REGIONS = ("NL", "DE", "US", "CN", "RU")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    samples = sorted(samples)

    def at(q: float) -> float:
        return samples[min(len(samples) - 1, int(q * len(samples)))]

    return statistics.median(samples), at(0.95), at(0.99)


def seed(services: Services) -> None:
    """Per product and channel: 1.0 -> 1.1 completed, 1.1 -> 1.2 rolled back, 1.1 -> 1.3 rolling
    out at its second stage (or paused on dev), and a draft of 1.4."""
    releases = services.releases
    for product in PRODUCTS:
        for channel in CHANNELS:
            done = releases.create(product, "1.1", channel, "100@1m", previous_build="1.0")
            releases.start(done.id, "bench")
            releases.advance(done.id, "bench", "bench", force=True)
            bad = releases.create(product, "1.2", channel, "ubuntu-phased", previous_build="1.1")
            releases.start(bad.id, "bench")
            releases.rollback(bad.id, "bench", "bench")
            now = releases.create(
                product,
                "1.3",
                channel,
                "app-store-7-day",
                previous_build="1.1",
                regions=REGIONS[:4],
            )
            releases.start(now.id, "bench")
            releases.advance(now.id, "bench", "bench", force=True)
            if channel == "dev":
                releases.pause(now.id, "bench")
            releases.create(product, "1.4", channel, "ubuntu-phased", previous_build="1.3")


def _params(question: tuple[str, ...]) -> dict[str, str]:
    names = ("device", "model", "build", "channel", "region", "product")
    return dict(zip(names, question, strict=True))


async def _through_asgi(
    app: Any, requests: list[dict[str, str]], headers: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Each request through the whole app (middleware, auth, validation) in this event loop,
    with httpx's ASGI transport: no network, no thread hand-over on the client side. Also the
    CPU time each request took in this process (every thread): what it costs whatever else
    the machine is doing, where the wall-clock time depends on the machine's load."""
    samples = []
    cpu = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for params in requests:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = await client.get("/api/v1/updates", params=params, headers=headers)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.text
    return samples, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--http", type=int, default=3000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    settings = load_settings(database_url=url, default_product="phone")
    services = Services.build(settings)
    services.store.upgrade()
    seed(services)
    builds = ("1.0", "1.1", "1.1", "1.1", "1.2", "1.3")
    questions = [
        (
            f"device-{i:06d}",
            MODELS[i % len(MODELS)],
            builds[(i // 7) % len(builds)],
            CHANNELS[i % len(CHANNELS)],
            REGIONS[(i // 3) % len(REGIONS)],
            PRODUCTS[(i // 11) % len(PRODUCTS)],
        )
        for i in range(args.devices)
    ]

    service = services.releases
    samples: list[float] = []
    answers: Counter[str] = Counter()
    for _round in range(2):
        for device, model, build, channel, region, product in questions:
            start = time.perf_counter()
            answer = service.update_check(device, model, build, channel, region, product)
            samples.append((time.perf_counter() - start) * 1000)
            answers[answer.action.value] += 1
    p50, p95, p99 = percentiles(samples)
    print(f"service  n={len(samples)}  p50 {p50:.3f} ms  p95 {p95:.3f} ms  p99 {p99:.3f} ms")
    print(f"answers {dict(answers)}")

    token = services.tokens.create("bench", frozenset({TokenScope.INGEST})).token
    app = create_app(settings, services=services)
    requests = [_params(questions[i % len(questions)]) for i in range(args.http)]
    headers = {"Authorization": f"Bearer {token}"}
    asgi, cpu = asyncio.run(_through_asgi(app, requests, headers))
    p50, p95, p99 = percentiles(asgi)
    print(f"asgi     n={len(asgi)}  p50 {p50:.3f} ms  p95 {p95:.3f} ms  p99 {p99:.3f} ms")
    p50, p95, p99 = percentiles(cpu)
    print(f"asgi cpu n={len(cpu)}  p50 {p50:.3f} ms  p95 {p95:.3f} ms  p99 {p99:.3f} ms")
    # FastAPI's test client runs the app in another thread and waits for it: its numbers add
    # that hand-over (client side) to the server's time.
    tested: list[float] = []
    with TestClient(app) as client:
        for params in requests:
            start = time.perf_counter()
            response = client.get("/api/v1/updates", params=params, headers=headers)
            tested.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text
    p50, p95, p99 = percentiles(tested)
    print(f"client   n={len(tested)}  p50 {p50:.3f} ms  p95 {p95:.3f} ms  p99 {p99:.3f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f}, Python {platform.python_version()}, {url.split(':', 1)[0]}"
    )
    services.close()


if __name__ == "__main__":
    main()
