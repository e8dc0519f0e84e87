"""The project lifecycle as simpy processes: the event pass of one replication.

simpy decides *when*: each project waits for its ready time (planned start plus delay),
requests its land from the district pool (a :class:`simpy.Container`: requests are served
in order and the head of the queue blocks later ones, rule 7), waits out any pause, then
works for its duration with its clock stopped while a pausing shock is on (rule 4).
Land tasks deliver into the pool at each month end; pausing shocks switch the pause on
and off. Monthly money flows are computed afterwards with numpy (:mod:`lgsim.accounting`).

Two passes share these processes:

* :func:`land_grants` — the production pass: only the land queue (deliveries and
  requests), a handful of events per project, stopped as soon as every request is served.
  Pauses cannot change *when* land is granted, so start and finish follow from the grant
  by the pause algebra of :mod:`.pauses` (``tests/test_chunk_fastpath.py`` checks that
  this equals :func:`run_lifecycle`).
* :func:`run_lifecycle` — the full reference pass (land, pauses and work clocks in
  simpy), used by tests and by ``build_timeline(..., all_simpy=True)``.
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


class _Waiting:
    """Requests of a land-queue pass not yet served (shared by its processes)."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


def _supply(
    env: simpy.Environment,
    pool: simpy.Container,
    times: Sequence[float],
    part: float,
    waiting: _Waiting,
) -> Generator:
    # as _land_task, but stops once every request is served: later deliveries change
    # no grant (the event order up to that point is the same as in the full pass)
    for t in times:
        if waiting.count == 0:
            return
        yield env.timeout(t - env.now)
        if part > 0:
            yield pool.put(part)


def _request(
    env: simpy.Environment,
    i: int,
    inp: LifecycleInput,
    pool: simpy.Container,
    granted: np.ndarray,
    waiting: _Waiting,
) -> Generator:
    yield env.timeout(inp.ready[i])
    if inp.land_ha[i] > 0:
        yield pool.get(inp.land_ha[i])
    granted[i] = env.now
    waiting.count -= 1


def land_grants(inp: LifecycleInput) -> np.ndarray:
    """When each project is granted its land: the land-queue event pass (rule 7).

    Same processes, creation order and tie-breaking as :func:`run_lifecycle`, without
    pauses or work clocks (they do not affect grants: a project requests land when ready,
    whether or not a pause is on). ``inp.pauses`` is ignored.

    Parameters
    ----------
    inp : LifecycleInput
        One replication's ready times (months), land needs (hectares), deliveries and
        initial stock.

    Returns
    -------
    numpy.ndarray
        Grant time of each project, months since 1 January of base_year + 1; NaN for a
        project never ready or never served.
    """
    env = simpy.Environment()
    n = len(inp.ready)
    granted = np.full(n, np.nan)
    order = sorted(
        (i for i in range(n) if not math.isnan(inp.ready[i])),
        key=lambda i: (inp.planned[i], inp.ids[i]),
    )
    if not order:
        return granted
    waiting = _Waiting(len(order))
    supplies = []
    for start, by, ha in inp.land_deliveries:
        times = delivery_times(start, by)
        supplies.append((times, ha / len(times)))
    level = inp.land_stock
    if len(supplies) == 1:
        # one land task: deliveries before the first request only add to the pool, in
        # time order, so they are added here in the same order (same rounding)
        times, part = supplies[0]
        first = min(inp.ready[i] for i in order)
        k = 0
        while k < len(times) and times[k] < first:
            if part > 0:
                level += part
            k += 1
        supplies[0] = (times[k:], part)
    pool = simpy.Container(env, init=level)
    for times, part in supplies:
        env.process(_supply(env, pool, times, part, waiting))
    for i in order:
        env.process(_request(env, i, inp, pool, granted, waiting))
    env.run()
    return granted
