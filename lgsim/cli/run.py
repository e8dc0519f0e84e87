"""``run`` and ``validate``: simulate a scenario; check scenario files."""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..scenario.errors import ScenarioError, ScenarioWarning
from . import (
    EXIT_INPUT,
    EXIT_OK,
    InputError,
    Stopped,
    add_run_options,
    positive_int,
)
from .progress import ProgressBar

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results


def progress_bar(total: int) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr for long interactive runs: ``(update, close)``."""
    if not sys.stderr.isatty() or total < 2000:
        return None, lambda: None
    bar = ProgressBar(total=total)
    return bar, bar.close



def check_out_dir(out: Path, scenario: str, seed: int | None, *, force: bool) -> None:
    """Refuse to overwrite a run directory of a different scenario or seed without force.

    A ``summary.json`` lgsim did not write (not JSON, missing lgsim's keys, a FIFO...) is
    never replaced without ``force`` either.
    """
    from ..outputs.rundir import RunDirectoryError, read_summary

    try:
        old = read_summary(out)
    except RunDirectoryError as exc:
        if force:
            return
        raise ScenarioError(
            str(out), "--out", _("an empty directory or an lgsim run directory (or --force)"),
            re.split(r": |：", str(exc), maxsplit=1)[-1],
        ) from None
    if force or old is None:
        return
    same = old.get("scenario") == scenario and (seed is None or old.get("seed") == seed)
    if not same:
        raise ScenarioError(
            str(out), "--out",
            _("an empty directory or one holding the same scenario and seed (or --force)"),
            _("a run of scenario {scenario!r} with seed {seed}").format(
                scenario=old.get("scenario"), seed=old.get("seed")),
        )


def half_width(text: str) -> float:
    """Parse a half-width between 0 and 0.5, a probability (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected a number, found {text!r}").format(text=text)) from None
    if not 0.0 < value < 0.5:
        hint = _(" (looks like percentage points: write {value:g})").format(
            value=value / 100) if value >= 0.5 else ""
        raise argparse.ArgumentTypeError(
            _("expected a half-width between 0 and 0.5, found {text}{hint}").format(
                text=text, hint=hint)
        )
    return value


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: simulate a scenario and write its run directory."""
    from ..fileio import DirectoryLock
    from ..outputs.rundir import default_out_dir
    from ..scenario import load_scenario

    executor = args.executor or ("dask" if args.scheduler else None)
    if args.scheduler and executor != "dask":
        raise InputError(_("--scheduler needs --executor dask"))

    scenario = load_scenario(args.scenario)
    out = Path(args.out or default_out_dir(scenario.name))
    with DirectoryLock(out):  # DirectoryBusy: another run writes here (one line, exit 2)
        try:
            return _run_locked(args, scenario, out, executor)
        except KeyboardInterrupt as exc:
            raise Stopped(getattr(exc, "signum", 2), _resume_hint(out)) from None


def _resume_hint(out: Path) -> str:
    from ..montecarlo.checkpoint import CHUNK_DIR

    if any((out / CHUNK_DIR).glob("chunk-*.npz")):
        return _("the chunks finished so far are kept in {folder}: rerun the same command "
                 "with --resume to compute only the rest").format(folder=out / CHUNK_DIR)
    return _("nothing was computed yet: rerun the same command (--resume continues a "
             "stopped run)")


def _run_locked(args: argparse.Namespace, scenario: Any, out: Path,
                executor: str | None) -> int:
    from ..fileio import ensure_free_space
    from ..montecarlo._nodask import dask_hidden
    from ..montecarlo.checkpoint import CHUNK_DIR
    from ..montecarlo.footprint import footprint
    from ..montecarlo.runner import run
    from ..outputs.rundir import begin_run

    n = args.replications or scenario.replications
    seed = args.seed if args.seed is not None else scenario.seed
    check_out_dir(out, scenario.name, seed, force=args.force)
    keep = set(args.keep or ())
    chunk_dir = out / CHUNK_DIR

    def on_start() -> None:
        fp = footprint(scenario, n, args.workers, args.chunk_size, keep & {"paths"})
        ensure_free_space(out, fp.disk(checkpoint=True), _("the chunk files and results.nc"))
        begin_run(out)

    update, close = progress_bar(n)
    t0 = time.perf_counter()
    try:
        results = run(scenario, replications=n, seed=args.seed, workers=args.workers,
                      progress=update, executor=executor, scheduler=args.scheduler,
                      chunk_size=args.chunk_size, keep=keep & {"paths"},
                      precision=args.precision, min_ess=args.min_ess,
                      max_replications=args.max_replications,
                      checkpoint=chunk_dir, resume=args.resume, on_start=on_start)
    finally:
        close()
    elapsed = time.perf_counter() - t0
    # unless dask ran the chunks, keep xarray from importing it (≈1 s) from here on (the
    # workers are gone; they were forked before xarray and pandas were imported)
    with contextlib.nullcontext() if executor == "dask" else dask_hidden():
        return _write_and_show(args, results, out, keep, elapsed)


def _write_and_show(
    args: argparse.Namespace, results: Results, out: Path, keep: set[str], elapsed: float
) -> int:
    from ..outputs.headline import headline
    from ..outputs.rundir import finish_chunks, publish_summary, write_run

    text = headline(results, out_dir=f"{out}/")  # before any file: a bad figure stops here
    write_run(
        results, out, publish=False,
        log_lines=[
            f"started {time.strftime('%Y-%m-%dT%H:%M:%S%z')} on {socket.gethostname()}",
            f"workers {results.run_info.workers if results.run_info else 'all cores'}; "
            f"simulation wall time {elapsed:.2f} s",
        ],
    )
    if args.plots or args.svg or args.report:
        _write_extras(args, results, out)
    publish_summary(results, out)  # last: from here the directory holds a finished run
    finish_chunks(out, keep="chunks" in keep)
    notice = results.run_info.notice() if results.run_info is not None else None
    if notice is not None:
        lines = text.split("\n")
        lines.insert(2, notice)
        text = "\n".join(lines)
    print(text)
    return EXIT_OK


def _write_extras(args: argparse.Namespace, results: Results, out: Path) -> None:
    """The charts and the report, before ``summary.json`` (their failure leaves none)."""
    from ..fileio import ensure_free_space
    from ..outputs.plots import run_figures, save_figures
    from ..outputs.report import write_report
    from ..outputs.rundir import EXTRAS_BYTES

    ensure_free_space(out, EXTRAS_BYTES, _("the charts and the report"))
    figures = run_figures(results)
    if args.plots or args.svg:
        save_figures(figures, out, ("png", "svg") if args.svg else ("png",))
    if args.report:
        write_report(out, results, figures, summary=results.summary())


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: check scenario files without running them."""
    from ..montecarlo.footprint import preflight
    from ..scenario import load_scenario

    status = EXIT_OK
    for path in args.scenarios:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScenarioWarning)
                s = load_scenario(path)
                preflight(s)  # what run checks before simulating
        except ScenarioError as exc:
            if exc.path == "replications":  # the file's run size (run names the flag -n)
                exc = ScenarioError(exc.file, "scenario.replications", exc.expected, exc.found,
                                    exc.hint.removeprefix(_("memory: ")))
            print(exc.message, file=sys.stderr)
            status = EXIT_INPUT
            continue
        members = sum(b.count for b in s.batches)
        print(
            _("ok {path}: {name} — {sectors} sectors, {projects} projects, {batches} batches "
              "({members} members), {pipeline} pipeline, {land} land, {shocks} shocks").format(
                path=path, name=s.name, sectors=len(s.sectors), projects=len(s.projects),
                batches=len(s.batches), members=members, pipeline=len(s.pipelines),
                land=len(s.lands), shocks=len(s.shocks))
        )
        for w in s.warnings:
            print(_("warning: {message}").format(message=w))
    return status


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run`` and ``validate``."""
    p = sub.add_parser("run", help=_("simulate a scenario and write its run directory"))
    p.add_argument("scenario", type=Path, metavar="SCENARIO",
                   help=_("a scenario file (.toml or .xlsx)"))
    add_run_options(p)
    p.add_argument("--force", action="store_true",
                   help=_("overwrite a run directory of another scenario or seed"))
    p.add_argument("--plots", action="store_true",
                   help=_("write the charts (PNG) into the run directory"))
    p.add_argument("--svg", action="store_true",
                   help=_("write the charts as SVG too (implies --plots)"))
    p.add_argument("--report", action="store_true",
                   help=_("write report.html (charts, tables, sources) into the run directory"))
    p.add_argument("--executor", choices=("serial", "process", "dask"),
                   help=_("where chunks run (default: process pool, serial for --workers 1); "
                          "results are identical for every executor"))
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help=_("address of a running dask.distributed scheduler (implies "
                          "--executor dask); without it --executor dask starts a local "
                          "cluster"))
    p.add_argument("--chunk-size", type=positive_int, metavar="C",
                   help=_("replications per chunk (default 250; fixed per run)"))
    p.add_argument("--precision", type=half_width, metavar="H",
                   help=_("stop once the 95%% interval of P(target met) is within ±H (a "
                          "probability: 0.005 = ±0.5 pp); -n is then the maximum"))
    p.add_argument("--min-ess", type=positive_int, default=1000, metavar="E",
                   help=_("a run conditioned on published figures ([actuals]) whose "
                          "effective sample size is below E (default 1000) adds replications "
                          "until it reaches it, up to --max-replications"))
    p.add_argument("--max-replications", type=positive_int, metavar="M",
                   help=_("most replications a conditioned run may add up to (default 10 × "
                          "-n)"))
    p.add_argument("--resume", action="store_true",
                   help=_("continue a run killed part-way: compute only the chunks missing "
                          "in OUT/chunks"))
    p.add_argument("--keep", action="append", choices=("paths", "chunks"),
                   help=_("paths: also keep monthly investment of every project "
                          "(investment_monthly_project); chunks: keep OUT/chunks after the "
                          "run"))
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help=_("check scenario files without running them"))
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO",
                   help=_("scenario files (.toml or .xlsx)"))
    p.set_defaults(func=cmd_validate)
