"""When things happen in each replication: starts, pauses, finishes (the Timeline).

Land grants of projects that need land come from the simpy land-queue pass
(:func:`.lifecycle.land_grants`), because the queue couples them; every other time is
pause algebra on arrays (:mod:`.pauses`): a project starts when it is granted land (or
ready) unless a pause is on, and its work clock stops during pauses.
The tests run every project through the whole lifecycle in simpy
(``tests/oracles/lifecycle.py``) and compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario
from . import pauses as pz
from .draws import Draws
from .lifecycle import LifecycleInput, land_grants


@dataclass
class Timeline:
    """Event times of one chunk (months since 1 January of base_year + 1).

    ``start`` / ``finish`` are raw times (possibly past the horizon; NaN = never);
    ``start_month`` / ``finish_month`` are NaN when not within the horizon (rule 10).
    """

    granted: np.ndarray  # (R, P) land granted (= ready without land need)
    start: np.ndarray  # (R, P)
    finish: np.ndarray  # (R, P)
    pauses: np.ndarray  # (R, K, 2) merged pause intervals
    start_month: np.ndarray  # (R, P)
    finish_month: np.ndarray  # (R, P)


def pause_intervals(draws: Draws, scenario: Scenario) -> np.ndarray:
    """Merged spans of the pausing shocks that happen, shape ``(R, K, 2)``."""
    cols = [k for k, sh in enumerate(scenario.shocks) if sh.pauses_projects]
    if not cols:
        return np.full((draws.ready.shape[0], 0, 2), np.nan)
    occurs = draws.shock_occurs[:, cols]
    a = np.where(occurs, draws.shock_start[:, cols], np.nan)
    b = a + draws.shock_duration[:, cols]
    return pz.merge_intervals(a, b)


def lifecycle_input(
    draws: Draws, scenario: Scenario, r: int, subset: np.ndarray, ids: list[str]
) -> LifecycleInput:
    """The simpy inputs of replication ``r`` (chunk-relative) for projects ``subset``."""
    cols = [k for k, sh in enumerate(scenario.shocks) if sh.pauses_projects]
    spans = [
        (draws.shock_start[r, k], draws.shock_start[r, k] + draws.shock_duration[r, k])
        for k in cols
        if draws.shock_occurs[r, k]
    ]
    lands = [
        (task.start, task.by, draws.land_hectares[r, k]) for k, task in enumerate(scenario.lands)
    ]
    return LifecycleInput(
        ready=draws.ready[r, subset],
        planned=draws.planned[r, subset],
        ids=[ids[i] for i in subset],
        duration=draws.duration[r, subset],
        land_ha=draws.land_ha[r, subset],
        pauses=spans,
        land_deliveries=lands,
        land_stock=scenario.economy.land_stock_ha,
    )


def build_timeline(draws: Draws, scenario: Scenario, ids: list[str]) -> Timeline:
    """Compute the timeline of a chunk.

    Parameters
    ----------
    draws : Draws
        The chunk's draws.
    scenario : Scenario
        The scenario (for shocks, land tasks and the horizon).
    ids : list of str
        Project slot ids (tie-break of the land queue).

    Returns
    -------
    Timeline
        Times in months since 1 January of base_year + 1.
    """
    pauses = pause_intervals(draws, scenario)
    granted = draws.ready.copy()
    needs_land = (draws.land_ha > 0) & ~np.isnan(draws.ready)
    for r in np.flatnonzero(needs_land.any(axis=1)):
        subset = np.flatnonzero(needs_land[r])
        granted[r, subset] = land_grants(lifecycle_input(draws, scenario, r, subset, ids))
    start = pz.push_out(granted, pauses)
    finish = pz.finish_time(start, draws.duration, pauses)
    horizon = float(scenario.horizon_months)
    start_month = np.where(start < horizon, start, np.nan)
    finish_month = np.where(finish <= horizon, finish, np.nan)
    return Timeline(granted, start, finish, pauses, start_month, finish_month)
