"""What conditioning on published figures costs and gives: wall time, ESS, P(met).

Usage::

    python benchmarks/bench_conditioning.py [--repeats 5]

For each scenario, ``python -m lgsim run SCENARIO`` end to end (process start to files
written, the scenario's default 2,000 replications, all cores), median of the repeats,
with the 1-minute load average before each; then P(target met), the effective sample size
and the replications used, from the run's ``summary.json``. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {
    "base-unconditioned (the prior)": "scenarios/base-unconditioned.toml",
    "base (Shenzhen Q1 proxy + Longgang 1–2月 industry)": "scenarios/base.toml",
    "prior + Q1 = 2.0% (Shenzhen proxy)": "scenarios/q1-actual-proxy.toml",
    "base + H1 = 3.0% (hypothetical)": "scenarios/examples/h1-3pct.toml",
    "base + Q1–Q3 = 1.5% (invented)": "scenarios/examples/q1q3-1p5pct.toml",
}


def one_run(path: str, out: Path) -> float:
    """Seconds of one end-to-end run."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lgsim", "run", path, "--out", str(out), "--force"],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    """Measure every scenario and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; "
          f"{args.repeats} repeats, median wall time\n")
    print("| scenario | wall time | load | P(6%) | prior P(6%) | ESS / replications |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in SCENARIOS.items():
            out = Path(tmp) / Path(path).stem
            loads, times = [], []
            for _ in range(args.repeats):
                loads.append(os.getloadavg()[0])
                times.append(one_run(path, out))
            summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            cond = summary.get("conditioning") or {}
            prior = cond.get("prior_p_target_met_pct")
            ess = cond.get("ess")
            size = (f"{ess:,.0f} / {summary['replications']:,}" if ess is not None
                    else f"— / {summary['replications']:,}")
            print(f"| {label} | {statistics.median(times):.2f} s | "
                  f"{statistics.median(loads):.2f} | {summary['p_target_met_pct']:.2f}% | "
                  f"{'—' if prior is None else f'{prior:.1f}%'} | {size} |")


if __name__ == "__main__":
    main()
