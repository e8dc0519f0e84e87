"""``forecast``, ``backtest`` and ``calibrate``: growth from history, and a scenario from it.

Thin wrappers over :func:`lgsim.forecasting.forecast.forecast`,
:func:`lgsim.forecasting.backtest.backtest` (history-only models),
:func:`lgsim.forecasting.engine_backtest.backtest_engine` (``backtest --engine``: the
scenario engine out of sample), :func:`lgsim.forecasting.spread.calibrate_spread`
(``calibrate``: the organic spread from past errors) and
:func:`lgsim.forecasting.calibrate.calibrate` (``calibrate --from-forecast``). Data problems
(missing CSV, missing column, duplicate years, percent where a fraction is expected,
unknown indicator, too few figures or origins) exit with code 2 and one line.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..i18n import _
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


def _one_file(args: argparse.Namespace) -> Path | None:
    """The single ``--data`` file of the history-only commands (None: the shipped one)."""
    if args.data and len(args.data) > 1:
        raise InputError(_("--data: expected one annual file here, found {count}").format(
            count=len(args.data)))
    return args.data[0] if args.data else None


def _series(args: argparse.Namespace) -> Any:
    from ..data.official import growth_series, load_annual

    with _input_errors():
        return growth_series(load_annual(_one_file(args)), args.indicator)


def _data_label(args: argparse.Namespace) -> str:
    return " + ".join(map(str, args.data)) if args.data else SHIPPED


def _figures(args: argparse.Namespace) -> Any:
    """The published figures of ``--data`` (annual or tidy files), default the shipped."""
    from ..data.growth_figures import read_growth_figures

    with _input_errors():
        figs = read_growth_figures(args.data or None, args.indicator)
        if args.areas:
            figs = figs.only(a.strip() for a in args.areas.split(",") if a.strip())
    return figs


def cmd_forecast(args: argparse.Namespace) -> int:
    """``forecast``: predictive distribution of a growth indicator for the next years."""
    from ..fileio import write_text
    from ..forecasting.forecast import forecast

    series = _series(args)
    with _input_errors(), ProgressBar("model", desc=_("backtest")) as bar:
        fc = forecast(
            series, horizon=args.horizon, n_sims=args.n_sims,
            seed=0 if args.seed is None else args.seed,
            min_train=args.min_train, gaps=args.gaps, progress=bar,
        )
    print(_("{indicator} from {data}").format(indicator=args.indicator, data=_data_label(args)))
    print(fc.to_string())
    for c in fc.caveats():
        print(_("caveat: {caveat}").format(caveat=c))
    if args.out is not None:
        frame = fc.to_frame()
        frame.insert(0, "indicator", args.indicator)
        frame = labelled(frame, ("mean", *_quantile_columns(frame)), ("sd",))
        path = Path(args.out) / f"forecast-{args.indicator}.csv"
        write_text(path, _csv_text(frame))
        print(_("wrote {path} (growth in percent: _pct; its sd in percentage points: _pp)")
              .format(path=path))
    return EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
    """``backtest``: rolling-origin scores of the models against the naive benchmarks.

    With ``--engine SCENARIO``: the scenario's organic model replayed for every past year
    and scored (:func:`cmd_backtest_engine`).
    """
    if args.engine is not None:
        return cmd_backtest_engine(args)
    from ..fileio import write_text, write_with
    from ..forecasting.backtest import backtest
    from ..outputs.plots import backtest_chart

    series = _series(args)
    with _input_errors(), ProgressBar("model", desc=_("backtest")) as bar:
        bt = backtest(
            series, min_train=args.min_train, n_sims=args.n_sims,
            seed=0 if args.seed is None else args.seed, gaps=args.gaps, progress=bar,
        )
    print(_("{indicator} from {data}").format(indicator=args.indicator, data=_data_label(args)))
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
        _("wrote {out}/backtest_table.csv (errors in pp, coverage in percent), "
          "backtest_records.csv (growth in percent, errors in pp), backtest.png").format(out=out)
    )
    return EXIT_OK


def cmd_backtest_engine(args: argparse.Namespace) -> int:
    """``backtest --engine SCENARIO``: the scenario's organic model scored out of sample."""
    from ..forecasting.engine_backtest import backtest_engine
    from ..outputs.evidence_files import write_engine_backtest
    from ..scenario import load_scenario

    scenario = load_scenario(args.engine)
    figures = _figures(args)
    with _input_errors(), ProgressBar("year", desc=_("backtest")) as bar:
        bt = backtest_engine(
            scenario, figures, area=args.area, vantage=args.vantage,
            forecaster=args.forecaster, spread=args.spread, exclude=args.exclude or (),
            gaps=args.gaps, replications=args.replications, seed=args.seed, progress=bar,
        )
    out = (Path(args.out) if args.out is not None
           else Path("runs") / f"backtest-engine-{scenario.name}")
    print(bt.to_text())
    write_engine_backtest(bt, out)
    print(_("wrote {out}/backtest.json (one record per origin year; growth as fractions), "
            "backtest.txt, pit_histogram.png, reliability.png, hedgehog.png, asof/<year>.toml "
            "(each year's scenario as run)").format(out=out))
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: a scenario extending SCENARIO with its organic spread from past errors.

    With ``--from-forecast``: organic means and sds from the history-only forecast
    (:func:`cmd_calibrate_forecast`).
    """
    if args.from_forecast:
        return cmd_calibrate_forecast(args)
    from ..forecasting.spread import calibrate_spread
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    _check_out(args)
    figures = _figures(args)
    with _input_errors():
        cal = calibrate_spread(scenario, figures, vantage=args.vantage,
                               forecaster=args.forecaster, exclude=args.exclude or (),
                               seed=0 if args.seed is None else args.seed)
    path = cal.write(args.out)
    print(cal.to_string())
    print(_("wrote {path} (extends {parent}); run it with: python -m lgsim run {path}").format(
        path=path, parent=cal.document(path)["extends"]))
    return EXIT_OK


def _check_out(args: argparse.Namespace) -> None:
    """``--out`` must be a new file (or ``--force``), not the scenario or a directory."""
    if Path(args.out).resolve() == Path(args.scenario).resolve():
        raise InputError(_("--out: {out} is the scenario being calibrated; choose a new file")
                         .format(out=args.out))
    if Path(args.out).is_dir():
        raise InputError(_("--out: {out} is a directory; name the new scenario file").format(
            out=args.out))
    if Path(args.out).exists() and not args.force:
        raise InputError(_("--out: {out} exists; choose a new file or add --force to "
                           "overwrite it").format(out=args.out))


def cmd_calibrate_forecast(args: argparse.Namespace) -> int:
    """``calibrate --from-forecast``: organic growth fitted to the history-only forecast."""
    from ..data.official import load_annual
    from ..forecasting.calibrate import calibrate
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    _check_out(args)
    ind = args.industry_indicator
    sectors = {} if ind.lower() == "none" else {"industry": ind}
    with _input_errors(), ProgressBar("model", desc=_("calibrate")) as bar:
        cal = calibrate(
            scenario, load_annual(_one_file(args)), indicator=args.indicator,
            sector_indicators=sectors, year=args.year, n_sims=args.n_sims,
            seed=0 if args.seed is None else args.seed, min_train=args.min_train,
            progress=bar,
        )
    path = cal.write(args.out)
    print(cal.to_string())
    print(_("wrote {path} (extends {parent}); run it with: python -m lgsim run {path}").format(
        path=path, parent=cal.document(path)["extends"]))
    return EXIT_OK


def _common(p: argparse.ArgumentParser, indicator: bool = True) -> None:
    p.add_argument("--data", type=Path, action="append",
                   help=_("statistics file (default: {shipped}); backtest --engine and "
                          "calibrate also read the tidy published-indicators format and take "
                          "--data more than once (default: the shipped annual and "
                          "published_indicators files)").format(shipped=SHIPPED))
    if indicator:
        p.add_argument("--indicator", default="gdp_real_growth",
                       help=_("growth indicator, published in percent (default: "
                              "gdp_real_growth)"))
    p.add_argument("--seed", type=seed_value, default=None,
                   help=_("seed of the draws (default 0; backtest --engine: the scenario's)"))
    p.add_argument("--n-sims", type=positive_int, default=CLI_N_SIMS,
                   help=_("simulated paths per model (default {n:,})").format(n=CLI_N_SIMS))
    p.add_argument("--min-train", type=positive_int, default=5,
                   help=_("fewest figures before a backtest origin (default 5)"))


def _gaps(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gaps", choices=("auto", "tail", "nan"), default="auto",
                   help=_("years without a figure: 'tail' fits the run after the last gap, "
                          "'nan' keeps them as missing, 'auto' (default) uses 'tail' when it "
                          "leaves a backtest origin"))


def _evidence(p: argparse.ArgumentParser) -> None:
    """Options of the past-error record (``backtest --engine`` and ``calibrate``)."""
    p.add_argument("--vantage", help=_("month 1-12 (or jan, q1, h1, q3) as of whose end the "
                                       "forecast is made (default: one month after the "
                                       "scenario's latest published figure, else jan)"))
    p.add_argument("--forecaster", choices=("naive_last", "naive_mean"), default="naive_last",
                   help=_("the point forecast of the year-ahead record (default naive_last: "
                          "the random walk)"))
    p.add_argument("--areas", help=_("areas pooled in the error record, comma-separated "
                                     "(default: every area in the data, each labelled)"))
    p.add_argument("--exclude", type=int, action="append", metavar="YEAR",
                   help=_("leave a year out of the error record (repeatable)"))


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``forecast``, ``backtest`` and ``calibrate``."""
    p = sub.add_parser("forecast", help=_("forecast a growth indicator from its own history"))
    _common(p)
    p.add_argument("--horizon", type=positive_int, default=3,
                   help=_("years after the last figure (default 3)"))
    _gaps(p)
    p.add_argument("--out", type=out_dir,
                   help=_("folder for forecast-<indicator>.csv (predictive quantiles)"))
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest",
                       help=_("score the forecasting models (or, with --engine, a scenario's "
                              "organic model) out of sample against naive benchmarks"))
    _common(p)
    _gaps(p)
    p.add_argument("--engine", type=Path, metavar="SCENARIO",
                   help=_("replay this scenario's organic model for every past year and "
                          "score it (PIT, CRPS, log score, coverage; backtest.json and "
                          "charts)"))
    _evidence(p)
    p.add_argument("--area", help=_("with --engine: the area scored (default: the first in "
                                    "the data)"))
    p.add_argument("--spread", choices=("errors", "scenario"), default="errors",
                   help=_("with --engine: the spread sized from the errors before each "
                          "origin (default) or the scenario's own sds"))
    p.add_argument("-n", "--replications", type=positive_int, default=1000,
                   help=_("with --engine: replications per origin (default 1,000)"))
    p.add_argument("--out", type=out_dir,
                   help=_("output folder (default: runs/backtest-<indicator>/, with --engine "
                          "runs/backtest-engine-<scenario>/)"))
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("calibrate",
                       help=_("write a scenario whose organic spread is sized from past "
                              "forecast errors"))
    p.add_argument("scenario", type=Path, metavar="SCENARIO",
                   help=_("the scenario to extend"))
    p.add_argument("--out", type=Path, required=True, help=_("the new scenario file (.toml)"))
    p.add_argument("--force", action="store_true", help=_("overwrite --out if it exists"))
    _common(p)
    _evidence(p)
    p.add_argument("--from-forecast", action="store_true",
                   help=_("instead: organic means and sds from the history-only forecast "
                          "(the options below apply to it)"))
    p.add_argument("--industry-indicator", default="industry_above_size_va_real_growth",
                   help=_("with --from-forecast: series whose forecast sets the spread of "
                          "sector industry relative to the others, a labelled proxy (default: "
                          "industry_above_size_va_real_growth; 'none': the GDP-level spread)"))
    p.add_argument("--year", type=int,
                   help=_("with --from-forecast: the year whose forecast is used (default: "
                          "the target year)"))
    p.set_defaults(func=cmd_calibrate)
