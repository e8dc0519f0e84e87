"""One chunk of replications: draws → timeline (when) → accounting (how much) → arrays.

The arithmetic works on whole arrays of the chunk (replication × project slot × month).
It is arranged to do little work per replication without changing what is computed:

* the drawdown curve is evaluated only where a project is under way (0 < τ < 1), and
  Beta CDFs and inverses come from :mod:`._beta` (equal to scipy's to ~1e-15);
* operating output exists only for projects finished inside the simulated months, so
  ramp-up and operating value added are computed for those (replication, slot) pairs;
* sums over slots (by sector, by group) are sequential over slots; value added spread
  over streets by shares is summed before it is split (``(a + b) s`` rather than
  ``a s + b s``: equal to ~1e-16).

``tests/test_chunk_fastpath.py`` checks every output against the straightforward dense
formulation kept with the tests (``tests/oracles/reference_chunk.py``) to 1e-12.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import numpy as np

from . import accounting as acc
from ._beta import drawdown_curve
from .assemble import apply_shocks, assemble_outputs
from .draws import Draws, draw_chunk
from .fai import district_fai, fai_outputs
from .observe import Tilt, log_likelihood, simulated_figures
from .pauses import effective_time
from .plan import Plan
from .smoothed import smoothed_outputs
from .smoothing import SmoothingPlan
from .timeline import Timeline, build_timeline

#: Optional outputs of :func:`simulate_chunk` (``keep``).
KEEP_OPTIONS = ("paths", "latents", "smoothing")


def simulate_chunk(
    plan: Plan, seed: int, start: int, n: int, *, keep: Collection[str] = (),
    tilt: Tilt | None = None,
) -> dict[str, np.ndarray]:
    """Simulate replications ``[start, start + n)``.

    Parameters
    ----------
    plan : Plan
        Compiled scenario.
    seed : int
        Run seed.
    start, n : int
        First replication and number of replications.
    keep : collection of str
        Optional outputs: ``"paths"`` adds ``investment_monthly_project``
        (replication, month_index, project), monthly investment of every slot, 亿元
        nominal; ``"latents"`` adds ``latent`` (replication, J), the prior normals of
        the latents the published figures depend on (for fitting a proposal);
        ``"smoothing"`` adds the pieces of the conditional Monte Carlo estimate of
        P(target met) (:func:`.smoothed.smoothed_outputs`: ``smooth_xi``,
        ``smooth_slope``, ``figure_slope``).
    tilt : Tilt, optional
        The proposal of a conditioned run (:mod:`.observe`): the latent normals are
        shifted towards the published figures.

    Returns
    -------
    dict of numpy.ndarray
        Arrays with the replication as first axis (see :mod:`lgsim.results` for names,
        dimensions and units). Years run from the base year (index 0) to the end year.
        With published figures, ``figure_model`` (replication, figure) is the model's
        value of each figure (fraction) and ``log_weight`` (replication,) the log
        importance weight (log prior ratio of the tilt + log-likelihood of the figures).
    """
    sc = plan.scenario
    d = draw_chunk(plan, seed, start, n, tilt=tilt)
    tl = build_timeline(d, sc, plan.project_ids)
    trend = acc.organic_trend(plan.base_va, plan.seasonal, d.growth)  # (R,S,M) before shocks
    v0 = trend * (1.0 + d.deviation)
    inv = _investment(plan, d, tl)
    spent = _spending_value_added(plan, d, inv)
    op = _operating(plan, d, tl)
    op_sec = np.zeros((n, len(sc.sectors), plan.n_months))
    np.add.at(op_sec, (op.rows, op.sector), op.values)  # sequential over slots
    shocked = apply_shocks(plan, d, v0, op_sec, spent.by_sector)
    mult = shocked.mult
    street_monthly = _street_monthly(plan, d, spent, op, v0, mult)
    # components: project groups (direct + operating before shocks, then indirect with
    # [io]), shocks (value added removed, negative)
    proj_pre = spent.direct
    proj_pre[op.rows, op.cols] += op.values  # spent.direct is not used after this point
    group_monthly = _group_sums(proj_pre, plan.group_slices)
    if spent.indirect_groups is not None:
        group_monthly = np.concatenate([group_monthly, spent.indirect_groups], axis=1)
    out = assemble_outputs(
        plan, d, tl, base_monthly=shocked.base_monthly, sector_monthly=shocked.sector_monthly,
        street_monthly=street_monthly, v0=v0, group_monthly=group_monthly,
        shock_monthly=-np.einsum("rhsm,rsm->rhm", shocked.loss_share, v0 + op_sec),
        inv=inv, inv_group=_group_sums(inv, plan.group_slices),
    )
    if sc.io is not None:
        out["io_local_share"] = d.local_share
        out["io_indirect_ratio"] = spent.indirect_ratio
    if plan.fai is not None:
        out.update(fai_outputs(plan.fai, district_fai(plan.fai, d.fai_growth, inv, d.sector)))
    if "paths" in keep:
        out["investment_monthly_project"] = inv.transpose(0, 2, 1)
    if "latents" in keep:
        out["latent"] = d.latent
    if plan.figures:
        investment_ytd = {k: out[f"{k}_ytd_growth"] for k in ("fai", "industrial_fai")
                          if f"{k}_ytd_growth" in out}
        figures = simulated_figures(plan.figures, shocked.sector_monthly,
                                    shocked.base_monthly, investment_ytd,
                                    _investment_monthly(plan, out))
        out["figure_model"] = figures
        out["log_weight"] = d.log_prior_ratio + log_likelihood(plan.figures, figures)
    if isinstance(plan.smoothing, SmoothingPlan):
        out.update(smoothed_outputs(plan, plan.smoothing, d, v0 * mult, shocked, out,
                                    (seed, start, n), tilt, "smoothing" in keep))
    return out


def _investment_monthly(plan: Plan, out: dict[str, np.ndarray]
                        ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Monthly FAI (and industrial investment) with the base year's months, 亿元."""
    if plan.fai is None:
        return {}
    res = {"fai": (out["fai_monthly"], plan.fai.total_base * plan.fai.seasonal)}
    if "industrial_fai_monthly" in out:
        res["industrial_fai"] = (out["industrial_fai_monthly"],
                                 float(plan.fai.base[1]) * plan.fai.seasonal)
    return res


