"""Conditional Monte Carlo for P(target met): integrate one Gaussian input out exactly.

Given everything else in a replication, target-year growth is affine in one standard
normal ``ξ*``: the copula lane of one sector's target-year growth (``sector:<id>``,
``growth@<year>``). Through the correlation root it moves every sector's growth that
year; with normal marginals each moves linearly, and organic value added is linear in
``1 + g``. So ``G = A + B ξ*`` with ``A`` and ``B`` known per replication, and

    P(met | everything else) = Φ((A + B μ − t) / (|B| σ))

where ``t`` is the target's threshold (rounding rule and tolerance included:
:meth:`lgsim.scenario.Target.threshold`) and ``N(μ, σ²)`` is the distribution of ``ξ*``
given everything else: ``N(0, 1)`` in an unconditioned run; in a run conditioned on
published figures, the prior times the likelihood of the figures, which are affine in
``ξ*`` too (``ŷ_k = c_k + d_k ξ*``), so ``σ⁻² = 1 + Σ d_k²/s_k²`` and
``μ = σ² Σ d_k (y_k − c_k)/s_k²``. The replication's weight becomes
``p(ξ_rest)/q(ξ_rest) · ∫ p(ξ*) L(y | ξ*, rest) dξ*`` (Rao–Blackwellised importance
weights; ``q`` the proposal's marginal of the other latents).

Averaging these conditional probabilities (weighted when conditioned) is unbiased for
P(met) and its variance is never larger than the indicator's (docs/performance.md).
The same holds for sector sub-targets (the sector's growth is affine in ``ξ*`` too).
When the structure does not allow it — no sector with a normal growth distribution, a
sector correlated with ``ξ*`` whose marginal is not normal, or a published value-added
figure after the target year — :func:`smoothing_plan` says why and the run keeps the
indicator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..scenario import Scenario
from ..scenario.distributions import Dist
from .observe import FigureSpec, Latent, Tilt
from .streams import Streams


@dataclass(frozen=True)
class SmoothingPlan:
    """Which normal is integrated out, and how each sector's target-year growth moves.

    Attributes
    ----------
    sector : int
        Index of the sector whose target-year copula lane is ``ξ*``.
    year : int
        Index of the target year among the simulated years (0 = base year + 1).
    slope : numpy.ndarray
        ``(S,)`` ``dg_j / dξ*``: change in each sector's target-year growth (fraction)
        per unit of ``ξ*``.
    latent : Latent
        ``ξ*`` as a latent of a conditioned run.
    """

    sector: int
    year: int
    slope: np.ndarray
    latent: Latent


def _linear_scale(dist: Dist) -> float | None:
    """``σ`` of a growth distribution that is ``μ + σ z`` in its normal score, else None."""
    if dist.kind == "fixed":
        return 0.0
    if dist.kind == "normal" and dist.lo == -math.inf and dist.hi == math.inf:
        return float(dist.params[1])
    return None


def smoothing_plan(scenario: Scenario, corr_root: np.ndarray,
                   figures: tuple[FigureSpec, ...]) -> SmoothingPlan | str:
    """The smoothing of P(met), or the reason it does not apply (a sentence).

    Chooses, among sectors with a normal growth distribution, the lane that moves GDP
    most: the largest ``Σ_j share_j |dg_j/dξ*|``.
    """
    sc = scenario
    k = sc.target_year - sc.base_year - 1
    late = [f for f in figures if f.quantity == "va" and math.isfinite(f.sd) and f.year > k + 1]
    if late:
        return (f"published value-added figures after the target year ({late[0].label}) "
                "depend on target-year growth non-linearly")
    scales = [_linear_scale(s.growth) for s in sc.sectors]
    shares = np.array([s.share for s in sc.sectors])
    best: tuple[float, SmoothingPlan] | None = None
    for i, s in enumerate(sc.sectors):
        if not scales[i]:
            continue
        column = corr_root[:, i]
        moved = np.abs(column) > 1e-15
        if any(scales[j] is None for j in np.nonzero(moved)[0]):
            continue
        persistence = np.array([s.persistence for s in sc.sectors])
        damp = np.ones(len(sc.sectors)) if k == 0 else np.sqrt(1.0 - persistence ** 2)
        slope = np.where(moved, column * damp * np.array([x or 0.0 for x in scales]), 0.0)
        score = float(np.sum(shares * np.abs(slope)))
        if best is None or score > best[0]:
            best = (score, SmoothingPlan(i, k, slope, Latent("growth", i, k)))
    if best is None:
        return ("no sector's growth is a normal distribution whose correlated sectors are "
                "all normal too")
    return best[1]


def affine_growth(sp: SmoothingPlan, organic_post: np.ndarray, growth: np.ndarray,
                  before: np.ndarray) -> np.ndarray:
    """``d(level ratio)/dξ*`` per replication: ``Σ_j K_j dg_j/dξ* / before``.

    Parameters
    ----------
    sp : SmoothingPlan
    organic_post : numpy.ndarray
        ``(R, S, 12)`` organic value added after shocks in the target year's months
        (only the months the quantity sums), 亿元.
    growth : numpy.ndarray
        ``(R, S)`` the sectors' target-year growth draws.
    before : numpy.ndarray
        ``(R,)`` the same quantity in the previous year (the growth denominator), 亿元.

    Returns
    -------
    numpy.ndarray
        ``(R,)`` the slope ``B`` of ``G = A + B ξ*``.
    """
    k = organic_post.sum(axis=2) / (1.0 + growth)  # (R,S): value added per unit of 1 + g
    return (k @ sp.slope) / before


def xi_star(sp: SmoothingPlan, scenario: Scenario, seed: int, start: int, n: int,
            latent: np.ndarray, tilt: Tilt | None) -> np.ndarray:
    """The value of ``ξ*`` each replication used (after the tilt, when it moves it)."""
    if tilt is not None and sp.latent in tilt.latents:
        xi, _ = tilt.apply(latent)
        return xi[:, tilt.latents.index(sp.latent)]
    sector = scenario.sectors[sp.sector].id
    return Streams(seed, start, n).normal(f"sector:{sector}",
                                          f"growth@{scenario.base_year + 1 + sp.year}")


@dataclass(frozen=True)
class Posterior:
    """``ξ*`` given everything else and the figures: ``N(mean, sd²)``, and ``log ∫ p L``."""

    mean: np.ndarray  # (R,)
    sd: np.ndarray  # (R,)
    log_evidence: np.ndarray  # (R,) log ∫ p(ξ*) L(y | ξ*, rest) dξ*, constants dropped


def posterior(figures: tuple[FigureSpec, ...], model: np.ndarray, slopes: np.ndarray,
              xi: np.ndarray) -> Posterior:
    """Combine the prior ``N(0, 1)`` of ``ξ*`` with the figures, affine in it.

    Parameters
    ----------
    figures : tuple of FigureSpec
    model : numpy.ndarray
        ``(R, K)`` the model's value of each figure in each replication.
    slopes : numpy.ndarray
        ``(R, K)`` ``d ŷ_k / dξ*`` (0 for figures that do not depend on it).
    xi : numpy.ndarray
        ``(R,)`` the replication's ``ξ*``.
    """
    n = xi.shape[0]
    precision = np.ones(n)
    lin = np.zeros(n)
    quad = np.zeros(n)
    for k, f in enumerate(figures):
        if not math.isfinite(f.sd):
            continue
        resid = f.value - (model[:, k] - slopes[:, k] * xi)  # y − c
        inv = 1.0 / (f.sd * f.sd)
        precision += slopes[:, k] ** 2 * inv
        lin += slopes[:, k] * resid * inv
        quad += resid * resid * inv
    mean = lin / precision
    log_evidence = -0.5 * quad + 0.5 * mean * mean * precision - 0.5 * np.log(precision)
    return Posterior(mean, 1.0 / np.sqrt(precision), log_evidence)


def rest_log_ratio(tilt: Tilt | None, latent: np.ndarray, sp: SmoothingPlan,
                   log_prior_ratio: np.ndarray) -> np.ndarray:
    """``log p(ξ_rest) − log q(ξ_rest)``: the proposal's ratio without ``ξ*``.

    Without a tilt, or when the tilt does not move ``ξ*``, it is the whole ratio.
    """
    if tilt is None or sp.latent not in tilt.latents:
        return log_prior_ratio
    j = tilt.latents.index(sp.latent)
    keep = [i for i in range(len(tilt.latents)) if i != j]
    xi, _ = tilt.apply(latent)
    rest = xi[:, keep]
    cov = (tilt.chol @ tilt.chol.T)[np.ix_(keep, keep)]
    centred = rest - tilt.mean[keep][None, :]
    root = np.linalg.cholesky(cov)
    scaled = np.linalg.solve(root, centred.T).T
    return 0.5 * (np.einsum("rj,rj->r", scaled, scaled) - np.einsum("rj,rj->r", rest, rest))


def conditional_probability(level_a: np.ndarray, slope: np.ndarray, post: Posterior,
                            threshold: float, met: np.ndarray) -> np.ndarray:
    """``P(A + B ξ* ≥ t)`` for ``ξ* ~ N(mean, sd²)`` per replication.

    ``level_a`` is ``A`` (growth at ``ξ* = 0``); where ``B = 0`` the indicator ``met``
    stands (nothing to integrate).
    """
    scale = np.abs(slope) * post.sd
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (level_a + slope * post.mean - threshold) / scale
    return np.where(scale > 0, special.ndtr(z), met.astype(float))
