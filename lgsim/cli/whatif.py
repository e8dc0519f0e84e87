"""``sensitivity`` and ``solve``: what moves P(target met), and what it would take.

Both take the run options of ``run`` (``-n``, ``--seed``, ``--workers``, ``--out``) and
call :mod:`lgsim.studies.sensitivity` / :mod:`lgsim.studies.solve`; bad input exits with code 2.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from ..i18n import _
from ..scenario.errors import ScenarioError
from . import EXIT_OK, InputError, add_run_options, positive_int
from .progress import ProgressBar

#: Default replications per sample point of the global methods (Sobol, Morris).
GLOBAL_REPLICATIONS = 20


def _out_dir(args: argparse.Namespace, scenario_name: str, what: str) -> Path:
    from ..outputs.rundir import default_out_dir

    return args.out if args.out is not None else default_out_dir(scenario_name) / what


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``sensitivity``: ranked drivers of P(target met) and median growth."""
    from ..outputs.study_files import write_sensitivity
    from ..scenario import load_scenario
    from ..studies.sensitivity import sensitivity

    scenario = load_scenario(args.scenario)
    options: dict[str, object] = {
        "params": args.params, "seed": args.seed, "workers": args.workers,
    }
    if args.method == "tornado":
        options["replications"] = args.replications
        if args.samples is not None:
            raise InputError(_("--samples applies to --method sobol or morris, not tornado"))
    else:
        options["replications"] = args.replications or GLOBAL_REPLICATIONS
        if args.samples is not None:
            options["samples" if args.method == "sobol" else "trajectories"] = args.samples
    t0 = time.perf_counter()
    with ProgressBar(desc=_("sensitivity ({method})").format(method=args.method)) as bar:
        result = sensitivity(scenario, args.method, **options, progress=bar)
    elapsed = time.perf_counter() - t0
    out = _out_dir(args, scenario.name, "sensitivity")
    files = write_sensitivity(result, out, plot=not args.no_plot)
    print(result.to_text(top=args.top))
    print()
    print(_("{count:,} evaluations in {seconds:.1f} s").format(count=result.evaluations,
                                                               seconds=elapsed))
    print(_("Wrote {files}").format(files=", ".join(str(f) for f in files)))
    return EXIT_OK


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            _("--probability: expected a fraction such as 0.8, found {text!r}").format(
                text=text)
        ) from None
    if not math.isfinite(value) or not 0.0 < value < 1.0:
        hint = _(" (looks like percent: write {fraction:g} for {value:g}%)").format(
            fraction=value / 100, value=value) if 1.0 < value <= 100.0 else ""
        raise InputError(_("--probability: expected a fraction in (0, 1), found {text}{hint}")
                         .format(text=text, hint=hint))
    return value


def cmd_solve(args: argparse.Namespace) -> int:
    """``solve``: the lever value that lifts P(target met) to the requested level."""
    from ..outputs.study_files import write_solution
    from ..scenario import load_scenario
    from ..studies.solve import default_bounds, lever_value, solve

    probability = _probability(args.probability)
    if args.grid < 3:
        raise InputError(_("--grid: expected at least 3 points, found {grid}").format(
            grid=args.grid))
    scenario = load_scenario(args.scenario)
    current = lever_value(scenario, args.lever)  # ScenarioError: unknown path, not a number
    bounds = None
    if args.bounds is not None:
        lo, hi = args.bounds
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(_("--bounds: expected LO < HI, found {lo:g} {hi:g}").format(
                lo=lo, hi=hi))
        bounds = (lo, hi)
    else:
        try:
            default_bounds(args.lever, current)
        except ValueError as exc:
            raise InputError(f"--bounds: {exc}") from None
    t0 = time.perf_counter()
    try:
        with ProgressBar(desc=_("solve")) as bar:
            solution = solve(
                scenario, args.lever, probability, bounds=bounds,
                replications=args.replications, seed=args.seed, workers=args.workers,
                grid=args.grid, progress=bar,
            )
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise InputError(f"--bounds: {exc}") from None
    elapsed = time.perf_counter() - t0
    out = _out_dir(args, scenario.name, "solve")
    files = write_solution(solution, out)
    print(solution.to_text())
    print()
    print(_("{count:,} evaluations in {seconds:.1f} s").format(count=solution.evaluations,
                                                               seconds=elapsed))
    print(_("Wrote {files}").format(files=", ".join(str(f) for f in files)))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sensitivity`` and ``solve``."""
    p = sub.add_parser(
        "sensitivity",
        help=_("rank the uncertain inputs by how much they move P(target met)"),
        description=_(
            "tornado: each uncertain input at its P10 and P90, the rest random, on common "
            "random numbers (-n = replications per run, default the scenario's). "
            "sobol / morris: SALib indices over the inputs' quantiles; each sample point "
            "averages -n replications (default {replications}) on common random "
            "numbers."
        ).format(replications=GLOBAL_REPLICATIONS),
    )
    p.add_argument("scenario", type=Path, metavar="SCENARIO", help=_("a scenario file"))
    p.add_argument("--method", choices=("tornado", "sobol", "morris"), default="tornado",
                   help=_("tornado (default), sobol or morris"))
    p.add_argument("--params", nargs="+", metavar="PATH",
                   help=_("inputs to vary (key paths or entries kind[id]); default all"))
    p.add_argument("--samples", type=positive_int,
                   help=_("Sobol base sample N (power of 2, default 64) or Morris "
                          "trajectories (default 10)"))
    p.add_argument("--top", type=positive_int,
                   help=_("show only the top inputs in the terminal"))
    p.add_argument("--no-plot", action="store_true", help=_("do not write the chart"))
    add_run_options(p)
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser(
        "solve",
        help=_("find the lever value that lifts P(target met) to a requested level"),
        description=_(
            "Common random numbers (one seed for every evaluation); a grid checks "
            "monotonicity; bisection finds the value and its {level} simulation-precision "
            "range (Wilson test inversion)."
        ).format(level="95%"),
    )
    p.add_argument("scenario", type=Path, metavar="SCENARIO", help=_("a scenario file"))
    p.add_argument("--lever", required=True, metavar="PATH",
                   help=_("key path of a number, e.g. sector[industry].growth.mean"))
    p.add_argument("--probability", required=True, metavar="P",
                   help=_("requested P(target met) as a fraction, e.g. 0.8"))
    p.add_argument("--bounds", nargs=2, type=float, metavar=("LO", "HI"),
                   help=_("search range in the lever's units (default from the field)"))
    p.add_argument("--grid", type=positive_int, default=9,
                   help=_("grid points for the monotonicity check (default 9)"))
    add_run_options(p)
    p.set_defaults(func=cmd_solve)