class _Spent(NamedTuple):
    """Value added of project spending in a chunk, 亿元 (base-year prices)."""

    direct: np.ndarray  # (R, P, M) direct value added of each slot
    by_sector: np.ndarray  # (R, S, M) direct + indirect value added by sector
    indirect_total: np.ndarray | None  # (R, M) indirect value added (None without [io])
    indirect_groups: np.ndarray | None  # (R, G, M) indirect value added of each group
    indirect_ratio: np.ndarray  # (R,) indirect value added per 亿元 of spending


def _spending_value_added(plan: Plan, d: Draws, inv: np.ndarray) -> _Spent:
    """Direct and indirect value added of the slots' spending (:mod:`.spillovers`).

    Real additional spending is ``I × additionality / investment_deflator``. Without
    ``[io]`` only the works formula's direct value added counts, all in construction.
    """
    sc = plan.scenario
    sp = plan.spending
    real = 1.0 / sc.accounting.investment_deflator
    direct = inv * (real * sp.direct_ratio) * d.additionality[:, :, None]
    by_sector = sp.direct_split[None, :, None] * direct.sum(axis=1)[:, None, :]
    n = inv.shape[0]
    if sc.io is None:
        return _Spent(direct, by_sector, None, None, np.zeros(n))
    indirect = sp.indirect(d.local_share)  # (R,S) per 亿元
    ratio = indirect.sum(axis=1)
    spend = inv * real * d.additionality[:, :, None]
    spend_total = spend.sum(axis=1)
    by_sector = by_sector + indirect[:, :, None] * spend_total[:, None, :]
    groups = ratio[:, None, None] * _group_sums(spend, plan.group_slices)
    return _Spent(direct, by_sector, ratio[:, None] * spend_total, groups, ratio)


