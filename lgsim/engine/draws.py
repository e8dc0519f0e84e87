"""All random draws of one chunk of replications, from entity-keyed streams.

Each field of each entity draws from its own lane (:mod:`lgsim.engine.streams`); a batch draws
each field for all its members from one lane of width ``count``. Every draw is
``ppf(u)`` of one uniform (docs/model.md, rule 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from ..scenario.distributions import PERT_LAMBDA, Dist
from ..scenario.model import ProjectSpec
from ._beta import beta_cdf
from .observe import Latent, Tilt
from .plan import Plan
from .streams import Streams


@dataclass
class Draws:
    """Per-replication draws for a chunk; arrays have the replication as first axis.

    Amounts in 亿元 (nominal), times in months, growth as fractions.
    """

    growth: np.ndarray  # (R, S, Y) annual organic growth, years base+1..end
    deviation: np.ndarray  # (R, S, M) within-year deviations e
    total: np.ndarray  # (R, P) total investment
    execution: np.ndarray  # (R, P)
    ready: np.ndarray  # (R, P) planned start (or landing) + delay; NaN = never
    planned: np.ndarray  # (R, P) planned start (pipeline: landing); NaN = never
    duration: np.ndarray  # (R, P)
    land_ha: np.ndarray  # (R, P)
    annual_output: np.ndarray  # (R, P) 亿元 a year at full ramp (base-year prices)
    ramp: np.ndarray  # (R, P)
    additionality: np.ndarray  # (R, P)
    sector: np.ndarray  # (R, P) int sector index
    street: np.ndarray  # (R, P) int street index, -1 = spread by street shares
    curve_a: np.ndarray  # (P,)
    curve_b: np.ndarray  # (P,)
    landing: np.ndarray  # (R, L_pipe) landing month of pipeline entries; NaN = not landed
    shock_occurs: np.ndarray  # (R, H) bool
    shock_start: np.ndarray  # (R, H)
    shock_duration: np.ndarray  # (R, H)
    shock_impact: np.ndarray  # (R, H, S) impact fraction per sector (0 where not named)
    land_hectares: np.ndarray  # (R, L) hectares delivered in total by each land task
    latent: np.ndarray  # (R, J) prior normals η of the plan's latents (before any tilt)
    log_prior_ratio: np.ndarray  # (R,) log p(ξ) − log q(ξ) of the tilt (0 without one)
    fai_growth: np.ndarray  # (R, Q, Y) organic FAI growth of each part (Q = 0 without FAI)
    local_share: np.ndarray  # (R,) share of indirect purchases made in the district


def exact_ppf(dist: Dist, u: np.ndarray) -> np.ndarray:
    """``dist.ppf(u)``: the scenario's inverse CDF as written (scipy for Beta shapes)."""
    return dist.ppf(u)


def fast_ppf(dist: Dist, u: np.ndarray) -> np.ndarray:
    """``dist.ppf(u)`` with PERT and Beta inverses from :mod:`.beta` (same to ~1e-15).

    ``scipy.special.betaincinv`` costs about 2.4 µs a value; PERT durations and Beta
    execution ratios are drawn for every batch member of every replication.
    Truncated distributions and every other kind use ``dist.ppf`` unchanged.
    """
    if dist.lo == -math.inf and dist.hi == math.inf:
        p = dist.params
        if dist.kind == "pert" and p[2] > p[0]:
            lo, mode, hi = p  # shape as lgsim.scenario.distributions (λ = PERT_LAMBDA)
            a = 1.0 + PERT_LAMBDA * (mode - lo) / (hi - lo)
            b = 1.0 + PERT_LAMBDA * (hi - mode) / (hi - lo)
            return lo + (hi - lo) * beta_cdf(a, b).ppf(np.asarray(u, dtype=float))
        if dist.kind == "beta":
            return beta_cdf(p[0], p[1]).ppf(np.asarray(u, dtype=float))
    return dist.ppf(u)


