"""Returns: rates per device-day, and batches (production lots) whose returns are out of line.
Pure: counts in, rates and flags out, no I/O (the reasoning in words: docs/insight.md,
"Returns").

**Rates.** Returns of a model or a build per 1,000 device-days of the install base over the same
days, with the exact (Garwood) 95% Poisson interval. Where the install base has no device-days
for it, only the count is given: a count is no rate.

**Batches out of line.** The install base has no batch dimension and userloop holds no
shipments per batch, so a batch has no exposure of its own: its share of the model's returns
says as much about how many units it had as about how bad it is. What a batch's returns *do*
tell without an exposure is what they are about. Within one model, for each batch B and each
topic T its reasons were triaged into, ``x`` is B's returns about T out of ``n`` returns of B
with a triaged reason, and ``x_o`` / ``n_o`` the same for the other batches of the model pooled.
Under H0 "B's returns are about T as often as the other batches' are", Fisher's exact test on
the 2×2 table (T / not T × B / others), one-sided (greater), gives p. All (batch, topic) pairs
of a product form one family, corrected with Benjamini–Hochberg. A pair is flagged when its
adjusted p is at most ``alpha``, ``x >= min_count`` and the ratio of the shares
``(x/n) / (x_o/n_o)`` is at least ``min_ratio`` (a topic no other batch has counts as an
infinite ratio). A lot that fails more often *for the same reasons as the others* is not found
by this test; that needs units per batch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import chi2, false_discovery_control, fisher_exact

LEVEL = 0.95
PER = 1000  # rates are per 1,000 device-days, as on the Install base page
SHARE_TEST = (
    "Fisher's exact test: the batch's share of returns about the topic against the other "
    "batches of the model (one-sided)"
)


@dataclass(frozen=True)
class ReturnsConfig:
    alpha: float = 0.05  # false discovery rate over the (batch, topic) pairs of a product
    min_count: int = 5  # returns of the batch about the topic
    min_ratio: float = 1.5  # batch share / other batches' share

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must lie between 0 and 1")
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1")
        if self.min_ratio < 1:
            raise ValueError("min_ratio must be at least 1")


@dataclass(frozen=True)
class ReturnRate:
    """Returns over device-days; rate and interval per `PER` device-days, None without an
    install base."""

    returns: int
    device_days: int | None
    rate: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class BatchFlag:
    model: str
    batch: str
    topic_id: int
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def p_adjusted(self) -> float:
        return float(self.evidence["p_adjusted"])


def return_rate(returns: int, device_days: int | None, level: float = LEVEL) -> ReturnRate:
    if not device_days or device_days <= 0:
        return ReturnRate(returns, None)
    alpha = 1 - level
    low = 0.0 if returns == 0 else chi2.ppf(alpha / 2, 2 * returns) / (2 * device_days)
    high = chi2.ppf(1 - alpha / 2, 2 * returns + 2) / (2 * device_days)
    return ReturnRate(
        returns,
        device_days,
        rate=PER * returns / device_days,
        low=PER * float(low),
        high=PER * float(high),
    )


def batches_out_of_line(
    reasons: Mapping[tuple[str, str, int], int], config: ReturnsConfig | None = None
) -> list[BatchFlag]:
    """`reasons` maps (model, batch, topic id) to returns of that batch whose reason is about
    the topic. Flags best first (smallest adjusted p, then model, batch, topic)."""
    config = config or ReturnsConfig()
    per_batch: dict[tuple[str, str], dict[int, int]] = {}
    for (model, batch, topic), n in reasons.items():
        if n > 0:
            cell = per_batch.setdefault((model, batch), {})
            cell[topic] = cell.get(topic, 0) + n
    totals = {key: sum(topics.values()) for key, topics in per_batch.items()}
    model_totals: dict[str, int] = {}
    model_topics: dict[tuple[str, int], int] = {}
    for (model, _batch), topics in per_batch.items():
        model_totals[model] = model_totals.get(model, 0) + sum(topics.values())
        for topic, n in topics.items():
            model_topics[(model, topic)] = model_topics.get((model, topic), 0) + n

    tested: list[tuple[str, str, int, int, int, int, int, float]] = []
    for (model, batch), topics in sorted(per_batch.items()):
        n_b = totals[(model, batch)]
        n_o = model_totals[model] - n_b
        if n_o <= 0:  # the model's only batch: nothing to compare with
            continue
        for topic, x in sorted(topics.items()):
            x_o = model_topics[(model, topic)] - x
            table = [[x, n_b - x], [x_o, n_o - x_o]]
            p = float(fisher_exact(table, alternative="greater").pvalue)
            tested.append((model, batch, topic, x, n_b, x_o, n_o, min(1.0, p)))
    if not tested:
        return []
    adjusted = false_discovery_control([t[-1] for t in tested], method="bh")
    flags: list[BatchFlag] = []
    for (model, batch, topic, x, n_b, x_o, n_o, p), p_adj in zip(tested, adjusted, strict=True):
        share, share_o = x / n_b, x_o / n_o
        ratio = share / share_o if share_o > 0 else math.inf
        if float(p_adj) > config.alpha or x < config.min_count or ratio < config.min_ratio:
            continue
        evidence = {
            "test": SHARE_TEST,
            "returns": x,  # of the batch, about the topic
            "batch_returns": n_b,  # of the batch, with a triaged reason
            "other_returns": x_o,  # of the other batches of the model, about the topic
            "other_batch_returns": n_o,
            "share": share,
            "other_share": share_o,
            "ratio": None if math.isinf(ratio) else ratio,
            "p": p,
            "p_adjusted": float(p_adj),
            "alpha": config.alpha,
            "pairs_tested": len(tested),
        }
        flags.append(BatchFlag(model, batch, topic, evidence))
    flags.sort(key=lambda f: (f.p_adjusted, f.model, f.batch, f.topic_id))
    return flags
