"""A product with returns, for the returns tests (intake, insight, CLI, API, console): model X1
in four batches, one of which (`BAD_BATCH`, markup in its name: pages must escape it) comes
back mostly with camera crashes while the others come back for the usual mix of reasons;
model X2 in two ordinary batches and without install base (counts only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from userloop.config import Settings
from userloop.intake.service import IntakeService
from userloop.store import Store
from userloop.triage.service import Triage

BAD_BATCH = "<b>L4</b>"
REASONS = {
    "battery": "Battery drains within hours",
    "bluetooth": "Bluetooth disconnects from the car",
    "camera": "Camera crash on start",
}
# (model, batch) -> (build, returns per reason)
PLAN: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("X1", "L1"): ("2.0", {"battery": 8, "bluetooth": 8, "camera": 2}),
    ("X1", "L2"): ("2.0", {"battery": 7, "bluetooth": 9, "camera": 2}),
    ("X1", "L3"): ("2.1", {"battery": 8, "bluetooth": 7, "camera": 2}),
    ("X1", BAD_BATCH): ("2.1", {"battery": 3, "bluetooth": 3, "camera": 14}),
    ("X2", "M1"): ("2.1", {"battery": 6, "bluetooth": 6}),
    ("X2", "M2"): ("2.1", {"battery": 7, "bluetooth": 5}),
}
NO_REASON = 3  # X1 returns of build 2.0 without reason text nor batch
DEVICES = {"2.0": 4_000, "2.1": 6_000}  # active X1 devices per day in the install base
INSTALL_BASE_DAYS = 5


def today() -> date:
    return datetime.now(UTC).date()


def records() -> list[dict[str, Any]]:
    """The RMA records of PLAN (and NO_REASON without reason), spread over the last 10 days."""
    out: list[dict[str, Any]] = []
    for (model, batch), (build, reasons) in PLAN.items():
        for reason, n in reasons.items():
            for i in range(n):
                out.append(
                    {
                        "external_id": f"RMA-{len(out) + 1:05d}",
                        "day": (today() - timedelta(days=1 + len(out) % 10)).isoformat(),
                        "model": model,
                        "build": build,
                        "region": "NL" if i % 2 else "DE",
                        "reason": f"{REASONS[reason]} ({i})",
                        "batch": batch,
                    }
                )
    for _ in range(NO_REASON):
        out.append(
            {
                "external_id": f"RMA-{len(out) + 1:05d}",
                "day": (today() - timedelta(days=2)).isoformat(),
                "model": "X1",
                "build": "2.0",
            }
        )
    return out


def add_returns(store: Store, settings: Settings, triage: Triage | None = None) -> None:
    IntakeService(store, settings).submit_returns(records())
    if triage is not None:
        triage.drain()


def add_install_base(store: Store, settings: Settings) -> None:
    """X1 on both builds for INSTALL_BASE_DAYS days (X2 has none)."""
    IntakeService(store, settings).submit_install_base(
        [
            {
                "day": (today() - timedelta(days=1 + d)).isoformat(),
                "model": "X1",
                "build": build,
                "channel": "stable",
                "region": "NL",
                "active_devices": devices,
            }
            for d in range(INSTALL_BASE_DAYS)
            for build, devices in DEVICES.items()
        ]
    )


def x1_returns(build: str | None = None) -> int:
    n = sum(
        sum(reasons.values())
        for (model, _batch), (b, reasons) in PLAN.items()
        if model == "X1" and build in (None, b)
    )
    return n + (NO_REASON if build in (None, "2.0") else 0)
