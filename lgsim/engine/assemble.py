"""The last steps of a chunk: shocks, and the annual arrays of its results.

:func:`apply_shocks` applies the shocks to organic and operating value added;
:func:`assemble_outputs` turns the monthly results into the annual arrays, contributions
and per-project outputs :mod:`.chunk` returns.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import accounting as acc
from .draws import Draws
from .plan import Plan
from .timeline import Timeline


class ShockedValueAdded(NamedTuple):
    """Value added of a chunk after shocks (亿元; arrays ``(R, S, M)``)."""

    #: shock multipliers (:func:`lgsim.engine.accounting.shock_effect`)
    mult: np.ndarray
    #: each shock's share of the loss, ``(R, H, S, M)``
    loss_share: np.ndarray
    #: base-year value added by sector and month, ``(S, 12)``
    base_monthly: np.ndarray
    #: value added by sector and month after shocks
    sector_monthly: np.ndarray


def apply_shocks(
    plan: Plan,
    d: Draws,
    organic_va: np.ndarray,
    op_sec: np.ndarray,
    spent_sec: np.ndarray,
) -> ShockedValueAdded:
    """Shock multipliers and monthly value added by sector.

    Parameters
    ----------
    plan : Plan
    d : Draws
    organic_va : numpy.ndarray
        ``(R, S, M)`` organic value added (with within-year deviations), 亿元.
    op_sec : numpy.ndarray
        ``(R, S, M)`` operating value added of finished projects by sector, 亿元.
    spent_sec : numpy.ndarray
        ``(R, S, M)`` value added of project spending by sector (direct and indirect),
        亿元 (base-year prices); shocks do not scale it (a shock that stops works pauses
        the projects instead).
    """
    n_months = op_sec.shape[2]
    cover = acc.shock_cover(d.shock_occurs, d.shock_start, d.shock_duration, n_months)
    mult, loss_share = acc.shock_effect(d.shock_impact, cover)
    other = op_sec * mult
    if len(plan.slots):
        other += spent_sec
    base_monthly = plan.base_va[:, None] * plan.seasonal  # (S,12)
    return ShockedValueAdded(mult, loss_share, base_monthly, organic_va * mult + other)


def with_base_year(base: np.ndarray, monthly: np.ndarray) -> np.ndarray:
    """Annual sums of ``(R, K, 12 Y)`` monthly values after a base-year row.

    Returns ``(R, Y + 1, K)``; ``base`` is ``(K,)`` or ``(R, K)``.
    """
    n, k = monthly.shape[:2]
    return np.concatenate(
        [np.broadcast_to(base, (n, k))[:, None, :],
         acc.to_annual(monthly).transpose(0, 2, 1)],
        axis=1,
    )


def assemble_outputs(
    plan: Plan,
    d: Draws,
    tl: Timeline,
    *,
    base_monthly: np.ndarray,
    sector_monthly: np.ndarray,
    street_monthly: np.ndarray,
    v0: np.ndarray,
    group_monthly: np.ndarray,
    shock_monthly: np.ndarray,
    inv: np.ndarray,
    inv_group: np.ndarray,
) -> dict[str, np.ndarray]:
    """The output arrays of one chunk from its monthly results.

    ``d`` and ``tl`` are the chunk's draws and timeline; ``base_monthly`` is ``(S, 12)``
    base-year value added, the other arrays have the replication as first axis and the
    month as last axis (``inv`` and ``inv_group`` are investment by slot and by group).
    """
    sc = plan.scenario
    n, n_sec = sector_monthly.shape[:2]
    n_months = plan.n_months

    va = with_base_year(plan.base_va, sector_monthly)  # (R,Y+1,S)
    gdp = va.sum(axis=2)
    gdp_monthly = np.concatenate(
        [np.broadcast_to(base_monthly.sum(axis=0), (n, 12))[:, None, :],
         sector_monthly.sum(axis=1).reshape(n, plan.n_years, 12)],
        axis=1,
    )
    street_base = (gdp[:, :1] * plan.street_shares[None, :]
                   if plan.street_sector_shares is None
                   else np.broadcast_to(plan.street_sector_shares @ plan.base_va,
                                        (n, len(plan.street_shares))))
    street_va = with_base_year(street_base, street_monthly)

    # components: organic by sector (before shocks), project groups (works + operating
    # before shocks), shocks (value added removed, negative)
    comp_monthly = np.concatenate([v0, group_monthly, shock_monthly], axis=1)
    comp_base = np.concatenate(
        [plan.base_va, np.zeros(group_monthly.shape[1] + len(sc.shocks))]
    )
    components = with_base_year(comp_base, comp_monthly)

    inv_year = with_base_year(np.zeros(inv.shape[1]), inv)

    growth_full = np.concatenate(
        [np.full((n, n_sec, 1), np.nan), d.growth], axis=2
    ).transpose(0, 2, 1)

    return {
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
