"""One chunk of replications: draws → timeline (when) → accounting (how much) → arrays.

The arithmetic works on whole arrays of the chunk (replication × project slot × month).
It is arranged to do little work per replication without changing what is computed:

* the drawdown curve is evaluated only where a project is under way (0 < τ < 1), and
  Beta CDFs and inverses come from :mod:`.beta` (equal to scipy's to ~1e-15);
* operating output exists only for projects finished inside the simulated months, so
  ramp-up and operating value added are computed for those (replication, slot) pairs;
* sums over slots (by sector, by group) are sequential over slots, as the one-hot
  einsums of :mod:`.reference` were; value added spread over streets by shares is
  summed before it is split (``(a + b) s`` rather than ``a s + b s``: equal to ~1e-16).

``tests/test_chunk_fastpath.py`` checks every output against
:func:`lgsim.engine.reference.simulate_chunk_reference` (the straightforward dense
formulation) to 1e-12.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .. import accounting as acc
from .beta import drawdown_curve
from .draws import draw_chunk
from .pauses import effective_time
from .plan import Plan
from .timeline import build_timeline

#: Optional outputs of :func:`simulate_chunk` (``keep``).
KEEP_OPTIONS = ("paths",)


def simulate_chunk(
    plan: Plan, seed: int, start: int, n: int, *, keep: Collection[str] = ()
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
        nominal.

    Returns
    -------
    dict of numpy.ndarray
        Arrays with the replication as first axis (see :mod:`lgsim.results` for names,
        dimensions and units). Years run from the base year (index 0) to the end year.
    """
    sc = plan.scenario
    ids = plan.project_ids
    d = draw_chunk(plan, seed, start, n)
    tl = build_timeline(d, sc, ids)
    n_months = plan.n_months
    n_sec = len(sc.sectors)
    n_slots = len(ids)

    # organic value added before shocks
    trend = acc.organic_trend(plan.base_va, plan.seasonal, d.growth)  # (R,S,M)
    v0 = trend * (1.0 + d.deviation)

    # investment (nominal 亿元) from the drawdown curves on the pause-adjusted clock
    edges = np.broadcast_to(np.arange(n_months + 1, dtype=float), (n, n_months + 1))
    edges_eff = effective_time(edges, tl.pauses)
    start_eff = effective_time(tl.start, tl.pauses)
    prog = acc.progress(edges_eff, start_eff, d.duration)
    inv = acc.investment(
        d.total, d.execution, d.curve_a, d.curve_b, prog, curve_fn=drawdown_curve
    )  # (R,P,M)
    del prog

    real = 1.0 / sc.accounting.investment_deflator
    works = inv * (real * sc.accounting.works_ratio) * d.additionality[:, :, None]

    # operating output: only slots finished within the simulated months have any
    va_ratio = np.array([np.nan if s.va_ratio is None else s.va_ratio for s in sc.sectors])
    va_ratio = np.nan_to_num(va_ratio, nan=0.0)
    rows, cols = np.nonzero(tl.finish < n_months)  # NaN compares False
    f_sector = d.sector[rows, cols].astype(np.int64)
    month_of_year = np.arange(n_months) % 12
    operating = (
        d.annual_output[rows, cols][:, None]
        * plan.seasonal[f_sector][:, month_of_year]
        * acc.ramp_profile(tl.finish[rows, cols], d.ramp[rows, cols], n_months)
        * (va_ratio[f_sector] * d.additionality[rows, cols])[:, None]
    )  # (F, M) for the finished (replication, slot) pairs, in (r, p) order

    op_sec = np.zeros((n, n_sec, n_months))
    np.add.at(op_sec, (rows, f_sector), operating)  # sequential over slots
    works_total = works.sum(axis=1)  # (R,M)

    cover = acc.shock_cover(d.shock_occurs, d.shock_start, d.shock_duration, n_months)
    mult, loss_share = acc.shock_effect(d.shock_impact, cover)
    other = op_sec * mult
    if n_slots:
        other[:, sc.sector_index("construction"), :] += works_total
    base_monthly = plan.base_va[:, None] * plan.seasonal  # (S,12)
    if sc.actuals:
        observations = [
            (o.year - sc.base_year, o.month, o.growth,
             None if o.sector is None else sc.sector_index(o.sector))
            for o in sc.actuals
        ]
        persistence = np.array([s.monthly_persistence for s in sc.sectors])
        v0 = acc.condition_on_actuals(trend, v0, other, mult, base_monthly, persistence,
                                      observations)
    exposed = v0 + op_sec
    sector_monthly = v0 * mult + other

    va = np.concatenate(
        [np.broadcast_to(plan.base_va, (n, n_sec))[:, None, :],
         acc.to_annual(sector_monthly).transpose(0, 2, 1)],
        axis=1,
    )  # (R,Y+1,S)
    gdp = va.sum(axis=2)
    gdp_monthly = np.concatenate(
        [np.broadcast_to(base_monthly.sum(axis=0), (n, 12))[:, None, :],
         sector_monthly.sum(axis=1).reshape(n, plan.n_years, 12)],
        axis=1,
    )

    # streets: organic (after shocks) by street shares; project value added by its street
    shares = plan.street_shares
    proj_post = works.copy()
    proj_post[rows, cols] += operating * mult[rows, f_sector]
    organic_post = (v0 * mult).sum(axis=1)  # (R,M)
    spread = d.street < 0  # spread by street shares, like organic value added
    if spread.all():
        spread_sum = proj_post.sum(axis=1)
    else:
        spread_sum = (proj_post * spread[:, :, None]).sum(axis=1)
    street_monthly = (organic_post + spread_sum)[:, None, :] * shares[None, :, None]
    r_st, c_st = np.nonzero(~spread)
    np.add.at(street_monthly, (r_st, d.street[r_st, c_st].astype(np.int64)),
              proj_post[r_st, c_st])
    del proj_post
    street_va = np.concatenate(
        [(gdp[:, :1] * shares[None, :])[:, None, :],
         acc.to_annual(street_monthly).transpose(0, 2, 1)],
        axis=1,
    )

    # components: organic by sector (before shocks), project groups (works + operating
    # before shocks), shocks (value added removed, negative)
    groups = plan.group_slices
    n_groups = len(groups)
    proj_pre = works
    proj_pre[rows, cols] += operating  # works is not used after this point
    group_monthly = _group_sums(proj_pre, groups)
    shock_monthly = -np.einsum("rhsm,rsm->rhm", loss_share, exposed)
    comp_monthly = np.concatenate([v0, group_monthly, shock_monthly], axis=1)
    comp_base = np.concatenate(
        [plan.base_va, np.zeros(n_groups + len(sc.shocks))]
    )
    components = np.concatenate(
        [np.broadcast_to(comp_base, (n, comp_base.size))[:, None, :],
         acc.to_annual(comp_monthly).transpose(0, 2, 1)],
        axis=1,
    )

    inv_year = np.concatenate(
        [np.zeros((n, 1, n_slots)), acc.to_annual(inv).transpose(0, 2, 1)], axis=1
    )
    inv_group = _group_sums(inv, groups)

    growth_full = np.concatenate(
        [np.full((n, n_sec, 1), np.nan), d.growth], axis=2
    ).transpose(0, 2, 1)

    out = {
        "gdp": gdp,
        "gdp_monthly": gdp_monthly[:, 1:, :].reshape(n, n_months),
        "growth": acc.growth_rates(gdp),
        "ytd_growth": acc.ytd_growth(gdp_monthly),
        "va": va,
        "street_va": street_va,
        "investment": inv_year,
        "investment_monthly": inv_group.transpose(0, 2, 1),
        "start_month": tl.start_month,
        "finish_month": tl.finish_month,
        "land_granted_month": np.where(
            tl.granted < sc.horizon_months, tl.granted, np.nan
        ),
        "project_sector": d.sector.astype(np.int16),
        "project_street": d.street.astype(np.int16),
        "sector_pp": acc.contributions(va, gdp),
        "street_pp": acc.contributions(street_va, gdp),
        "component_pp": acc.contributions(components, gdp),
        "organic_growth": growth_full,
        "shock_occurred": d.shock_occurs,
        "shock_start": np.where(d.shock_occurs, d.shock_start, np.nan),
        "shock_duration": np.where(d.shock_occurs, d.shock_duration, np.nan),
        "pipeline_landing": d.landing,
        "land_delivered": d.land_hectares,
    }
    if "paths" in keep:
        out["investment_monthly_project"] = inv.transpose(0, 2, 1)
    return out


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
