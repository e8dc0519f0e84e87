"""The project lifecycle as simpy processes: the event pass of one replication.

simpy decides *when*: each project waits for its ready time (planned start plus delay),
requests its land from the district pool (a :class:`simpy.Container`: requests are served
in order and the head of the queue blocks later ones, rule 7), waits out any pause, then
works for its duration with its clock stopped while a pausing shock is on (rule 4).
Land tasks deliver into the pool at each month end; pausing shocks switch the pause on
and off. Monthly money flows are computed afterwards with numpy (:mod:`lgsim.accounting`).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

_EPS = 1e-9


def delivery_times(start: float, by: float) -> list[float]:
    """Month ends in ``(start, by]``, plus ``by`` itself when it is not a month end."""
    times = [float(m) for m in range(math.floor(start) + 1, math.floor(by) + 1)]
    if not times or not math.isclose(times[-1], by, abs_tol=1e-12):
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
        """True while at least one pausing shock is on."""
        return self.depth > 0

    def _flip(self) -> None:
        event, self.changed = self.changed, self.env.event()
        event.succeed()

    def pause(self) -> None:
        """A pausing shock begins."""
        self.depth += 1
        if self.depth == 1:
            self._flip()

    def resume(self) -> None:
        """A pausing shock ends."""
        self.depth -= 1
        if self.depth == 0:
            self._flip()


@dataclass
class LifecycleInput:
    """One replication's event inputs (times in months, land in hectares)."""

    ready: Sequence[float]  # per project; NaN = never ready (stalled / not landed)
    planned: Sequence[float]  # per project, for tie-breaking the land queue
    ids: Sequence[str]
    duration: Sequence[float]
    land_ha: Sequence[float]
    pauses: Sequence[tuple[float, float]]  # pausing shock spans (may overlap)
    land_deliveries: Sequence[tuple[float, float, float]]  # (start, by, hectares)
    land_stock: float = 0.0


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


def _land_task(
    env: simpy.Environment, pool: simpy.Container, start: float, by: float, hectares: float
) -> Generator:
    times = delivery_times(start, by)
    part = hectares / len(times)
    for t in times:
        yield env.timeout(t - env.now)
        if part > 0:
            yield pool.put(part)


def _project(
    env: simpy.Environment,
    i: int,
    inp: LifecycleInput,
    pool: simpy.Container,
    sw: PauseSwitch,
    out: LifecycleOutput,
) -> Generator:
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


def run_lifecycle(inp: LifecycleInput) -> LifecycleOutput:
    """Run the event pass of one replication.

    Returns
    -------
    LifecycleOutput
        Land grant, start and finish per project (calendar months; NaN = never).
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
    # processes are created in (planned start, id) order so that equal request times
    # are served in that order (simpy processes same-time events first-in first-out)
    order = sorted(
        (i for i in range(n) if not math.isnan(inp.ready[i])),
        key=lambda i: (inp.planned[i], inp.ids[i]),
    )
    for i in order:
        env.process(_project(env, i, inp, pool, sw, out))
    env.run()
    return out
