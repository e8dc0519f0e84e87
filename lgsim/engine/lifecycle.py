"""The land queue as simpy processes: the event pass of one replication (rule 7).

simpy decides *when* land is granted: each project that needs land waits for its ready
time (planned start plus delay) and requests its whole ``land_ha`` from the district pool,
a :class:`simpy.Container` into which land tasks deliver at each month end; requests are
served in order and the head of the queue blocks later ones. Only the queue couples
projects, so only the queue runs in simpy: a handful of events per project, stopped as
soon as every request is served. Pauses cannot change *when* land is granted, so starts
and finishes follow from the grants by the pause algebra of :mod:`.pauses`, and monthly
money flows are computed afterwards with numpy (:mod:`.accounting`). A replication with
a single request has no queue: its grant follows in closed form (:func:`single_grant`),
equal to the event pass to the bit (``tests/test_engine.py`` checks it against simpy).

``tests/oracles/lifecycle.py`` runs the whole lifecycle (land, pauses and work clocks)
in simpy; the tests check that the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy


def delivery_times(start: float, by: float) -> list[float]:
    """Month ends in ``(start, by]``, plus ``by`` itself when it is not a month end."""
    times = [float(m) for m in range(math.floor(start) + 1, math.floor(by) + 1)]
    if not times or not math.isclose(times[-1], by, abs_tol=1e-12):
        times.append(by)
    return times


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
    # stops once every request is served: later deliveries change no grant
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


def single_grant(ready: float, need: float, level: float,
                 supply: tuple[Sequence[float], float]) -> float:
    """The grant time of a lone request, as the simpy pass computes it.

    ``level`` is the pool's level before the first delivery still to come (``supply``:
    delivery times and the hectares of each). Deliveries at the ready time itself come
    first (their timeouts are scheduled before the request's); the pool grows by the
    same additions in the same order, so the level — and the grant — are those of the
    event pass to the bit. NaN when the need is never met.
    """
    if need <= 0:
        return ready
    times, part = supply
    k = 0
    while k < len(times) and times[k] <= ready:
        if part > 0:
            level += part
        k += 1
    if level >= need:
        return ready
    while k < len(times):
        if part > 0:
            level += part
        if level >= need:
            return float(times[k])
        k += 1
    return math.nan


def land_grants(inp: LifecycleInput) -> np.ndarray:
    """When each project is granted its land: the land-queue event pass (rule 7).

    Requests are made in (planned start, id) order at equal times; pauses and work
    clocks do not affect grants (a project requests land when ready, whether or not a
    pause is on), so ``inp.pauses`` and ``inp.duration`` are ignored.

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
    if len(order) == 1 and len(supplies) <= 1:
        # one request: the queue is trivial, and the grant follows in closed form
        granted[order[0]] = single_grant(inp.ready[order[0]], inp.land_ha[order[0]], level,
                                         supplies[0] if supplies else ([], 0.0))
        return granted
    env = simpy.Environment()
    pool = simpy.Container(env, init=level)
    for times, part in supplies:
        env.process(_supply(env, pool, times, part, waiting))
    for i in order:
        env.process(_request(env, i, inp, pool, granted, waiting))
    env.run()
    return granted