def _investment(plan: Plan, d: Draws, tl: Timeline) -> np.ndarray:
    """Monthly investment ``(R, P, M)``, 亿元 nominal, on the pause-adjusted clock."""
    n, n_months = d.total.shape[0], plan.n_months
    edges = np.broadcast_to(np.arange(n_months + 1, dtype=float), (n, n_months + 1))
    prog = acc.progress(effective_time(edges, tl.pauses), effective_time(tl.start, tl.pauses),
                        d.duration)
    return acc.investment(d.total, d.execution, d.curve_a, d.curve_b, prog,
                          curve_fn=drawdown_curve)


class _Operating(NamedTuple):
    """Operating value added of the (replication, slot) pairs finished within the horizon."""

    rows: np.ndarray  # replication of each pair, in (r, p) order
    cols: np.ndarray  # slot of each pair
    sector: np.ndarray  # sector index of each pair
    values: np.ndarray  # (F, M) value added before shocks, 亿元 (base-year prices)


def _operating(plan: Plan, d: Draws, tl: Timeline) -> _Operating:
    """Operating value added: only slots finished within the simulated months have any."""
    sc, n_months = plan.scenario, plan.n_months
    va_ratio = np.array([0.0 if s.va_ratio is None else s.va_ratio for s in sc.sectors])
    rows, cols = np.nonzero(tl.finish < n_months)  # NaN compares False
    sector = d.sector[rows, cols].astype(np.int64)
    month_of_year = np.arange(n_months) % 12
    values = (
        d.annual_output[rows, cols][:, None]
        * plan.seasonal[sector][:, month_of_year]
        * acc.ramp_profile(tl.finish[rows, cols], d.ramp[rows, cols], n_months)
        * (va_ratio[sector] * d.additionality[rows, cols])[:, None]
    )
    return _Operating(rows, cols, sector, values)


def _street_monthly(plan: Plan, d: Draws, spent: _Spent, op: _Operating, v0: np.ndarray,
                    mult: np.ndarray) -> np.ndarray:
    """Value added by street ``(R, K, M)``, 亿元 (base-year prices).

    Organic value added (after shocks) is split by street shares, or with street data by
    each street's share of each sector; each project's own (direct and operating) goes to
    its street, or is split by the street shares when it has none; the indirect value
    added of project spending (its supply chain) is split by the street shares.
    """
    shares = plan.street_shares
    proj_post = spent.direct.copy()
    proj_post[op.rows, op.cols] += op.values * mult[op.rows, op.sector]
    spread = d.street < 0
    if spread.all():
        spread_sum = proj_post.sum(axis=1)
    else:
        spread_sum = (proj_post * spread[:, :, None]).sum(axis=1)
    if spent.indirect_total is not None:
        spread_sum = spread_sum + spent.indirect_total
    if plan.street_sector_shares is None:
        organic_post = (v0 * mult).sum(axis=1)  # (R,M)
        street_monthly = (organic_post + spread_sum)[:, None, :] * shares[None, :, None]
    else:
        street_monthly = (np.einsum("rsm,ks->rkm", v0 * mult, plan.street_sector_shares)
                          + spread_sum[:, None, :] * shares[None, :, None])
    r_st, c_st = np.nonzero(~spread)
    np.add.at(street_monthly, (r_st, d.street[r_st, c_st].astype(np.int64)),
              proj_post[r_st, c_st])
    return street_monthly


def _group_sums(per_slot: np.ndarray, groups: list[slice]) -> np.ndarray:
    """Sum ``(R, P, M)`` over each group's contiguous slots: ``(R, G, M)``.

    A sum over the middle axis adds slots one after the other, in slot order.
    """
    n, _, m = per_slot.shape
    out = np.zeros((n, len(groups), m))
    for g, sl in enumerate(groups):
        if sl.stop > sl.start:
            out[:, g, :] = per_slot[:, sl, :].sum(axis=1)
    return out
