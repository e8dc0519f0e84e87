"""``forecast``, ``backtest`` and ``calibrate``: growth from history, and a scenario from it.

Thin wrappers over :func:`lgsim.forecasting.forecast.forecast`,
:func:`lgsim.forecasting.backtest.backtest` and :func:`lgsim.forecasting.calibrate.calibrate`.
Data problems (missing CSV, missing column, unknown indicator, too few figures) exit with
code 2 and one line.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..scenario.errors import ScenarioError
from . import EXIT_OK, InputError, out_dir, positive_int, seed_value
from .progress import ProgressBar

#: Paths simulated per model by the commands (the library's default is 2,000): 10,000
#: puts the Monte Carlo standard error of a forecast mean near 0.05 percentage points.
CLI_N_SIMS = 10_000
#: The shipped data, as named in messages.
SHIPPED = "lgsim/data/longgang_annual.csv"


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn ValueErrors about the data or arguments into one-line input errors (exit 2)."""
    try:
        yield
    except ScenarioError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _csv_text(frame: Any, index: bool = False) -> str:
    """A DataFrame as CSV text, UTF-8 with BOM (Excel shows Chinese correctly)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=index, float_format="%.10g")
    return "\ufeff" + buf.getvalue()


def labelled(frame: Any, pct: tuple[str, ...] = (), pp: tuple[str, ...] = ()) -> Any:
    """Fractions → percent, with the unit in the name.

    ``pct`` columns become ``<name>_pct`` (growth in percent), ``pp`` columns
    ``<name>_pp`` (spreads and errors of growth, percentage points); the rest is unchanged.
    """
    out = frame.copy()
    renames = {}
    for cols, suffix in ((pct, "_pct"), (pp, "_pp")):
        for c in cols:
            if c in out.columns:
                out[c] = 100.0 * out[c]
                renames[c] = f"{c}{suffix}"
    return out.rename(columns=renames)


def _quantile_columns(frame: Any) -> tuple[str, ...]:
    return tuple(c for c in frame.columns if str(c).startswith("q") and str(c)[1:2].isdigit())


def _series(args: argparse.Namespace) -> Any:
    from ..data.official import growth_series, load_annual

    with _input_errors():
        return growth_series(load_annual(args.data), args.indicator)


def _data_label(args: argparse.Namespace) -> str:
    return str(args.data) if args.data is not None else SHIPPED


def cmd_forecast(args: argparse.Namespace) -> int:
    """``forecast``: predictive distribution of a growth indicator for the next years."""
    from ..fileio import write_text
    from ..forecasting.forecast import forecast

    series = _series(args)
    with _input_errors(), ProgressBar("model", desc="backtest") as bar:
        fc = forecast(
            series, horizon=args.horizon, n_sims=args.n_sims, seed=args.seed,
            min_train=args.min_train, gaps=args.gaps, progress=bar,
        )
    print(f"{args.indicator} from {_data_label(args)}")
    print(fc.to_string())
    for c in fc.caveats():
        print(f"caveat: {c}")
    if args.out is not None:
        frame = fc.to_frame()
        frame.insert(0, "indicator", args.indicator)
        frame = labelled(frame, ("mean", *_quantile_columns(frame)), ("sd",))
        path = Path(args.out) / f"forecast-{args.indicator}.csv"
        write_text(path, _csv_text(frame))
        print(f"wrote {path} (growth in percent: _pct; its sd in percentage points: _pp)")
    return EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
    """``backtest``: rolling-origin scores of the models against the naive benchmarks."""
    from ..fileio import write_text, write_with
    from ..forecasting.backtest import backtest
    from ..outputs.plots import backtest_chart

    series = _series(args)
    with _input_errors(), ProgressBar("model", desc="backtest") as bar:
        bt = backtest(
            series, min_train=args.min_train, n_sims=args.n_sims, seed=args.seed,
            gaps=args.gaps, progress=bar,
        )
    print(f"{args.indicator} from {_data_label(args)}")
    print(bt.to_string())
    out = Path(args.out) if args.out is not None else Path("runs") / f"backtest-{args.indicator}"
    table = bt.table()
    table = labelled(table, tuple(c for c in table.columns if str(c).startswith("cover")))
    write_text(out / "backtest_table.csv", _csv_text(table, index=True))
    records = bt.records
    write_text(out / "backtest_records.csv", _csv_text(labelled(
        records, ("observed", "mean", *_quantile_columns(records)), ("sd", "error", "crps"))))
    fig = backtest_chart(bt)
    write_with(out / "backtest.png", lambda tmp: fig.savefig(tmp, format="png", dpi=150))
    print(
        f"wrote {out}/backtest_table.csv (errors in pp, coverage in percent), "
        "backtest_records.csv (growth in percent, errors in pp), backtest.png"
    )
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: a scenario extending SCENARIO with organic growth fitted to history."""
    from ..data.official import load_annual
    from ..forecasting.calibrate import calibrate
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if Path(args.out).resolve() == Path(args.scenario).resolve():
        raise InputError(f"--out: {args.out} is the scenario being calibrated; choose a new file")
    if Path(args.out).is_dir():
        raise InputError(f"--out: {args.out} is a directory; name the new scenario file")
    if Path(args.out).exists() and not args.force:
        raise InputError(f"--out: {args.out} exists; choose a new file or add --force to "
                         "overwrite it")
    ind = args.industry_indicator
    sectors = {} if ind.lower() == "none" else {"industry": ind}
    with _input_errors(), ProgressBar("model", desc="calibrate") as bar:
        cal = calibrate(
            scenario, load_annual(args.data), indicator=args.indicator,
            sector_indicators=sectors, year=args.year, n_sims=args.n_sims, seed=args.seed,
            min_train=args.min_train, progress=bar,
        )
    path = cal.write(args.out)
    print(cal.to_string())
    print(f"wrote {path} (extends {cal.document(path)['extends']}); run it with: "
          f"python -m lgsim run {path}")
    return EXIT_OK


