"""Oracle: the whole project lifecycle of one replication as simpy processes.

The production engine runs only the land queue in simpy (``lgsim.engine.lifecycle``)
and derives starts and finishes with pause algebra (``lgsim.engine.pauses``). This is
the straightforward formulation it is checked against: every project waits for its ready
time, requests its land from the pool (head-of-line blocking, rule 7), waits out any
pause, then works with its clock stopped while a pausing shock is on (rule 4). It shares
no code with the engine: its own delivery schedule, pause switch and processes.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

_EPS = 1e-9


def month_end_deliveries(start: float, by: float) -> list[float]:
    """Rule 7: each month end after ``start`` up to ``by``, and ``by`` if not a month end."""
    times = []
    m = math.floor(start) + 1
    while m <= by + 1e-12:
        times.append(float(m))
        m += 1
    if not times or abs(times[-1] - by) > 1e-12:
        times.append(by)
    return times


class PauseSwitch:
    """Whether construction is paused (any pausing shock on), with a change event."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.depth = 0
        self.changed = env.event()

    @property
    def on(self) -> bool:
        return self.depth > 0

    def _flip(self) -> None:
        event, self.changed = self.changed, self.env.event()
        event.succeed()

    def pause(self) -> None:
        self.depth += 1
        if self.depth == 1:
            self._flip()

    def resume(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self._flip()


@dataclass
class LifecycleOutput:
    """When each project got its land, started and finished (NaN = never)."""

    granted: np.ndarray
    start: np.ndarray
    finish: np.ndarray


def _shock(env: simpy.Environment, sw: PauseSwitch, a: float, b: float) -> Generator:
    yield env.timeout(a)
    sw.pause()
    yield env.timeout(b - a)
    sw.resume()


def _land_task(env: simpy.Environment, pool: simpy.Container, start: float, by: float,
               hectares: float) -> Generator:
    times = month_end_deliveries(start, by)
    part = hectares / len(times)
    for t in times:
        yield env.timeout(t - env.now)
        if part > 0:
            yield pool.put(part)


def _project(env: simpy.Environment, i: int, inp: Any, pool: simpy.Container,
             sw: PauseSwitch, out: LifecycleOutput) -> Generator:
    yield env.timeout(inp.ready[i])
    if inp.land_ha[i] > 0:
        yield pool.get(inp.land_ha[i])
    out.granted[i] = env.now
    while sw.on:
        yield sw.changed
    out.start[i] = env.now
    remaining = inp.duration[i]
    while remaining > _EPS:
        if sw.on:
            yield sw.changed
            continue
        t0 = env.now
        change = sw.changed
        yield env.timeout(remaining) | change
        remaining -= env.now - t0
    out.finish[i] = env.now


def run_lifecycle(inp: Any) -> LifecycleOutput:
    """Run every project of one replication through simpy.

    ``inp`` has the fields of ``lgsim.engine.lifecycle.LifecycleInput`` (ready, planned,
    ids, duration, land_ha, pauses, land_deliveries, land_stock).
    """
    env = simpy.Environment()
    n = len(inp.ready)
    out = LifecycleOutput(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))
    sw = PauseSwitch(env)
    for a, b in sorted(inp.pauses):
        env.process(_shock(env, sw, a, b))
    pool = simpy.Container(env, init=inp.land_stock)
    for start, by, ha in inp.land_deliveries:
        env.process(_land_task(env, pool, start, by, ha))
    # processes in (planned start, id) order: equal request times are served in that
    # order (simpy processes same-time events first in, first out)
    order = sorted((i for i in range(n) if not math.isnan(inp.ready[i])),
                   key=lambda i: (inp.planned[i], inp.ids[i]))
    for i in order:
        env.process(_project(env, i, inp, pool, sw, out))
    env.run()
    return out


@dataclass
class _Replication:
    ready: Sequence[float]
    planned: Sequence[float]
    ids: Sequence[str]
    duration: Sequence[float]
    land_ha: Sequence[float]
    pauses: Sequence[tuple[float, float]]
    land_deliveries: Sequence[tuple[float, float, float]]
    land_stock: float


@dataclass
class ReferenceTimeline:
    """Event times of a chunk from the whole-lifecycle simpy pass."""

    granted: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    start_month: np.ndarray
    finish_month: np.ndarray


def reference_timeline(draws: Any, scenario: Any, ids: list[str]) -> ReferenceTimeline:
    """Every project of every replication through :func:`run_lifecycle`."""
    n, p = draws.ready.shape
    granted = np.full((n, p), np.nan)
    start = np.full((n, p), np.nan)
    finish = np.full((n, p), np.nan)
    pausing = [k for k, sh in enumerate(scenario.shocks) if sh.pauses_projects]
    for r in range(n):
        spans = [(draws.shock_start[r, k], draws.shock_start[r, k] + draws.shock_duration[r, k])
                 for k in pausing if draws.shock_occurs[r, k]]
        lands = [(t.start, t.by, draws.land_hectares[r, k]) for k, t in enumerate(scenario.lands)]
        out = run_lifecycle(_Replication(
            draws.ready[r], draws.planned[r], ids, draws.duration[r], draws.land_ha[r], spans,
            lands, scenario.economy.land_stock_ha,
        ))
        granted[r], start[r], finish[r] = out.granted, out.start, out.finish
    horizon = float(scenario.horizon_months)
    with np.errstate(invalid="ignore"):
        start_month = np.where(start < horizon, start, np.nan)
        finish_month = np.where(finish <= horizon, finish, np.nan)
    return ReferenceTimeline(granted, start, finish, start_month, finish_month)
