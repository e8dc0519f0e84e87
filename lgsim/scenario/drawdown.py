"""Drawdown curves: how a project's investment is spread over its duration.

A drawdown curve ``F`` is a CDF on [0, 1]: the ``s-curve`` is the Beta(a, 4 − a) CDF
(default a = 2), ``linear`` the uniform CDF, ``{a, b}`` any Beta(a, b) CDF (docs/model.md,
rule 3). :func:`solve_shape` finds the s-curve that meets a first-year plan
(:mod:`.plan_shape` decides when). These are pure functions on arrays.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

#: Default s-curve shape: Beta(2, 2).
DEFAULT_A = 2.0
#: Bracket for solving the s-curve shape to meet a first-year plan.
A_MIN, A_MAX = 0.05, 3.95


class InfeasiblePlan(ValueError):
    """No s-curve shape in (A_MIN, A_MAX) meets the plan.

    ``low`` / ``high`` are the reachable first-year shares of the total.
    """

    def __init__(self, low: float, high: float) -> None:
        super().__init__(f"reachable share of total in the first year: {low:.4g}..{high:.4g}")
        self.low = low
        self.high = high


def curve(x: np.ndarray, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Share of the total drawn by progress ``x`` (fraction of duration), Beta(a, b) CDF.

    Parameters
    ----------
    x : array_like
        Progress as a fraction of the duration; clipped to [0, 1].
    a, b : array_like
        Beta shape parameters (broadcast with ``x``).

    Returns
    -------
    numpy.ndarray
        Cumulative share drawn, in [0, 1].
    """
    x = np.clip(x, 0.0, 1.0)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim == 0 and b.ndim == 0:
        if a == 1.0 and b == 1.0:
            return x
        if a == 2.0 and b == 2.0:
            return x * x * (3.0 - 2.0 * x)
    return special.betainc(a, b, x)


def solve_shape(share: float, x_end: float) -> float:
    """Solve the s-curve shape ``a`` so that ``F_a(x_end) = share``.

    Parameters
    ----------
    share : float
        First-year plan as a fraction of the total investment.
    x_end : float
        Progress (fraction of the median duration) reached at the end of the plan year.

    Returns
    -------
    float
        ``a`` in (0.05, 3.95); the curve is Beta(a, 4 − a).

    Raises
    ------
    InfeasiblePlan
        If no shape in the bracket reaches ``share``.
    """
    if x_end >= 1.0:
        if abs(share - 1.0) <= 1e-12:
            return DEFAULT_A
        raise InfeasiblePlan(1.0, 1.0)
    if x_end <= 0.0:
        if share <= 1e-12:
            return DEFAULT_A
        raise InfeasiblePlan(0.0, 0.0)
    f = lambda a: float(special.betainc(a, 4.0 - a, x_end)) - share  # noqa: E731
    high = f(A_MIN) + share  # largest reachable share (front-loaded curve)
    low = f(A_MAX) + share
    if not low <= share <= high:
        raise InfeasiblePlan(low, high)
    if math.isclose(share, high, abs_tol=1e-15):
        return A_MIN
    if math.isclose(share, low, abs_tol=1e-15):
        return A_MAX
    from scipy import optimize  # only when a plan is calibrated (keeps start-up light)

    return float(optimize.brentq(f, A_MIN, A_MAX, xtol=1e-15, rtol=1e-15, maxiter=500))