def _common(p: argparse.ArgumentParser, indicator: bool = True) -> None:
    p.add_argument("--data", type=Path, help=f"annual statistics CSV (default: {SHIPPED})")
    if indicator:
        p.add_argument("--indicator", default="gdp_real_growth",
                       help="growth indicator, published in percent (default: gdp_real_growth)")
    p.add_argument("--seed", type=seed_value, default=0, help="seed of the draws (default 0)")
    p.add_argument("--n-sims", type=positive_int, default=CLI_N_SIMS,
                   help=f"simulated paths per model (default {CLI_N_SIMS:,})")
    p.add_argument("--min-train", type=positive_int, default=5,
                   help="fewest figures before a backtest origin (default 5)")


def _gaps(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gaps", choices=("auto", "tail", "nan"), default="auto",
                   help="years without a figure: 'tail' fits the run after the last gap, "
                   "'nan' keeps them as missing, 'auto' (default) uses 'tail' when it "
                   "leaves a backtest origin")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``forecast``, ``backtest`` and ``calibrate``."""
    p = sub.add_parser("forecast", help="forecast a growth indicator from its own history")
    _common(p)
    p.add_argument("--horizon", type=positive_int, default=3,
                   help="years after the last figure (default 3)")
    _gaps(p)
    p.add_argument("--out", type=out_dir,
                   help="folder for forecast-<indicator>.csv (predictive quantiles)")
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest",
                       help="score the forecasting models against naive benchmarks")
    _common(p)
    _gaps(p)
    p.add_argument("--out", type=out_dir,
                   help="output folder (default: runs/backtest-<indicator>/)")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("calibrate",
                       help="write a scenario whose organic growth is fitted to history")
    p.add_argument("scenario", type=Path, help="the scenario to extend")
    p.add_argument("--out", type=Path, required=True, help="the new scenario file (.toml)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    _common(p)
    p.add_argument("--industry-indicator", default="industry_above_size_va_real_growth",
                   help="series whose forecast sets the spread of sector industry relative "
                   "to the others, a labelled proxy (default: "
                   "industry_above_size_va_real_growth; 'none': the GDP-level spread)")
    p.add_argument("--year", type=int,
                   help="the year whose forecast is used (default: the target year)")
    p.set_defaults(func=cmd_calibrate)

