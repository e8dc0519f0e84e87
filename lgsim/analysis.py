"""Statistics over replications: probabilities, quantiles, shortfall, paired differences.

Pure functions on arrays in replication order; computed once on assembled results.
Every interval here is *simulation precision* (how far more replications could move the
estimate); none includes uncertainty in a scenario's assumptions.
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


def finite_or_none(x: float | None) -> float | None:
    """``x`` as a float, or None when missing or not finite (for JSON)."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


@dataclass(frozen=True)
class Interval:
    """An estimate with a 95% interval, in the units of the quantity (fraction here)."""

    estimate: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2

    def to_dict(self) -> dict[str, float | None]:
        """Plain data (``None`` for NaN)."""
        return {"estimate": finite_or_none(self.estimate), "low": finite_or_none(self.low),
                "high": finite_or_none(self.high)}


def paired_interval(d: np.ndarray, z: float = Z95) -> Interval:
    """Mean of paired differences with ``mean ± z · sd / √n`` (sd with ddof = 1).

    Parameters
    ----------
    d : numpy.ndarray
        Per-replication differences (e.g. ``met_B − met_A`` as 0/±1, or growth
        differences as fractions).
    z : float
        Normal quantile (default: two-sided 95%).

    Returns
    -------
    Interval
        In the units of ``d``. All-zero ``d`` gives exactly ``0 [0, 0]``.
    """
    d = np.asarray(d, dtype=float)
    n = d.size
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return Interval(mean, math.nan, math.nan)
    half = z * float(d.std(ddof=1)) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half)


def newcombe_interval(k1: int, n1: int, k0: int, n0: int, z: float = Z95) -> Interval:
    """Unpaired interval for ``p1 − p0`` of two independent proportions (Newcombe 1998).

    Hybrid score interval (method 10): from the Wilson intervals ``(l1, u1)`` and
    ``(l0, u0)``, ``[δ − √((p1 − l1)² + (u0 − p0)²), δ + √((u1 − p1)² + (p0 − l0)²)]``
    with ``δ = p1 − p0``.

    Parameters
    ----------
    k1, n1 : int
        Successes and trials of the first proportion (the scenario compared).
    k0, n0 : int
        Successes and trials of the reference proportion.
    z : float
        Normal quantile (default: two-sided 95%).

    Returns
    -------
    Interval
        Fractions.
    """
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    delta = p1 - p0
    return Interval(
        delta,
        delta - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
        delta + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2),
    )


def unpaired_mean_interval(x1: np.ndarray, x0: np.ndarray, z: float = Z95) -> Interval:
    """``mean(x1) − mean(x0) ± z · √(var1/n1 + var0/n0)``: the two samples as independent."""
    x1 = np.asarray(x1, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    delta = float(x1.mean() - x0.mean())
    if x1.size < 2 or x0.size < 2:
        return Interval(delta, math.nan, math.nan)
    half = z * math.sqrt(x1.var(ddof=1) / x1.size + x0.var(ddof=1) / x0.size)
    return Interval(delta, delta - half, delta + half)