def _categorical(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    cum = np.cumsum(weights)
    cum[-1] = 1.0
    return np.minimum(np.searchsorted(cum, u, side="right"), len(weights) - 1)


class _Lanes:
    """The chunk's streams and the inverse CDF every draw goes through."""

    def __init__(self, st: Streams, ppf: Callable[[Dist, np.ndarray], np.ndarray]) -> None:
        self.st = st
        self.ppf = ppf

    def draw(self, entity: str, field: str, dist: Dist, width: int = 1) -> np.ndarray:
        """``ppf(dist, u)`` of the lane ``(entity, field)``."""
        return self.ppf(dist, self.st.uniform(entity, field, width))


@dataclass
class _SlotDraws:
    """Per-slot arrays ``(R, P)`` filled entity by entity (see :class:`Draws`)."""

    total: np.ndarray
    execution: np.ndarray
    planned: np.ndarray
    delay: np.ndarray
    duration: np.ndarray
    land: np.ndarray
    output: np.ndarray
    ramp: np.ndarray
    addl: np.ndarray
    stall: np.ndarray
    sector: np.ndarray
    street: np.ndarray

    @classmethod
    def empty(cls, n: int, n_slots: int) -> _SlotDraws:
        shape = (n, n_slots)
        return cls(
            total=np.zeros(shape), execution=np.ones(shape), planned=np.full(shape, np.nan),
            delay=np.zeros(shape), duration=np.ones(shape), land=np.zeros(shape),
            output=np.full(shape, np.nan), ramp=np.zeros(shape), addl=np.ones(shape),
            stall=np.zeros(shape, dtype=bool), sector=np.zeros(shape, dtype=np.int16),
            street=np.full(shape, -1, dtype=np.int16),
        )

    def common(self, lanes: _Lanes, col: slice | int, entity: str, spec: ProjectSpec,
               width: int = 1) -> None:
        """The fields every project, batch member and pipeline entry draws alike.

        ``col`` is one slot (an int) or a batch's members (a slice of ``width`` slots,
        also when the batch has one member).
        """

        def fit(x: np.ndarray) -> np.ndarray:
            return x.reshape(x.shape[0], width) if isinstance(col, slice) else x

        self.execution[:, col] = fit(lanes.draw(entity, "execution", spec.execution, width))
        self.duration[:, col] = fit(lanes.draw(entity, "duration_months",
                                               spec.duration_months, width))
        self.ramp[:, col] = fit(lanes.draw(entity, "ramp_months", spec.ramp_months, width))
        # additionality is a property of the whole batch (what its spending displaces),
        # one draw for all its members: independent draws would average its uncertainty away
        addl = lanes.draw(entity, "additionality", spec.additionality)
        self.addl[:, col] = addl[:, None] if isinstance(col, slice) else addl
        self.stall[:, col] = fit(lanes.st.uniform(entity, "stall", width) < spec.p_stall)


class _Normals(NamedTuple):
    """The prior standard normals the tilt of a conditioned run may shift."""

    growth: np.ndarray  # (R, S, Y) sector growth lanes
    monthly: dict[int, np.ndarray]  # sector index -> (R, M) within-year lanes
    fai: np.ndarray  # (R, Q, Y) organic FAI growth lanes of each part


class _SectorDraws(NamedTuple):
    growth: np.ndarray  # (R, S, Y) annual organic growth
    deviation: np.ndarray  # (R, S, M) within-year deviations


#: Lane entity of each organic FAI part (:class:`lgsim.engine.plan.FaiPlan`).
FAI_ENTITIES = ("economy:fai", "economy:industrial_fai")


def _raw_normals(plan: Plan, lanes: _Lanes) -> _Normals:
    """The prior standard normals: sector growth, within-year deviations, FAI growth."""
    sc = plan.scenario
    st = lanes.st
    years = range(sc.base_year + 1, sc.end_year + 1)
    z = np.empty((st.n, len(sc.sectors), len(years)))
    for j, s in enumerate(sc.sectors):
        for k, y in enumerate(years):
            z[:, j, k] = st.normal(f"sector:{s.id}", f"growth@{y}")
    monthly = {
        j: np.concatenate([st.normal(f"sector:{s.id}", f"monthly@{y}", 12) for y in years],
                          axis=1)
        for j, s in enumerate(sc.sectors) if s.monthly_sd > 0
    }
    parts = 0 if plan.fai is None else plan.fai.parts
    fai = np.empty((st.n, parts, len(years)))
    for q in range(parts):
        for k, y in enumerate(years):
            fai[:, q, k] = st.normal(FAI_ENTITIES[q], f"growth@{y}")
    return _Normals(z, monthly, fai)


def _tilted(plan: Plan, normals: _Normals, tilt: Tilt | None) -> tuple[np.ndarray, np.ndarray]:
    """Gather the plan's latents ``η``; with a tilt, write ``ξ = m + L η`` back in place.

    Returns ``(η, log importance ratio)``.
    """
    def cell(lat: Latent) -> tuple[np.ndarray, tuple]:
        if lat.kind == "growth":
            return normals.growth, (slice(None), lat.sector, lat.index)
        if lat.kind == "fai":
            return normals.fai, (slice(None), lat.sector, lat.index)
        return normals.monthly[lat.sector], (slice(None), lat.index)

    n = normals.growth.shape[0]
    eta = np.empty((n, len(plan.latents)))
    for i, lat in enumerate(plan.latents):
        array, where = cell(lat)
        eta[:, i] = array[where]
    if tilt is None:
        return eta, np.zeros(n)
    if tilt.latents != plan.latents:
        raise ValueError("the tilt was fitted for other latent normals than this plan's")
    xi, log_ratio = tilt.apply(eta)
    for i, lat in enumerate(plan.latents):
        array, where = cell(lat)
        array[where] = xi[:, i]
    return eta, log_ratio


def _ar1(z: np.ndarray, phi: float) -> np.ndarray:
    """AR(1) with a stationary start over the last axis of standard normals ``z``."""
    u = z[..., 0]
    cols = [u]
    for k in range(1, z.shape[-1]):
        u = phi * u + np.sqrt(1 - phi * phi) * z[..., k]
        cols.append(u)
    return np.stack(cols, axis=-1)


def _sector_draws(plan: Plan, lanes: _Lanes, normals: _Normals) -> _SectorDraws:
    """Annual organic growth ``(R, S, Y)`` and within-year deviations ``(R, S, M)``.

    The growth copula (rule 2): independent normals per sector lane, mixed across
    sectors by the correlation root, AR(1) across years with a stationary start, mapped
    through each sector's marginal. Deviations: AR(1) over months with ``monthly_sd``.
    A conditioned run has already tilted the normals the published figures depend on.
    """
    sc = plan.scenario
    n, n_sec, n_years = normals.growth.shape
    z = np.einsum("ij,rjk->rik", plan.corr_root, normals.growth)
    growth = np.empty_like(z)
    dev = np.zeros((n, n_sec, 12 * n_years))
    for j, s in enumerate(sc.sectors):
        growth[:, j, :] = lanes.ppf(s.growth, special.ndtr(_ar1(z[:, j, :], s.persistence)))
        if s.monthly_sd > 0:
            e = normals.monthly[j]
            rho = s.monthly_persistence
            innov = np.sqrt(1 - rho * rho)
            x = e[:, 0]
            dev[:, j, 0] = x
            for m in range(1, e.shape[1]):
                x = rho * x + innov * e[:, m]
                dev[:, j, m] = x
            dev[:, j, :] *= s.monthly_sd
    return _SectorDraws(growth, dev)


def _fai_growth(plan: Plan, lanes: _Lanes, normals: _Normals) -> np.ndarray:
    """Organic FAI growth of each part ``(R, Q, Y)``: AR(1) normals through each marginal."""
    out = np.empty_like(normals.fai)
    if plan.fai is None:
        return out
    for q, dist in enumerate(plan.fai.growth):
        out[:, q, :] = lanes.ppf(dist, special.ndtr(_ar1(normals.fai[:, q, :],
                                                         plan.fai.persistence)))
    return out


def _single_draws(plan: Plan, lanes: _Lanes, out: _SlotDraws) -> None:
    """Projects and pipeline entries: one slot each (pipeline starts come later)."""
    sc = plan.scenario
    sector_ids = [s.id for s in sc.sectors]
    street_ids = [s.id for s in sc.streets]
    for i, slot in enumerate(plan.slots):
        spec = slot.spec
        if slot.kind == "batch":
            continue
        entity = f"{slot.kind}:{slot.id}"
        out.common(lanes, i, entity, spec)
        out.total[:, i] = lanes.draw(entity, "total_investment", spec.total_investment)
        out.delay[:, i] = lanes.draw(entity, "start_delay_months", spec.start_delay_months)
        out.land[:, i] = lanes.draw(entity, "land_ha", spec.land_ha)
        if spec.annual_output is not None:
            out.output[:, i] = lanes.draw(entity, "annual_output", spec.annual_output)
        out.sector[:, i] = sector_ids.index(spec.sector)
        if spec.street is not None:
            out.street[:, i] = street_ids.index(spec.street)
        if slot.kind == "project":
            out.planned[:, i] = spec.planned_start


def _pipeline_landings(plan: Plan, lanes: _Lanes, out: _SlotDraws) -> np.ndarray:
    """Landing month of each pipeline entry ``(R, L)`` (NaN: does not land in the horizon).

    An entry lands with its probability at ``signed + land_delay_months`` (rule 9); a
    landing before the horizon starts or after it ends has no effect.
    """
    sc = plan.scenario
    n = lanes.st.n
    landing = np.full((n, len(sc.pipelines)), np.nan)
    horizon = float(sc.horizon_months)
    for k, pl in enumerate(sc.pipelines):
        i = next(j for j, s in enumerate(plan.slots) if s.kind == "pipeline" and s.id == pl.id)
        entity = f"pipeline:{pl.id}"
        lands = lanes.st.uniform(entity, "lands") < pl.probability
        when = pl.signed + lanes.draw(entity, "land_delay_months", pl.land_delay_months)
        # landing before the horizon: already part of the base-year economy (its value
        # added is in the base-year GDP and grows with organic growth), so no effect
        when = np.where(lands & (when >= 0.0) & (when < horizon), when, np.nan)
        landing[:, k] = when
        out.planned[:, i] = when
    return landing


def _batch_draws(plan: Plan, lanes: _Lanes, out: _SlotDraws) -> None:
    """Batch members: Dirichlet size shares of the batch totals, mixed sectors and streets."""
    sc = plan.scenario
    st = lanes.st
    n = st.n
    sector_ids = [s.id for s in sc.sectors]
    street_ids = [s.id for s in sc.streets]
    for b in sc.batches:
        sl = plan.batch_slices[b.id]
        entity = f"batch:{b.id}"
        spec = b.template
        count = b.count
        out.common(lanes, sl, entity, spec, count)
        shares = _dirichlet_shares(b.size_concentration,
                                   st.uniform(entity, "size", count).reshape(n, count))
        batch_total = lanes.draw(entity, "total_investment", spec.total_investment)
        out.total[:, sl] = shares * batch_total[:, None]
        out.land[:, sl] = shares * lanes.draw(entity, "land_ha", spec.land_ha)[:, None]
        if spec.annual_output is not None:
            out.output[:, sl] = (
                shares * lanes.draw(entity, "annual_output", spec.annual_output)[:, None]
            )
        u_delay = st.uniform(entity, "start_delay_months", count).reshape(n, count)
        rho = b.delay_correlation
        if rho > 0:
            zc = st.normal(entity, "delay_common")[:, None]
            u_delay = special.ndtr(np.sqrt(rho) * zc + np.sqrt(1 - rho) * special.ndtri(u_delay))
        out.delay[:, sl] = lanes.ppf(spec.start_delay_months, u_delay)
        mix_ids = [sector_ids.index(k) for k, _ in b.sector_mix]
        pick = _categorical(
            st.uniform(entity, "sector", count), np.array([w for _, w in b.sector_mix])
        )
        out.sector[:, sl] = np.asarray(mix_ids)[pick].reshape(n, count)
        if b.street_mix is not None:
            mix_st = [street_ids.index(k) for k, _ in b.street_mix]
            pick = _categorical(
                st.uniform(entity, "street", count), np.array([w for _, w in b.street_mix])
            )
            out.street[:, sl] = np.asarray(mix_st)[pick].reshape(n, count)
        elif spec.street is not None:
            out.street[:, sl] = street_ids.index(spec.street)
        out.planned[:, sl] = spec.planned_start


def _dirichlet_shares(alpha: float, u: np.ndarray) -> np.ndarray:
    """Symmetric Dirichlet(α) shares ``(R, N)`` from uniforms: normalised Gamma(α) draws.

    For a tiny α every Gamma draw of a replication can underflow to 0; the shares are
    then the limit as α → 0, the whole amount to the member with the largest draw (so
    the shares always sum to 1 and are never NaN).
    """
    g = special.gammaincinv(alpha, u)
    total = g.sum(axis=1, keepdims=True)
    ok = (total > 0) & np.isfinite(total)
    if ok.all():
        return g / total
    top = np.zeros_like(g)
    top[np.arange(g.shape[0]), np.argmax(u, axis=1)] = 1.0
    return np.where(ok, g / np.where(ok, total, 1.0), top)


def _shock_draws(plan: Plan, lanes: _Lanes) -> tuple[np.ndarray, ...]:
    """Whether each shock happens, its start, duration and impact by sector."""
    sc = plan.scenario
    n, n_sh, n_sec = lanes.st.n, len(sc.shocks), len(sc.sectors)
    sector_ids = [s.id for s in sc.sectors]
    occurs = np.zeros((n, n_sh), dtype=bool)
    start = np.full((n, n_sh), np.nan)
    duration = np.zeros((n, n_sh))
    impact = np.zeros((n, n_sh, n_sec))
    for k, sh in enumerate(sc.shocks):
        entity = f"shock:{sh.id}"
        occurs[:, k] = lanes.st.uniform(entity, "occurs") < sh.probability
        w0, w1 = sh.window
        start[:, k] = w0 + lanes.st.uniform(entity, "start") * (w1 - w0)
        duration[:, k] = lanes.draw(entity, "duration_months", sh.duration_months)
        for sid, dist in sh.impact:
            impact[:, k, sector_ids.index(sid)] = lanes.draw(entity, f"impact.{sid}", dist)
    return occurs, start, duration, impact


def _land_draws(plan: Plan, lanes: _Lanes) -> np.ndarray:
    """Hectares each land task delivers in total ``(R, L)``."""
    sc = plan.scenario
    hectares = np.zeros((lanes.st.n, len(sc.lands)))
    for k, task in enumerate(sc.lands):
        entity = f"land:{task.id}"
        hectares[:, k] = lanes.draw(entity, "hectares", task.hectares) * lanes.draw(
            entity, "delivered", task.delivered
        )
    return hectares


def draw_chunk(
    plan: Plan,
    seed: int,
    start: int,
    n: int,
    *,
    ppf: Callable[[Dist, np.ndarray], np.ndarray] = fast_ppf,
    tilt: Tilt | None = None,
) -> Draws:
    """Draw everything random for replications ``[start, start + n)``.

    Parameters
    ----------
    plan : Plan
        The compiled scenario.
    seed : int
        The run's seed.
    start, n : int
        The chunk's first replication and size.
    ppf : callable
        ``ppf(dist, u)``, the inverse CDF used for every draw: :func:`fast_ppf`
        (default) or :func:`exact_ppf` (the scenario's own, for the test oracle).
    tilt : Tilt, optional
        The proposal of a conditioned run (:mod:`.observe`).

    Returns
    -------
    Draws
    """
    sc = plan.scenario
    lanes = _Lanes(Streams(seed, start, n), ppf)
    normals = _raw_normals(plan, lanes)
    eta, log_ratio = _tilted(plan, normals, tilt)
    sectors = _sector_draws(plan, lanes, normals)
    slots = _SlotDraws.empty(n, len(plan.slots))
    _single_draws(plan, lanes, slots)
    landing = _pipeline_landings(plan, lanes, slots)
    _batch_draws(plan, lanes, slots)
    # default operating output: execution × total × output_per_investment of the sector
    opi = np.array([s.output_per_investment for s in sc.sectors])
    default_output = (slots.execution * slots.total * opi[slots.sector]
                      / sc.accounting.investment_deflator)
    output = np.where(np.isnan(slots.output), default_output, slots.output)
    ready = np.where(slots.stall, np.nan, slots.planned + slots.delay)
    occurs, s_start, s_dur, impact = _shock_draws(plan, lanes)
    return Draws(
        growth=sectors.growth,
        deviation=sectors.deviation,
        latent=eta,
        log_prior_ratio=log_ratio,
        fai_growth=_fai_growth(plan, lanes, normals),
        local_share=(lanes.draw("io", "local_share", sc.io.local_share) if sc.io is not None
                     else np.ones(n)),
        total=slots.total,
        execution=slots.execution,
        ready=ready,
        planned=slots.planned,
        duration=slots.duration,
        land_ha=slots.land,
        annual_output=output,
        ramp=slots.ramp,
        additionality=slots.addl,
        sector=slots.sector,
        street=slots.street,
        curve_a=np.array([s.spec.drawdown.a for s in plan.slots]),
        curve_b=np.array([s.spec.drawdown.b for s in plan.slots]),
        landing=landing,
        shock_occurs=occurs,
        shock_start=s_start,
        shock_duration=s_dur,
        shock_impact=impact,
        land_hectares=_land_draws(plan, lanes),
    )
