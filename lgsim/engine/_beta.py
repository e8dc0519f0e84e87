"""The Beta(a, b) CDF and its inverse for a fixed shape, fast on large arrays.

The engine evaluates the same few Beta shapes millions of times: drawdown s-curves at
every month edge of every project, PERT and Beta draws. ``scipy.special.betainc`` costs
about 0.4 µs per value and ``betaincinv`` about 2.4 µs; this module builds, once per
shape, a representation that costs a few tens of nanoseconds per value and agrees with
scipy to a few 1e-15 (``tests/test_chunk_fastpath.py``):

* on ``x ≤ 1/2``: ``F(x) = x^a G(x)``; on ``x > 1/2``: ``F(x) = 1 − y^b H(y)``,
  ``y = 1 − x`` (exact in floating point), where ``G`` and ``H`` are analytic on
  ``[0, 1/2]`` (hypergeometric series) and are interpolated by Chebyshev series fitted to
  ``scipy.special.betainc`` at Chebyshev points. Factoring out the power keeps the
  relative accuracy in both tails.
* the inverse starts from a table of the CDF and takes safeguarded Newton steps on the
  same representation (residuals computed as ``x^a G − u`` or ``(1 − u) − y^b H``, so
  without cancellation near 1).

A shape whose series does not converge (extreme parameters) falls back to scipy.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.polynomial import chebyshev as cheb
from scipy import special

#: Degree of the Chebyshev interpolant fitted before truncation.
_FIT_DEGREE = 48
#: Trailing coefficients taken as the noise level of a fit.
_NOISE_TAIL = 12
#: A fit noisier than this (relative to its largest coefficient) is not used.
_MAX_NOISE = 1e-14
#: Longest series used; a shape needing more falls back to scipy.
_MAX_TERMS = 32
#: Points of the table that starts the inverse (per branch).
_TABLE = 129
#: Most Newton steps of the inverse (quadratic convergence from the table's start).
_NEWTON_STEPS = 8
#: Polish with scipy where ``f(x)·x`` is below this (see :meth:`BetaCDF.ppf`).
_POLISH_BELOW = 0.1
#: Relative residual after which one more Newton step reaches full precision.
_CONVERGED = 1e-13


def _fit(func: object) -> np.ndarray | None:
    """Chebyshev coefficients on t ∈ [−1, 1] (x = (t + 1) / 4), truncated; None if unsure.

    The last coefficients of a converged fit are betainc's rounding noise (a few 1e-15
    of the largest); the series is cut where every later coefficient is within twice
    that noise level. A fit whose noise level is not small is rejected.
    """
    c = cheb.chebinterpolate(func, _FIT_DEGREE)
    if not np.isfinite(c).all():
        return None
    rel = np.abs(c) / np.abs(c).max()
    noise = max(float(rel[-_NOISE_TAIL:].max()), 1e-17)
    if noise > _MAX_NOISE:
        return None
    tail_max = np.maximum.accumulate(rel[::-1])[::-1]  # max of rel[k:]
    k = int(np.flatnonzero(tail_max > 2.0 * noise)[-1]) + 1
    if k > len(c) - _NOISE_TAIL:
        return None  # the noise begins too late: not converged
    return c[:k].copy()


def _clenshaw(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Chebyshev series in ``t = 4x − 1`` for ``x`` in [0, 1/2]."""
    t2 = 8.0 * x - 2.0  # 2t
    b1 = np.zeros_like(x)
    b2 = np.zeros_like(x)
    for c in coef[:0:-1]:
        b1, b2 = c + t2 * b1 - b2, b1
    return coef[0] + 0.5 * t2 * b1 - b2


