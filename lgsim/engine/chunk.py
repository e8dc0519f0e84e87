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

import numpy as np

from . import accounting as acc
from ._beta import drawdown_curve
from .assemble import assemble_outputs, shocks_and_actuals
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

    shocked = shocks_and_actuals(plan, d, trend, v0, op_sec, works_total)
    v0, mult = shocked.organic, shocked.mult
    exposed = v0 + op_sec

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

    # for the components: project groups (works + operating before shocks), shocks
    # (value added removed, negative)
    groups = plan.group_slices
    proj_pre = works
    proj_pre[rows, cols] += operating  # works is not used after this point
    group_monthly = _group_sums(proj_pre, groups)
    shock_monthly = -np.einsum("rhsm,rsm->rhm", shocked.loss_share, exposed)
    inv_group = _group_sums(inv, groups)

    out = assemble_outputs(
        plan, d, tl, base_monthly=shocked.base_monthly, sector_monthly=shocked.sector_monthly,
        street_monthly=street_monthly, v0=v0, group_monthly=group_monthly,
        shock_monthly=shock_monthly, inv=inv, inv_group=inv_group,
    )
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
