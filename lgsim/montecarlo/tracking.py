"""One set of replications for a whole track of as-of states (the monthly tracker).

A track conditions on a growing set of published figures, month by month
(``docs/tracker.md``). Every month is estimated from the **same** replications, so the
change from one month to the next — and each release's part of it — is measured on
common random numbers, with no simulation noise between months.

The replications come from a *defensive mixture* of Gaussian proposals of the latent
normals (the method of ``docs/conditioning.md``, once per distinct state): the prior and,
for every distinct set of figures the track conditions on, the proposal fitted to it on
a pilot. Chunk ``k`` is drawn from component ``k mod C`` (fixed chunks, so the
assignment depends on neither the worker count nor the order chunks finish in). Each
replication carries the model's value of every figure ``ŷ`` and the log of
``p(ξ) / q(ξ)``, where ``q = Σ_c π_c q_c`` is the whole mixture (``π_c`` the share of
replications from component ``c``; the balance heuristic of multiple importance
sampling). The weights of any state ``t`` are then

    w_t ∝ p(ξ) / q(ξ) × Π_{k known at t} L_k(y_k | ŷ_k)

— valid for every state at once, whichever component a replication came from; each
component keeps the effective sample size high for the states near it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import Plan, compile_plan
from ..engine.observe import Tilt
from ..engine.smoothing import SmoothingPlan
from ..scenario import Scenario
from .conditioning import PILOT_REPLICATIONS, Pilot, check_figures, fit_tilt, pilot_seed
from .executors import Chunk
from .runner import ChunkTask, RunSettings, Variant, chunks_for, simulate

#: Arrays a track keeps of every replication.
TRACK_ARRAYS = ("latent", "figure_model", "growth", "va", "street_va", "fai",
                "industrial_fai", "smooth_xi", "smooth_slope", "figure_slope")


@dataclass(frozen=True)
class TrackDraws:
    """The replications of a track.

    Attributes
    ----------
    arrays : dict of numpy.ndarray
        ``figure_model`` (R, K) the model's value of every figure (fractions), and the
        quantities targets are judged on: ``growth`` (R, Y + 1), ``va`` (R, Y + 1, S),
        ``street_va`` (with street data), ``fai`` / ``industrial_fai`` (R, Y + 1; with an
        FAI model), in 亿元 or fractions as :mod:`lgsim.results` lists them.
    log_base : numpy.ndarray
        ``(R,)`` ``log p(ξ) − log q(ξ)`` of each replication (constants dropped).
    log_base_rest : numpy.ndarray or None
        ``(R,)`` the same ratio without ``ξ*``, the normal the conditional Monte Carlo
        estimate of P(target met) integrates out (:mod:`lgsim.engine.smoothing`); None
        when the scenario does not allow that estimate.
    component : numpy.ndarray
        ``(R,)`` the mixture component each replication came from.
    components : int
        Components of the mixture (the prior is component 0).
    pilot_replications : int
    """

    arrays: dict[str, np.ndarray]
    log_base: np.ndarray
    component: np.ndarray
    components: int
    pilot_replications: int
    log_base_rest: np.ndarray | None = None


def pilot(scenario: Scenario, settings: RunSettings, *, executor: str | None = None,
          scheduler: str | None = None) -> Pilot:
    """The pilot replications from the prior (latent normals and figures)."""
    chunks = chunks_for(PILOT_REPLICATIONS, settings.chunk_size)
    task = ChunkTask(pilot_seed(settings.seed), ("latents",),
                     select=("latent", "figure_model", "target_growth"))
    parts = dict(simulate((scenario,), (Variant(0),), chunks, task, settings,
                          executor=executor, scheduler=scheduler))
    return Pilot(*(np.concatenate([parts[c.index][k] for c in chunks])
                   for k in ("latent", "figure_model", "target_growth")))


def masked(plan: Plan, known: Sequence[int]) -> Plan:
    """The plan with only the figures ``known`` informative (the others sd = inf)."""
    keep = set(known)
    figures = tuple(f if k in keep else f._replace(sd=np.inf)
                    for k, f in enumerate(plan.figures))
    return dataclasses.replace(plan, figures=figures)


def mixture(plan: Plan, states: Sequence[Sequence[int]], gaussian: Sequence[int],
            pilot_draws: Pilot) -> list[Tilt | None]:
    """The components: the prior, then the proposal of each distinct state.

    ``states`` lists the figures known in each as-of state; only the ``gaussian`` ones
    (not bounds) enter a proposal. Figures the model cannot produce are refused here
    (:func:`check_figures`, one line naming the figure).
    """
    check_figures(masked(plan, gaussian), pilot_draws)
    tilts: list[Tilt | None] = [None]
    seen: set[tuple[int, ...]] = {()}
    for state in states:
        key = tuple(sorted(set(state) & set(gaussian)))
        if key in seen:
            continue
        seen.add(key)
        tilt = fit_tilt(masked(plan, key), pilot_draws) if plan.latents else None
        if tilt is not None:
            tilts.append(tilt)
    return tilts


def simulate_track(scenario: Scenario, settings: RunSettings, tilts: Sequence[Tilt | None],
                   *, executor: str | None = None, scheduler: str | None = None
                   ) -> TrackDraws:
    """Simulate the track's replications from the mixture of ``tilts``.

    Parameters
    ----------
    scenario : Scenario
        The scenario whose ``actuals`` are every figure of the track.
    settings : RunSettings
        Replications, seed, chunk size and workers (results are identical for any
        worker count and executor).
    tilts : sequence of Tilt or None
        The mixture's components (None: the prior).
    """
    n_comp = len(tilts)
    chunks = [Chunk(c.index, c.start, c.size, c.index % n_comp) for c in settings.chunks]
    select = tuple(k for k in TRACK_ARRAYS if k != "street_va" or scenario.street_data)
    task = ChunkTask(settings.seed, ("latents", "smoothing"), select=select)
    stream = simulate((scenario,) * n_comp, tuple(Variant(c) for c in range(n_comp)), chunks,
                      task, settings, tilts=tuple(tilts), executor=executor,
                      scheduler=scheduler)
    parts = dict(stream)
    n = sum(c.size for c in chunks)
    arrays = {k: np.concatenate([parts[c.index][k] for c in chunks])
              for k in parts[chunks[0].index]}
    if "figure_model" not in arrays:
        arrays["figure_model"] = np.zeros((n, 0))
    component = np.concatenate([np.full(c.size, c.variant) for c in chunks])
    latent = arrays.pop("latent", np.zeros((n, 0)))
    log_base = mixture_log_ratio(latent, component, tilts)
    rest = None
    sp = plan_of(scenario).smoothing
    if isinstance(sp, SmoothingPlan) and "smooth_xi" in arrays:
        latents = next((t.latents for t in tilts if t is not None), ())
        drop = latents.index(sp.latent) if sp.latent in latents else None
        rest = log_base if drop is None else mixture_log_ratio(latent, component, tilts, drop)
    pilot_n = PILOT_REPLICATIONS if any(t is not None for t in tilts) else 0
    return TrackDraws(arrays, log_base, component, n_comp, pilot_n, rest)


def mixture_log_ratio(eta: np.ndarray, component: np.ndarray,
                      tilts: Sequence[Tilt | None], drop: int | None = None) -> np.ndarray:
    """``log p(ξ) − log Σ_c π_c q_c(ξ)`` of each replication (constants dropped).

    ``eta`` are the prior normals ``(R, J)`` of the latents; a replication of component
    ``c`` used ``ξ = m_c + L_c η``. ``π_c`` is the share of replications from ``c``.
    With ``drop = j`` the densities are the marginals of the other latents (latent ``j``
    integrated out): the ratio of the conditional Monte Carlo estimator.
    """
    n, j = eta.shape
    if j == 0 or all(t is None for t in tilts):
        return np.zeros(n)
    xi = eta.copy()
    for c, tilt in enumerate(tilts):
        rows = component == c
        if tilt is not None and rows.any():
            xi[rows] = tilt.mean[None, :] + eta[rows] @ tilt.chol.T
    keep = [i for i in range(j) if i != drop]
    rest = xi[:, keep]
    log_p = -0.5 * np.einsum("rj,rj->r", rest, rest)
    shares = np.bincount(component, minlength=len(tilts)) / n
    terms = []
    for c, tilt in enumerate(tilts):
        if shares[c] == 0:
            continue
        if tilt is None:
            log_q = log_p
        else:
            root = (tilt.chol if drop is None else
                    np.linalg.cholesky((tilt.chol @ tilt.chol.T)[np.ix_(keep, keep)]))
            z = np.linalg.solve(root, (rest - tilt.mean[keep][None, :]).T).T
            log_q = -0.5 * np.einsum("rj,rj->r", z, z) - np.log(np.diag(root)).sum()
        terms.append(np.log(shares[c]) + log_q)
    stacked = np.vstack(terms)
    top = stacked.max(axis=0)
    log_mix = top + np.log(np.exp(stacked - top).sum(axis=0))
    return log_p - log_mix


def plan_of(scenario: Scenario) -> Plan:
    """The compiled plan of a track's scenario (its figures and latent normals)."""
    return compile_plan(scenario)
