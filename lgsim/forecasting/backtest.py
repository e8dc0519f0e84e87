"""Rolling-origin backtest of the growth forecasts, with proper scores.

From every origin with at least ``min_train`` published figures up to and including it,
each model is fitted on the data up to the origin and forecasts the next published year.
The forecasts are scored against what was published:

* MAE and RMSE of the point forecast (the predictive mean),
* CRPS, a proper score of the whole predictive distribution, from the simulated sample
  (:func:`lgsim.forecasting.scores.crps_sample`, from the scoringrules library),
* coverage of the central 80 % and 95 % intervals, each with the number of origins and a
  95 % Wilson interval (with a handful of origins these are wide: say so when quoting).

Lower-bound figures ("9.6%以上") are scored as censored: an interval covers a lower bound
``y`` when its upper end is at least ``y``; they are left out of MAE, RMSE and CRPS (and
out of the weights), and counted in the table (``n_lower_bound``). Estimates ("7.7%左右")
are scored as if exact and counted (``n_estimate``).

Units: growth is a **fraction**; the table's errors are in percentage points (``_pp``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import wilson as _wilson
from ..i18n import LIST_SEPARATOR, N_, Message, _, localized
from ..montecarlo.outcomes import announce
from .combine import Weighting, mix, model_weights
from .models import BENCHMARKS, MIN_OBS, check_models, drop_unfittable, fit_model
from .scores import crps_normal, crps_sample
from .series import Gaps, GrowthData, prepare, span_notes
from .streams import check_seed, keyed_rngs
from .tables import table_text

#: Central interval levels scored.
LEVELS: tuple[float, ...] = (0.80, 0.95)

__all__ = ["LEVELS", "BacktestResult", "backtest", "crps_normal", "crps_sample", "wilson"]


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval of a proportion ``k / n`` (NaN, NaN when ``n == 0``).

    The same interval as P(target met) uses: :func:`lgsim.analysis.wilson`.
    """
    return _wilson(int(k), int(n))


def _score(
    model: str, origin: int, target: int, x: np.ndarray, y: float, lower: bool, est: bool
) -> dict[str, Any]:
    """One row of the records: the forecast's summary and its scores."""
    row: dict[str, Any] = {
        "origin": origin,
        "target_year": target,
        "model": model,
        "observed": y,
        "lower_bound": lower,
        "estimate": est,
    }
    if not np.all(np.isfinite(x)):
        return row | {"mean": math.nan}
    q = np.quantile(x, [0.025, 0.1, 0.5, 0.9, 0.975])
    row |= {
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)),
        "q02.5": q[0],
        "q10": q[1],
        "q50": q[2],
        "q90": q[3],
        "q97.5": q[4],
    }
    if lower:
        row |= {
            "error": math.nan,
            "crps": math.nan,
            "covered80": float(q[3] >= y),
            "covered95": float(q[4] >= y),
        }
    else:
        row |= {
            "error": float(x.mean() - y),
            "crps": float(crps_sample(x, y)),
            "covered80": float(q[1] <= y <= q[3]),
            "covered95": float(q[0] <= y <= q[4]),
        }
    return row


