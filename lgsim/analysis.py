"""Statistics over replications: target probability, quantiles, shortfall, summaries.

Pure functions on arrays in replication order; computed once on assembled results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Probability:
    """An estimated probability with its 95% Wilson interval.

    The interval is *simulation precision* (how far more replications could move the
    estimate); it does not include uncertainty in the scenario's assumptions.
    """

    estimate: float
    low: float
    high: float
    n: int
    successes: int
    rule: str = ""

    def __str__(self) -> str:
        return (
            f"{100 * self.estimate:.1f}% [95% simulation precision "
            f"{100 * self.low:.1f}%–{100 * self.high:.1f}%], n = {self.n:,}"
        )


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Written out (six lines) rather than importing :mod:`scipy.stats` (≈0.8 s) on the
    ``run`` path; ``tests/test_analysis.py`` checks it against
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def probability(flags: np.ndarray, rule: str = "") -> Probability:
    """Share of true flags with its Wilson interval."""
    flags = np.asarray(flags, dtype=bool)
    n = int(flags.size)
    k = int(flags.sum())
    low, high = wilson(k, n)
    return Probability(k / n if n else math.nan, low, high, n, k, rule)


def quantiles(values: np.ndarray, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> dict[str, float]:
    """Quantiles (numpy "linear" method) keyed ``p10``, ``p50``..."""
    values = np.asarray(values, dtype=float)
    out = np.quantile(values, qs, method="linear")
    return {f"p{round(100 * q):02d}": float(v) for q, v in zip(qs, out, strict=True)}


def expected_shortfall_pp(growth: np.ndarray, target: float, met: np.ndarray) -> float:
    """Mean of ``target − G`` over missed replications, in percentage points (NaN if none)."""
    missed = ~np.asarray(met, dtype=bool)
    if not missed.any():
        return math.nan
    return float(100.0 * np.mean(target - np.asarray(growth)[missed]))
