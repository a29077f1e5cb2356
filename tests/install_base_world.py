"""A small hand-made install base for the install-base tests (service, CLI, API, console,
browser): two builds over three days, build 2.1 rolling out on the beta channel and crashing
more. Every number the tests expect follows from ROWS by hand (see the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store

# A model name with markup in it: pages must escape it.
MARKUP_MODEL = "X2 <i>lite</i>"


def days() -> tuple[date, date, date]:
    """Three consecutive days ending three days ago (the intake refuses future days)."""
    last = datetime.now(UTC).date() - timedelta(days=3)
    return last - timedelta(days=2), last - timedelta(days=1), last


# (day index, model, build, channel, region, segment, active devices, crashes, returns)
ROWS: tuple[tuple[int, str, str, str, str, str, int, int, int], ...] = (
    (0, "X1", "2.0", "stable", "NL", "novice", 1000, 10, 1),
    (0, MARKUP_MODEL, "2.0", "stable", "DE", "pro", 500, 5, 0),
    (1, "X1", "2.0", "stable", "NL", "novice", 800, 8, 1),
    (1, MARKUP_MODEL, "2.0", "stable", "DE", "pro", 400, 4, 0),
    (1, "X1", "2.1", "beta", "NL", "novice", 200, 10, 2),
    (1, MARKUP_MODEL, "2.1", "beta", "FR", "pro", 100, 6, 1),
    (2, "X1", "2.0", "stable", "NL", "novice", 400, 4, 0),
    (2, MARKUP_MODEL, "2.0", "stable", "DE", "pro", 200, 2, 0),
    (2, "X1", "2.1", "beta", "NL", "novice", 700, 30, 3),
    (2, MARKUP_MODEL, "2.1", "beta", "FR", "pro", 300, 15, 2),
)
# Per build: device-days, crashes, returns.
#   2.0: 1000+500+800+400+400+200 = 3300 device-days, 33 crashes, 2 returns
#   2.1: 200+100+700+300 = 1300 device-days, 61 crashes, 8 returns
# Day totals 1500, 1500, 1600: 2.1 holds 0.2 of day 1 and 1000/1600 = 0.625 of day 2.
# Latest day per model: X1 1100, X2 500; mean over 3 days: X1 3100/3, X2 1500/3.
# Latest day per region: NL 1100, FR 300, DE 200; means NL 3100/3, DE 1100/3, FR 400/3.
TOTALS = {"2.0": (3300, 33, 2), "2.1": (1300, 61, 8)}


def add_install_base(store: Store, settings: Settings, product: str | None = None) -> None:
    ds = days()
    samples: list[dict[str, Any]] = [
        {
            "day": ds[d].isoformat(),
            "model": model,
            "build": build,
            "channel": channel,
            "region": region,
            "segment": segment,
            "active_devices": active,
            "crashes": crashes,
            "returns": returns,
            **({"product": product} if product else {}),
        }
        for d, model, build, channel, region, segment, active, crashes, returns in ROWS
    ]
    IntakeService(store, settings).submit_install_base(samples)
