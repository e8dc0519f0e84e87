"""A first model of a scenario, written the way a first model usually is.

One simpy process per project slot and per sector, each ticking every month with a
``timeout(1)`` and drawing its random numbers as it goes (``numpy.random.Generator``
scalar draws, ``scipy.special`` scalar CDF calls); land tasks deliver into a
``simpy.Container`` monthly; shocks are processes too. It follows the same equations as
lgsim (drawdown S-curve, works value added, seasonal organic value added with annual
growth and monthly deviations, shock multipliers, land queue) closely enough to be the
same amount of work per replication — it is the yardstick of ``bench_run.py``, not a
second implementation to trust: it ignores the copula, pauses of construction clocks,
ramp-up and contributions.

Usage: ``python benchmarks/naive_simpy.py [SCENARIO] [-n N]`` prints ms per replication.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy
from scipy import special

import lgsim
from lgsim.engine.plan import compile_plan

ROOT = Path(__file__).resolve().parents[1]


def _draw(rng: np.random.Generator, dist) -> float:
    """One draw the everyday way: a scalar ``ppf`` of one uniform."""
    return float(dist.ppf(rng.random()))


def simulate_replication(plan, rng: np.random.Generator) -> float:
    """One replication; returns the target year's GDP growth (fraction)."""
    sc = plan.scenario
    env = simpy.Environment()
    n_months = plan.n_months
    gdp = np.zeros(n_months)
    mult = np.ones((len(sc.sectors), n_months))
    pool = simpy.Container(env, init=sc.economy.land_stock_ha)
    construction = sc.sector_index("construction") if plan.slots else 0
    works_ratio = sc.accounting.works_ratio

    def shock(k, sh):
        if rng.random() >= sh.probability:
            return
        w0, w1 = sh.window
        start = w0 + rng.random() * (w1 - w0)
        length = _draw(rng, sh.duration_months)
        impacts = {sc.sector_index(s): _draw(rng, d) for s, d in sh.impact}
        yield env.timeout(max(0.0, start))
        m = int(start)
        while m < n_months and m < start + length:
            covered = min(m + 1, start + length) - max(m, start)
            for j, imp in impacts.items():
                mult[j, m] = max(0.0, mult[j, m] + imp * covered)
            m += 1
            yield env.timeout(1)

    def sector(j, s):
        level = plan.base_va[j]
        for m in range(n_months):
            if m % 12 == 0:
                level *= 1.0 + float(s.growth.ppf(rng.random()))  # a draw per year
            dev = rng.normal(0.0, s.monthly_sd) if s.monthly_sd > 0 else 0.0  # per tick
            yield env.timeout(1)
            gdp[m] += level * plan.seasonal[j, m % 12] * (1.0 + dev) * mult[j, m]

    def land_task(task):
        hectares = _draw(rng, task.hectares) * _draw(rng, task.delivered)
        months = max(1, round(task.by - task.start))
        yield env.timeout(max(0.0, task.start))
        for _ in range(months):
            yield env.timeout(1)
            yield pool.put(hectares / months)

    def project(slot):
        spec = slot.spec
        total = _draw(rng, spec.total_investment)
        if slot.kind == "batch":
            total /= sc.batches[[b.id for b in sc.batches].index(spec.id)].count
        execution = _draw(rng, spec.execution)
        duration = max(1.0, _draw(rng, spec.duration_months))
        if slot.kind == "pipeline":
            pl = next(p for p in sc.pipelines if p.id == slot.id)
            if rng.random() >= pl.probability:
                return
            start = pl.signed + _draw(rng, pl.land_delay_months)
        else:
            start = spec.planned_start + _draw(rng, spec.start_delay_months)
        if start >= n_months:
            return
        yield env.timeout(max(0.0, start))
        land = _draw(rng, spec.land_ha)
        if land > 0:
            yield pool.get(land)
        a, b = spec.drawdown.a, spec.drawdown.b
        done = 0.0
        while done < 1.0 and env.now < n_months:
            m = int(env.now)
            step = 1.0 / duration * (1.0 + 0.05 * rng.standard_normal())  # per-tick noise
            new = min(1.0, done + max(0.0, step))
            spend = total * execution * (special.betainc(a, b, new) - special.betainc(a, b, done))
            gdp[m] += spend * works_ratio * mult[construction, m]
            done = new
            yield env.timeout(1)

    for k, sh in enumerate(sc.shocks):
        env.process(shock(k, sh))
    for j, s in enumerate(sc.sectors):
        env.process(sector(j, s))
    for task in sc.lands:
        env.process(land_task(task))
    for slot in plan.slots:
        env.process(project(slot))
    env.run(until=n_months)
    y = sc.target_year - sc.base_year - 1
    this = gdp[12 * y:12 * (y + 1)].sum()
    last = gdp[12 * (y - 1):12 * y].sum() if y > 0 else plan.base_va.sum()
    return this / last - 1.0


def time_per_replication(scenario_path: str | Path, n: int, seed: int = 1) -> float:
    """Median-free simple timing: seconds per replication over ``n`` replications."""
    plan = compile_plan(lgsim.load_scenario(scenario_path))
    rng = np.random.default_rng(seed)
    simulate_replication(plan, rng)  # warm up (imports, caches)
    t0 = time.perf_counter()
    for _ in range(n):
        simulate_replication(plan, rng)
    return (time.perf_counter() - t0) / n


def main() -> None:
    """Command line: print ms per replication of the naive model."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "base.toml"))
    p.add_argument("-n", type=int, default=100)
    args = p.parse_args()
    sec = time_per_replication(args.scenario, args.n)
    print(f"naive simpy model: {1000 * sec:.2f} ms per replication ({args.n} replications)")


if __name__ == "__main__":
    main()
