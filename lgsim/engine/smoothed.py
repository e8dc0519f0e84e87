"""The smoothed outputs of a chunk: P(target met) given everything but ``ξ*``.

See :mod:`.smoothing` for the method. Adds to the chunk's arrays:

* ``p_met_smooth`` ``(R,)``: P(GDP target of the target year met | the replication's
  other draws), a probability;
* ``sector_p_met_smooth`` ``(R, S)``: the same for each sector sub-target (NaN for
  sectors without one);
* ``log_weight_smooth`` ``(R,)``, in a run conditioned on published figures: the log of
  the Rao–Blackwellised importance weight that goes with them.
"""

from __future__ import annotations

import numpy as np

from .assemble import ShockedValueAdded
from .draws import Draws
from .observe import Tilt
from .plan import Plan
from .smoothing import (
    Posterior,
    SmoothingPlan,
    affine_growth,
    conditional_probability,
    posterior,
    rest_log_ratio,
    xi_star,
)


def smoothed_outputs(plan: Plan, sp: SmoothingPlan, d: Draws, organic_post: np.ndarray,
                     shocked: ShockedValueAdded, out: dict[str, np.ndarray],
                     chunk: tuple[int, int, int], tilt: Tilt | None,
                     parts: bool = False) -> dict[str, np.ndarray]:
    """``p_met_smooth``, ``sector_p_met_smooth`` and (conditioned) ``log_weight_smooth``.

    ``organic_post`` is ``(R, S, M)`` organic value added after shocks; ``out`` the
    chunk's arrays so far; ``chunk`` its ``(seed, start, n)``. With ``parts``, also the
    pieces a caller needs to redo the integral for another set of figures (the monthly
    tracker): ``smooth_xi`` ``(R,)`` the value of ``ξ*``, ``smooth_slope`` ``(R,)`` the slope
    ``B`` of target-year growth in it, ``figure_slope`` ``(R, K)`` each figure's slope.
    """
    sc = plan.scenario
    seed, start, n = chunk
    k = sp.year
    months = slice(12 * k, 12 * k + 12)
    growth_k = d.growth[:, :, k]
    xi = xi_star(sp, sc, seed, start, n, d.latent, tilt)
    post = Posterior(np.zeros(n), np.ones(n), np.zeros(n))
    result: dict[str, np.ndarray] = {}
    slopes = np.zeros((n, 0))
    if plan.figures:
        slopes = _figure_slopes(plan, sp, organic_post, growth_k, shocked)
        post = posterior(plan.figures, out["figure_model"], slopes, xi)
        result["log_weight_smooth"] = (rest_log_ratio(tilt, d.latent, sp, d.log_prior_ratio)
                                       + post.log_evidence)
    gdp_before = out["gdp"][:, k]
    b = affine_growth(sp, organic_post[:, :, months], growth_k, gdp_before)
    g = out["growth"][:, k + 1]
    if parts:
        result.update(smooth_xi=xi, smooth_slope=b, figure_slope=slopes)
    t = sc.target
    result["p_met_smooth"] = conditional_probability(g - b * xi, b, post, t.threshold(),
                                                     t.met(g))
    sector_p = np.full((n, len(sc.sectors)), np.nan)
    for sid, goal in t.sectors.items():
        j = sc.sector_index(sid)
        va = out["va"][:, :, j]
        gj = va[:, k + 1] / va[:, k] - 1.0
        bj = (organic_post[:, j, months].sum(axis=1) / (1.0 + growth_k[:, j])
              * sp.slope[j] / va[:, k])
        sector_p[:, j] = conditional_probability(gj - bj * xi, bj, post, t.threshold(goal),
                                                 t.met(gj, goal))
    result["sector_p_met_smooth"] = sector_p
    return result


def _figure_slopes(plan: Plan, sp: SmoothingPlan, organic_post: np.ndarray,
                   growth_k: np.ndarray, shocked: ShockedValueAdded) -> np.ndarray:
    """``dŷ_k/dξ*`` of every published figure, ``(R, K)``.

    Value-added figures of the target year move with ``ξ*``; earlier ones and investment
    figures do not.
    """
    n = organic_post.shape[0]
    k = sp.year
    slopes = np.zeros((n, len(plan.figures)))
    for i, f in enumerate(plan.figures):
        if f.quantity != "va" or f.year != k + 1 or not np.isfinite(f.sd):
            continue
        rows = list(f.sectors)
        first = 12 * k
        lo, hi = f.first_month - 1, f.month  # the figure's window (year to date: lo = 0)
        window = organic_post[:, rows, first + lo:first + hi]
        per_unit = window.sum(axis=2) / (1.0 + growth_k[:, rows])
        if k == 0:
            before = np.full(n, shocked.base_monthly[rows, lo:hi].sum())
        else:
            before = shocked.sector_monthly[:, rows, first - 12 + lo:first - 12 + hi].sum(
                axis=(1, 2))
        slopes[:, i] = (per_unit @ sp.slope[rows]) / before
    return slopes
