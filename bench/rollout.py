"""Staged rollouts under the health gates: how far a bad build gets before it is halted, how
rarely a good build is, and the smallest degradation each stage can judge.

    python bench/rollout.py [--seeds 20] [--good 200] [--plan app-store-7-day]

On the fleet model (`userloop.release.fleet_model`, default base rates, checks every 6 hours,
default `GateConfig`: α = 0.05 over the release):

1. for fleets of 10k, 50k, 200k and 1M devices and each degradation (crash ×1.5/×2/×3, a new
   complaint topic in 0.5/1/2 % of the build's devices, returns ×2/×3/×5): the share of
   `--seeds` rollouts halted, the median reach at the halt and the median hours to it;
2. `--good` good builds per fleet: the share halted (false alarms), completed, and the median
   and 95th-percentile hours to complete;
3. the complaint topic at 2 % on 200k devices for other write rates of affected users;
4. the minimum detectable degradation per metric and stage (expected counts) for 10k, 200k
   and 1M devices, as docs/releases.md shows it.

Prints Markdown; deterministic (seeded); the script prints the machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from userloop.release.fleet_model import (
    PLANS,
    BuildEffect,
    RolloutResult,
    minimum_complaint_share,
    minimum_detectable,
    simulate,
)
from userloop.release.gates import Metric

FLEETS = (10_000, 50_000, 200_000, 1_000_000)
DEGRADATIONS: tuple[tuple[str, BuildEffect], ...] = (
    ("crash ×1.5", BuildEffect(crash=1.5)),
    ("crash ×2", BuildEffect(crash=2.0)),
    ("crash ×3", BuildEffect(crash=3.0)),
    ("complaint 0.5 %", BuildEffect(complaint_share=0.005)),
    ("complaint 1 %", BuildEffect(complaint_share=0.01)),
    ("complaint 2 %", BuildEffect(complaint_share=0.02)),
    ("returns ×2", BuildEffect(returns=2.0)),
    ("returns ×3", BuildEffect(returns=3.0)),
    ("returns ×5", BuildEffect(returns=5.0)),
)
LABELS = {
    Metric.CRASH_RATE: "crash rate (ratio)",
    Metric.FEEDBACK_RATE: "feedback rate (ratio)",
    Metric.NEGATIVE_SHARE: "negative share (odds ratio)",
    Metric.RETURNS_RATE: "returns rate (ratio)",
}


def _fleet(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1_000}k"


def _cell(results: list[RolloutResult]) -> str:
    halted = [r for r in results if r.halted]
    if not halted:
        return f"0/{len(results)}"
    reach = statistics.median(r.reach for r in halted)
    hours = statistics.median(r.hours_to_decision for r in halted)
    return f"{len(halted)}/{len(results)}: {100 * reach:g} %, {hours:g} h"


def degradations(plan: str, seeds: int) -> None:
    print(
        f"\n### Bad builds ({seeds} seeds each): halted, median reach at the halt, median hours\n"
    )
    print("| degradation | " + " | ".join(_fleet(n) for n in FLEETS) + " |")
    print("|---|" + "---:|" * len(FLEETS))
    for label, effect in DEGRADATIONS:
        cells = [
            _cell([simulate(n, effect, plan=PLANS[plan], seed=s) for s in range(seeds)])
            for n in FLEETS
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


def good_builds(plan: str, runs: int) -> None:
    print(f"\n### Good builds ({runs} seeds per fleet)\n")
    print("| fleet | halted (false alarms) | completed | median hours | 95th pct hours |")
    print("|---|---:|---:|---:|---:|")
    for n in FLEETS:
        results = [simulate(n, plan=PLANS[plan], seed=100_000 + s) for s in range(runs)]
        halted = sum(r.halted for r in results)
        done = [r.hours_to_decision for r in results if r.completed]
        print(
            f"| {_fleet(n)} | {halted} ({100 * halted / runs:.1f} %) | {len(done)} | "
            f"{statistics.median(done):g} | {np.percentile(done, 95):g} |"
        )


def write_rates(plan: str, seeds: int) -> None:
    print(
        f"\n### Complaint topic in 2 % of a 200k fleet's build devices, by write rate "
        f"({seeds} seeds)\n"
    )
    print(
        "| affected users writing per day | halted, median reach, median hours "
        "| halted within 2 % |"
    )
    print("|---:|---|---:|")
    for rate in (0.02, 0.05, 0.10, 0.20):
        effect = BuildEffect(complaint_share=0.02, complaint_write_rate=rate)
        results = [simulate(200_000, effect, plan=PLANS[plan], seed=s) for s in range(seeds)]
        within = sum(r.halted and r.reach <= 0.02 for r in results)
        print(f"| {100 * rate:g} % | {_cell(results)} | {within}/{seeds} |")


def detectable(plan: str) -> None:
    stages = PLANS[plan]
    head = " | ".join(f"{p:g} %" for p, _ in stages)
    print("\n### Smallest degradation caught by the end of each stage (expected counts)\n")
    print(f"| metric | fleet | {head} |")
    print("|---|---|" + "---:|" * len(stages))
    for metric in Metric:
        for n in (10_000, 200_000, 1_000_000):
            values = minimum_detectable(metric, n, plan=stages)
            cells = " | ".join("—" if v is None else f"×{v:.2f}" for v in values)
            print(f"| {LABELS[metric]} | {_fleet(n)} | {cells} |")
    for n in (10_000, 200_000, 1_000_000):
        shares = minimum_complaint_share(n, plan=stages)
        cells = " | ".join("—" if v is None else f"{100 * v:.2g} %" for v in shares)
        print(f"| new complaint topic (share of devices) | {_fleet(n)} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--good", type=int, default=200)
    parser.add_argument("--plan", choices=sorted(PLANS), default="app-store-7-day")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}")
    degradations(args.plan, args.seeds)
    good_builds(args.plan, args.good)
    write_rates(args.plan, args.seeds)
    detectable(args.plan)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
