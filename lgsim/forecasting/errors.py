"""The record of past forecast errors, by vantage, and the spread fitted to it.

A fan sized from evidence is as wide as past forecasts were wrong (the Bank of England
sizes its fan charts from its past errors). The errors are **pseudo-real-time**: each
past year is forecast with only what was published by then.

Two records, by where in the year the forecast is made (the *vantage*, a month:
"as of the end of month v"; :data:`VANTAGES` names four):

* **year-ahead** (January): the year's growth forecast from the full-year figures before
  it, by a named point forecaster (:data:`FORECASTERS`: the random walk ``naive_last``,
  the last published figure, or ``naive_mean``, the mean of all earlier figures). A year
  whose previous year is missing is forecast ``steps = 2`` years ahead (a longer gap: no
  forecast); a random walk's two-step error counts as ``error / √2`` in the record (its
  variance grows with the steps).
* **within-year** (after Q1, H1, Q3): the year's growth minus the latest year-to-date
  figure out by the vantage — how far the figure then published was from the year.

:func:`fit_spread` fits ``σ`` to a record: ``σ̂ = √(Σ e² / n)`` (errors are not
demeaned: a forecaster's bias widens its fan, as past errors do), a 95 % interval from
``n σ̂² / σ² ~ χ²(n)``, and the **predictive** spread of the next error, ``σ̂ √(n / (n −
2))`` — the variance of the Student-t predictive with ``n`` degrees of freedom, so a short
record gives a wider spread rather than pretending to know ``σ``. Fewer than
:data:`MIN_ERRORS` errors fit nothing; fewer than :data:`SHORT_RECORD` are reported as a
short record.

Units: growth, errors and spreads are **fractions**; text shows percent / pp.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..data.areas import area_text
from ..data.growth_figures import GrowthFigure, GrowthFigures
from ..i18n import N_, _

#: Named vantages: the month as of whose end the forecast is made (figures then out).
VANTAGES: dict[str, int] = {"jan": 1, "q1": 4, "h1": 7, "q3": 10}
#: Point forecasters of the year-ahead record.
FORECASTERS: tuple[str, ...] = ("naive_last", "naive_mean")
#: Most years a forecast may reach across a gap (2: the previous year is missing).
MAX_STEPS = 2
#: Fewest errors a spread is fitted on (the predictive variance needs n > 2).
MIN_ERRORS = 3
#: Records shorter than this are reported as short (the spread's own uncertainty is large).
SHORT_RECORD = 10
#: Where in the year one stands, by the last quarter whose figures are out (none: January).
VANTAGE_NAMES: tuple[str, ...] = (N_("January (year-ahead)"), N_("after Q1"), N_("after H1"),
                                  N_("after Q3"))
#: The two records, as text names them.
KIND_NAMES = {"year-ahead": N_("year-ahead"), "within-year": N_("within-year")}


def parse_vantage(value: int | str) -> int:
    """A vantage month 1–12 from a number or a name in :data:`VANTAGES`.

    Raises
    ------
    ValueError
        Naming the parameter ``vantage``.
    """
    text = str(value).strip().lower()
    if text in VANTAGES:
        return VANTAGES[text]
    try:
        month = int(text)
    except ValueError:
        month = 0
    if not 1 <= month <= 12:
        raise ValueError(
            _("vantage: expected a month 1–12 or one of {names}, found {value!r}").format(
                names=", ".join(VANTAGES), value=value)
        )
    return month


def vantage_name(month: int, tr: Callable[[str], str] = str) -> str:
    """``January (year-ahead)``, ``after Q1``... for the month as of whose end one stands.

    English with the identity ``tr`` (files); ``tr`` (:func:`lgsim.i18n._`) translates it.
    """
    quarter = (month - 1) // 3  # the last quarter whose figures are out (one-month lag)
    return tr(VANTAGE_NAMES[quarter])


def vantage_label(month: int, tr: Callable[[str], str] = str) -> str:
    """``after Q1, as of the end of month 4``: :func:`vantage_name` and the month."""
    return tr(N_("{name}, as of the end of month {month}")).format(
        name=vantage_name(month, tr), month=month)





class Forecast(NamedTuple):
    """A point forecast of a year's growth (fraction), made ``steps`` years ahead."""

    value: float
    steps: int
    last_year: int


def point_forecast(
    annual: dict[int, GrowthFigure], year: int, forecaster: str = "naive_last",
    max_steps: int = MAX_STEPS,
) -> Forecast | None:
    """The forecaster's forecast of ``year`` from the full-year figures before it.

    Returns None when the last figure before ``year`` is more than ``max_steps`` years
    back (or there is none).
    """
    if forecaster not in FORECASTERS:
        raise ValueError(_("forecaster: expected one of {names}, found {value!r}").format(
            names=", ".join(FORECASTERS), value=forecaster))
    before = sorted(y for y in annual if y < year)
    if not before or year - before[-1] > max_steps:
        return None
    last = before[-1]
    if forecaster == "naive_last":
        value = annual[last].value
    else:
        value = float(np.mean([annual[y].value for y in before]))
    return Forecast(value, year - last, last)


