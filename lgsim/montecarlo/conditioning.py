"""Conditioning on published figures: a pilot, a Gaussian proposal, importance weights.

A conditioned run (a scenario with ``[actuals]``) estimates the *posterior*: the model's
joint distribution given every published figure, each an observation ``y = ŷ + e`` with
``e ~ N(0, sd²)``. The method (``docs/conditioning.md``):

1. **Pilot.** :data:`PILOT_REPLICATIONS` replications from the prior, on a seed derived
   from the run's (so they are independent of the run's own replications), give the
   latent standard normals ``η`` the figures depend on (sector growth copula, within-year
   deviations) and the model's value ``ŷ`` of every figure.
2. **Checks.** A figure the model cannot produce (more than :data:`MAX_Z` sds from the
   pilot's predictive distribution, alone or given the other figures) is refused with
   one line naming it.
3. **Proposal.** Least squares ``ŷ ≈ a + B η`` gives a linear-Gaussian model of the
   figures; its exact Gaussian posterior ``η | y ~ N(m, C)`` is the proposal of the run
   (``ξ = m + L η``, ``L Lᵀ = C``, :class:`lgsim.engine.observe.Tilt`). The residual
   covariance of the fit is added to the figures' noise, so the proposal is wider than
   the posterior where the model is not linear.
4. **Weights.** Every replication of the run carries ``log w = log p(ξ) − log q(ξ) +
   log p(y | ŷ)`` with its exact, fully simulated ``ŷ`` (computed in the chunk). The
   self-normalised weighted replications converge to the posterior whatever the quality
   of the proposal; a good proposal keeps the effective sample size high.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis import Probability, probability
from ..engine import Plan, compile_plan
from ..engine.observe import FigureSpec, Tilt
from ..i18n import _
from ..scenario import Scenario, ScenarioError

#: Replications of the pilot run (drawn from the prior).
PILOT_REPLICATIONS = 500
#: A figure further than this many sds from what the model can produce is refused.
MAX_Z = 10.0
#: The proposal is the prior when its shift and scale differ from it by less than this.
_IDENTITY_TOL = 1e-12


def pilot_seed(seed: int) -> int:
    """The seed of a run's pilot: derived from the run's, independent of its streams."""
    h = hashlib.blake2b(f"{int(seed)}\x1fpilot".encode(), digest_size=8,
                        person=b"lgsim-pilot-v1")
    return int.from_bytes(h.digest(), "little") >> 1


@dataclass(frozen=True)
class Pilot:
    """The pilot's replications: latent normals ``(R, J)``, figures ``(R, K)``, growth."""

    latent: np.ndarray
    figures: np.ndarray
    growth: np.ndarray


@dataclass(frozen=True)
class Conditioning:
    """How a run conditions on published figures.

    Attributes
    ----------
    tilt : Tilt or None
        The proposal of the run's latent normals (None: the prior, e.g. when no figure is
        informative).
    prior : Probability or None
        P(target met) under the prior, from the pilot's replications.
    pilot_replications : int
        Replications of the pilot (0 without one).
    """

    tilt: Tilt | None
    prior: Probability | None
    pilot_replications: int

    def record(self) -> dict[str, Any]:
        """Plain data for the results' attributes and ``summary.json``."""
        return {
            "method": "importance sampling from a Gaussian proposal of the latent normals, "
                      "fitted on a pilot from the prior",
            "pilot_replications": self.pilot_replications,
            "latents_tilted": 0 if self.tilt is None else len(self.tilt.latents),
            "prior_p_target_met": None if self.prior is None else self.prior.estimate,
            "prior_p_target_met_ci": None if self.prior is None else [self.prior.low,
                                                                      self.prior.high],
        }


def informative(figures: Sequence[FigureSpec]) -> list[int]:
    """Indices of the figures that carry information (finite sd)."""
    return [k for k, f in enumerate(figures) if np.isfinite(f.sd)]


