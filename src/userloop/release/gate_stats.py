"""The arithmetic of the health gates: mixture likelihood ratios that stay valid however often
they are looked at. Pure functions of counts; no I/O (the maths in words: docs/releases.md,
"Health gates").

Every test here is a *mixture likelihood ratio* Λ = Σ_j w_j · L(θ_j) / L(θ0): a weighted average,
over a few alternatives θ_j worse than the null θ0, of how much better each alternative explains
the data than the null does. Under the null (and under anything better than the null) Λ is a
nonnegative supermartingale that starts at 1, so by Ville's inequality
P(Λ ever reaches 1/α) ≤ α: a gate that halts when Λ ≥ 1/α raises a false alarm with probability
at most α, whether it looks once or after every batch. Λ is kept as log Λ per alternative (one
number per grid point), and each batch of new counts adds to it.

- **Ratio of two Poisson rates** (crashes, feedback, returns per device-day): given a batch's
  total events n from both cohorts, the new build's share is Binomial(n, p(r)) with
  p(r) = e_new·r / (e_new·r + e_base), e the batch's exposures (device-days) and r the ratio of
  the rates. The baseline's unknown rate drops out; alternatives are ratios above r0.
- **Ratio of two odds** (negative share of feedback): given a batch's feedback counts n1, n2 and
  the total negatives k, the new build's negatives follow Fisher's noncentral hypergeometric
  distribution with odds ratio ψ; the baseline's share drops out the same way.
- **One rate against a fixed ceiling** (absolute guard, e.g. a crash rate above 1.09 % of daily
  active devices): X ~ Poisson(ρ·λ0·E); alternatives are ρ above 1. Its sufficient statistic is
  the cumulative count, so it needs no per-batch state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

FloatArray = npt.NDArray[np.float64]

# Alternatives as powers of (1 + minimum detectable degradation): half of it, it, and larger
# ones that a bad build crosses quickly. Equal weights: the price of not knowing the size of a
# degradation is at most log(5) ≈ 1.6 on the log scale, against log(1/α) ≈ 4.6 to halt.
GRID_POWERS: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0)


def alternatives(null: float, mdd: float, powers: Sequence[float] = GRID_POWERS) -> FloatArray:
    """The alternatives of a mixture: null · (1 + mdd)^s for each power s."""
    if null <= 0 or mdd <= 0:
        raise ValueError("the null ratio and the minimum detectable degradation must be positive")
    return np.array([null * (1.0 + mdd) ** s for s in powers], dtype=np.float64)


def log_mixture(log_lr: FloatArray) -> float:
    """log Λ of an equal-weight mixture, from the log likelihood ratio of each alternative."""
    top = float(np.max(log_lr))
    return top + math.log(float(np.mean(np.exp(log_lr - top))))


def poisson_ratio_step(
    new_events: float,
    base_events: float,
    new_exposure: float,
    base_exposure: float,
    ratios: FloatArray,
    null: float,
) -> FloatArray:
    """log L(r_j)/L(null) of one batch for each alternative ratio r_j (conditional binomial).
    A batch without events, or where one cohort had no exposure (a 100 % stage has no
    baseline), says nothing about the ratio: zeros."""
    if min(new_events, base_events, new_exposure, base_exposure) < 0:
        raise ValueError("counts and exposures cannot go down between checks")
    total = new_events + base_events
    if total == 0 or new_exposure == 0 or base_exposure == 0:
        return np.zeros(len(ratios))
    p = new_exposure * ratios / (new_exposure * ratios + base_exposure)
    p0 = new_exposure * null / (new_exposure * null + base_exposure)
    out: FloatArray = new_events * np.log(p / p0) + base_events * np.log((1 - p) / (1 - p0))
    return out


def odds_ratio_step(
    new_hits: float,
    new_total: int,
    base_hits: int,
    base_total: int,
    odds: FloatArray,
    null: float,
) -> FloatArray:
    """log L(ψ_j)/L(null) of one batch for each alternative odds ratio ψ_j (Fisher's
    noncentral hypergeometric, conditional on both cohorts' totals and the total hits).
    `new_hits` may be fractional (expected counts, for `minimum_detectable`)."""
    if min(new_hits, new_total, base_hits, base_total) < 0 or new_hits > new_total:
        raise ValueError("counts cannot go down between checks, nor hits exceed the total")
    k = round(new_hits) + base_hits
    if new_total == 0 or base_total == 0 or k == 0 or k == new_total + base_total:
        return np.zeros(len(odds))
    lo, hi = max(0, k - base_total), min(new_total, k)
    x = np.arange(lo, hi + 1, dtype=np.float64)
    log_w = _log_choose(new_total, x) + _log_choose(base_total, k - x)
    grid = np.concatenate(([null], odds))
    terms = log_w[None, :] + np.log(grid)[:, None] * x[None, :]
    top = terms.max(axis=1)
    # scipy's logsumexp is correct too, but its overhead dominated the fleet model
    log_z = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
    out: FloatArray = new_hits * np.log(odds / null) - (log_z[1:] - log_z[0])
    return out


def poisson_ceiling_log_lr(
    events: float, exposure: float, ceiling: float, rhos: FloatArray
) -> FloatArray:
    """log L(ρ_j·ceiling)/L(ceiling) of the cumulative count of one cohort (Poisson)."""
    if events < 0 or exposure < 0:
        raise ValueError("counts and exposures cannot be negative")
    out: FloatArray = events * np.log(rhos) - (rhos - 1.0) * ceiling * exposure
    return out


def _log_choose(n: float, k: FloatArray) -> FloatArray:
    out: FloatArray = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return out
