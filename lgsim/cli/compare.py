"""``compare``: run scenarios on common random numbers and compare them with the first."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..i18n import _
from . import EXIT_OK, InputError, add_run_options


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: run every scenario with one seed, print and write the comparison."""
    from ..outputs.study_files import write_comparison
    from ..scenario import load_scenario
    from ..studies.compare import compare, default_out_dir
    from .run import progress_bar

    if len(args.scenarios) < 2:
        raise InputError(_("compare needs at least two scenario files"))
    scenarios = [load_scenario(path) for path in args.scenarios]
    n = args.replications or scenarios[0].replications
    update, close = progress_bar(n * len(scenarios))
    t0 = time.perf_counter()
    try:
        comparison = compare(scenarios, replications=n, seed=args.seed, workers=args.workers,
                             progress=update)
    finally:
        close()
    elapsed = time.perf_counter() - t0
    out = args.out or default_out_dir(list(comparison.labels))
    formats = ("png", "svg") if args.svg else ("png",)
    write_comparison(comparison, out, formats=formats, report=not args.no_report)
    print(comparison.to_text(out_dir=f"{out}/"))
    print(_("({scenarios} × {n:,} replications in {seconds:.1f} s)").format(
        scenarios=len(scenarios), n=n, seconds=elapsed))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``compare``."""
    p = sub.add_parser(
        "compare",
        help=_("compare scenarios on common random numbers (paired differences to the "
               "first)"),
        description=_(
            "Run every scenario with the first one's seed and replications (or -n/--seed) "
            "and compare each with the first, replication by replication. Writes "
            "comparison.json, comparison.csv, charts and comparison.html into --out "
            "(default runs/compare-<a>-vs-<b>...)."
        ),
    )
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO",
                   help=_("two or more scenario files; the first is the reference"))
    add_run_options(p)
    p.add_argument("--svg", action="store_true", help=_("also write the charts as SVG"))
    p.add_argument("--no-report", action="store_true",
                   help=_("do not write comparison.html"))
    p.set_defaults(func=cmd_compare)
