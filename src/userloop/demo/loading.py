"""Loading a generated demo world into a store, through intake as any other feedback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from userloop.container import Services
from userloop.demo.generator import DemoWorld
from userloop.intake.service import count_results

CHUNK = 1000


def load_world(
    services: Services,
    world: DemoWorld,
    on_chunk: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated store with `world`: its feedback (told to `on_chunk` as each
    chunk is stored) and its install base. Returns counts by intake outcome. With `now`, a
    world that ends today holds no report from the future: today's reports are squeezed into
    the part of the day that has passed, in their order, so today keeps its count."""
    items = [{**x, "product": world.product} for x in world.feedback]
    if now is not None:
        midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
        passed = (now - midnight) / timedelta(days=1)
        for item in items:
            at = datetime.fromisoformat(str(item["created_at"]))
            if at >= midnight:
                item["created_at"] = (midnight + (at - midnight) * passed).isoformat()
    counts: dict[str, int] = {}
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        results = services.intake.submit_batch(chunk, default_source="demo")
        for k, v in count_results(results).items():
            counts[k] = counts.get(k, 0) + v
        if on_chunk is not None:
            on_chunk(len(chunk))
    samples = [{**x, "product": world.product} for x in world.install_base]
    for start in range(0, len(samples), CHUNK * 5):
        services.intake.submit_install_base(samples[start : start + CHUNK * 5])
    counts["install_base"] = len(samples)
    return counts
