"""Forecasts of an annual growth rate from its own short history, with honest intervals.

The series is short (for Longgang: 2005, 2010, 2012–2020, eleven published figures), so
the candidates are small models and two naive benchmarks:

``ar1``
    AR(1) around a constant mean, statsmodels ``ARIMA(order=(1, 0, 0), trend="c")``.
``local_level``
    Random-walk level plus noise, statsmodels ``UnobservedComponents(level="local level")``.
``ets``
    Exponential smoothing with additive errors, statsmodels ``ETSModel``: ETS(A,N,N), or
    ETS(A,Ad,N) (damped trend) when the fitted span has at least
    :data:`ETS_DAMPED_MIN_OBS` years and its AICc is lower.
``naive_last``
    Benchmark: the last value carried forward (random walk, no drift).
``naive_mean``
    Benchmark: the historical mean (independent draws around it).

Units: growth is a **fraction** throughout (0.098 = 9.8 %); errors in tables are in
percentage points (``_pp``). See ``docs/forecasting.md`` for the method and the backtest.

The parts live in :mod:`lgsim.forecasting` (data, keyed streams, models, combination);
this module holds the entry point :func:`forecast` and its :class:`ForecastResult`.
statsmodels is imported inside the fitting functions (importing it costs about a second).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import LIST_SEPARATOR, N_, Message, _, localized, ngettext
from .backtest import BacktestResult
from .backtest import backtest as run_backtest
from .combine import WEIGHTINGS, Weighting, mix, model_weights
from .models import BENCHMARKS, MODELS, FittedModel, check_models, drop_unfittable, fit_model
from .series import GAPS, Gaps, GrowthData, prepare, span_notes
from .streams import check_seed, keyed_rngs
from .tables import table_text

__all__ = [
    "BENCHMARKS",
    "GAPS",
    "MODELS",
    "QUANTILES",
    "WEIGHTINGS",
    "FittedModel",
    "ForecastResult",
    "GrowthData",
    "fit_model",
    "forecast",
    "mix",
    "model_weights",
    "prepare",
]

#: Probabilities reported by :meth:`ForecastResult.to_frame`.
QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


# ------------------------------------------------------------------ result


@dataclass(frozen=True)
class ForecastResult:
    """Predictive distributions of future growth, per model and combined.

    Attributes
    ----------
    years : tuple of int
        Forecast years (the year after the last figure, and so on).
    paths : numpy.ndarray
        Combined simulated paths, ``(n_sims, horizon)``, growth as **fractions**.
    model_paths : dict
        Model → its own paths ``(n_sims, horizon)``.
    weights : dict
        Model → weight in the combination.
    backtest : lgsim.forecasting.backtest.BacktestResult
        The rolling-origin backtest the weights came from.
    fits : dict
        Model → :class:`FittedModel` fitted on all the data.
    data : GrowthData
        The data fitted.
    parameter_uncertainty : bool
        Whether the paths include parameter uncertainty.
    weighting : str
        How the weights were set.
    notes : tuple of str
        Choices made on the way (years dropped, fallbacks).
    """

    years: tuple[int, ...]
    paths: np.ndarray
    model_paths: dict[str, np.ndarray]
    weights: dict[str, float]
    backtest: BacktestResult
    fits: dict[str, FittedModel]
    data: GrowthData
    parameter_uncertainty: bool
    weighting: str
    notes: tuple[str, ...] = ()

    def _column(self, year: int) -> int:
        if year not in self.years:
            raise ValueError(
                _("year: {year} is not forecast; forecast years are {years}").format(
                    year=year, years=", ".join(map(str, self.years)))
            )
        return self.years.index(year)

    def _paths(self, model: str) -> np.ndarray:
        if model == "combined":
            return self.paths
        if model not in self.model_paths:
            raise ValueError(
                _("model: expected 'combined' or one of {names}, found {value!r}").format(
                    names=", ".join(self.model_paths), value=model)
            )
        return self.model_paths[model]

    def sample(self, year: int, model: str = "combined") -> np.ndarray:
        """Simulated growth in ``year`` (fractions), one value per path."""
        return self._paths(model)[:, self._column(year)].copy()

    def normal(self, year: int, model: str = "combined") -> dict[str, float]:
        """Normal approximation ``{"mean": .., "sd": ..}`` of growth in ``year`` (fractions).

        The mean and standard deviation of the simulated values; for a scenario file's
        ``growth = { dist = "normal", mean = .., sd = .. }``. The combined distribution
        is a mixture and may be skewed or heavy-tailed: compare with :meth:`empirical`.
        """
        x = self.sample(year, model)
        return {"mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1))}

    def empirical(
        self, year: int, model: str = "combined", n_values: int | None = 99
    ) -> np.ndarray:
        """Empirical predictive values of growth in ``year`` (fractions, sorted).

        Parameters
        ----------
        year : int
            A forecast year.
        model : str
            ``"combined"`` or a model name.
        n_values : int or None
            Number of evenly spaced quantiles ``(i - 0.5) / n_values`` to return (a
            compact ``empirical { values }`` for a scenario file); None returns every
            simulated value.

        Returns
        -------
        numpy.ndarray
        """
        x = np.sort(self.sample(year, model))
        if n_values is None:
            return x
        return np.quantile(x, (np.arange(n_values) + 0.5) / n_values)

    def prob_at_least(self, year: int, threshold: float, model: str = "combined") -> float:
        """Share of paths with growth in ``year`` at least ``threshold`` (a fraction)."""
        return float(np.mean(self.sample(year, model) >= threshold - 1e-12))

    def scenario_growth(self, year: int, model: str = "combined", decimals: int = 4) -> str:
        """A scenario-file line ``growth = { dist = "normal", mean = .., sd = .. }``.

        Values are fractions rounded to ``decimals`` places.
        """
        d = self.normal(year, model)
        return (
            f'growth = {{ dist = "normal", mean = {d["mean"]:.{decimals}f}, '
            f"sd = {d['sd']:.{decimals}f} }}"
        )

    def to_frame(self, paths: bool = False) -> pd.DataFrame:
        """Tidy table of the predictive distributions.

        Parameters
        ----------
        paths : bool
            False (default): one row per model (and ``combined``) and year with
            ``weight``, ``mean``, ``sd`` and quantiles ``q02.5`` … ``q97.5``. True: the
            simulated paths, one row per model, path and year (column ``growth``).

        Returns
        -------
        pandas.DataFrame
            Growth as **fractions**.
        """
        sets = {"combined": self.paths, **self.model_paths}
        if paths:
            frames = []
            for name, arr in sets.items():
                n, h = arr.shape
                frames.append(
                    pd.DataFrame(
                        {
                            "model": name,
                            "path": np.repeat(np.arange(n), h),
                            "year": np.tile(np.array(self.years), n),
                            "growth": arr.ravel(),
                        }
                    )
                )
            return pd.concat(frames, ignore_index=True)
        rows = []
        for name, arr in sets.items():
            qs = np.quantile(arr, QUANTILES, axis=0)
            for j, year in enumerate(self.years):
                row: dict[str, Any] = {
                    "model": name,
                    "year": year,
                    "weight": 1.0 if name == "combined" else self.weights.get(name, 0.0),
                    "mean": float(arr[:, j].mean()),
                    "sd": float(arr[:, j].std(ddof=1)),
                }
                row |= {f"q{100 * q:04.1f}": float(qs[i, j]) for i, q in enumerate(QUANTILES)}
                rows.append(row)
        return pd.DataFrame(rows)

    def to_string(self) -> str:
        """Plain-text report for the CLI: combined distribution per year, then weights."""
        lines = [
            _("Forecast of growth from {n} simulated paths (fitted on {first}–{last}, "
              "parameter uncertainty {on}, weights: {weights}). Growth in percent.").format(
                n=len(self.paths), first=self.data.years[0], last=self.data.years[-1],
                on=_("on") if self.parameter_uncertainty else _("off"),
                weights=self.weighting),
        ]
        rows = []
        for year in self.years:
            x = 100 * self.sample(year)
            q = np.quantile(x, [0.1, 0.5, 0.9])
            rows.append(
                {
                    "year": year,
                    "mean": x.mean(),
                    "sd": x.std(ddof=1),
                    "p10": q[0],
                    "p50": q[1],
                    "p90": q[2],
                }
            )
        lines.append(table_text(pd.DataFrame(rows).set_index("year"), float_format="%.2f"))
        summ = self.summary().drop(columns="description")
        lines.append(table_text(summ, float_format="%.3f"))
        lines.extend(_("note: {message}").format(message=localized(n)) for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()

    def caveats(self) -> list[str]:
        """What a reader of this forecast should keep in mind (plain sentences).

        Returns
        -------
        list of str
            History-only information, unpublished intermediate years, lower bounds and
            estimates in the data, how many backtest origins the weights rest on, and
            the lowest year fitted (whose risk the spread already contains). Growth in
            the text is in percent.
        """
        data = self.data
        obs = data.observed
        years, y = data.years[obs], data.y[obs]
        last = int(years[-1])
        out = [
            _("history only: the models know nothing after {last} (no later figures, no "
              "quarterly data, no policy); a starting point for a scenario, not a verdict")
            .format(last=last)
        ]
        if len(self.years) > 1:
            out.append(
                _("{year} is not published in the data either: its uncertainty is carried "
                  "into {later}").format(year=self.years[0],
                                         later=_(LIST_SEPARATOR).join(map(str, self.years[1:])))
            )
        lb = [int(v) for v in data.years[data.lower_bound]]
        est = [int(v) for v in data.years[data.estimate]]
        if lb:
            out.append(
                _("lower bound ('over X') fitted at its stated value: {years} (the true value "
                  "is at least that)").format(years=_(LIST_SEPARATOR).join(map(str, lb)))
            )
        if est:
            out.append(_("estimate ('about X') fitted as stated: {years}").format(
                years=_(LIST_SEPARATOR).join(map(str, est))))
        n = self.backtest.n_origins
        out.append(
            ngettext("the weights rest on {n} backtest origin: read them as rough (see the "
                     "Wilson intervals of `lgsim backtest`)",
                     "the weights rest on {n} backtest origins: read them as rough (see the "
                     "Wilson intervals of `lgsim backtest`)", n).format(n=n)
        )
        low = int(np.argmin(y))
        out.append(
            _("the spread is fitted on every year {first}–{last}, including the lowest, "
              "{low_year} ({low_pct}): a scenario that also models such years as explicit "
              "shocks counts that risk twice").format(
                first=int(years[0]), last=last, low_year=int(years[low]),
                low_pct=f"{100 * y[low]:.1f}%")
        )
        return out

    def summary(self) -> pd.DataFrame:
        """Per model: weight, out-of-sample errors (percentage points), description.

        Returns
        -------
        pandas.DataFrame
            Indexed by model: ``kind``, ``weight``, ``n_origins``, ``mae_pp``,
            ``rmse_pp``, ``crps_pp`` (rolling-origin, one step ahead), ``description``.
        """
        table = self.backtest.table()
        rows = []
        for name in self.model_paths:
            row = table.loc[name] if name in table.index else None
            rows.append(
                {
                    "model": name,
                    "kind": "benchmark" if name in BENCHMARKS else "model",
                    "weight": self.weights.get(name, 0.0),
                    "n_origins": int(row["n_origins"]) if row is not None else 0,
                    "mae_pp": row["mae_pp"] if row is not None else math.nan,
                    "rmse_pp": row["rmse_pp"] if row is not None else math.nan,
                    "crps_pp": row["crps_pp"] if row is not None else math.nan,
                    "description": self.fits[name].info.get("description", ""),
                }
            )
        return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------- entry point


def forecast(
    series: pd.Series | Mapping[int, float],
    horizon: int = 3,
    models: Sequence[str] | None = None,
    n_sims: int = 2000,
    seed: int = 0,
    min_train: int = 5,
    *,
    parameter_uncertainty: bool = True,
    weighting: Weighting = "inverse_mse",
    gaps: Gaps = "tail",
    lower_bound: Iterable[int] | pd.Series | None = None,
    estimate: Iterable[int] | pd.Series | None = None,
    progress: Any = None,
) -> ForecastResult:
    """Forecast an annual growth rate ``horizon`` years past its last figure.

    Parameters
    ----------
    series : pandas.Series or mapping
        Growth as a **fraction** (0.098 = 9.8 %), indexed by year, e.g.
        :func:`lgsim.data.official.growth_series`. Use published growth rates: never
        compute them from levels across a method break (Longgang 2016→2017).
    horizon : int
        Number of years to forecast (Longgang's last figure is 2020, so horizon 2
        reaches the 2022 target year; 2021 is forecast, not known).
    models : sequence of str, optional
        Subset of :data:`MODELS` to fit and combine; default all five (the two naive
        benchmarks are candidates too: if they forecast better, they get the weight).
    n_sims : int
        Simulated paths per model (and in the combination).
    seed : int
        Seed (≥ 0). Each model's draws are keyed by ``(seed, model, year)`` through
        blake2b, so adding or reordering models changes no other model's draws.
    min_train : int
        Fewest figures before a backtest origin is used for the weights (≥ 4).
    parameter_uncertainty : bool
        True (default): every path uses its own parameter draw (see Notes). False:
        plug-in maximum-likelihood parameters, shocks only — narrower intervals, for
        comparison.
    weighting : {"inverse_mse", "best_crps", "equal"}
        How the combination weighs the models (see :func:`model_weights`), from the
        rolling-origin backtest on the same data.
    gaps : {"tail", "nan", "auto"}
        ``"tail"`` (default): fit on the longest run of consecutive years ending at the
        last figure (Longgang 2012–2020; 2005 and 2010 are dropped). ``"nan"``: keep
        every year from the first figure, unpublished years as NaN; the ARIMA and local
        level models handle them in the Kalman filter, the benchmarks use the
        published years (a random-walk step over a gap of k years has variance k σ²),
        ETS (which takes no missing values) still uses the contiguous tail.
        ``"auto"`` (what the CLI uses): ``"tail"`` when at least ``min_train + 1``
        figures follow the last gap, else ``"nan"``; with ``models=None`` it also
        leaves out, with a note, a model that cannot be fitted (ETS without
        :data:`~lgsim.forecasting.models.MIN_OBS` consecutive years at the end).
    lower_bound, estimate : iterable of int or boolean Series, optional
        Years whose figure is a lower bound / estimate; default from ``series.attrs``.
    progress : callable, optional
        Called as the backtests score each model and origin (see
        :func:`lgsim.forecasting.backtest.backtest`).

    Returns
    -------
    ForecastResult

    Notes
    -----
    Fitting. ``ar1`` and ``local_level`` are fitted by exact Gaussian maximum likelihood
    (statsmodels state space, Kalman filter); ``ets`` by statsmodels ``ETSModel``; the
    benchmarks by moments. Lower-bound figures are fitted at their stated value (the
    true value is at least that), estimates as stated.

    Parameter uncertainty. For ``ar1`` (mean, φ, σ²) and ``local_level`` (σ²
    irregular, σ² level), each path draws its parameters from the estimated asymptotic
    normal ``N(params, cov_params)``, truncated by rejection to the admissible region
    (|φ| < 1, variances ≥ 0), and is then simulated with them: for ``local_level`` the
    Kalman filter is rerun with the drawn variances to get the level at the last year
    and its variance. For ``ets`` the statsmodels estimates sit on the parameter bounds
    with these short series and its covariance is undefined (NaN), so the draws come
    from the exact posterior on a grid of smoothing parameters (flat prior), with the
    initial state (flat prior) and σ² (prior 1/σ²) integrated out analytically. The
    benchmarks draw σ² from its scaled inverse χ² posterior (and the mean from its
    normal posterior), which makes their predictive intervals the classical Student-t
    prediction intervals. Shocks come from a separate stream, so runs with and without
    parameter uncertainty share them.

    Weights. The models are backtested one step ahead from every origin with at least
    ``min_train`` figures (:func:`lgsim.forecasting.backtest.backtest`) and weighted by inverse MSE
    (default). The combination takes ``round(w × n_sims)`` whole paths from each model.
    """
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(_("horizon: expected an integer >= 1, found {value!r}").format(
            value=horizon))
    if not isinstance(n_sims, int | np.integer) or n_sims < 2:
        raise ValueError(_("n_sims: expected an integer >= 2, found {value!r}").format(
            value=n_sims))
    seed = check_seed(seed)
    names = check_models(models)
    data = prepare(series, gaps, lower_bound, estimate, min_tail=int(min_train) + 1)
    notes = span_notes(data, gaps)
    if gaps == "auto" and models is None:
        names, dropped = drop_unfittable(names, data)
        notes.extend(dropped)
    bt = run_backtest(
        data,
        models=names,
        min_train=min_train,
        n_sims=n_sims,
        seed=seed,
        parameter_uncertainty=parameter_uncertainty,
        weighting=weighting,
        progress=progress,
    )
    weights = model_weights(bt.scores(names), weighting)
    if bt.n_origins == 0:
        notes.append(Message(N_("no backtest origin with {n} figures: equal weights"),
                             n=min_train))
    last = int(data.years[-1])
    years = tuple(range(last + 1, last + 1 + int(horizon)))
    fits: dict[str, FittedModel] = {}
    model_paths: dict[str, np.ndarray] = {}
    for name in names:
        fits[name] = fit_model(name, data)
        rngs = keyed_rngs(seed, "forecast", name, last)
        model_paths[name] = fits[name].simulate(
            int(horizon), int(n_sims), rngs, parameter_uncertainty
        )
    combined = mix(model_paths, weights)
    # mix() stacks the models' paths in blocks; a keyed permutation makes the row
    # order carry no model information (rows may be paired with other draws).
    combined = combined[keyed_rngs(seed, "combine", last)[1].permutation(len(combined))]
    return ForecastResult(
        years=years,
        paths=combined,
        model_paths=model_paths,
        weights=weights,
        backtest=bt,
        fits=fits,
        data=data,
        parameter_uncertainty=parameter_uncertainty,
        weighting=weighting,
        notes=tuple(notes) + bt.notes,
    )
