"""The straightforward formulation of one chunk: the oracle of :mod:`.chunk`.

This is the chunk computation as first written (dense ``(R, P, M)`` arrays, one-hot
einsums, ``scipy.special.betainc`` / ``betaincinv`` for drawdown curves and Beta/PERT
draws, land projects through the full simpy pass). :func:`lgsim.engine.chunk.simulate_chunk`
computes the same quantities faster; ``tests/test_chunk_fastpath.py`` checks that the
two agree to 1e-12 on the shipped scenarios. Not used on the ``run`` path.
"""

from __future__ import annotations

import numpy as np

from .. import accounting as acc
from ..drawdown import curve, ramp_average
from .assemble import assemble_outputs, shocks_and_actuals
from .draws import draw_chunk, exact_ppf
from .pauses import effective_time
from .plan import Plan
from .timeline import build_timeline


def _investment_dense(
    total: np.ndarray,
    execution: np.ndarray,
    curve_a: np.ndarray,
    curve_b: np.ndarray,
    prog: np.ndarray,
) -> np.ndarray:
    # the drawdown curve evaluated at every month edge of every slot
    cum = np.empty_like(prog)
    shapes = np.stack([curve_a, curve_b], axis=1)
    for a, b in np.unique(shapes, axis=0):
        cols = np.flatnonzero((curve_a == a) & (curve_b == b))
        cum[:, cols, :] = curve(prog[:, cols, :], float(a), float(b))
    cum = np.nan_to_num(cum, nan=0.0)
    return (total * execution)[:, :, None] * np.diff(cum, axis=2)


def _ramp_dense(finish: np.ndarray, ramp: np.ndarray, n_months: int) -> np.ndarray:
    t0 = np.arange(n_months, dtype=float)
    return ramp_average(
        t0[None, None, :], t0[None, None, :] + 1.0, finish[:, :, None], ramp[:, :, None]
    )


def simulate_chunk_reference(
    plan: Plan, seed: int, start: int, n: int
) -> dict[str, np.ndarray]:
    """Simulate replications ``[start, start + n)`` the straightforward way.

    Parameters
    ----------
    plan : Plan
        Compiled scenario.
    seed : int
        Run seed.
    start, n : int
        First replication and number of replications.

    Returns
    -------
    dict of numpy.ndarray
        Arrays with the replication as first axis (see :mod:`lgsim.results` for names,
        dimensions and units). Years run from the base year (index 0) to the end year.
    """
    sc = plan.scenario
    ids = plan.project_ids
    d = draw_chunk(plan, seed, start, n, ppf=exact_ppf)
    tl = build_timeline(d, sc, ids, land_in_simpy=True)
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
    inv = _investment_dense(d.total, d.execution, d.curve_a, d.curve_b, prog)  # (R,P,M)

    real = 1.0 / sc.accounting.investment_deflator
    works = inv * (real * sc.accounting.works_ratio) * d.additionality[:, :, None]

    va_ratio = np.array([np.nan if s.va_ratio is None else s.va_ratio for s in sc.sectors])
    va_ratio = np.nan_to_num(va_ratio, nan=0.0)
    ramp = _ramp_dense(tl.finish, d.ramp, n_months)
    month_of_year = np.arange(n_months) % 12
    weights = plan.seasonal[d.sector][:, :, month_of_year]  # (R,P,M)
    operating = (
        d.annual_output[:, :, None] * weights * ramp
        * (va_ratio[d.sector] * d.additionality)[:, :, None]
    )

    onehot = np.zeros((n, n_slots, n_sec))
    np.put_along_axis(onehot, d.sector[:, :, None].astype(np.int64), 1.0, axis=2)
    op_sec = np.einsum("rpm,rps->rsm", operating, onehot)
    works_total = works.sum(axis=1)  # (R,M)

    v0, mult, loss_share, base_monthly, sector_monthly = shocks_and_actuals(
        plan, d, trend, v0, op_sec, works_total
    )
    exposed = v0 + op_sec

    # streets: organic (after shocks) by street shares; project value added by its street
    shares = plan.street_shares
    n_st = len(shares)
    slot_sector = np.broadcast_to(d.sector[:, :, None].astype(np.int64), operating.shape)
    proj_post = works + operating * np.take_along_axis(mult, slot_sector, axis=1)
    street_w = np.zeros((n, n_slots, n_st))
    spread = d.street < 0
    street_w[spread] = shares
    rows, cols = np.nonzero(~spread)
    street_w[rows, cols, d.street[rows, cols]] = 1.0
    organic_post = (v0 * mult).sum(axis=1)  # (R,M)
    street_monthly = organic_post[:, None, :] * shares[None, :, None] + np.einsum(
        "rpm,rpk->rkm", proj_post, street_w
    )

    # for the components: project groups (works + operating before shocks), shocks
    # (value added removed, negative)
    n_groups = len(plan.groups)
    group_of = np.array([s.group for s in plan.slots], dtype=np.int64)
    proj_pre = works + operating
    group_monthly = np.zeros((n, n_groups, n_months))
    np.add.at(group_monthly, (slice(None), group_of), proj_pre)
    shock_monthly = -np.einsum("rhsm,rsm->rhm", loss_share, exposed)
    inv_group = np.zeros((n, n_groups, n_months))
    np.add.at(inv_group, (slice(None), group_of), inv)

    return assemble_outputs(
        plan, d, tl, base_monthly=base_monthly, sector_monthly=sector_monthly,
        street_monthly=street_monthly, v0=v0, group_monthly=group_monthly,
        shock_monthly=shock_monthly, inv=inv, inv_group=inv_group,
    )
