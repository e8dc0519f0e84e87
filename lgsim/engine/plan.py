"""A scenario compiled for simulation: the roster of project slots and static arrays.

Batches expand into ``count`` member slots ``<batch-id>/<NN>``; every single project and
pipeline entry is one slot. Groups (for monthly investment and component contributions)
are single projects, batches and pipeline entries, in file order by kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Batch, Dist, Pipeline, ProjectSpec, Scenario
from .observe import FigureSpec, Latent, latents_for
from .smoothing import SmoothingPlan, smoothing_plan
from .spillovers import Spending, spending_for


@dataclass(frozen=True)
class Slot:
    """One project slot of the roster."""

    id: str
    kind: str  # "project" | "batch" | "pipeline"
    group: int
    spec: ProjectSpec
    member: int = 0  # position within its batch


@dataclass(frozen=True)
class FaiPlan:
    """District FAI (docs/investment.md): organic parts plus the listed slots' spending.

    Part 0 is organic FAI other than industrial investment (all organic FAI when
    industrial investment is not modelled); part 1, when present, organic industrial
    investment.
    """

    base: np.ndarray  # (Q,) base-year level of each organic part, 亿元 nominal
    growth: tuple[Dist, ...]  # (Q,) annual nominal growth of each part, fraction
    persistence: float  # AR(1) of the growth surprises across years
    seasonal: np.ndarray  # (12,) monthly weights
    industrial_sectors: np.ndarray  # sector indices of industrial slots (empty: none)

    @property
    def parts(self) -> int:
        """Organic parts modelled (1, or 2 with industrial investment)."""
        return len(self.base)

    @property
    def total_base(self) -> float:
        """Base-year district FAI, 亿元."""
        return float(self.base.sum())


@dataclass(frozen=True)
class Plan:
    """Everything a chunk needs, derived once from a :class:`Scenario`."""

    scenario: Scenario
    slots: tuple[Slot, ...]
    groups: tuple[tuple[str, str], ...]  # (kind, id)
    batch_slices: dict[str, slice]
    base_va: np.ndarray  # (S,) base-year value added by sector, 亿元
    seasonal: np.ndarray  # (S, 12) normalised monthly weights
    corr_root: np.ndarray  # (S, S) symmetric square root of the correlation matrix
    street_shares: np.ndarray  # (K,)
    n_years: int  # simulated years (excluding the base year)
    figures: tuple[FigureSpec, ...] = ()  # published figures ([actuals]) to condition on
    latents: tuple[Latent, ...] = ()  # latent normals the informative figures depend on
    fai: FaiPlan | None = None  # district FAI, when [economy] models it
    spending: Spending | None = None  # value added per 亿元 of project spending
    # (K, S) each street's share of each sector's value added (street data), else None
    street_sector_shares: np.ndarray | None = None
    # conditional Monte Carlo of P(met), or why it does not apply (lgsim.engine.smoothing)
    smoothing: SmoothingPlan | str = "not compiled"

    @property
    def n_months(self) -> int:
        """Simulated months."""
        return 12 * self.n_years

    @property
    def project_ids(self) -> list[str]:
        """Slot ids in roster order."""
        return [s.id for s in self.slots]

    @property
    def group_ids(self) -> list[str]:
        """Group ids in order."""
        return [g[1] for g in self.groups]

    @property
    def group_slices(self) -> list[slice]:
        """Slot range of each group, in group order (a group's slots are contiguous)."""
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for i, s in enumerate(self.slots):
            first.setdefault(s.group, i)
            last[s.group] = i + 1
        return [slice(first.get(g, 0), last.get(g, 0)) for g in range(len(self.groups))]


def member_id(batch: Batch, i: int) -> str:
    """Id of member ``i`` (0-based) of a batch: ``<batch-id>/<NN>`` from 01."""
    width = max(2, len(str(batch.count)))
    return f"{batch.id}/{i + 1:0{width}d}"


def compile_plan(scenario: Scenario) -> Plan:
    """Compile a scenario into a :class:`Plan`."""
    slots: list[Slot] = []
    groups: list[tuple[str, str]] = []
    batch_slices: dict[str, slice] = {}
    for p in scenario.projects:
        groups.append(("project", p.id))
        slots.append(Slot(p.id, "project", len(groups) - 1, p))
    for b in scenario.batches:
        groups.append(("batch", b.id))
        first = len(slots)
        for i in range(b.count):
            slots.append(Slot(member_id(b, i), "batch", len(groups) - 1, b.template, i))
        batch_slices[b.id] = slice(first, len(slots))
    pl: Pipeline
    for pl in scenario.pipelines:
        groups.append(("pipeline", pl.id))
        slots.append(Slot(pl.id, "pipeline", len(groups) - 1, pl.project))

    shares = np.array([s.share for s in scenario.sectors])
    base_va = scenario.economy.gdp * shares / shares.sum()
    seasonal = np.array([s.seasonality for s in scenario.sectors])
    corr = np.array(scenario.correlation)
    if np.array_equal(corr, np.eye(len(corr))):
        root = np.eye(len(corr))
    else:
        lam, vec = np.linalg.eigh(corr)
        root = (vec * np.sqrt(np.clip(lam, 0.0, None))) @ vec.T
    figures = _figures(scenario)
    informative = tuple(f for f in figures if np.isfinite(f.sd))
    monthly = [j for j, s in enumerate(scenario.sectors) if s.monthly_sd > 0]
    fai = _fai_plan(scenario)
    return Plan(
        figures=figures,
        latents=latents_for(informative, list(range(len(scenario.sectors))), monthly,
                            0 if fai is None else fai.parts),
        fai=fai,
        spending=spending_for(scenario),
        smoothing=smoothing_plan(scenario, root, informative),
        scenario=scenario,
        slots=tuple(slots),
        groups=tuple(groups),
        batch_slices=batch_slices,
        base_va=base_va,
        seasonal=seasonal,
        corr_root=root,
        street_shares=np.array([s.share for s in scenario.streets]),
        n_years=scenario.end_year - scenario.base_year,
        street_sector_shares=(
            np.array([[w for _, w in s.sector_shares] for s in scenario.streets])
            if scenario.street_data else None
        ),
    )


def _figures(scenario: Scenario) -> tuple[FigureSpec, ...]:
    """The scenario's ``[actuals]`` compiled: sector indices, simulated year, window."""
    out = []
    every = tuple(range(len(scenario.sectors)))
    for o in scenario.actuals:
        sectors = every if o.sector is None else (scenario.sector_index(o.sector),)
        out.append(FigureSpec(sectors, o.year - scenario.base_year, o.month, o.value, o.sd,
                              o.path, o.label, o.quantity))
    return tuple(out)


def _fai_plan(scenario: Scenario) -> FaiPlan | None:
    """District FAI's organic parts, or None when ``[economy]`` does not model FAI."""
    ec = scenario.economy
    if not ec.models_fai or ec.fai is None or ec.fai_growth is None:
        return None
    seasonal = np.array(ec.fai_seasonality)
    if not ec.models_industrial_fai or ec.industrial_fai is None \
            or ec.industrial_fai_growth is None:
        return FaiPlan(np.array([ec.fai]), (ec.fai_growth,), ec.fai_persistence, seasonal,
                       np.array([], dtype=np.int64))
    return FaiPlan(
        np.array([ec.fai - ec.industrial_fai, ec.industrial_fai]),
        (ec.fai_growth, ec.industrial_fai_growth), ec.fai_persistence, seasonal,
        np.array([scenario.sector_index(s) for s in ec.industrial_sectors], dtype=np.int64),
    )
