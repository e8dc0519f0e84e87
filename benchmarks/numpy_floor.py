"""A pure-numpy floor of the base model: the same arithmetic, nothing else.

Sector growth through the normal copula (correlation root, normal marginals), seasonal
organic value added, the listed batches' spending on an s-curve (Beta(2, 2)) from a
planned start plus a lognormal delay over a PERT-like duration, works value added into
construction, the realised March lockdown and a random further lockdown as multipliers,
and target-year GDP growth — vectorised over replications with one numpy Generator.
No keyed streams, land queue, pipeline, FAI, IO or conditioning: it is the floor a
model of this size could not go below in numpy, to put the engine's cost per
replication in proportion (``bench_precision.py``).

It also serves the quasi-Monte Carlo check of issue 15: :func:`p_met_floor` takes the
copula's normals from a caller (plain or scrambled Sobol' points) and returns the
indicator and the conditional (smoothed) estimate of P(met).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

import lgsim


def floor_inputs(path: str = "scenarios/base-unconditioned.toml") -> dict:
    """The numbers of the floor model, taken from a scenario file."""
    sc = lgsim.load_scenario(path)
    plan = lgsim.engine.compile_plan(sc)
    return {
        "base_va": plan.base_va, "seasonal": plan.seasonal, "root": plan.corr_root,
        "mu": np.array([s.growth.params[0] for s in sc.sectors]),
        "sd": np.array([s.growth.params[1] for s in sc.sectors]),
        "construction": sc.sector_index("construction"),
        "batches": [(b.template.total_investment.params[0], b.template.planned_start)
                    for b in sc.batches],
        "works": 0.12, "threshold": sc.target.threshold(),
    }


def p_met_floor(inp: dict, z: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """P(met) from the copula normals ``z`` ``(R, S)``: indicator and conditional means.

    The conditional estimate integrates the industry-like sector with the largest
    ``share × sd`` out exactly (target-year growth is affine in its normal).
    """
    n = z.shape[0]
    mixed = z @ inp["root"].T
    g = inp["mu"] + inp["sd"] * mixed  # (R, S)
    organic = inp["base_va"] * (1.0 + g)  # annual, before shocks
    months = np.arange(12)
    lock = np.where(rng.random(n) < 0.3, rng.uniform(0.25, 1.0, n), 0.0) / 12.0
    mult = 1.0 - 0.3 * (0.23 / 12.0 + lock)  # share of the year lost, exposed sectors
    works = np.zeros(n)
    for total, start in inp["batches"]:
        begin = start + rng.lognormal(np.log(0.5), 0.8, n)
        dur = rng.triangular(18, 30, 48, n)
        x0 = np.clip((months[None, :] - begin[:, None]) / dur[:, None], 0, 1)
        x1 = np.clip((months[None, :] + 1 - begin[:, None]) / dur[:, None], 0, 1)
        curve = lambda x: x * x * (3 - 2 * x)  # noqa: E731  (Beta(2, 2) CDF)
        works += total * 0.9 * (curve(x1) - curve(x0)).sum(axis=1)
    gdp0 = inp["base_va"].sum()
    level = organic * mult[:, None]
    growth = (level.sum(axis=1) + inp["works"] * works) / gdp0 - 1.0
    met = growth >= inp["threshold"]
    j = int(np.argmax(inp["base_va"] * inp["sd"]))
    slope = (inp["base_va"] * inp["sd"] * inp["root"][:, j] * mult[:, None]).sum(axis=1) / gdp0
    a = growth - slope * z[:, j]
    smooth = special.ndtr((a - inp["threshold"]) / np.abs(slope))
    return float(met.mean()), float(smooth.mean())


def ms_per_replication(n: int = 20_000, repeats: int = 5) -> float:
    """Median wall time of the floor model per replication, ms (one core)."""
    import time

    inp = floor_inputs()
    rng = np.random.default_rng(1)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        z = rng.standard_normal((n, len(inp["mu"])))
        p_met_floor(inp, z, rng)
        times.append(time.perf_counter() - t)
    return 1000.0 * float(np.median(times)) / n


def qmc_check(n: int = 1024, repeats: int = 40, seed: int = 7) -> dict:
    """Variance of the conditional estimate: plain normals against scrambled Sobol'.

    Randomised QMC: each repeat uses an independently scrambled Sobol' point set for the
    copula's normals (the other inputs stay plain Monte Carlo); its spread over repeats is
    the honest error. Returns the variances and their ratio.
    """
    inp = floor_inputs()
    d = len(inp["mu"])
    mc, qmc = [], []
    for k in range(repeats):
        rng = np.random.default_rng(seed + k)
        mc.append(p_met_floor(inp, rng.standard_normal((n, d)), rng)[1])
        sob = stats.qmc.Sobol(d, scramble=True, seed=seed + 1000 + k).random(n)
        rng = np.random.default_rng(seed + k)
        qmc.append(p_met_floor(inp, special.ndtri(sob), rng)[1])
    v_mc, v_qmc = float(np.var(mc, ddof=1)), float(np.var(qmc, ddof=1))
    return {"n": n, "repeats": repeats, "var_mc": v_mc, "var_rqmc": v_qmc,
            "gain": v_mc / v_qmc if v_qmc > 0 else float("inf")}
