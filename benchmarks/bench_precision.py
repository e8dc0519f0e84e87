"""Precision per second (issue 15): every figure side by side, in one run, on one machine.

Usage::

    python benchmarks/bench_precision.py            # about 4 minutes on 2 cores
    python benchmarks/bench_precision.py --quick    # fewer repeats

Writes ``benchmarks/results/precision.json`` and ``precision.md`` (or ``--out``) and
prints the markdown. Medians of repeats; the machine's load average is recorded before
each measurement (these machines are shared).

Measured:

* the variance-reduction factor of the conditional estimator of P(met) (variance of the
  indicator's estimate over the conditional one's, same replications), on
  ``base-unconditioned.toml`` and ``base.toml``;
* wall time of ``python -m lgsim run scenarios/base.toml --precision 0.005`` (±0.5 pp),
  and the replications the indicator would need for the same precision;
* end to end ``python -m lgsim run scenarios/base.toml -n 10000``;
* warm what-if: ``lgsim.run(s.with_changes(...), 2000)`` in a process that has run once;
* ``solve`` and the default tornado on ``base.toml`` (end to end);
* the naive SimPy peer (:mod:`naive_simpy`) and the pure-numpy floor
  (:mod:`numpy_floor`) against the engine, ms per replication on one core;
* randomised quasi-Monte Carlo (scrambled Sobol') for the copula's normals, on top of
  the conditional estimator: the variance ratio over independent repeats, in the numpy
  floor and in the engine (``rqmc_engine``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import naive_simpy  # noqa: E402
import numpy_floor  # noqa: E402

import lgsim  # noqa: E402
from lgsim.engine import compile_plan, simulate_chunk  # noqa: E402

BASE = ROOT / "scenarios" / "base.toml"
PRIOR = ROOT / "scenarios" / "base-unconditioned.toml"


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def wall(cmd: list[str], repeats: int) -> dict:
    """Median wall time of a command (fresh process each time), with the load before."""
    times, loads = [], []
    for _ in range(repeats):
        loads.append(load())
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"median_s": statistics.median(times), "runs_s": times, "load": loads}


def variance_reduction(n: int) -> dict:
    """Variance-reduction factor and both estimates, on the prior and the base scenario."""
    out = {}
    for name, path in (("base-unconditioned", PRIOR), ("base", BASE)):
        r = lgsim.run(lgsim.load_scenario(path), replications=n, workers=1)
        p, ind = r.p_target(), r.p_target(method="indicator")
        out[name] = {"n": r.n, "p_conditional": p.estimate, "p_indicator": ind.estimate,
                     "half_width_conditional": (p.high - p.low) / 2,
                     "half_width_indicator": (ind.high - ind.low) / 2,
                     "variance_reduction": p.variance_reduction}
    return out


def warm_what_if(repeats: int) -> dict:
    """``lgsim.run(s.with_changes(...), 2000)`` in a warm process: median wall time."""
    s = lgsim.load_scenario(BASE)
    lgsim.run(s, 500)
    times, loads = [], []
    for k in range(repeats):
        loads.append(load())
        t = time.perf_counter()
        r = lgsim.run(s.with_changes({"batch[sz-2022-batch3].start_delay_months": 1.0 + k}),
                      2000)
        r.p_target()
        times.append(time.perf_counter() - t)
    return {"median_s": statistics.median(times), "runs_s": times, "load": loads}


def per_replication(repeats: int) -> dict:
    """Engine, naive SimPy and numpy floor: ms per replication on one core."""
    plan = compile_plan(lgsim.load_scenario(PRIOR))
    simulate_chunk(plan, 1, 0, 250)
    times = []
    for k in range(repeats):
        t = time.perf_counter()
        simulate_chunk(plan, 1, 250 * k, 250)
        times.append((time.perf_counter() - t) / 250 * 1000)
    engine = statistics.median(times)
    naive = 1000 * naive_simpy.time_per_replication(PRIOR, 40)
    floor = numpy_floor.ms_per_replication()
    return {"engine_ms": engine, "naive_simpy_ms": naive, "numpy_floor_ms": floor,
            "naive_over_engine": naive / engine, "engine_over_floor": engine / floor}


def rqmc_engine(n: int, repeats: int) -> dict:
    """Scrambled Sobol' normals for the sectors' growth lanes (the integrated one kept):
    variance of the conditional estimate over independent repeats, against plain draws.

    An experiment, not an engine option: the sectors' growth normals are replaced after
    they are drawn (``lgsim.engine.draws._raw_normals`` wrapped for the measurement).
    """
    from scipy import special, stats

    import lgsim.engine.draws as dr

    sc = lgsim.load_scenario(PRIOR)
    plan = compile_plan(sc)
    original = dr._raw_normals
    points: dict = {}

    def patched(plan_, lanes):
        out = original(plan_, lanes)
        if points.get("z") is not None:
            z = points["z"].reshape(out.growth.shape)
            keep = plan.smoothing.sector
            z[:, keep, :] = out.growth[:, keep, :]
            out.growth[:] = z
        return out

    dr._raw_normals = patched
    try:
        mc, qmc = [], []
        dims = len(sc.sectors) * plan.n_years
        for k in range(repeats):
            points["z"] = None
            mc.append(float(simulate_chunk(plan, 100 + k, 0, n)["p_met_smooth"].mean()))
            sob = stats.qmc.Sobol(dims, scramble=True, seed=500 + k).random(n)
            points["z"] = special.ndtri(sob)
            qmc.append(float(simulate_chunk(plan, 100 + k, 0, n)["p_met_smooth"].mean()))
    finally:
        dr._raw_normals = original
    v_mc, v_q = float(np.var(mc, ddof=1)), float(np.var(qmc, ddof=1))
    from scipy.stats import f as fdist

    lo, hi = (v_mc / v_q) / fdist.ppf([0.975, 0.025], repeats - 1, repeats - 1)
    return {"n": n, "repeats": repeats, "var_mc": v_mc, "var_rqmc": v_q,
            "gain": v_mc / v_q, "gain_95": [float(lo), float(hi)]}


def machine() -> dict:
    import numpy
    import scipy
    import simpy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "scipy": scipy.__version__, "simpy": simpy.__version__,
            "lgsim": lgsim.__version__, "load_at_start": load()}


def markdown(res: dict) -> str:
    m = res["machine"]
    vr, e2e, pr = res["variance_reduction"], res["end_to_end"], res["per_replication"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores; {m['system']}; Python {m['python']}, "
        f"numpy {m['numpy']}, scipy {m['scipy']}, simpy {m['simpy']}; lgsim {m['lgsim']}. "
        f"Load average at start {m['load_at_start']:.2f}; command: "
        f"`python benchmarks/bench_precision.py`; {res['seconds']:.0f} s.",
        "",
        "| figure | value | load |",
        "| --- | --- | --- |",
    ]
    for name, r in vr.items():
        lines.append(
            f"| variance reduction of P(met), {name} (n = {r['n']:,}) | "
            f"×{r['variance_reduction']:.1f}: {100 * r['p_conditional']:.2f}% "
            f"±{100 * r['half_width_conditional']:.2f} pp vs indicator "
            f"{100 * r['p_indicator']:.2f}% ±{100 * r['half_width_indicator']:.2f} pp | |")
    need = res["indicator_replications_for_half_width"]
    prior = vr["base-unconditioned"]
    need_prior = prior["n"] * (prior["half_width_indicator"] / 0.005) ** 2
    rows = [
        ("`run base.toml --precision 0.005` (±0.5 pp), wall", e2e["precision"],
         f"; the indicator would need ≈{need:,.0f} replications"),
        ("`run base-unconditioned.toml --precision 0.005` (±0.5 pp), wall",
         e2e["precision_prior"],
         f"; the indicator would need ≈{need_prior:,.0f} replications"),
        ("`run base.toml -n 10000`, wall", e2e["n10000"], ""),
        ("warm what-if `lgsim.run(s.with_changes(...), 2000)`", res["warm_what_if"], ""),
        ("`solve base.toml --lever target.gdp_growth --probability 0.8`, wall",
         e2e["solve"], ""),
        ("`sensitivity base.toml` (default tornado), wall", e2e["tornado"], ""),
    ]
    for label, r, extra in rows:
        lines.append(f"| {label} | {r['median_s']:.2f} s{extra} | "
                     f"{statistics.median(r['load']):.2f} |")
    lines += [
        f"| engine, one core | {pr['engine_ms']:.3f} ms / replication | |",
        f"| naive SimPy peer, one core | {pr['naive_simpy_ms']:.2f} ms / replication "
        f"(×{pr['naive_over_engine']:.0f} the engine) | |",
        f"| pure-numpy floor, one core | {pr['numpy_floor_ms']:.4f} ms / replication "
        f"(the engine is ×{pr['engine_over_floor']:.0f}) | |",
    ]
    for name in ("rqmc_floor", "rqmc_engine"):
        q = res[name]
        ci = (f" (95% {q['gain_95'][0]:.2f}–{q['gain_95'][1]:.2f})" if "gain_95" in q else "")
        lines.append(f"| RQMC over conditional MC, {name.split('_')[1]} (n = {q['n']:,}, "
                     f"{q['repeats']} repeats) | variance ×{1 / q['gain']:.2f}, gain "
                     f"×{q['gain']:.2f}{ci} | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    reps = 2 if args.quick else 5
    t0 = time.perf_counter()
    res: dict = {"machine": machine()}
    res["variance_reduction"] = vr = variance_reduction(4000)
    base = vr["base"]
    # indicator replications for ±0.5 pp: n × (half-width / 0.005)²
    res["indicator_replications_for_half_width"] = (
        base["n"] * (base["half_width_indicator"] / 0.005) ** 2)
    py = [sys.executable, "-m", "lgsim"]
    with tempfile.TemporaryDirectory() as tmp:
        res["end_to_end"] = {
            "precision": wall([*py, "run", str(BASE), "--precision", "0.005", "--out",
                               f"{tmp}/p", "--force"], reps),
            "precision_prior": wall([*py, "run", str(PRIOR), "--precision", "0.005",
                                     "--out", f"{tmp}/q", "--force"], reps),
            "n10000": wall([*py, "run", str(BASE), "-n", "10000", "--out", f"{tmp}/n",
                            "--force"], reps),
            "solve": wall([*py, "solve", str(BASE), "--lever", "target.gdp_growth",
                           "--probability", "0.8", "--bounds", "0", "0.06", "--out",
                           f"{tmp}/s"], max(1, reps // 2)),
            "tornado": wall([*py, "sensitivity", str(BASE), "--out", f"{tmp}/t"],
                            max(1, reps // 2)),
        }
    res["warm_what_if"] = warm_what_if(reps)
    res["per_replication"] = per_replication(8 if args.quick else 20)
    res["rqmc_floor"] = numpy_floor.qmc_check(1024, 20 if args.quick else 60)
    res["rqmc_engine"] = rqmc_engine(1024, 20 if args.quick else 60)
    res["seconds"] = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "precision.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    text = markdown(res)
    (args.out / "precision.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
