"""``run`` and ``validate``: simulate a scenario; check scenario files."""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..scenario.errors import ScenarioError, ScenarioWarning
from . import EXIT_INPUT, EXIT_OK, InputError, add_run_options, positive_int
from .progress import ProgressBar

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results


def progress_bar(total: int) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr for long interactive runs: ``(update, close)``."""
    if not sys.stderr.isatty() or total < 2000:
        return None, lambda: None
    bar = ProgressBar(total=total)
    return bar, bar.close


#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def interrupted_message(chunk_dir: Path) -> str:
    """What Ctrl-C during ``run`` leaves, and how to finish the run from there."""
    done = len(list(chunk_dir.glob("chunk-*.npz"))) if chunk_dir.is_dir() else 0
    if not done:
        return "lgsim: interrupted (no chunk finished yet: nothing to resume)"
    return (f"lgsim: interrupted; {done} finished chunk file(s) are kept in {chunk_dir}: "
            "rerun the same command with --resume to compute only the rest")


def check_out_dir(out: Path, scenario: str, seed: int | None, *, force: bool) -> None:
    """Refuse to overwrite a run directory of a different scenario or seed without force."""
    summary = out / "summary.json"
    if force or not summary.exists():
        return
    try:
        old = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    same = old.get("scenario") == scenario and (seed is None or old.get("seed") == seed)
    if not same:
        raise ScenarioError(
            str(out), "--out",
            "an empty directory or one holding the same scenario and seed (or --force)",
            f"a run of scenario {old.get('scenario')!r} with seed {old.get('seed')}",
        )


def half_width(text: str) -> float:
    """Parse a half-width between 0 and 0.5, a probability (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not 0.0 < value < 0.5:
        hint = f" (looks like percentage points: write {value / 100:g})" if value >= 0.5 else ""
        raise argparse.ArgumentTypeError(
            f"expected a half-width between 0 and 0.5, found {text}{hint}"
        )
    return value


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: simulate a scenario and write its run directory."""
    from ..montecarlo._nodask import dask_hidden
    from ..montecarlo.checkpoint import CHUNK_DIR
    from ..montecarlo.runner import run
    from ..outputs.rundir import begin_run, default_out_dir
    from ..scenario import load_scenario

    executor = args.executor or ("dask" if args.scheduler else None)
    if args.scheduler and executor != "dask":
        raise InputError("--scheduler needs --executor dask")

    scenario = load_scenario(args.scenario)
    n = args.replications or scenario.replications
    out = args.out or default_out_dir(scenario.name)
    seed = args.seed if args.seed is not None else scenario.seed
    check_out_dir(out, scenario.name, seed, force=args.force)
    keep = set(args.keep or ())
    chunk_dir = Path(out) / CHUNK_DIR
    update, close = progress_bar(n)
    t0 = time.perf_counter()
    try:
        results = run(scenario, replications=n, seed=args.seed, workers=args.workers,
                      progress=update, executor=executor, scheduler=args.scheduler,
                      chunk_size=args.chunk_size, keep=keep & {"paths"},
                      precision=args.precision, min_ess=args.min_ess,
                      max_replications=args.max_replications,
                      checkpoint=chunk_dir, resume=args.resume,
                      on_start=lambda: begin_run(Path(out)))
    except KeyboardInterrupt:
        close()
        print(interrupted_message(chunk_dir), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        close()
    elapsed = time.perf_counter() - t0
    # unless dask ran the chunks, keep xarray from importing it (≈1 s) from here on (the
    # workers are gone; they were forked before xarray and pandas were imported)
    with contextlib.nullcontext() if executor == "dask" else dask_hidden():
        return _write_and_show(args, results, Path(out), keep, elapsed)


def _write_and_show(
    args: argparse.Namespace, results: Results, out: Path, keep: set[str], elapsed: float
) -> int:
    from ..outputs.headline import headline
    from ..outputs.rundir import finish_chunks, write_run

    write_run(
        results, out,
        log_lines=[
            f"started {time.strftime('%Y-%m-%dT%H:%M:%S%z')} on {socket.gethostname()}",
            f"workers {args.workers or 'all cores'}; simulation wall time {elapsed:.2f} s",
        ],
    )
    finish_chunks(out, keep="chunks" in keep)
    if args.plots or args.svg or args.report:
        from ..outputs.plots import run_figures, save_figures
        from ..outputs.report import write_report

        figures = run_figures(results)
        if args.plots or args.svg:
            save_figures(figures, out, ("png", "svg") if args.svg else ("png",))
        if args.report:
            write_report(out, results, figures)
    text = headline(results, out_dir=f"{out}/")
    notice = results.run_info.notice() if results.run_info is not None else None
    if notice is not None:
        lines = text.split("\n")
        lines.insert(2, notice)
        text = "\n".join(lines)
    print(text)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: check scenario files without running them."""
    from ..scenario import load_scenario

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
    p.add_argument("--executor", choices=("serial", "process", "dask"),
                   help="where chunks run (default: process pool, serial for --workers 1); "
                   "results are identical for every executor")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running dask.distributed scheduler (implies --executor "
                   "dask); without it --executor dask starts a local cluster")
    p.add_argument("--chunk-size", type=positive_int, metavar="C",
                   help="replications per chunk (default 250; fixed per run)")
    p.add_argument("--precision", type=half_width, metavar="H",
                   help="stop once the 95%% interval of P(target met) is within ±H (a "
                   "probability: 0.005 = ±0.5 pp); -n is then the maximum")
    p.add_argument("--min-ess", type=positive_int, default=1000, metavar="E",
                   help="a run conditioned on published figures ([actuals]) whose effective "
                   "sample size is below E (default 1000) adds replications until it reaches "
                   "it, up to --max-replications")
    p.add_argument("--max-replications", type=positive_int, metavar="M",
                   help="most replications a conditioned run may add up to (default 10 × -n)")
    p.add_argument("--resume", action="store_true",
                   help="continue a run killed part-way: compute only the chunks missing "
                   "in OUT/chunks")
    p.add_argument("--keep", action="append", choices=("paths", "chunks"),
                   help="paths: also keep monthly investment of every project "
                   "(investment_monthly_project); chunks: keep OUT/chunks after the run")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", type=Path)
    p.set_defaults(func=cmd_validate)
