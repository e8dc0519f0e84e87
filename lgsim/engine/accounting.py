"""Value added, GDP, growth and contributions: pure numpy functions (docs/model.md, "The model").

Conventions: arrays have the replication first; ``S`` sectors, ``P`` project slots,
``M`` simulated months (12 per simulated year), ``Y`` simulated years. Money in 亿元 at
base-year prices; growth as fractions; contributions in percentage points (pp).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..scenario.drawdown import curve

#: ``F(x, a, b)``: a drawdown curve (Beta(a, b) CDF) evaluated on an array.
CurveFn = Callable[[np.ndarray, float, float], np.ndarray]


def organic_trend(base_va: np.ndarray, seasonal: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """Organic value added without within-year deviations: ``B_s w_s,m Π(1 + g_s,k)``.

    Parameters
    ----------
    base_va : numpy.ndarray
        ``(S,)`` base-year value added, 亿元.
    seasonal : numpy.ndarray
        ``(S, 12)`` monthly weights summing to 1.
    growth : numpy.ndarray
        ``(R, S, Y)`` annual growth fractions.

    Returns
    -------
    numpy.ndarray
        ``(R, S, M)`` monthly value added, 亿元 (base-year prices).
    """
    level = np.cumprod(1.0 + growth, axis=2)
    monthly = base_va[None, :, None, None] * seasonal[None, :, None, :] * level[..., None]
    r, s, y = growth.shape
    return monthly.reshape(r, s, 12 * y)


def organic(
    base_va: np.ndarray, seasonal: np.ndarray, growth: np.ndarray, deviation: np.ndarray
) -> np.ndarray:
    """Organic value added ``V0_s(y, m) = B_s w_s,m Π(1 + g_s,k) (1 + e_s,y,m)``, 亿元.

    ``deviation`` is ``(R, S, M)`` (fractions); see :func:`organic_trend` for the rest.
    """
    return organic_trend(base_va, seasonal, growth) * (1.0 + deviation)


def progress(
    edges_eff: np.ndarray, start_eff: np.ndarray, duration: np.ndarray
) -> np.ndarray:
    """Construction progress (fraction of duration) at month edges.

    Parameters
    ----------
    edges_eff : numpy.ndarray
        ``(R, M + 1)`` effective (pause-free) time at each month edge.
    start_eff : numpy.ndarray
        ``(R, P)`` effective time at each project's start (NaN = never started).
    duration : numpy.ndarray
        ``(R, P)`` working months.

    Returns
    -------
    numpy.ndarray
        ``(R, P, M + 1)`` in [0, 1], NaN where the project never starts.
    """
    worked = edges_eff[:, None, :] - start_eff[:, :, None]
    d = duration[:, :, None]
    if (duration > 0).all():  # the usual case: one division
        worked /= d
        return np.clip(worked, 0.0, 1.0, out=worked)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(d > 0, worked / np.where(d > 0, d, 1.0), np.where(worked > 0, 1.0, 0.0))
    return np.clip(frac, 0.0, 1.0)


def investment(
    total: np.ndarray,
    execution: np.ndarray,
    curve_a: np.ndarray,
    curve_b: np.ndarray,
    prog: np.ndarray,
    *,
    curve_fn: CurveFn = curve,
) -> np.ndarray:
    """Monthly investment ``I_p = T_p x_p (F_p(τ(t1)) − F_p(τ(t0)))``.

    Parameters
    ----------
    total, execution : numpy.ndarray
        ``(R, P)`` total investment (亿元) and execution ratio.
    curve_a, curve_b : numpy.ndarray
        ``(P,)`` Beta shape of each drawdown curve.
    prog : numpy.ndarray
        ``(R, P, M + 1)`` progress at month edges (:func:`progress`).
    curve_fn : callable
        ``curve_fn(x, a, b)`` evaluates the drawdown curve; default
        :func:`lgsim.scenario.drawdown.curve` (``scipy.special.betainc``); the engine passes a
        faster equal one (:func:`lgsim.engine._beta.drawdown_curve`).

    Returns
    -------
    numpy.ndarray
        ``(R, P, M)`` investment per month, 亿元; zero for projects never started.
    """
    # NaN progress (never started) draws nothing. Slots sharing a shape are usually
    # adjacent (a batch), so the curve is evaluated run by run of slots.
    cum = np.where(np.isnan(prog), 0.0, prog)
    p = len(curve_a)
    first = 0
    while first < p:
        last = first + 1
        while last < p and curve_a[last] == curve_a[first] and curve_b[last] == curve_b[first]:
            last += 1
        cum[:, first:last, :] = curve_fn(
            cum[:, first:last, :], float(curve_a[first]), float(curve_b[first])
        )
        first = last
    return (total * execution)[:, :, None] * np.diff(cum, axis=2)


def ramp_average(
    t0: np.ndarray, t1: np.ndarray, completion: np.ndarray, ramp: np.ndarray
) -> np.ndarray:
    """Average over [t0, t1) of ``clip((t − completion) / ramp, 0, 1)`` (rule 6).

    A ``ramp`` of 0 is a step at completion. NaN completion (never finished) gives 0.
    """
    def integral(t: np.ndarray) -> np.ndarray:
        s = t - completion
        with np.errstate(invalid="ignore", divide="ignore"):
            inside = np.where(ramp > 0, s * s / (2.0 * np.where(ramp > 0, ramp, 1.0)), 0.0)
        full = s - ramp / 2.0
        out = np.where(s <= 0, 0.0, np.where(s < ramp, inside, full))
        return np.nan_to_num(out, nan=0.0)

    return (integral(t1) - integral(t0)) / (t1 - t0)


def ramp_profile(finish: np.ndarray, ramp: np.ndarray, n_months: int) -> np.ndarray:
    """Average ramp-up factor ``r̄`` of each month (rule 6).

    Parameters
    ----------
    finish : numpy.ndarray
        Completion times, months (NaN = never); any shape ``(...)``.
    ramp : numpy.ndarray
        Ramp-up lengths, months; same shape.
    n_months : int
        Months ``M`` to evaluate (0..M−1).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., M)``, each value in [0, 1].
    """
    t0 = np.arange(n_months, dtype=float)
    return ramp_average(t0, t0 + 1.0, finish[..., None], ramp[..., None])


def shock_cover(
    occurs: np.ndarray, start: np.ndarray, duration: np.ndarray, n_months: int
) -> np.ndarray:
    """Share of each month covered by each shock, ``(R, H, M)`` (0 if it does not happen)."""
    t0 = np.arange(n_months, dtype=float)[None, None, :]
    a = start[:, :, None]
    b = (start + duration)[:, :, None]
    cover = np.clip(np.minimum(b, t0 + 1.0) - np.maximum(a, t0), 0.0, 1.0)
    return np.where(occurs[:, :, None], np.nan_to_num(cover, nan=0.0), 0.0)


def shock_effect(impact: np.ndarray, cover: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers and each shock's share of the loss.

    Parameters
    ----------
    impact : numpy.ndarray
        ``(R, H, S)`` impact fractions (negative = loss).
    cover : numpy.ndarray
        ``(R, H, M)`` covered share of each month.

    Returns
    -------
    multiplier : numpy.ndarray
        ``(R, S, M)``: ``max(0, 1 + Σ_h impact_h c_h)``.
    loss_share : numpy.ndarray
        ``(R, H, S, M)``: value added removed by shock ``h`` per unit of value added
        exposed; sums over ``h`` to ``1 − multiplier`` (shares are scaled down where the
        multiplier is clamped at zero).
    """
    each = impact[:, :, :, None] * cover[:, :, None, :]
    raw = 1.0 + each.sum(axis=1)
    mult = np.maximum(raw, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(raw < 0, 1.0 / (1.0 - raw), 1.0)
    return mult, -each * scale[:, None, :, :]


def to_annual(monthly: np.ndarray) -> np.ndarray:
    """Sum the last axis (months) into years: ``(..., 12 Y) -> (..., Y)``."""
    shape = monthly.shape
    return monthly.reshape(*shape[:-1], shape[-1] // 12, 12).sum(axis=-1)


def growth_rates(levels: np.ndarray) -> np.ndarray:
    """Year-on-year growth along axis 1 (years), NaN for the first year."""
    out = np.full(levels.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, 1:] = levels[:, 1:] / levels[:, :-1] - 1.0
    return out


def ytd_growth(gdp_monthly: np.ndarray) -> np.ndarray:
    """Year-to-date growth through each month.

    Parameters
    ----------
    gdp_monthly : numpy.ndarray
        ``(R, Y + 1, 12)`` monthly GDP including the base year.

    Returns
    -------
    numpy.ndarray
        ``(R, Y + 1, 12)``: ``Σ_{m<=M} GDP(y, m) / Σ_{m<=M} GDP(y − 1, m) − 1``; NaN in
        the base year.
    """
    cum = np.cumsum(gdp_monthly, axis=2)
    out = np.full(cum.shape, np.nan)
    out[:, 1:, :] = cum[:, 1:, :] / cum[:, :-1, :] - 1.0
    return out


def contributions(parts: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    """Contributions to growth (拉动), percentage points.

    Parameters
    ----------
    parts : numpy.ndarray
        ``(R, Y + 1, K)`` annual value added of each part; the parts sum to GDP.
    gdp : numpy.ndarray
        ``(R, Y + 1)`` annual GDP.

    Returns
    -------
    numpy.ndarray
        ``(R, Y + 1, K)``: ``100 (X_y − X_{y−1}) / GDP_{y−1}``; NaN in the base year.
        Over ``K`` they sum to ``100 × growth``.
    """
    out = np.full(parts.shape, np.nan)
    out[:, 1:, :] = 100.0 * np.diff(parts, axis=1) / gdp[:, :-1, None]
    return out
