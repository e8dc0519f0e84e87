"""``run`` and ``validate``: simulate a scenario; check scenario files."""

from __future__ import annotations

import argparse
import socket
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from ..scenario.errors import ScenarioError, ScenarioWarning
from . import EXIT_INPUT, EXIT_OK, add_run_options


def progress_bar(total: int) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr for long interactive runs: ``(update, close)``."""
    if not sys.stderr.isatty() or total < 2000:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="rep", file=sys.stderr, leave=False)
    return bar.update, bar.close


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: simulate a scenario and write its run directory."""
    from .. import load_scenario
    from ..headline import headline
    from ..montecarlo import run
    from ..rundir import check_out_dir, default_out_dir, write_run

    scenario = load_scenario(args.scenario)
    n = args.replications or scenario.replications
    out = args.out or default_out_dir(scenario.name)
    seed = args.seed if args.seed is not None else scenario.seed
    check_out_dir(out, scenario.name, seed, force=args.force)
    update, close = progress_bar(n)
    t0 = time.perf_counter()
    try:
        results = run(scenario, replications=n, seed=args.seed, workers=args.workers,
                      progress=update)
    finally:
        close()
    elapsed = time.perf_counter() - t0
    write_run(
        results, out,
        log_lines=[
            f"started {time.strftime('%Y-%m-%dT%H:%M:%S%z')} on {socket.gethostname()}",
            f"workers {args.workers or 'all cores'}; simulation wall time {elapsed:.2f} s",
        ],
    )
    if args.plots or args.svg or args.report:
        from ..plots import run_figures, save_figures
        from ..report import write_report

        figures = run_figures(results)
        if args.plots or args.svg:
            save_figures(figures, out, ("png", "svg") if args.svg else ("png",))
        if args.report:
            write_report(out, results, figures)
    print(headline(results, out_dir=f"{out}/"))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: check scenario files without running them."""
    from .. import load_scenario

    status = EXIT_OK
    for path in args.scenarios:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScenarioWarning)
                s = load_scenario(path)
        except ScenarioError as exc:
            print(exc.message, file=sys.stderr)
            status = EXIT_INPUT
            continue
        members = sum(b.count for b in s.batches)
        print(
            f"ok {path}: {s.name} — {len(s.sectors)} sectors, {len(s.projects)} projects, "
            f"{len(s.batches)} batches ({members} members), {len(s.pipelines)} pipeline, "
            f"{len(s.lands)} land, {len(s.shocks)} shocks"
        )
        for w in s.warnings:
            print(f"warning: {w}")
    return status


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run`` and ``validate``."""
    p = sub.add_parser("run", help="simulate a scenario and write its run directory")
    p.add_argument("scenario", type=Path)
    add_run_options(p)
    p.add_argument("--force", action="store_true",
                   help="overwrite a run directory of another scenario or seed")
    p.add_argument("--plots", action="store_true", help="write the charts (PNG) into the run "
                   "directory")
    p.add_argument("--svg", action="store_true", help="write the charts as SVG too (implies "
                   "--plots)")
    p.add_argument("--report", action="store_true", help="write report.html (charts, tables, "
                   "sources) into the run directory")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", type=Path)
    p.set_defaults(func=cmd_validate)