class BetaCDF:
    """CDF and inverse CDF of Beta(a, b) for one fixed shape.

    Parameters
    ----------
    a, b : float
        Shape parameters (> 0).
    """

    def __init__(self, a: float, b: float) -> None:
        self.a = float(a)
        self.b = float(b)
        a, b = self.a, self.b

        def g(t: np.ndarray) -> np.ndarray:
            x = (t + 1.0) / 4.0
            return special.betainc(a, b, x) / x**a

        def h(t: np.ndarray) -> np.ndarray:
            y = (t + 1.0) / 4.0
            return special.betainc(b, a, y) / y**b

        with np.errstate(all="ignore"):
            self._g = _fit(g)
            self._h = _fit(h)
        self._log_beta = float(special.betaln(a, b))
        self.fast = (
            self._g is not None and self._h is not None
            and max(len(self._g), len(self._h)) <= _MAX_TERMS
        )
        if self.fast:
            self._split = float(0.5**a * _clenshaw(self._g, np.array(0.5)))
            # start table of the inverse, one per branch: x (or y) on (0, 1/2]
            z = 0.5 * (np.arange(1, _TABLE + 1) / _TABLE) ** 2
            self._x_tab = z
            self._u_lo = z**a * _clenshaw(self._g, z)  # F(x), increasing
            self._u_hi = z**b * _clenshaw(self._h, z)  # 1 − F(1 − y), increasing
            self.fast = self._agrees_with_scipy()

    def _agrees_with_scipy(self) -> bool:
        """Check this shape against scipy on a grid (tails included) before using it."""
        a, b = self.a, self.b
        x = np.concatenate([np.linspace(0.0, 1.0, 513), np.logspace(-12, -1, 45),
                            1.0 - np.logspace(-12, -1, 45)])
        ref = special.betainc(a, b, x)
        got = self.cdf(x)
        with np.errstate(all="ignore"):
            rel_lo = np.abs(got - ref) / np.where(x <= 0.5, ref, 1.0)
        if np.abs(got - ref).max() > 1e-14 or np.nanmax(rel_lo[ref > 1e-290]) > 1e-12:
            return False
        u = np.concatenate([np.linspace(0.001, 0.999, 257), np.logspace(-15, -1, 29),
                            1.0 - np.logspace(-15, -1, 29)])
        ref = special.betaincinv(a, b, u)
        got = self.ppf(u)
        return bool(np.allclose(got, ref, rtol=1e-12, atol=1e-290)
                    and np.allclose(1.0 - got, 1.0 - ref, rtol=1e-9, atol=1e-15))

    # ------------------------------------------------------------------ CDF
    def cdf(self, x: np.ndarray) -> np.ndarray:
        """``F(x)`` for ``x`` in [0, 1] (values outside are clipped), same shape as ``x``."""
        x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
        if not self.fast:
            return special.betainc(self.a, self.b, x)
        # F(0) = 0 and F(1) = 1 exactly: only 0 < x < 1 is evaluated, by branch
        out = x.copy()
        lo = (x > 0.0) & (x <= 0.5)
        xl = x[lo]
        out[lo] = xl**self.a * _clenshaw(self._g, xl)
        hi = (x > 0.5) & (x < 1.0)
        y = 1.0 - x[hi]
        out[hi] = 1.0 - y**self.b * _clenshaw(self._h, y)
        return out

    # ------------------------------------------------------------------ inverse
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF for ``u`` in (0, 1), same shape as ``u``."""
        u = np.asarray(u, dtype=float)
        if not self.fast:
            return special.betaincinv(self.a, self.b, u)
        shape = u.shape
        u = u.ravel()
        out = np.empty_like(u)
        lo = u <= self._split
        out[lo] = self._solve(u[lo], self._g, self.a, self.b, self._u_lo)
        hi = ~lo
        out[hi] = 1.0 - self._solve(1.0 - u[hi], self._h, self.b, self.a, self._u_hi)
        # where a branch serves values of F beyond 1/2 (x > 1/2 with u < 1/2 when a > b,
        # or the mirror case) it carries only absolute precision (~1e-14), so x has a
        # relative error ~1e-14 / (f(x) x): where f(x) x is small, one Newton step on
        # scipy's betainc restores full precision
        cross = np.flatnonzero((hi & (u < 0.5)) | (lo & (u > 0.5)))
        if cross.size:
            x = out[cross]
            with np.errstate(all="ignore"):
                dens = np.exp((self.a - 1.0) * np.log(x) + (self.b - 1.0) * np.log1p(-x)
                              - self._log_beta)
            low = dens * x < _POLISH_BELOW
            if low.any():
                idx = cross[low]
                xl = x[low]
                out[idx] = xl - (special.betainc(self.a, self.b, xl) - u[idx]) / dens[low]
        return out.reshape(shape)

    def _solve(
        self, p: np.ndarray, coef: np.ndarray, a: float, b: float, table: np.ndarray
    ) -> np.ndarray:
        """Solve ``z^a S(z) = p`` for z in (0, 1/2] (S the branch's series)."""
        if p.size == 0:
            return p.copy()
        if not p.all():  # p = 0 (u = 1 on the upper branch): the end point itself
            z = np.zeros_like(p)
            nz = p > 0
            z[nz] = self._solve(p[nz], coef, a, b, table)
            return z
        z_tab = self._x_tab
        k = np.searchsorted(table, p)  # table[k-1] < p <= table[k]
        inside = k > 0
        # the two branches meet at x = 1/2 up to rounding: allow a hair beyond the table
        beyond = k >= len(table)
        k = np.clip(k, 1, len(table) - 1)
        lo_z, hi_z = z_tab[k - 1], np.where(beyond, 0.5 + 1e-6, z_tab[k])
        lo_p, hi_p = table[k - 1], table[k]
        with np.errstate(all="ignore"):
            # start: interpolate log z in log p (F ~ c z^a is a straight line there);
            # below the table, extend the power law of the leading term
            slope = np.log(hi_z / lo_z) / np.log(hi_p / lo_p)
            z = lo_z * np.exp(slope * np.log(p / lo_p))
            tail = z_tab[0] * (p / table[0]) ** (1.0 / a)
        lo_z = np.where(inside, lo_z, 0.0)
        hi_z = np.where(inside, hi_z, z_tab[0])
        z = np.where(inside, z, tail)
        z = np.where((z >= lo_z) & (z <= hi_z), z, 0.5 * (lo_z + hi_z))
        for _ in range(_NEWTON_STEPS):
            with np.errstate(all="ignore"):
                resid = z**a * _clenshaw(coef, z) - p
                dens = np.exp(
                    (a - 1.0) * np.log(z) + (b - 1.0) * np.log1p(-z) - self._log_beta
                )
                step = z - resid / dens
            # keep the iterate inside the bracket; bisect if Newton leaves it
            lo_z = np.where(resid < 0, np.maximum(lo_z, z), lo_z)
            hi_z = np.where(resid > 0, np.minimum(hi_z, z), hi_z)
            ok = (step >= lo_z) & (step <= hi_z) & np.isfinite(step)
            z = np.where(ok, step, 0.5 * (lo_z + hi_z))
            if ok.all() and np.all(np.abs(resid) <= _CONVERGED * p):
                break  # that step squared an error already below 1e-13
        return z


@lru_cache(maxsize=256)
def beta_cdf(a: float, b: float) -> BetaCDF:
    """The (cached) :class:`BetaCDF` of shape ``(a, b)``."""
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"Beta shape must be positive and finite, got ({a}, {b})")
    return BetaCDF(a, b)


def drawdown_curve(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """Drawdown curve ``F(x)`` (Beta(a, b) CDF) as :func:`lgsim.scenario.drawdown.curve`, faster.

    The linear and Beta(2, 2) curves keep their closed forms; other shapes use
    :class:`BetaCDF`.

    Parameters
    ----------
    x : numpy.ndarray
        Progress as a fraction of the duration; clipped to [0, 1].
    a, b : float
        Beta shape.

    Returns
    -------
    numpy.ndarray
        Cumulative share drawn, in [0, 1].
    """
    if (a == 1.0 and b == 1.0) or (a == 2.0 and b == 2.0):
        from ..scenario.drawdown import curve

        return curve(x, a, b)
    return beta_cdf(float(a), float(b)).cdf(x)
