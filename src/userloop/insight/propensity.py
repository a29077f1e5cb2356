"""Reporting propensity and estimated affected devices. Pure: counts in, estimates out, no I/O
(the maths in words: docs/insight.md, "Propensity and affected devices").

A **cell** is one slice of the install base: device model, build, channel, region and segment
(the user's experience: novice, advanced, pro or unknown).

- **Active devices of a cell over a window** = the mean of its daily active devices over the
  window's days (the days on which the product has any install-base row; a day without a row
  for the cell counts as 0). Daily aggregates cannot count distinct devices: summing the days
  would count one phone once per day, so the mean is the number of devices that were there on
  an average day, the same unit as the reporters it is divided into.
- **Propensity of a cell** = the share of its active devices whose user reported anything in
  the window: unique reporters ÷ active devices. Small cells are noisy, so each is shrunk
  toward its segment's propensity, and each segment toward the product's, with a Gamma prior
  (the conjugate prior of a Poisson rate): a cell with ``R`` reporters on ``n`` devices under a
  parent propensity ``p`` has the posterior Gamma(``m + R``, ``m / p + n``), whose mean
  ``(R + m) / (n + m / p)`` is the estimate. ``m`` (the prior strength, a setting) is worth
  ``m`` reporters: a cell with far more than ``m`` reporters keeps its own rate, a cell with
  few is pulled to its parent. The parents come from the data (empirical Bayes).
- **Estimated affected devices of a topic** = Σ over cells of the topic's unique reporters in
  the cell ÷ the cell's propensity (a Horvitz–Thompson estimate: each reporter stands for the
  devices of their cell that would have reported it had everyone spoken up). A report whose
  cell has no install-base row uses its segment's propensity, or the product's.
- **Interval**: the exact (Garwood) Poisson interval on the topic's reporters, scaled by the
  estimate's devices per reporter, then widened on the log scale by the propensities'
  posterior uncertainty (their coefficients of variation, added in quadrature).

The estimate assumes the users who speak up in a cell are a random sample of the cell's users,
and that every user has something to say; where many silent users have nothing to report, the
propensity is underestimated and every topic of the cell is overestimated by the same factor,
which leaves the ranking within the cell as it is."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from scipy.stats import chi2, norm

UNKNOWN = "unknown"
INTERVAL_METHOD = (
    "exact Poisson (Garwood) interval on the reporters, widened by the propensities' "
    "posterior uncertainty"
)


class Cell(NamedTuple):
    model: str
    build: str
    channel: str
    region: str
    segment: str


@dataclass(frozen=True, slots=True)
class Rate:
    """A propensity's Gamma posterior: shape ``a``, rate ``b`` (mean ``a / b``)."""

    a: float
    b: float

    @property
    def mean(self) -> float:
        return self.a / self.b

    @property
    def cv(self) -> float:
        """Coefficient of variation of the posterior (1 / sqrt(shape))."""
        return 1.0 / math.sqrt(self.a)


def mean_active_devices(daily: Iterable[tuple[date, Cell, int]]) -> dict[Cell, float]:
    """Each cell's mean daily active devices over the days present in `daily` (a day without
    a row for a cell counts as 0 for it)."""
    totals: dict[Cell, int] = defaultdict(int)
    days: set[date] = set()
    for day, cell, n in daily:
        days.add(day)
        totals[cell] += int(n)
    if not days:
        return {}
    return {cell: total / len(days) for cell, total in totals.items() if total > 0}


@dataclass(frozen=True)
class Propensities:
    """Smoothed propensities per cell, per segment and for the product."""

    overall: Rate
    segments: dict[str, Rate]
    cells: dict[Cell, Rate]
    prior_strength: float
    devices: dict[Cell, float] = field(default_factory=dict)

    def of_cell(self, cell: Cell) -> Rate:
        """The cell's posterior; a cell the install base lacks takes its segment's."""
        return self.cells.get(cell) or self.of_segment(cell.segment)

    def of_segment(self, segment: str | None) -> Rate:
        return self.segments.get(segment or UNKNOWN) or self.overall

    @property
    def fleet(self) -> float:
        return sum(self.devices.values())


def fit(
    devices: Mapping[Cell, float], reporters: Mapping[Cell, int], prior_strength: float = 5.0
) -> Propensities | None:
    """Propensities from each cell's active devices and unique reporters (of anything); None
    when there are no active devices (counts-only mode). Reporters of cells without devices
    are left out: they have no denominator."""
    if prior_strength <= 0:
        raise ValueError("the prior strength must be positive")
    live = {c: float(n) for c, n in devices.items() if n > 0}
    if not live:
        return None
    n_all = sum(live.values())
    r_all = sum(reporters.get(c, 0) for c in live)
    # The product's rate is shrunk toward nothing in particular: half a reporter over the
    # fleet keeps it positive when nobody reported (Jeffreys-like), and is negligible otherwise.
    overall = Rate(r_all + 0.5, n_all)
    by_segment_n: dict[str, float] = defaultdict(float)
    by_segment_r: dict[str, int] = defaultdict(int)
    for cell, n in live.items():
        by_segment_n[cell.segment] += n
        by_segment_r[cell.segment] += reporters.get(cell, 0)
    m = prior_strength
    segments = {s: _shrunk(by_segment_r[s], by_segment_n[s], overall.mean, m) for s in by_segment_n}
    cells = {
        c: _shrunk(reporters.get(c, 0), n, segments[c.segment].mean, m) for c, n in live.items()
    }
    return Propensities(overall, segments, cells, m, live)


def _shrunk(r: int, n: float, parent: float, m: float) -> Rate:
    return Rate(m + r, m / parent + n)


@dataclass(frozen=True)
class Affected:
    devices: float
    low: float
    high: float
    reporters: int
    by_cell: dict[Cell, float]


def affected(
    reporters: Mapping[Cell, int], propensities: Propensities, confidence: float = 0.95
) -> Affected:
    """Estimated affected devices of one topic from its unique reporters per cell."""
    by_cell: dict[Cell, float] = {}
    variance = 0.0
    for cell, r in reporters.items():
        if r <= 0:
            continue
        rate = propensities.of_cell(cell)
        est = r / rate.mean
        by_cell[cell] = by_cell.get(cell, 0.0) + est
        variance += (est * rate.cv) ** 2
    total_r = sum(r for r in reporters.values() if r > 0)
    total = sum(by_cell.values())
    if total_r == 0:
        # Nobody reported: zero, up to the devices one missed reporter could stand for.
        _, high = garwood(0, confidence)
        return Affected(0.0, 0.0, high / propensities.overall.mean, 0, {})
    low_r, high_r = garwood(total_r, confidence)
    z = float(norm.ppf(0.5 + confidence / 2))
    spread = z * math.sqrt(variance) / total  # the propensities' relative uncertainty
    low = total * math.exp(-math.hypot(math.log(total_r / low_r), spread))
    high = total * math.exp(math.hypot(math.log(high_r / total_r), spread))
    return Affected(total, low, high, total_r, by_cell)


def garwood(n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact two-sided Poisson interval for a count `n`."""
    alpha = 1 - confidence
    low = 0.0 if n == 0 else float(chi2.ppf(alpha / 2, 2 * n)) / 2
    high = float(chi2.ppf(1 - alpha / 2, 2 * n + 2)) / 2
    return low, high