@dataclass(frozen=True, slots=True)
class ForecastError:
    """One past forecast and what happened.

    Attributes
    ----------
    area : str
    year : int
        The year forecast.
    forecast, realised : float
        Growth, fractions.
    steps : int
        Years ahead (1; 2 across a missing year); 0 for a within-year record.
    kind : str
        ``year-ahead`` or ``within-year``.
    scale : float
        The error counts as ``error / scale`` in the record (``√steps`` for a random
        walk's multi-step error, else 1).
    lower_bound, estimate : bool
        The realised figure was only a lower bound / an estimate (scored as stated).
    urls : tuple of str
        Addresses of the publications of the figures used (the last one before the year
        and the year's own).
    """

    area: str
    year: int
    forecast: float
    realised: float
    steps: int = 1
    kind: str = "year-ahead"
    scale: float = 1.0
    lower_bound: bool = False
    estimate: bool = False
    urls: tuple[str, ...] = ()

    @property
    def error(self) -> float:
        """Realised minus forecast (fraction)."""
        return self.realised - self.forecast

    @property
    def scaled(self) -> float:
        """The error as it enters the record (fraction)."""
        return self.error / self.scale


def year_ahead_errors(
    figures: GrowthFigures, areas: Iterable[str] | None = None, forecaster: str = "naive_last",
    *, exclude: Iterable[int] = (), max_steps: int = MAX_STEPS,
) -> tuple[ForecastError, ...]:
    """Pseudo-real-time year-ahead errors of ``forecaster``, area by area.

    Parameters
    ----------
    figures : GrowthFigures
        The published figures (:func:`lgsim.data.growth_figures.read_growth_figures`).
    areas : iterable of str, optional
        Areas pooled in the record (default: every area with full-year figures).
    forecaster : {"naive_last", "naive_mean"}
    exclude : iterable of int
        Years left out of the record (as years forecast; they still serve as the last
        figure of the next forecast).
    max_steps : int
        Longest forecast across a gap.
    """
    skip = {int(y) for y in exclude}
    out = []
    for area in figures.areas() if areas is None else areas:
        annual = figures.annual(area)
        for year in sorted(annual):
            fc = point_forecast(annual, year, forecaster, max_steps)
            if fc is None or year in skip:
                continue
            fig = annual[year]
            scale = math.sqrt(fc.steps) if forecaster == "naive_last" else 1.0
            out.append(ForecastError(area, year, fc.value, fig.value, fc.steps, "year-ahead",
                                     scale, fig.lower_bound, fig.estimate,
                                     (annual[fc.last_year].url, fig.url)))
    return tuple(out)


def within_year_errors(
    figures: GrowthFigures, vantage: int, areas: Iterable[str] | None = None, *,
    exclude: Iterable[int] = (), reliable: bool = True,
) -> tuple[ForecastError, ...]:
    """The year's growth minus the latest year-to-date figure out by ``vantage``.

    Parameters
    ----------
    figures : GrowthFigures
    vantage : int
        Month 1–12 (as of its end).
    areas : iterable of str, optional
        Default: every area with full-year figures.
    exclude : iterable of int
        Years left out.
    reliable : bool
        Leave out figures graded ``D`` (low reliability) in the tidy file.
    """
    skip = {int(y) for y in exclude}
    out = []
    for area in figures.areas() if areas is None else areas:
        for year, fig in sorted(figures.annual(area).items()):
            ytd = latest_figure(figures, area, year, vantage, reliable=reliable)
            if ytd is None or year in skip:
                continue
            out.append(ForecastError(area, year, ytd.value, fig.value, 0, "within-year", 1.0,
                                     fig.lower_bound, fig.estimate, (ytd.url, fig.url)))
    return tuple(out)


def published_by(
    figures: GrowthFigures, area: str, year: int, vantage: int, *, reliable: bool = True
) -> list[GrowthFigure]:
    """Year-to-date figures of ``year`` out by the end of month ``vantage`` of that year."""
    return [f for f in figures.year_to_date(area, year)
            if f.available(year, vantage) and not (reliable and f.reliability == "D")]


def latest_figure(
    figures: GrowthFigures, area: str, year: int, vantage: int, *, reliable: bool = True
) -> GrowthFigure | None:
    """The latest year-to-date figure of ``year`` out by ``vantage`` (None: none)."""
    out = published_by(figures, area, year, vantage, reliable=reliable)
    return out[-1] if out else None


class AreaFit(NamedTuple):
    """Errors and root mean square of one area in a pooled record (fractions)."""

    n: int
    rms: float


