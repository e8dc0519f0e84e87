"""What the monthly tracker costs against one run: ``track`` (12 months) / ``run``.

Usage::

    python benchmarks/bench_track.py [--repeats 5] [--scenario scenarios/base.toml]

End to end (process start to every file written), the scenario's default run size, all
cores: ``python -m lgsim run SCENARIO`` and ``python -m lgsim track SCENARIO --from
<year>-01 --to <year>-12`` (charts and ``track.html`` included, as by default), each
``--repeats`` times alternating; medians, their ratio, and the 1-minute load average
before each measurement. The goal (issue 12): a 12-month track under 4 × one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str]) -> float:
    """Seconds of one command, end to end."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lgsim", *args], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    """Measure ``run`` and ``track`` alternately and print the medians and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default="scenarios/base.toml")
    parser.add_argument("--year", type=int, default=2022)
    args = parser.parse_args()
    runs, tracks, loads = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            loads.append(os.getloadavg()[0])
            runs.append(timed(["run", args.scenario, "--out", f"{tmp}/run", "--force"]))
            loads.append(os.getloadavg()[0])
            tracks.append(timed(["track", args.scenario, "--from", f"{args.year}-01",
                                 "--to", f"{args.year}-12", "--out", f"{tmp}/track",
                                 "--force"]))
    run_s, track_s = statistics.median(runs), statistics.median(tracks)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
          f"{sys.version.split()[0]}; {args.repeats} repeats each, alternating; "
          f"load average before a measurement: median {statistics.median(loads):.2f}, "
          f"max {max(loads):.2f}\n")
    print("| command | median wall time | all repeats |")
    print("| --- | --- | --- |")
    print(f"| `run {args.scenario}` | {run_s:.2f} s | {', '.join(f'{t:.2f}' for t in runs)} |")
    print(f"| `track {args.scenario} --from {args.year}-01 --to {args.year}-12` | "
          f"{track_s:.2f} s | {', '.join(f'{t:.2f}' for t in tracks)} |")
    print(f"\nratio track / run: {track_s / run_s:.2f} (goal: under 4)")


if __name__ == "__main__":
    main()