def check_figures(plan: Plan, pilot: Pilot) -> None:
    """Refuse figures the model cannot produce, alone or together (one line, naming them).

    Each figure's predictive distribution is the pilot's (mean and variance of ``ŷ``)
    plus its own noise; a figure more than :data:`MAX_Z` sds from it is impossible under
    the model. With several figures, each is also checked given the others (Gaussian
    conditioning of the joint predictive): figures that each look possible but cannot
    all be true (GDP +10% while every sector shrinks) are refused too.
    """
    keep = informative(plan.figures)
    if not keep:
        return
    figs = [plan.figures[k] for k in keep]
    sim = pilot.figures[:, keep]
    y = np.array([f.value for f in figs])
    mean = sim.mean(axis=0)
    cov = np.atleast_2d(np.cov(sim, rowvar=False)) + np.diag([f.sd ** 2 for f in figs])
    for k, f in enumerate(figs):
        z = (y[k] - mean[k]) / np.sqrt(cov[k, k])
        if abs(z) > MAX_Z:
            raise _impossible(plan, f, f"{mean[k]:.4g} ± {np.sqrt(cov[k, k]):.3g}", z)
    if len(figs) > 1:
        precision = np.linalg.pinv(cov)
        for k, f in enumerate(figs):
            # conditional predictive of figure k given the others, from the joint precision
            var = 1.0 / precision[k, k]
            cond = y[k] - var * (precision[k] @ (y - mean))
            z = (y[k] - cond) / np.sqrt(var)
            if abs(z) > MAX_Z:
                others = ", ".join(g.path for j, g in enumerate(figs) if j != k)
                raise _impossible(plan, f, f"{cond:.4g} ± {np.sqrt(var):.3g} given {others}",
                                  z)


def _impossible(plan: Plan, f: FigureSpec, predictive: str, z: float) -> ScenarioError:
    return ScenarioError(
        plan.scenario.file, f.path,
        _("a figure the model can produce (within {MAX_Z:g} sd of its predictive {predictive})")
        .format(MAX_Z=MAX_Z, predictive=predictive),
        _("{value:g}, {z:.0f} sd away (the model gives it no likelihood: check the figure, its "
          "sd, or the scenario)").format(value=f.value, z=abs(z)),
    )


def fit_tilt(plan: Plan, pilot: Pilot) -> Tilt | None:
    """The Gaussian proposal of the latent normals given the informative figures.

    Returns None when it equals the prior (no informative figure, or none that the
    latent normals move).
    """
    keep = informative(plan.figures)
    n, j = pilot.latent.shape
    if not keep or j == 0:
        return None
    x = np.column_stack([np.ones(n), pilot.latent])
    sim = pilot.figures[:, keep]
    try:  # the normal equations: the design is a constant and independent normals
        coef = np.linalg.solve(x.T @ x, x.T @ sim)
    except np.linalg.LinAlgError:
        coef, *_rest = np.linalg.lstsq(x, sim, rcond=None)
    a, b = coef[0], coef[1:].T  # (K,), (K, J)
    resid = sim - x @ coef
    noise = np.atleast_2d(resid.T @ resid / max(n - j - 1, 1))
    noise = noise + np.diag([plan.figures[k].sd ** 2 for k in keep])
    y = np.array([plan.figures[k].value for k in keep])
    inv_noise_b = np.linalg.solve(noise, b)  # R⁻¹ B
    cov = np.linalg.inv(np.eye(j) + b.T @ inv_noise_b)
    cov = 0.5 * (cov + cov.T)
    mean = cov @ (inv_noise_b.T @ (y - a))
    if np.abs(mean).max() < _IDENTITY_TOL and np.abs(cov - np.eye(j)).max() < _IDENTITY_TOL:
        return None
    return Tilt(plan.latents, mean, np.linalg.cholesky(cov))


def prior_probability(scenario: Scenario, pilot: Pilot) -> Probability:
    """P(target met) under the prior, from the pilot's replications."""
    return probability(scenario.target.met(pilot.growth), scenario.target.rule())


def conditioning_plan(scenario: Scenario) -> Plan:
    """The compiled plan of a conditioned scenario (its figures and latent normals)."""
    return compile_plan(scenario)
