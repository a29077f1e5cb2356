"""A small product with four builds, for the emerging-issues tests (CLI, API, console): a camera
crash jumps on the last build and a dark-theme complaint is new on it; the others hold steady."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.triage.service import Triage

BUILDS = ("1.0", "1.1", "1.2", "1.3")
CAMERA = "Camera crash when opening <b>now</b>"  # markup: pages must escape it
# report text -> reports per build
PLAN = {
    "Battery drains overnight": (6, 6, 6, 6),
    "Bluetooth disconnects in the car": (4, 4, 4, 4),
    CAMERA: (1, 1, 1, 12),
    "Dark theme unreadable": (0, 0, 0, 6),
}
ACTIVE_DEVICES = 10_000  # per build in the install base


def build_world(store: Store, settings: Settings, triage: Triage) -> None:
    """The reports of PLAN, one week per build, triaged."""
    start = datetime.now(UTC) - timedelta(days=40)
    items: list[dict[str, Any]] = []
    for b, build in enumerate(BUILDS):
        for text, per_build in PLAN.items():
            for i in range(per_build[b]):
                at = start + timedelta(days=7 * b, minutes=len(items))
                items.append(
                    {
                        "text": f"{text} {i}",
                        "external_id": f"{build}-{len(items)}",
                        "build": build,
                        "created_at": at.isoformat(),
                    }
                )
    IntakeService(store, settings).submit_batch(items, default_source="app")
    triage.drain()


def add_install_base(store: Store, settings: Settings) -> None:
    """The same number of active devices on every build."""
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    IntakeService(store, settings).submit_install_base(
        [
            {
                "day": day,
                "model": "X1",
                "build": build,
                "channel": "stable",
                "region": "NL",
                "active_devices": ACTIVE_DEVICES,
            }
            for build in BUILDS
        ]
    )
