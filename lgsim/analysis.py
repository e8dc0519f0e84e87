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
    #: effective sample size of weighted replications (None: unweighted)
    ess: float | None = None
    #: "indicator" (share of replications that meet it, Wilson interval) or
    #: "conditional" (mean of conditional probabilities, normal interval)
    method: str = "indicator"
    #: with the conditional estimator: variance of the indicator's estimate over its own
    #: (how many times fewer replications the same precision needs)
    variance_reduction: float | None = None

    def __str__(self) -> str:
        size = f"n = {self.n:,}"
        if self.ess is not None:
            size += f", effective {self.ess:,.0f}"
        return (
            f"{100 * self.estimate:.1f}% [95% simulation precision "
            f"{100 * self.low:.1f}%–{100 * self.high:.1f}%], {size}"
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


def weighted_wilson(p: float, variance: float, ess: float, z: float = Z95) -> tuple[float, float]:
    """A Wilson interval for a weighted estimate ``p`` of a probability.

    The estimate's variance (e.g. the delta-method variance of a self-normalised
    importance-sampling estimate) is turned into an effective number of trials
    ``p (1 − p) / variance`` and the Wilson interval of ``p`` with that many trials is
    returned; where that is undefined (``p`` is 0 or 1, or no variance) the effective
    sample size ``ess`` of the weights is used.
    """
    n_eff = p * (1.0 - p) / variance if variance > 0 and 0.0 < p < 1.0 else ess
    return wilson(p * n_eff, n_eff, z)


def normalized_weights(log_weight: np.ndarray | None) -> np.ndarray | None:
    """Importance weights from their logs, scaled to mean 1; None when all are equal.

    Equal weights are the unweighted case, and every statistic then takes its plain,
    unweighted form (so an uninformative conditioning gives the prior bit for bit).
    """
    if log_weight is None:
        return None
    lw = np.asarray(log_weight, dtype=float)
    w = np.exp(lw - lw.max())
    if (w == w[0]).all():
        return None
    return w * (w.size / w.sum())


def effective_sample_size(weights: np.ndarray | None, n: int) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (``n`` without weights)."""
    if weights is None:
        return float(n)
    return float(weights.sum() ** 2 / np.square(weights).sum())


def probability(flags: np.ndarray, rule: str = "",
                weights: np.ndarray | None = None) -> Probability:
    """Share of true flags with its Wilson interval (weighted with ``weights``)."""
    flags = np.asarray(flags, dtype=bool)
    n = int(flags.size)
    k = int(flags.sum())
    if weights is None:
        low, high = wilson(k, n)
        return Probability(k / n if n else math.nan, low, high, n, k, rule)
    total = float(weights.sum())
    p = float(weights[flags].sum()) / total
    variance = float(np.sum(np.square(weights * (flags - p)))) / (total * total)
    ess = effective_sample_size(weights, n)
    low, high = weighted_wilson(p, variance, ess)
    return Probability(p, low, high, n, k, rule, ess)


def smoothed_probability(p: np.ndarray, rule: str = "", weights: np.ndarray | None = None,
                         indicator: Probability | None = None,
                         indicator_variance: float | None = None) -> Probability:
    """A probability estimated by conditional Monte Carlo: the mean of ``P(met | rest)``.

    Parameters
    ----------
    p : numpy.ndarray
        Per replication, the probability of the event given its other draws.
    rule : str
        The rule judged.
    weights : numpy.ndarray, optional
        Importance weights (the Rao–Blackwellised ones of a conditioned run).
    indicator : Probability, optional
        The indicator estimate on the same replications (its ``successes`` are kept).
    indicator_variance : float, optional
        The variance of the indicator's estimate, for the variance-reduction factor.

    Returns
    -------
    Probability
        ``method = "conditional"``; the interval is ``mean ± 1.96 se`` (delta method
        with weights), clipped to [0, 1]: simulation precision only.
    """
    p = np.asarray(p, dtype=float)
    n = int(p.size)
    mean = float(weighted_mean(p, weights))
    var = weighted_variance_of_mean(p, weights) if n > 1 else math.nan
    half = Z95 * math.sqrt(var) if var >= 0 else math.nan
    vr = (indicator_variance / var if indicator_variance is not None and var > 0
          else None)
    return Probability(
        mean, max(0.0, mean - half), min(1.0, mean + half), n,
        indicator.successes if indicator is not None else round(mean * n), rule,
        None if weights is None else effective_sample_size(weights, n), "conditional", vr)


def quantiles(values: np.ndarray, qs: tuple[float, ...] = (0.1, 0.5, 0.9),
              weights: np.ndarray | None = None) -> dict[str, float]:
    """Quantiles keyed ``p10``, ``p50``...: numpy "linear", or weighted with ``weights``.

    Weighted quantiles interpolate linearly between the sorted values placed at the
    midpoints of their cumulative weights (Hazen's rule with weights).
    """
    values = np.asarray(values, dtype=float)
    out = (np.quantile(values, qs, method="linear") if weights is None
           else weighted_quantile(values, np.asarray(qs), weights))
    return {f"p{round(100 * q):02d}": float(v) for q, v in zip(qs, out, strict=True)}


def weighted_quantile(values: np.ndarray, qs: np.ndarray, weights: np.ndarray,
                      axis: int = 0) -> np.ndarray:
    """Weighted quantiles of ``values`` along ``axis`` (one weight per position there).

    Returns an array with the quantiles first, then the remaining axes of ``values``.
    """
    v = np.moveaxis(np.asarray(values, dtype=float), axis, 0)
    order = np.argsort(v, axis=0, kind="stable")
    v_sorted = np.take_along_axis(v, order, axis=0)
    w = np.asarray(weights, dtype=float)[order] if v.ndim > 1 else np.asarray(weights)[order]
    cw = np.cumsum(w, axis=0)
    pos = (cw - 0.5 * w) / cw[-1]
    flat_v = v_sorted.reshape(v.shape[0], -1)
    flat_p = pos.reshape(v.shape[0], -1)
    out = np.empty((len(qs), flat_v.shape[1]))
    for j in range(flat_v.shape[1]):
        out[:, j] = np.interp(qs, flat_p[:, j], flat_v[:, j])
    return out.reshape((len(qs), *v.shape[1:])) if v.ndim > 1 else out[:, 0]


def weighted_mean(values: np.ndarray, weights: np.ndarray | None, axis: int = 0) -> np.ndarray:
    """Mean along ``axis``, weighted when ``weights`` are given."""
    values = np.asarray(values, dtype=float)
    if weights is None:
        return values.mean(axis=axis)
    shape = [1] * values.ndim
    shape[axis] = -1
    w = np.asarray(weights).reshape(shape)
    return (values * w).sum(axis=axis) / w.sum()


def expected_shortfall_pp(growth: np.ndarray, target: float, met: np.ndarray,
                          weights: np.ndarray | None = None) -> float:
    """Mean of ``target − G`` over missed replications, in percentage points (NaN if none)."""
    missed = ~np.asarray(met, dtype=bool)
    if not missed.any():
        return math.nan
    gap = target - np.asarray(growth)[missed]
    w = None if weights is None else weights[missed]
    return float(100.0 * weighted_mean(gap, w))


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


def weighted_paired_interval(
    x1: np.ndarray, w1: np.ndarray | None, x0: np.ndarray, w0: np.ndarray | None,
    z: float = Z95,
) -> Interval:
    """Difference of two weighted means on the same replications, paired.

    ``m1 − m0`` with ``m = Σ w x / Σ w`` (self-normalised importance weights, e.g. of two
    conditioned runs on common random numbers). The interval is ``± z · se`` with the
    delta-method standard error of the pair, from the per-replication influence
    ``n w1 (x1 − m1) / Σ w1 − n w0 (x0 − m0) / Σ w0``. Without weights use
    :func:`paired_interval`.
    """
    x1, x0 = np.asarray(x1, dtype=float), np.asarray(x0, dtype=float)
    n = x1.size
    w1 = np.ones(n) if w1 is None else np.asarray(w1, dtype=float)
    w0 = np.ones(n) if w0 is None else np.asarray(w0, dtype=float)
    m1, m0 = float(weighted_mean(x1, w1)), float(weighted_mean(x0, w0))
    psi = n * w1 * (x1 - m1) / w1.sum() - n * w0 * (x0 - m0) / w0.sum()
    half = z * math.sqrt(float(np.sum(psi * psi))) / n
    return Interval(m1 - m0, m1 - m0 - half, m1 - m0 + half)


def newcombe_from(p1: Probability, p0: Probability) -> Interval:
    """Newcombe's hybrid score interval of ``p1 − p0`` from two estimates' own intervals.

    As :func:`newcombe_interval`, with each proportion's interval as given (Wilson, or
    Wilson with an effective sample size for weighted estimates).
    """
    delta = p1.estimate - p0.estimate
    return Interval(
        delta,
        delta - math.sqrt((p1.estimate - p1.low) ** 2 + (p0.high - p0.estimate) ** 2),
        delta + math.sqrt((p1.high - p1.estimate) ** 2 + (p0.estimate - p0.low) ** 2),
    )


def weighted_variance_of_mean(x: np.ndarray, w: np.ndarray | None) -> float:
    """Variance of a (self-normalised, weighted) mean of ``x``: ``Σ w² (x − m)² / (Σw)²``."""
    x = np.asarray(x, dtype=float)
    if w is None:
        return float(x.var(ddof=1) / x.size) if x.size > 1 else math.nan
    m = float(weighted_mean(x, w))
    return float(np.sum(np.square(w * (x - m)))) / float(w.sum()) ** 2


def unpaired_mean_interval(x1: np.ndarray, x0: np.ndarray, z: float = Z95) -> Interval:
    """``mean(x1) − mean(x0) ± z · √(var1/n1 + var0/n0)``: the two samples as independent."""
    x1 = np.asarray(x1, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    delta = float(x1.mean() - x0.mean())
    if x1.size < 2 or x0.size < 2:
        return Interval(delta, math.nan, math.nan)
    half = z * math.sqrt(x1.var(ddof=1) / x1.size + x0.var(ddof=1) / x0.size)
    return Interval(delta, delta - half, delta + half)
