"""What a replication says about the published figures, and the tilt of its latent normals.

A published year-to-date figure is an observation of the model's own quantity,
``y = ŷ + e`` with ``e ~ N(0, sd²)`` (``docs/conditioning.md``). For every replication the
chunk computes ``ŷ`` (:func:`simulated_figures`) and the log-likelihood of the figures
(:func:`log_likelihood`).

Replications of a conditioned run are drawn from a *proposal*: the latent standard
normals that drive organic growth (the sector growth copula and the within-year
deviations) are shifted and scaled towards the figures, ``ξ = m + L η``, where ``η`` are
the prior normals of the keyed streams (:class:`Tilt`). Each replication then carries the
log of its importance ratio, ``log p(ξ) − log q(ξ) = −½|ξ|² + ½|η|²`` (constants dropped),
so that the weights ``p(ξ) p(y | ξ) / q(ξ)`` give the exact posterior in the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class FigureSpec(NamedTuple):
    """One published figure, compiled: which quantity, which window, what was seen.

    ``quantity`` is ``"va"`` (value added of ``sectors``, summed; all sectors for GDP),
    ``"fai"`` or ``"industrial_fai"`` (nominal investment); ``year`` counts simulated
    years from 1 (the first year after the base year); ``month`` is the end of the window
    (1–12); ``value`` and ``sd`` are fractions.
    """

    sectors: tuple[int, ...]
    year: int
    month: int
    value: float
    sd: float
    path: str
    label: str
    quantity: str = "va"


class Latent(NamedTuple):
    """One latent standard normal.

    ``kind`` is ``"growth"`` (a sector's annual growth; ``index``: simulated year from
    0), ``"monthly"`` (a sector's within-year deviation; ``index``: simulated month from
    0) or ``"fai"`` (organic investment growth; ``sector`` 0 = FAI other than industrial
    investment, 1 = industrial investment; ``index``: simulated year from 0).
    """

    kind: str
    sector: int
    index: int


@dataclass(frozen=True)
class Tilt:
    """The proposal of a conditioned run: ``ξ = mean + chol @ η`` on ``latents``.

    Attributes
    ----------
    latents : tuple of Latent
        The latent normals that are shifted (the others keep their prior draws).
    mean : numpy.ndarray
        ``(J,)`` shift, in standard deviations.
    chol : numpy.ndarray
        ``(J, J)`` lower-triangular factor of the proposal's covariance.
    """

    latents: tuple[Latent, ...]
    mean: np.ndarray
    chol: np.ndarray

    def apply(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tilted normals ``ξ`` ``(R, J)`` and the log importance ratios ``(R,)``."""
        xi = self.mean[None, :] + eta @ self.chol.T
        log_ratio = 0.5 * (np.einsum("rj,rj->r", eta, eta) - np.einsum("rj,rj->r", xi, xi))
        return xi, log_ratio


def latents_for(figures: tuple[FigureSpec, ...], growth_sectors: list[int],
                monthly_sectors: list[int], fai_parts: int = 0) -> tuple[Latent, ...]:
    """The latent normals the figures depend on, in a fixed order.

    Value-added figures: the sectors' growth normals of every year up to the last
    observed year, and the within-year normals of every month up to the last observed
    month (sectors with ``monthly_sd > 0``). Investment figures: the organic growth
    normals of the ``fai_parts`` modelled parts up to the last observed year (an
    industrial figure only the industrial part's). Later years and months cannot move a
    figure.
    """
    out: list[Latent] = []
    va = [f for f in figures if f.quantity == "va"]
    if va:
        last_year = max(f.year for f in va)
        last_month = max(12 * (f.year - 1) + f.month for f in va)
        out += [Latent("growth", j, k) for j in growth_sectors for k in range(last_year)]
        out += [Latent("monthly", j, m) for j in monthly_sectors for m in range(last_month)]
    for part in range(fai_parts):
        quantities = ("fai",) if part == 0 else ("fai", "industrial_fai")
        years = [f.year for f in figures if f.quantity in quantities]
        if years:
            out += [Latent("fai", part, k) for k in range(max(years))]
    return tuple(out)


def simulated_figures(
    figures: tuple[FigureSpec, ...], sector_monthly: np.ndarray, base_monthly: np.ndarray,
    investment_ytd: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The model's value of every figure in every replication, ``(R, K)`` fractions.

    Parameters
    ----------
    figures : tuple of FigureSpec
    sector_monthly : numpy.ndarray
        ``(R, S, M)`` value added by sector and simulated month after shocks, 亿元.
    base_monthly : numpy.ndarray
        ``(S, 12)`` base-year value added by sector and month, 亿元.
    investment_ytd : dict of numpy.ndarray, optional
        ``"fai"`` / ``"industrial_fai"``: ``(R, Y + 1, 12)`` year-to-date nominal growth.

    Returns
    -------
    numpy.ndarray
        Year-to-date growth ``Σ_{m≤M} V(y, m) / Σ_{m≤M} V(y−1, m) − 1`` of each figure.
    """
    n = sector_monthly.shape[0]
    out = np.empty((n, len(figures)))
    for k, f in enumerate(figures):
        if f.quantity != "va":
            out[:, k] = investment_ytd[f.quantity][:, f.year, f.month - 1]
            continue
        rows = list(f.sectors)
        first = 12 * (f.year - 1)
        now = sector_monthly[:, rows, first:first + f.month].sum(axis=(1, 2))
        if f.year == 1:
            before = np.full(n, base_monthly[rows, :f.month].sum())
        else:
            before = sector_monthly[:, rows, first - 12:first - 12 + f.month].sum(axis=(1, 2))
        out[:, k] = now / before - 1.0
    return out


def log_likelihood(figures: tuple[FigureSpec, ...], simulated: np.ndarray) -> np.ndarray:
    """``Σ_k log N(y_k; ŷ_k, sd_k²)`` per replication, constants dropped, ``(R,)``.

    A figure with ``sd = inf`` contributes nothing.
    """
    out = np.zeros(simulated.shape[0])
    for k, f in enumerate(figures):
        if np.isfinite(f.sd):
            z = (f.value - simulated[:, k]) / f.sd
            out -= 0.5 * z * z
    return out
