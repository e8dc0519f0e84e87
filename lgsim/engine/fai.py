"""District fixed-asset investment (FAI) of a chunk: organic FAI plus listed spending.

``FAI(y, m) = Σ_q B_q w_m Π_{k≤y}(1 + g_q,k) + Σ_p I_p(y, m)``: the organic parts ``q``
(FAI other than industrial investment, and industrial investment when modelled) grow from
their base-year levels ``B_q`` with monthly weights ``w``; every listed slot's spending
``I_p`` (nominal, as drawn down) is added once. Industrial investment is its organic part
plus the spending of slots in the industrial sectors. Nothing listed is in the base year,
and organic growth is the growth of everything not listed, so no spending is counted
twice (docs/investment.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import accounting as acc
from .plan import FaiPlan


class FaiPaths(NamedTuple):
    """Monthly FAI of a chunk, ``(R, M)`` each, 亿元 nominal."""

    #: district FAI
    total: np.ndarray
    #: the listed slots' part of it
    listed: np.ndarray
    #: industrial investment (None when not modelled)
    industrial: np.ndarray | None
    #: the listed industrial slots' part of it (None when not modelled)
    industrial_listed: np.ndarray | None


def organic_fai(fai: FaiPlan, growth: np.ndarray) -> np.ndarray:
    """Organic FAI of each part by month, ``(R, Q, M)``, 亿元 nominal.

    ``growth`` is ``(R, Q, Y)`` annual nominal growth (fractions).
    """
    seasonal = np.broadcast_to(fai.seasonal, (len(fai.base), 12))
    return acc.organic_trend(fai.base, seasonal, growth)


def district_fai(fai: FaiPlan, growth: np.ndarray, inv: np.ndarray,
                 sector: np.ndarray) -> FaiPaths:
    """District FAI and industrial investment by month.

    Parameters
    ----------
    fai : FaiPlan
    growth : numpy.ndarray
        ``(R, Q, Y)`` organic growth of each part, fraction.
    inv : numpy.ndarray
        ``(R, P, M)`` monthly spending of every listed slot, 亿元 nominal.
    sector : numpy.ndarray
        ``(R, P)`` sector index of every slot.
    """
    organic = organic_fai(fai, growth)
    listed = inv.sum(axis=1)
    total = organic.sum(axis=1) + listed
    if fai.parts < 2:
        return FaiPaths(total, listed, None, None)
    industrial_slot = np.isin(sector, fai.industrial_sectors)
    ind_listed = (inv * industrial_slot[:, :, None]).sum(axis=1)
    return FaiPaths(total, listed, organic[:, 1, :] + ind_listed, ind_listed)


def annual_with_base(monthly: np.ndarray, base: float) -> np.ndarray:
    """``(R, M)`` monthly amounts to ``(R, Y + 1)`` annual ones after the base year's."""
    n = monthly.shape[0]
    return np.concatenate([np.full((n, 1), base), acc.to_annual(monthly)], axis=1)


def ytd_growth_with_base(monthly: np.ndarray, base_monthly: np.ndarray) -> np.ndarray:
    """Year-to-date growth ``(R, Y + 1, 12)`` (NaN in the base year); ``base_monthly`` (12,)."""
    n, m = monthly.shape
    full = np.concatenate([np.broadcast_to(base_monthly, (n, 12)), monthly], axis=1)
    return acc.ytd_growth(full.reshape(n, m // 12 + 1, 12))


def fai_outputs(fai: FaiPlan, paths: FaiPaths) -> dict[str, np.ndarray]:
    """The chunk's FAI arrays: annual levels, listed parts and year-to-date growth.

    ``fai``, ``fai_listed`` ``(R, Y + 1)``, ``fai_monthly`` ``(R, M)`` and
    ``fai_ytd_growth`` ``(R, Y + 1, 12)``; with industrial investment the same four for
    ``industrial_fai``.
    """
    out = {
        "fai": annual_with_base(paths.total, fai.total_base),
        "fai_monthly": paths.total,
        "fai_listed": annual_with_base(paths.listed, 0.0),
        "fai_ytd_growth": ytd_growth_with_base(paths.total, fai.total_base * fai.seasonal),
    }
    if paths.industrial is not None and paths.industrial_listed is not None:
        base = float(fai.base[1])
        out["industrial_fai"] = annual_with_base(paths.industrial, base)
        out["industrial_fai_monthly"] = paths.industrial
        out["industrial_fai_listed"] = annual_with_base(paths.industrial_listed, 0.0)
        out["industrial_fai_ytd_growth"] = ytd_growth_with_base(paths.industrial,
                                                                base * fai.seasonal)
    return out