@dataclass(frozen=True)
class Spread:
    """The spread fitted to a record of errors.

    Attributes
    ----------
    n : int
        Errors in the record.
    rms : float
        ``σ̂ = √(Σ e² / n)`` (fraction).
    low, high : float
        95 % interval of ``σ`` from ``n σ̂² / σ² ~ χ²(n)`` (fractions).
    predictive : float
        The spread of the next error, ``σ̂ √(n / (n − 2))`` (fraction).
    errors : tuple of ForecastError
        The record.
    by_area : dict
        Area → :class:`AreaFit`.
    same_spread_p : float or None
        With two areas: two-sided p-value of the F test that their errors have the same
        spread (a small value says pooling them mixes different spreads).
    """

    n: int
    rms: float
    low: float
    high: float
    predictive: float
    errors: tuple[ForecastError, ...]
    by_area: dict[str, AreaFit]
    same_spread_p: float | None = None

    @property
    def short(self) -> bool:
        """Fewer than :data:`SHORT_RECORD` errors."""
        return self.n < SHORT_RECORD

    @property
    def widening(self) -> float:
        """``predictive / rms``: how much the estimation uncertainty widens the spread."""
        return self.predictive / self.rms if self.rms > 0 else math.nan

    def years(self, tr: Callable[[str], str] = str) -> str:
        """``Longgang 2013–2019 (7), Shenzhen 2017–2019 (3)`` — for text.

        English with the identity ``tr`` (files); ``tr`` (:func:`lgsim.i18n._`)
        translates the areas' names and the separators.
        """
        parts = []
        for area, fit in self.by_area.items():
            ys = sorted(e.year for e in self.errors if e.area == area)
            parts.append(f"{area_text(area, tr)} {_years(ys, tr)} ({fit.n})")
        return tr(N_(", ")).join(parts)

    def describe(self, tr: Callable[[str], str] = str) -> str:
        """One sentence: the record, σ̂ with its interval, the predictive spread.

        English with the identity ``tr`` (the ``[sources]`` of a file); ``tr``
        (:func:`lgsim.i18n._`) translates it for the terminal.
        """
        kind = self.errors[0].kind
        text = tr(N_(
            "{n} {kind} errors ({years}): root mean square {rms:.2f} pp ({p95} interval "
            "{low:.2f}–{high:.2f} pp); spread of the next error {predictive:.2f} pp "
            "(×{widening:.3f} for the estimation uncertainty of {n} errors)")).format(
                n=self.n, p95="95%", kind=tr(KIND_NAMES.get(kind, kind)), years=self.years(tr),
                rms=100 * self.rms, low=100 * self.low, high=100 * self.high,
                predictive=100 * self.predictive, widening=self.widening)
        if len(self.by_area) > 1:
            text += tr(N_("; by area {areas}")).format(areas=tr(N_(", ")).join(
                tr(N_("{area} {rms:.2f} pp (n={n})")).format(
                    area=area_text(a, tr), rms=100 * f.rms, n=f.n)
                for a, f in self.by_area.items()))
            if self.same_spread_p is not None:
                text += tr(N_(", F test of equal spreads p = {p:.2f}")).format(
                    p=self.same_spread_p)
        if self.short:
            text += tr(N_("; a short record (fewer than {n} errors): the interval of σ is "
                          "wide and the spread is widened by it")).format(n=SHORT_RECORD)
        return text


def _years(years: Sequence[int], tr: Callable[[str], str] = str) -> str:
    """``2013–2016, 2018`` from sorted years (``tr`` translates the separator)."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return tr(N_(", ")).join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def fit_spread(errors: Sequence[ForecastError]) -> Spread:
    """Fit the spread of a record (see the module docstring).

    Raises
    ------
    ValueError
        With fewer than :data:`MIN_ERRORS` errors ("too short to fit a spread").
    """
    from scipy.stats import chi2
    from scipy.stats import f as f_dist

    n = len(errors)
    if n < MIN_ERRORS:
        raise ValueError(
            _("errors: expected at least {least} past errors to fit a spread, found {n} (the "
              "record is too short)").format(least=MIN_ERRORS, n=n)
        )
    e = np.array([x.scaled for x in errors])
    rms = math.sqrt(float(np.mean(e * e)))
    low = rms * math.sqrt(n / chi2.ppf(0.975, n))
    high = rms * math.sqrt(n / chi2.ppf(0.025, n))
    by_area: dict[str, AreaFit] = {}
    for area in dict.fromkeys(x.area for x in errors):
        ea = np.array([x.scaled for x in errors if x.area == area])
        by_area[area] = AreaFit(ea.size, math.sqrt(float(np.mean(ea * ea))))
    p = None
    fits = list(by_area.values())
    if len(fits) == 2 and min(f.n for f in fits) >= 2 and min(f.rms for f in fits) > 0:
        ratio = (fits[0].rms / fits[1].rms) ** 2
        cdf = float(f_dist.cdf(ratio, fits[0].n, fits[1].n))
        p = min(1.0, 2 * min(cdf, 1 - cdf))
    return Spread(n, rms, low, high, rms * math.sqrt(n / (n - 2)), tuple(errors), by_area, p)
