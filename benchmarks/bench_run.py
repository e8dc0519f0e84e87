"""Benchmarks of ``lgsim run``: speed, scaling, memory, executors (medians of repeats).

Usage::

    python benchmarks/bench_run.py            # full: about 3 minutes on 2 cores
    python benchmarks/bench_run.py --quick    # fewer repeats, no 100,000 runs

Writes ``benchmarks/results.json`` and ``benchmarks/results.md`` (or ``--out``) and
prints the markdown. Every figure is a median over repeats; the load average of the
machine is recorded before each measurement, because these machines are shared.

Measured:

* end to end: ``python -m lgsim run scenarios/base.toml -n N`` from process start to
  files written, N = 1,000 / 10,000 / 100,000; peak memory of the whole process tree
  (sum over processes of RSS, and of PSS, sampled every 20 ms, plus the largest
  single-process peak RSS from ``getrusage``);
* in process: ``lgsim.run`` for the same N (workers = all cores), and the cost of one
  chunk of 250 replications on one core (``simulate_chunk``);
* growth with the number of projects: batches' counts ×1, ×4, ×16, with the fitted
  exponent of time against project slots;
* the ratio against a plain simpy model of the same scenario
  (:mod:`naive_simpy`: one process per project and per sector, monthly ticks);
* process start methods (fork, forkserver, spawn), chunk sizes, checkpoint overhead,
  and dask with and without lgsim's worker environment (``MALLOC_TRIM_THRESHOLD_``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


# ---------------------------------------------------------------------------- helpers
def load() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def _proc_value(pid: int, path: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class TreeMemory:
    """Peak of the summed RSS and PSS of a process tree, sampled in a thread (MB)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _descendants(self.pid)
            rss = sum(_proc_value(p, "status", "VmRSS:") for p in pids) / 1024
            pss = sum(_proc_value(p, "smaps_rollup", "Pss:") for p in pids) / 1024
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(pids))
            time.sleep(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cli_run(n: int, out: Path, env: dict | None = None, extra: tuple[str, ...] = ()) -> dict:
    """One ``python -m lgsim run`` of the base scenario: wall time and tree memory."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "lgsim", "run", str(BASE), "-n", str(n), "--out", str(out),
           *extra]
    before = load()
    t0 = time.perf_counter()
    # wait4 gives this child's own peak RSS (the largest process of the tree here)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, cwd=ROOT)
    with TreeMemory(proc.pid) as mem:
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if status != 0:
        raise RuntimeError(f"{cmd} failed: {err}")
    log = (out / "run.log").read_text(encoding="utf-8")
    sim = float(log.split("simulation wall time ")[1].split()[0])
    return {"wall_s": wall, "simulation_s": sim, "load_before": before,
            "peak_tree_rss_mb": mem.peak_rss, "peak_tree_pss_mb": mem.peak_pss,
            "peak_main_rss_mb": usage.ru_maxrss / 1024, "processes": mem.peak_processes}


def summarise(runs: list[dict], n: int) -> dict:
    out = {k: median([r[k] for r in runs]) for k in runs[0]}
    out["ms_per_replication"] = 1000 * out["wall_s"] / n
    out["repeats"] = len(runs)
    out["walls_s"] = [round(r["wall_s"], 3) for r in runs]
    for k in ("peak_tree_rss_mb", "peak_tree_pss_mb", "peak_main_rss_mb"):
        out[k] = max(r[k] for r in runs)  # the worst repeat, not the median
    return out


def scaled_scenario(factor: int, directory: Path) -> Path:
    """The base scenario with every batch's count multiplied by ``factor``."""
    import lgsim

    base = lgsim.load_scenario(BASE)
    path = directory / f"base-x{factor}.toml"
    lines = [f'extends = "{BASE.as_posix()}"', ""]
    for b in base.batches:
        lines += ["[[batch]]", f'id = "{b.id}"', f"count = {b.count * factor}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def chunk_ms_per_rep(plan, size: int = 250, repeats: int = 12, reference: bool = False) -> float:
    """Median cost of one chunk on one core, ms per replication (CPU time).

    ``reference``: the straightforward formulation the engine had before
    (:func:`tests/oracles/reference_chunk.py.simulate_chunk_reference`).
    """
    from lgsim.engine.chunk import simulate_chunk

    from oracles.reference_chunk import simulate_chunk_reference

    func = simulate_chunk_reference if reference else simulate_chunk
    func(plan, 1, 0, size)
    times = []
    for i in range(repeats):
        t0 = time.process_time()
        func(plan, 1, (i + 1) * size, size)
        times.append(time.process_time() - t0)
    return 1000 * median(times) / size


# ---------------------------------------------------------------------------- sections
def machine() -> dict:
    from importlib.metadata import version

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((ln.split(":", 1)[1].strip() for ln in lscpu.splitlines()
                  if ln.startswith("Model name")), platform.processor())
    return {
        "cpu": model, "cores": os.cpu_count(),
        "python": platform.python_version(), "numpy": np.__version__,
        "scipy": version("scipy"), "simpy": version("simpy"), "xarray": version("xarray"),
        "dask": version("dask"), "platform": f"{os.uname().sysname} {os.uname().release}",
        "load_at_start": load(),
    }


def imports(repeats: int) -> dict:
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import lgsim": [sys.executable, "-c", "import lgsim"],
        "python -m lgsim --version": [sys.executable, "-m", "lgsim", "--version"],
        "run path imports": [sys.executable, "-c",
                             "import lgsim.cli, lgsim.montecarlo, lgsim.results, "
                             "lgsim.outputs.rundir, lgsim.engine.chunk, xarray, h5netcdf; "
                             "lgsim.cli.build_parser()"],
    }
    out = {}
    for name, cmd in cmds.items():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        out[name] = median(times)
    return out


def end_to_end(ns: list[int], repeats: dict[int, int], tmp: Path) -> dict:
    out = {}
    for n in ns:
        runs = [cli_run(n, tmp / f"e2e-{n}") for _ in range(repeats[n])]
        out[str(n)] = summarise(runs, n)
        print(f"  e2e n={n:,}: {out[str(n)]['wall_s']:.2f} s", flush=True)
    return out


def in_process(ns: list[int], repeats: dict[int, int]) -> dict:
    import lgsim

    s = lgsim.load_scenario(BASE)
    lgsim.run(s, 500, workers=1)
    out = {}
    for n in ns:
        times, loads = [], []
        for _ in range(repeats[n]):
            loads.append(load())
            t0 = time.perf_counter()
            lgsim.run(s, n)
            times.append(time.perf_counter() - t0)
        out[str(n)] = {"wall_s": median(times), "ms_per_replication": 1000 * median(times) / n,
                       "load_before": median(loads), "repeats": repeats[n]}
        print(f"  in-process n={n:,}: {median(times):.2f} s", flush=True)
    return out


def project_scaling(tmp: Path, naive_reps: int) -> dict:
    from naive_simpy import time_per_replication

    import lgsim
    from lgsim.engine.plan import compile_plan

    rows = []
    for factor in (1, 4, 16):
        path = BASE if factor == 1 else scaled_scenario(factor, tmp)
        plan = compile_plan(lgsim.load_scenario(path))
        ms = chunk_ms_per_rep(plan, repeats=12 if factor < 16 else 6)
        row = {"factor": factor, "project_slots": len(plan.slots), "ms_per_replication": ms,
               "load_before": load()}
        if factor == 1:
            row["reference_ms_per_replication"] = chunk_ms_per_rep(plan, reference=True)
        if factor <= 4:
            naive = 1000 * time_per_replication(path, naive_reps if factor == 1 else
                                                max(10, naive_reps // 4))
            row["naive_simpy_ms_per_replication"] = naive
            row["naive_over_lgsim"] = naive / ms
        rows.append(row)
        print(f"  projects x{factor}: {ms:.3f} ms/rep", flush=True)
    slots = np.log([r["project_slots"] for r in rows])
    cost = np.log([r["ms_per_replication"] for r in rows])
    exponent = float(np.polyfit(slots, cost, 1)[0])
    return {"rows": rows, "fitted_exponent": exponent}


def start_methods(n: int, repeats: int, tmp: Path) -> dict:
    out = {}
    for method in ("fork", "forkserver", "spawn"):
        runs = [cli_run(n, tmp / f"sm-{method}", env={"LGSIM_START_METHOD": method})
                for _ in range(repeats)]
        out[method] = summarise(runs, n)
        print(f"  start method {method}: {out[method]['wall_s']:.2f} s", flush=True)
    return out


def chunk_sizes() -> dict:
    import lgsim
    from lgsim.engine.plan import compile_plan

    plan = compile_plan(lgsim.load_scenario(BASE))
    return {str(c): chunk_ms_per_rep(plan, size=c, repeats=max(3, 3000 // c))
            for c in (100, 250, 1000, 2500)}


def checkpoint_overhead(n: int, repeats: int, tmp: Path) -> dict:
    import lgsim

    s = lgsim.load_scenario(BASE)
    out = {}
    for label, ck in (("without", None), ("with", tmp / "ck")):
        times = []
        for _ in range(repeats):
            if ck is not None:
                shutil.rmtree(ck, ignore_errors=True)
            t0 = time.perf_counter()
            lgsim.run(s, n, checkpoint=ck)
            times.append(time.perf_counter() - t0)
        out[label] = median(times)
    return out


def dask_variant(variant: str, n: int, repeats: int) -> dict:
    """One dask measurement in this (fresh) process: a local cluster with dask's default
    worker environment or lgsim's, runs of ``n`` replications against it."""
    import dask
    from distributed import Client, LocalCluster

    import lgsim
    from lgsim.montecarlo.executors import DASK_WORKER_ENVIRON

    s = lgsim.load_scenario(BASE)
    cfg = DASK_WORKER_ENVIRON if variant == "lgsim" else {}
    with dask.config.set(cfg):
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        start = time.perf_counter() - t0
    try:
        with Client(cluster) as client:
            env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        lgsim.run(s, 500, executor="dask", scheduler=cluster.scheduler_address)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            lgsim.run(s, n, executor="dask", scheduler=cluster.scheduler_address)
            times.append(time.perf_counter() - t0)
    finally:
        cluster.close()
    return {"cluster_start_s": start, "run_s": median(times),
            "ms_per_replication": 1000 * median(times) / n,
            "worker_MALLOC_TRIM_THRESHOLD_": sorted(set(env.values()), key=str)}


def dask_runs(n: int, repeats: int) -> dict:
    """Each variant in a fresh process (a dask nanny writes its worker environment into
    the environment of the process that runs it, which would leak into the next one)."""
    import lgsim

    out = {}
    for label, variant in (("dask default worker environment", "default"),
                           ("lgsim worker environment", "lgsim")):
        proc = subprocess.run(
            [sys.executable, __file__, "--dask-variant", variant, "--dask-n", str(n),
             "--dask-repeats", str(repeats)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
        out[label] = json.loads(proc.stdout.strip().splitlines()[-1])
        out[label]["load_before"] = load()
        print(f"  {label}: {out[label]['run_s']:.2f} s", flush=True)
    s = lgsim.load_scenario(BASE)
    t0 = time.perf_counter()
    lgsim.run(s, n, executor="dask", workers=2)
    out["local cluster started and closed by lgsim (one run)"] = {
        "run_s": time.perf_counter() - t0}
    return out


# ---------------------------------------------------------------------------- report
def markdown(res: dict) -> str:
    m = res["machine"]
    lines = [
        "## Benchmark results",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores; {m['platform']}; Python {m['python']}, "
        f"numpy {m['numpy']}, scipy {m['scipy']}, simpy {m['simpy']}, xarray {m['xarray']}, "
        f"dask {m['dask']}. Load average at start {m['load_at_start']:.2f}; "
        f"command: `{res['command']}`; {res['duration_s']:.0f} s.",
        "",
        "### End to end: `python -m lgsim run scenarios/base.toml -n N` (default workers)",
        "",
        "| N | wall (median) | ms / replication | simulation part | peak tree RSS | "
        "peak tree PSS | largest process RSS | load before | repeats |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in res["end_to_end"].items():
        lines.append(
            f"| {int(n):,} | {r['wall_s']:.2f} s | {r['ms_per_replication']:.3f} | "
            f"{r['simulation_s']:.2f} s | {r['peak_tree_rss_mb']:.0f} MB | "
            f"{r['peak_tree_pss_mb']:.0f} MB | {r['peak_main_rss_mb']:.0f} MB | "
            f"{r['load_before']:.2f} | {r['repeats']} ({', '.join(map(str, r['walls_s']))}) |"
        )
    lines += ["", "### In process: `lgsim.run(base, N)` (default workers, no files)", "",
              "| N | wall (median) | ms / replication | load before |",
              "| ---: | ---: | ---: | ---: |"]
    for n, r in res["in_process"].items():
        lines.append(f"| {int(n):,} | {r['wall_s']:.2f} s | {r['ms_per_replication']:.3f} | "
                     f"{r['load_before']:.2f} |")
    sc = res["project_scaling"]
    lines += ["", "### One core, one chunk of 250: cost as projects grow (batches ×1, ×4, ×16)",
              "", "| batches | project slots | lgsim ms / replication | naive simpy ms / "
              "replication | naive ÷ lgsim |", "| ---: | ---: | ---: | ---: | ---: |"]
    for r in sc["rows"]:
        naive = r.get("naive_simpy_ms_per_replication")
        lines.append(
            f"| ×{r['factor']} | {r['project_slots']} | {r['ms_per_replication']:.3f} | "
            + (f"{naive:.2f} | {r['naive_over_lgsim']:.0f}× |" if naive else "— | — |")
        )
    ref = sc["rows"][0].get("reference_ms_per_replication")
    lines += ["", f"Fitted growth exponent (log time against log project slots): "
              f"**{sc['fitted_exponent']:.2f}**. The previous formulation of a chunk "
              f"(`engine.reference`, dense arrays, scipy's Beta functions, land projects "
              f"through the full simpy pass) costs {ref:.3f} ms / replication on base.", ""]
    lines += ["### Chunk size (one core, ms / replication)", "",
              "| C | " + " | ".join(res["chunk_sizes"]) + " |",
              "| --- | " + " | ".join("---:" for _ in res["chunk_sizes"]) + " |",
              "| ms | " + " | ".join(f"{v:.3f}" for v in res["chunk_sizes"].values()) + " |",
              ""]
    if "start_methods" in res:
        lines += ["### Process start method (end to end, N = 10,000)", "",
                  "| method | wall (median) | load before |", "| --- | ---: | ---: |"]
        for k, r in res["start_methods"].items():
            lines.append(f"| {k} | {r['wall_s']:.2f} s | {r['load_before']:.2f} |")
        lines.append("")
    ck = res["checkpoint"]
    lines += [f"Chunk files (checkpoint) for N = 10,000 in process: {ck['with']:.2f} s with, "
              f"{ck['without']:.2f} s without.", ""]
    if "dask" in res:
        lines += ["### dask.distributed, local cluster of 2 single-threaded workers "
                  "(N = 10,000)", "", "| worker environment | cluster start | run | "
                  "ms / replication |", "| --- | ---: | ---: | ---: |"]
        for k, r in res["dask"].items():
            if "cluster_start_s" in r:
                trim = ", ".join(str(v) for v in r["worker_MALLOC_TRIM_THRESHOLD_"])
                lines.append(f"| {k} (workers' MALLOC_TRIM_THRESHOLD_ = {trim}) | "
                             f"{r['cluster_start_s']:.2f} s | {r['run_s']:.2f} s | "
                             f"{r['ms_per_replication']:.3f} |")
            else:
                lines.append(f"| {k} | (included) | {r['run_s']:.2f} s | |")
        lines.append("")
    lines += ["### Imports (median wall time of a fresh process)", "",
              "| command | s |", "| --- | ---: |"]
    lines += [f"| `{k}` | {v:.2f} |" for k, v in res["imports"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description="Benchmarks of lgsim run")
    p.add_argument("--quick", action="store_true", help="fewer repeats, no 100,000 runs")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--dask-variant", choices=("default", "lgsim"), help=argparse.SUPPRESS)
    p.add_argument("--dask-n", type=int, default=10_000, help=argparse.SUPPRESS)
    p.add_argument("--dask-repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.dask_variant:
        print(json.dumps(dask_variant(args.dask_variant, args.dask_n, args.dask_repeats)))
        return
    t_start = time.perf_counter()
    ns = [1000, 10_000] if args.quick else [1000, 10_000, 100_000]
    e2e_reps = {1000: 3, 10_000: 3, 100_000: 1} if args.quick else \
        {1000: 5, 10_000: 5, 100_000: 3}
    inproc_reps = {1000: 3, 10_000: 3, 100_000: 1} if args.quick else \
        {1000: 5, 10_000: 5, 100_000: 2}
    res: dict = {"command": "python benchmarks/bench_run.py" + (" --quick" if args.quick
                                                                 else "")}
    with tempfile.TemporaryDirectory(prefix="lgsim-bench-") as tmpdir:
        tmp = Path(tmpdir)
        print("machine", flush=True)
        res["machine"] = machine()
        print("imports", flush=True)
        res["imports"] = imports(3 if args.quick else 5)
        print("end to end", flush=True)
        res["end_to_end"] = end_to_end(ns, e2e_reps, tmp)
        print("in process", flush=True)
        res["in_process"] = in_process(ns, inproc_reps)
        print("scaling and naive simpy", flush=True)
        res["project_scaling"] = project_scaling(tmp, 40 if args.quick else 100)
        print("chunk sizes", flush=True)
        res["chunk_sizes"] = chunk_sizes()
        print("start methods", flush=True)
        res["start_methods"] = start_methods(10_000, 2 if args.quick else 3, tmp)
        print("checkpoint", flush=True)
        res["checkpoint"] = checkpoint_overhead(10_000, 2 if args.quick else 3, tmp)
        if not args.no_dask:
            print("dask", flush=True)
            res["dask"] = dask_runs(10_000, 2 if args.quick else 3)
    res["machine"]["load_at_end"] = load()
    res["duration_s"] = time.perf_counter() - t_start
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    text = markdown(res)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out / 'results.json'} and {args.out / 'results.md'}")


if __name__ == "__main__":
    main()