def _scores(records: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    """MSE (fraction²), mean CRPS (fraction) and count over point-valued forecasts."""
    rows = []
    for m in models:
        r = records[(records["model"] == m) & ~records["lower_bound"]] if len(records) else records
        r = r[np.isfinite(r["mean"])] if len(r) else r
        n = len(r)
        rows.append(
            {
                "model": m,
                "mse": float(np.mean(r["error"] ** 2)) if n else math.nan,
                "crps": float(np.mean(r["crps"])) if n else math.nan,
                "n_scored": n,
            }
        )
    return pd.DataFrame(rows).set_index("model")


@dataclass(frozen=True)
class BacktestResult:
    """Rolling-origin forecasts and their scores.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per origin and model (and ``combined``): ``origin``, ``target_year``,
        ``observed``, ``lower_bound``, ``estimate``, ``mean``, ``sd``, quantiles
        ``q02.5 q10 q50 q90 q97.5``, ``error`` (mean − observed), ``crps``,
        ``covered80``, ``covered95``; growth in **fractions**.
    models : tuple of str
        The models combined (as given), followed by any benchmark added for comparison.
    pool : tuple of str
        The models combined in the ``combined`` row.
    data : GrowthData
        The data backtested.
    min_train, n_sims, seed : int
        Settings used.
    parameter_uncertainty : bool
        Whether forecasts include parameter uncertainty.
    weighting : str
        Weighting of the ``combined`` row: at each origin, from the scores at earlier
        origins (equal weights at the first).
    notes : tuple of str
        Failures and choices, for the reader.
    """

    records: pd.DataFrame
    models: tuple[str, ...]
    pool: tuple[str, ...]
    data: GrowthData
    min_train: int
    n_sims: int
    seed: int
    parameter_uncertainty: bool
    weighting: str
    notes: tuple[str, ...] = ()
    samples: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def origins(self) -> tuple[int, ...]:
        """Origin years (the last year of each training span)."""
        if self.records.empty:
            return ()
        return tuple(int(v) for v in sorted(self.records["origin"].unique()))

    @property
    def n_origins(self) -> int:
        """Number of origins."""
        return len(self.origins)

    def scores(self, models: Sequence[str] | None = None) -> pd.DataFrame:
        """MSE (fraction²), mean CRPS (fraction) and ``n_scored`` per model."""
        return _scores(self.records, list(models) if models is not None else self.pool)

    def table(self) -> pd.DataFrame:
        """Scores per model, the naive benchmarks and the combination side by side.

        Returns
        -------
        pandas.DataFrame
            Indexed by model (models, then ``naive_last``, ``naive_mean``, then
            ``combined`` when more than one model is combined). Columns: ``kind``
            (model / benchmark / combination), ``n_origins`` (forecasts made),
            ``n_scored`` (point-valued outcomes, used for MAE/RMSE/CRPS),
            ``n_lower_bound`` (censored outcomes, used for coverage only),
            ``n_estimate`` (outcomes that are estimates, scored as exact), ``mae_pp``,
            ``rmse_pp``, ``crps_pp`` (percentage points), ``crps_rel_last`` and
            ``crps_rel_mean`` (CRPS divided by that of ``naive_last`` / ``naive_mean``:
            below 1 beats the benchmark), ``cover80`` and ``cover95`` (share of origins
            whose central interval covers the outcome) with their 95 % Wilson bounds
            ``cover80_lo`` … ``cover95_hi``.
        """
        names = list(self.models) + (["combined"] if len(self.pool) > 1 else [])
        rec = self.records
        rows = []
        for m in names:
            r = rec[(rec["model"] == m)] if len(rec) else rec
            r = r[np.isfinite(r["mean"])] if len(r) else r
            point = r[~r["lower_bound"]] if len(r) else r
            n = len(r)
            row: dict[str, Any] = {
                "model": m,
                "kind": "combination"
                if m == "combined"
                else "benchmark"
                if m in BENCHMARKS
                else "model",
                "n_origins": n,
                "n_scored": len(point),
                "n_lower_bound": int(r["lower_bound"].sum()) if n else 0,
                "n_estimate": int(r["estimate"].sum()) if n else 0,
                "mae_pp": 100 * float(np.mean(np.abs(point["error"]))) if len(point) else math.nan,
                "rmse_pp": 100 * math.sqrt(float(np.mean(point["error"] ** 2)))
                if len(point)
                else math.nan,
                "crps_pp": 100 * float(np.mean(point["crps"])) if len(point) else math.nan,
            }
            for level in LEVELS:
                key = f"cover{round(100 * level)}"
                k = int(r[f"covered{round(100 * level)}"].sum()) if n else 0
                lo, hi = wilson(k, n)
                row |= {key: k / n if n else math.nan, f"{key}_lo": lo, f"{key}_hi": hi}
            rows.append(row)
        table = pd.DataFrame(rows).set_index("model")
        for bench, col in (("naive_last", "crps_rel_last"), ("naive_mean", "crps_rel_mean")):
            ref = table.loc[bench, "crps_pp"] if bench in table.index else math.nan
            table.insert(
                table.columns.get_loc("crps_pp") + 1 + (col == "crps_rel_mean"),
                col,
                table["crps_pp"] / ref,
            )
        return table

    def to_string(self) -> str:
        """The table as fixed-width text, with a header saying what was backtested."""
        t = self.table()
        obs = self.data.observed
        yrs = self.data.years[obs]
        lines = [
            _("Backtest: one step ahead from {n} origins ({origins}), data {first}–{last}, "
              "min_train={min_train}, n_sims={n_sims}, seed={seed}, parameter uncertainty "
              "{on}, combination weights: {weights} from earlier origins.").format(
                n=self.n_origins,
                origins=_(LIST_SEPARATOR).join(map(str, self.origins)) or _("none"),
                first=yrs[0], last=yrs[-1], min_train=self.min_train, n_sims=self.n_sims,
                seed=self.seed, on=_("on") if self.parameter_uncertainty else _("off"),
                weights=self.weighting),
            _("Errors in percentage points; coverage with 95% Wilson interval; crps/last and "
              "crps/mean < 1 beat that benchmark."),
        ]

        def fmt(v: float, d: int = 2) -> str:
            return "nan" if not np.isfinite(v) else f"{v:.{d}f}"

        show = pd.DataFrame(
            {
                "kind": t["kind"],
                "n": t["n_origins"],
                "n_lb": t["n_lower_bound"],
                "n_est": t["n_estimate"],
                "mae_pp": t["mae_pp"].map(fmt),
                "rmse_pp": t["rmse_pp"].map(fmt),
                "crps_pp": t["crps_pp"].map(fmt),
                "crps/last": t["crps_rel_last"].map(fmt),
                "crps/mean": t["crps_rel_mean"].map(fmt),
                "cover80 [95% CI]": [
                    f"{fmt(c)} [{fmt(lo)}, {fmt(hi)}]"
                    for c, lo, hi in zip(
                        t["cover80"], t["cover80_lo"], t["cover80_hi"], strict=True
                    )
                ],
                "cover95 [95% CI]": [
                    f"{fmt(c)} [{fmt(lo)}, {fmt(hi)}]"
                    for c, lo, hi in zip(
                        t["cover95"], t["cover95_lo"], t["cover95_hi"], strict=True
                    )
                ],
            }
        )
        lines.append(table_text(show))
        lines.extend(_("note: {message}").format(message=localized(n)) for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()


def backtest(
    series: pd.Series | Mapping[int, float] | GrowthData,
    models: Sequence[str] | None = None,
    min_train: int = 5,
    n_sims: int = 2000,
    seed: int = 0,
    *,
    parameter_uncertainty: bool = True,
    weighting: Weighting = "inverse_mse",
    gaps: Gaps = "tail",
    lower_bound: Iterable[int] | pd.Series | None = None,
    estimate: Iterable[int] | pd.Series | None = None,
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Rolling-origin, one-step-ahead backtest of the forecasting models.

    Parameters
    ----------
    series : pandas.Series or mapping
        Growth as a **fraction**, indexed by year (e.g.
        :func:`lgsim.data.official.growth_series`; its ``attrs`` flag lower bounds and
        estimates).
    models : sequence of str, optional
        Models to backtest and combine (default: all of
        :data:`lgsim.forecasting.models.MODELS`); the naive benchmarks are always added to the
        table for comparison.
    min_train : int
        Fewest published figures up to and including an origin (≥ 4). An origin is a
        published year; the target is the next published year (one step ahead on the
        default contiguous span; across a gap with ``gaps="nan"``, the forecast
        runs the missing years through).
    n_sims : int
        Draws per forecast.
    seed : int
        Seed (≥ 0); each forecast's draws are keyed by ``(seed, model, origin)``.
    parameter_uncertainty : bool
        Include parameter uncertainty (see :func:`lgsim.forecasting.forecast.forecast`).
    weighting : {"inverse_mse", "best_crps", "equal"}
        Weighting of the ``combined`` forecast at each origin, from earlier origins.
    gaps : {"tail", "nan", "auto"}
        Gap handling (see :func:`lgsim.forecasting.series.prepare`); with ``"auto"`` and
        ``models=None``, models that cannot be fitted on the whole span are left out
        (see :func:`lgsim.forecasting.forecast.forecast`).
    lower_bound, estimate : iterable of int or boolean Series, optional
        Years whose figure is a lower bound / estimate; default from ``series.attrs``.
    progress : callable, optional
        Called with 1 for each model scored at each origin (with ``expect(n)``, told
        the number first; see :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    BacktestResult
        ``.table()`` for the scores, ``.plot()`` for a figure, ``str()`` for the CLI.
    """
    if not isinstance(min_train, int | np.integer) or min_train < MIN_OBS:
        raise ValueError(_("min_train: expected an integer >= {least}, found {value!r}").format(
            least=MIN_OBS, value=min_train))
    if not isinstance(n_sims, int | np.integer) or n_sims < 2:
        raise ValueError(_("n_sims: expected an integer >= 2, found {value!r}").format(
            value=n_sims))
    seed = check_seed(seed)
    pool = check_models(models)
    data = prepare(series, gaps, lower_bound, estimate, min_tail=int(min_train) + 1)
    notes: list[str] = span_notes(data, gaps) if gaps == "auto" else []
    if gaps == "auto" and models is None:
        pool, dropped = drop_unfittable(pool, data)
        notes.extend(dropped)
    names = pool + tuple(b for b in BENCHMARKS if b not in pool)
    obs_years = data.years[data.observed]
    pairs = [
        (int(obs_years[j]), int(obs_years[j + 1])) for j in range(min_train - 1, len(obs_years) - 1)
    ]
    run = _Origins(data, int(n_sims), seed, parameter_uncertainty, notes)
    announce(progress, len(pairs) * len(names))
    for origin, target in pairs:
        for name in names:
            run.score(name, origin, target, run.model_draws(name, origin, target))
            if progress is not None:
                progress(1)
        if len(pool) > 1:
            run.score("combined", origin, target, run.combined(pool, origin, weighting))
    records = pd.DataFrame(run.rows, columns=_RECORD_COLUMNS)
    records["lower_bound"] = records["lower_bound"].astype(bool)
    records["estimate"] = records["estimate"].astype(bool)
    if not pairs:
        notes.append(Message(
            N_("no origin: {n} figures, min_train={min_train} needs at least {least}"),
            n=len(obs_years), min_train=min_train, least=min_train + 1))
    return BacktestResult(
        records=records,
        models=names,
        pool=pool,
        data=data,
        min_train=int(min_train),
        n_sims=int(n_sims),
        seed=seed,
        parameter_uncertainty=parameter_uncertainty,
        weighting=weighting,
        notes=tuple(notes),
        samples=run.samples,
    )


#: Columns of :attr:`BacktestResult.records`.
_RECORD_COLUMNS = [
    "origin", "target_year", "model", "observed", "lower_bound", "estimate", "mean", "sd",
    "q02.5", "q10", "q50", "q90", "q97.5", "error", "crps", "covered80", "covered95",
]


class _Origins:
    """The forecasts of a backtest, origin by origin, with their scores and draws."""

    def __init__(self, data: GrowthData, n_sims: int, seed: int, parameter_uncertainty: bool,
                 notes: list[str]) -> None:
        self.data = data
        self.n_sims = n_sims
        self.seed = seed
        self.parameter_uncertainty = parameter_uncertainty
        self.notes = notes
        self.rows: list[dict[str, Any]] = []
        self.samples: dict[tuple[str, int], np.ndarray] = {}

    def model_draws(self, name: str, origin: int, target: int) -> np.ndarray:
        """Draws of ``target``'s growth from ``name`` fitted up to ``origin`` (NaN if it fails)."""
        try:
            fit = fit_model(name, self.data.upto(origin))
            return fit.simulate(
                target - origin, self.n_sims, keyed_rngs(self.seed, "backtest", name, origin),
                self.parameter_uncertainty,
            )[:, -1]
        except (ValueError, np.linalg.LinAlgError) as exc:
            self.notes.append(Message(N_("{model} at origin {origin}: fit failed ({error})"),
                                      model=name, origin=origin, error=str(exc)))
            return np.full(self.n_sims, math.nan)

    def combined(self, pool: tuple[str, ...], origin: int, weighting: Weighting) -> np.ndarray:
        """The mixture of the pool's draws, weighted by scores at earlier origins.

        Models that could not be fitted at this origin (e.g. ETS on a short contiguous
        span with gaps="nan") drop out; the others are reweighted.
        """
        earlier = pd.DataFrame(self.rows)
        earlier = earlier[earlier["origin"] < origin]
        ok = [m for m in pool if np.all(np.isfinite(self.samples[(m, origin)]))]
        if not ok:
            return np.full(self.n_sims, math.nan)
        w = model_weights(_scores(earlier, ok), weighting)
        return mix({m: self.samples[(m, origin)] for m in ok}, w)

    def score(self, name: str, origin: int, target: int, x: np.ndarray) -> None:
        """Keep the draws and score them against the published figure of ``target``."""
        i = int(np.flatnonzero(self.data.years == target)[0])
        y, lower, est = (float(self.data.y[i]), bool(self.data.lower_bound[i]),
                         bool(self.data.estimate[i]))
        self.samples[(name, origin)] = x
        self.rows.append(_score(name, origin, target, x, y, lower, est))
