"""A scenario compiled for simulation: the roster of project slots and static arrays.

Batches expand into ``count`` member slots ``<batch-id>/<NN>``; every single project and
pipeline entry is one slot. Groups (for monthly investment and component contributions)
are single projects, batches and pipeline entries, in file order by kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Batch, Pipeline, ProjectSpec, Scenario


@dataclass(frozen=True)
class Slot:
    """One project slot of the roster."""

    id: str
    kind: str  # "project" | "batch" | "pipeline"
    group: int
    spec: ProjectSpec
    member: int = 0  # position within its batch


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
    # (K, S) each street's share of each sector's value added (street data), else None
    street_sector_shares: np.ndarray | None = None

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
    return Plan(
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
