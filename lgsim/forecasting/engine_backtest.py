"""The scenario engine scored out of sample: every past year replayed "as of" a vantage.

For every past year the data allow, :func:`backtest_engine` builds the scenario's
organic model as it could have been set up then (:func:`lgsim.forecasting.asof.
as_of_scenario`): last published GDP as the base, every sector centred on the year's
forecast from the figures before it (:data:`lgsim.forecasting.errors.FORECASTERS`), the
spread sized from the errors made before it (pseudo-real-time, the rule of ``lgsim
calibrate``) or the scenario's own, and the year-to-date figures out by the vantage as
``[actuals]`` — the run conditions on them. It runs the engine and scores the realised
growth:

* PIT (the predictive CDF at the outcome), CRPS and log score
  (:mod:`lgsim.forecasting.scores`, the scoringrules library; the engine's log score is
  that of the normal with its sample's mean and sd, see :func:`sample_scores`);
* whether the central 80 % and 95 % intervals covered it (with Wilson intervals on the
  shares over origins);
* where the year's target is known, P(target met) and its Brier score.

Comparators, scored the same way: the **random walk** (last year's growth) with the
spread of its past errors, and, where the target is known, **the target as the
forecast** (a point forecast: its CRPS is the absolute error).

A usable origin is a published year with a forecast at most
:data:`lgsim.forecasting.errors.MAX_STEPS` years after the last figure before it
(``steps = 2`` when the previous year is missing) and at least
:data:`lgsim.forecasting.errors.MIN_ERRORS` past errors before it. Fewer than
:data:`MIN_ORIGINS` usable origins is an error.

Units: growth, CRPS and spreads are **fractions** in the records (text shows percent
and pp); the log score is of the density of growth as a fraction.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._version import __version__
from ..analysis import paired_interval, quantiles, wilson
from ..data.growth_figures import GrowthFigure, GrowthFigures, read_growth_figures
from ..i18n import N_, Message, _, using
from ..montecarlo.outcomes import announce
from ..montecarlo.runner import run
from ..results import Results
from ..scenario import Scenario, ScenarioError, load_scenario
from .asof import AsOf, SectorStructure, as_of_scenario, measure_within_year, sector_structure
from .engine_report import report, verdict
from .errors import (
    FORECASTERS,
    MAX_STEPS,
    MIN_ERRORS,
    ForecastError,
    fit_spread,
    parse_vantage,
    point_forecast,
    published_by,
    vantage_label,
    year_ahead_errors,
)
from .scores import (
    crps_normal,
    crps_sample,
    log_score_normal,
    pit_normal,
    pit_sample,
    pit_uniformity,
)
from .series import AUTO_MIN_TAIL, Gaps, prepare
from .spread import revision_sd, scenario_vantage

#: Fewest usable origins a backtest reports on.
MIN_ORIGINS = 5
#: Where each origin's spread comes from.
SPREADS: tuple[str, ...] = ("errors", "scenario")
#: Quantiles kept per forecast (fractions of probability).
QS: tuple[float, ...] = (0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975)
#: Names of the quantiles in the records.
Q_NAMES: tuple[str, ...] = ("q02.5", "q05", "q10", "q50", "q90", "q95", "q97.5")
#: Comparators, as named in the records.
RANDOM_WALK, TARGET = "random_walk", "target_as_forecast"


@dataclass(frozen=True)
class Scores:
    """One forecaster's forecast of one year, and its scores (fractions).

    ``pit``, ``log_score`` and coverage are None for a point forecast; ``p_target`` is
    None where the year's target is not known.
    """

    mean: float
    sd: float
    quantiles: dict[str, float]
    pit: float | None
    crps: float
    log_score: float | None
    covered80: bool | None
    covered95: bool | None
    p_target: float | None = None

    def record(self) -> dict[str, Any]:
        """Plain data for ``backtest.json``."""
        return {"mean": self.mean, "sd": self.sd, "pit": self.pit, "crps": self.crps,
                "log_score": self.log_score, "covered80": self.covered80,
                "covered95": self.covered95, "p_target": self.p_target, **self.quantiles}


def _covered(q: dict[str, float], y: float) -> tuple[bool, bool]:
    return q["q10"] <= y <= q["q90"], q["q02.5"] <= y <= q["q97.5"]


def normal_scores(mean: float, sd: float, y: float, target: Any = None) -> Scores:
    """Scores of a normal forecast ``N(mean, sd²)`` (``target``: a scenario Target)."""
    from scipy.special import ndtri

    q = {n: float(mean + sd * ndtri(p)) for n, p in zip(Q_NAMES, QS, strict=True)}
    c80, c95 = _covered(q, y)
    p = None if target is None else float(1.0 - pit_normal(mean, sd, target.threshold()))
    return Scores(mean, sd, q, pit_normal(mean, sd, y), float(crps_normal(mean, sd, y)),
                  float(log_score_normal(mean, sd, y)), c80, c95, p)


def sample_scores(x: np.ndarray, w: np.ndarray | None, y: float,
                  p_target: float | None) -> Scores:
    """Scores of a (weighted) sample of growth.

    PIT, CRPS and the quantiles are of the sample itself; the log score is that of the
    normal with the sample's (weighted) mean and sd. A kernel density's log score is
    noise beyond about 3 sd of a 1,000-draw sample (it rests on the few draws out
    there), and the organic model's predictive — normal sector growth, Gaussian
    conditioning — is close to normal.
    """
    q = dict(zip(Q_NAMES, quantiles(x, QS, w).values(), strict=True))
    c80, c95 = _covered(q, y)
    mean = float(np.average(x, weights=w))
    sd = math.sqrt(float(np.average((x - mean) ** 2, weights=w)))
    return Scores(mean, sd, q, pit_sample(x, y, w), float(crps_sample(x, y, w)),
                  float(log_score_normal(mean, sd, y)), c80, c95, p_target)


def point_scores(value: float, y: float, met: bool | None) -> Scores:
    """Scores of a point forecast (CRPS = absolute error; P(met) 1: it says "met")."""
    q = dict.fromkeys(Q_NAMES, value)
    return Scores(value, 0.0, q, None, abs(y - value), None, None, None,
                  None if met is None else 1.0)


@dataclass(frozen=True)
class Origin:
    """One past year, replayed and scored.

    Attributes
    ----------
    year, steps : int
        The year forecast; years after the last figure before it (2: one missing).
    realised : float
        Its published growth (fraction); ``lower_bound`` / ``estimate`` flag figures
        that were only "over X" / "about X" (scored at their stated value).
    forecast : float
        The point forecast the engine's sectors were centred on (fraction).
    prior_sd : float
        sd of the engine's organic growth before the figures (fraction).
    n_errors : int
        Past errors the spread was sized from.
    figures : tuple of GrowthFigure
        Year-to-date figures conditioned on.
    target : float or None
        The year's growth target where known (fraction); ``met`` whether it was met.
    ess, replications : float, int
        Effective sample size and replications of the engine's run.
    engine : Scores
    comparators : dict
        Name → :class:`Scores` (``random_walk``; ``target_as_forecast`` where known).
    note : str
        What was done differently for this year (e.g. a figure left out): English, a
        :class:`lgsim.i18n.Message` shown translated.
    seed : int
        The seed of this year's run (keyed by the backtest's seed and the year).
    scenario_toml : str
        The "as of" scenario as run (resolved TOML, seed and replications included):
        running it reproduces this year's forecast.
    """

    year: int
    steps: int
    realised: float
    lower_bound: bool
    estimate: bool
    forecast: float
    prior_sd: float
    n_errors: int
    figures: tuple[GrowthFigure, ...]
    target: float | None
    met: bool | None
    ess: float
    replications: int
    engine: Scores
    comparators: dict[str, Scores] = field(default_factory=dict)
    note: str = ""
    seed: int = 0
    scenario_toml: str = field(default="", repr=False, compare=False)

    def record(self) -> dict[str, Any]:
        """One record of ``backtest.json`` (fractions)."""
        e = self.engine
        return {
            "year": self.year, "realised": self.realised, "pit": e.pit, "crps": e.crps,
            "log_score": e.log_score, "covered80": e.covered80, "covered95": e.covered95,
            "p_target": e.p_target, "target": self.target, "met": self.met,
            "steps": self.steps, "lower_bound": self.lower_bound, "estimate": self.estimate,
            "forecast": self.forecast, "prior_sd": self.prior_sd, "n_errors": self.n_errors,
            "figures": [{"period": f.period, "value": f.value, "area": f.area,
                         "source": f.source} for f in self.figures],
            "ess": self.ess, "replications": self.replications,
            "engine": e.record(),
            "comparators": {k: v.record() for k, v in self.comparators.items()},
            "note": self.note, "seed": self.seed,
        }


def _seed(seed: int, year: int) -> int:
    """The seed of one origin's run: keyed by (seed, year), independent of the others."""
    h = hashlib.blake2b(f"{int(seed)}\x1f{int(year)}".encode(), digest_size=8,
                        person=b"lgsim-btest-v1")
    return int.from_bytes(h.digest(), "little") >> 1


@dataclass(frozen=True)
class Summary:
    """One forecaster's scores over the origins (fractions; coverage as counts).

    Attributes
    ----------
    name : str
    n : int
        Origins scored.
    crps : float
        Mean CRPS (fraction; × 100 for pp).
    log_score : float or None
        Mean log score (None for a point forecast).
    covered80, covered95 : int or None
        Origins whose central interval covered the outcome (None for a point forecast).
    pit : tuple of float
        PIT values (empty for a point forecast).
    brier : float or None
        Mean Brier score of P(target met) over the ``n_targets`` origins with a target.
    n_targets : int
    """

    name: str
    n: int
    crps: float
    log_score: float | None
    covered80: int | None
    covered95: int | None
    pit: tuple[float, ...]
    brier: float | None
    n_targets: int

    def coverage(self, level: int) -> tuple[float, float, float]:
        """Share covered at ``level`` (80 or 95) with its 95 % Wilson interval."""
        k = self.covered80 if level == 80 else self.covered95
        if k is None or self.n == 0:
            return (math.nan, math.nan, math.nan)
        lo, hi = wilson(k, self.n)
        return (k / self.n, lo, hi)

    def uniformity_p(self) -> float | None:
        """Kolmogorov–Smirnov p-value of the PIT values against uniform."""
        return pit_uniformity(np.array(self.pit)).p_value if self.pit else None

    def record(self) -> dict[str, Any]:
        """Plain data for ``backtest.json``."""
        out: dict[str, Any] = {"n": self.n, "crps_mean": self.crps,
                               "log_score_mean": self.log_score, "n_targets": self.n_targets,
                               "brier": self.brier, "pit_uniformity_p": self.uniformity_p()}
        for level in (80, 95):
            share, lo, hi = self.coverage(level)
            k = self.covered80 if level == 80 else self.covered95
            out[f"covered{level}"] = {"k": k, "n": self.n if k is not None else None,
                                      "share": None if k is None else share,
                                      "wilson95": None if k is None else [lo, hi]}
        return out


def _summary(name: str, scores: Sequence[Scores], met: Sequence[bool | None]) -> Summary:
    """Summarise one forecaster's scores (``met``: the target's outcome per origin)."""
    n = len(scores)
    point = all(s.pit is None for s in scores)
    briers = [(s.p_target - float(m)) ** 2 for s, m in zip(scores, met, strict=True)
              if s.p_target is not None and m is not None]
    return Summary(
        name, n, float(np.mean([s.crps for s in scores])) if n else math.nan,
        None if point or not n else float(np.mean([s.log_score for s in scores])),
        None if point else sum(bool(s.covered80) for s in scores),
        None if point else sum(bool(s.covered95) for s in scores),
        () if point else tuple(float(s.pit) for s in scores),
        float(np.mean(briers)) if briers else None, len(briers),
    )


@dataclass(frozen=True)
class EngineBacktest:
    """The engine's out-of-sample record (:func:`backtest_engine`).

    Attributes
    ----------
    scenario_file, title : str
        The scenario whose organic model was replayed.
    area : str
        The area scored; ``data_label`` the files read.
    vantage : int
        Month 1–12 as of whose end each year was forecast.
    forecaster, spread_mode : str
        The point forecaster; where the spread came from (``errors``: past errors
        before each origin; ``scenario``: the scenario's own sds).
    replications, seed : int
        Per origin (each origin's seed is keyed by ``(seed, year)``).
    origins : tuple of Origin
    skipped : tuple of (int, str)
        Published years that could not be origins, with the reason.
    notes : tuple of str
        English (``backtest.json``); :class:`lgsim.i18n.Message` objects, shown translated
        on the terminal (:func:`lgsim.i18n.localized`).
    history : tuple of (int, float)
        The area's published growth by year (fractions), as scored (after the gap rule).
    """

    scenario_file: str
    title: str
    area: str
    data_label: str
    vantage: int
    forecaster: str
    spread_mode: str
    replications: int
    seed: int
    origins: tuple[Origin, ...]
    skipped: tuple[tuple[int, str], ...] = ()
    notes: tuple[str, ...] = ()
    history: tuple[tuple[int, float], ...] = ()

    def summaries(self) -> dict[str, Summary]:
        """The engine and each comparator over the origins it forecast."""
        met = [o.met for o in self.origins]
        out = {"engine": _summary("engine", [o.engine for o in self.origins], met),
               RANDOM_WALK: _summary(RANDOM_WALK,
                                     [o.comparators[RANDOM_WALK] for o in self.origins], met)}
        with_target = [o for o in self.origins if TARGET in o.comparators]
        if with_target:
            out[TARGET] = _summary(TARGET, [o.comparators[TARGET] for o in with_target],
                                   [o.met for o in with_target])
        return out

    def crps_difference(self, comparator: str = RANDOM_WALK) -> tuple[float, float, float, int]:
        """Mean of engine − comparator CRPS over shared origins, with a 95 % t interval.

        Returns ``(mean, low, high, n)`` in fractions (NaN bounds with fewer than 2).
        """
        from scipy.stats import t

        d = np.array([o.engine.crps - o.comparators[comparator].crps for o in self.origins
                      if comparator in o.comparators])
        if d.size < 2:
            return (float(d.mean()) if d.size else math.nan, math.nan, math.nan, int(d.size))
        iv = paired_interval(d, z=float(t.ppf(0.975, d.size - 1)))
        return (iv.estimate, iv.low, iv.high, int(d.size))

    def verdict(self) -> list[str]:
        """Plain sentences: calibration, the naive benchmark, the small sample."""
        return verdict(self)

    def to_text(self) -> str:
        """The terminal report (percent and pp)."""
        return report(self)

    def __str__(self) -> str:
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """Everything ``backtest.json`` holds (fractions, see ``units``; NaN as None)."""
        return _plain({
            "scenario": self.scenario_file, "title": self.title, "area": self.area,
            "data": self.data_label, "vantage": self.vantage,
            "vantage_label": vantage_label(self.vantage), "forecaster": self.forecaster,
            "spread": self.spread_mode, "replications": self.replications, "seed": self.seed,
            "lgsim_version": __version__,
            "units": {"growth": "fraction (0.06 = 6%)", "crps": "fraction of growth (x 100: pp)",
                      "log_score": "-log density of growth as a fraction (lower is "
                                   "better; the engine's: of the normal with its sample's "
                                   "mean and sd)",
                      "pit": "probability", "p_target": "probability"},
            "history": [{"year": y, "growth": g} for y, g in self.history],
            "records": [o.record() for o in self.origins],
            "skipped": [{"year": y, "reason": r} for y, r in self.skipped],
            "summary": {k: v.record() for k, v in self.summaries().items()},
            "verdict": _english(self.verdict),
            "notes": list(self.notes),
        })


def _english(make: Callable[[], Any]) -> Any:
    """``make()`` in English: files record text in one language, whatever the terminal's."""
    with using("en"):
        return make()


def _plain(obj: Any) -> Any:
    """JSON-ready data: numpy scalars as Python numbers, NaN and ±inf as None."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    return obj


@dataclass(frozen=True)
class _Setup:
    """What every origin of one backtest shares."""

    scenario: Scenario
    figures: GrowthFigures
    area: str
    vantage: int
    forecaster: str
    spread_mode: str
    structure: SectorStructure
    within_var: float
    annual: dict[int, GrowthFigure]
    errors: tuple[ForecastError, ...]
    rw_errors: tuple[ForecastError, ...]
    replications: int
    seed: int
    revision_sd: float


def _kept_years(annual: dict[int, GrowthFigure], gaps: Gaps) -> tuple[list[int], str | None]:
    """The area's years after the gap rule of ``lgsim backtest --gaps`` (and a note)."""
    data = prepare({y: f.value for y, f in annual.items()}, gaps, min_tail=AUTO_MIN_TAIL)
    kept = [int(y) for y in data.years[data.observed]]
    note = (Message(N_("gaps={gaps}: years before the last gap left out ({years})"),
                    gaps=repr(gaps), years=list(data.dropped)) if data.dropped else None)
    return kept, note


def _setup(scenario: Scenario, figures: GrowthFigures, area: str | None, vantage: int,
           forecaster: str, spread: str, areas: Iterable[str] | None, exclude: Iterable[int],
           gaps: Gaps, replications: int, seed: int) -> tuple[_Setup, list[str]]:
    """Check the arguments; the kept years, the error records, the sector structure."""
    if forecaster not in FORECASTERS:
        raise ValueError(_("forecaster: expected one of {names}, found {value!r}").format(
            names=", ".join(FORECASTERS), value=forecaster))
    if spread not in SPREADS:
        raise ValueError(_("spread: expected one of {names}, found {value!r}").format(
            names=", ".join(SPREADS), value=spread))
    area = figures.areas()[0] if area is None else area
    if area not in figures.areas():
        raise ValueError(_("{file}: area: expected one of {areas}, found {value!r}").format(
            file=figures.label, areas=", ".join(figures.areas()), value=area))
    kept, note = _kept_years(figures.annual(area), gaps)
    notes = [note] if note else []
    scored = replace(figures, figures=tuple(
        f for f in figures.figures if not (f.area == area and f.month == 12
                                           and f.year not in kept)))
    record_areas = list(figures.areas() if areas is None else figures.only(areas).areas())
    skip = tuple(exclude)
    structure = sector_structure(scenario)
    within = measure_within_year(scenario, seed).variance
    setup = _Setup(
        scenario, scored, area, vantage, forecaster, spread, structure, within,
        scored.annual(area),
        year_ahead_errors(scored, record_areas, forecaster, exclude=skip),
        year_ahead_errors(scored, record_areas, "naive_last", exclude=skip),
        replications, seed, revision_sd(scenario))
    return setup, notes


def _why_not(s: _Setup, year: int) -> str | None:
    """Why ``year`` cannot be an origin (None: it can)."""
    if point_forecast(s.annual, year, s.forecaster) is None:
        return Message(N_("no published figure in the {n} years before it"), n=MAX_STEPS)
    for errors in (s.errors, s.rw_errors):
        n = sum(e.year < year for e in errors)
        if n < MIN_ERRORS:
            return Message(N_("{n} past errors before it ({least} needed to size a spread)"),
                           n=n, least=MIN_ERRORS)
    return None


def _spread_at(errors: Sequence[ForecastError], year: int, steps: int,
               forecaster: str) -> tuple[float, int]:
    """The predictive spread from the errors before ``year``, for ``steps`` ahead."""
    past = [e for e in errors if e.year < year]
    factor = math.sqrt(steps) if forecaster == "naive_last" else 1.0
    return fit_spread(past).predictive * factor, len(past)


def _run_as_of(s: _Setup, spec: AsOf, seed: int) -> tuple[Scenario, Results]:
    """Run an "as of" scenario.

    If the model cannot produce its figures together (a base effect: Q1 +17 % and H1
    +10 %), the run conditions on the latest figure alone (it covers the earlier months).
    """
    sc = as_of_scenario(s.scenario, s.structure, spec, seed=seed, replications=s.replications)
    try:
        return sc, run(sc, replications=s.replications, seed=seed, workers=1)
    except ScenarioError:
        if len(spec.figures) < 2:
            raise
    spec = replace(spec, figures=spec.figures[-1:])
    sc = as_of_scenario(s.scenario, s.structure, spec, seed=seed, replications=s.replications)
    return sc, run(sc, replications=s.replications, seed=seed, workers=1)


def _origin(s: _Setup, year: int) -> Origin:
    """Replay one year as of the vantage, run the engine, score it and the comparators."""
    fc = point_forecast(s.annual, year, s.forecaster)
    sd, n_errors = _spread_at(s.errors, year, fc.steps, s.forecaster)
    if s.spread_mode == "errors":
        scale, prior_sd = s.structure.scale(sd, s.within_var), sd
    else:
        scale, prior_sd = 1.0, math.sqrt(s.structure.total_sd ** 2 + s.within_var)
    figs = tuple(published_by(s.figures, s.area, year, s.vantage))
    target = s.figures.targets.get((s.area, year))
    spec = AsOf(year, fc.steps, fc.value, scale, figs, s.revision_sd,
                s.figures.levels.get((s.area, year - fc.steps)), target)
    seed = _seed(s.seed, year)
    sc, res = _run_as_of(s, spec, seed)
    used = {(o.year, o.month) for o in sc.actuals}
    note = "" if len(used) == len(figs) else Message(N_(
        "the model cannot produce all the figures together: conditioned on the latest alone"))
    figs = tuple(f for f in figs if (f.year, f.month) in used)
    fig = s.annual[year]
    y = fig.value
    met = None if target is None else bool(sc.target.met(y))
    engine = sample_scores(res.growth(), res.weights, y,
                           None if target is None else res.p_target().estimate)
    rw = point_forecast(s.annual, year, "naive_last")
    rw_sd, _rw_n = _spread_at(s.rw_errors, year, rw.steps, "naive_last")
    comps = {RANDOM_WALK: normal_scores(rw.value, rw_sd, y,
                                        None if target is None else sc.target)}
    if target is not None:
        comps[TARGET] = point_scores(target, y, met)
    return Origin(year, fc.steps, y, fig.lower_bound, fig.estimate, fc.value, prior_sd,
                  n_errors, figs, target, met, float(res.ess), int(res.n), engine, comps, note,
                  seed, sc.resolved(seed=seed, replications=s.replications).to_toml())


def backtest_engine(
    scenario: str | os.PathLike[str] | Scenario,
    figures: GrowthFigures | str | os.PathLike[str] | Sequence[Any] | None = None,
    *,
    area: str | None = None,
    vantage: int | str | None = None,
    forecaster: str = "naive_last",
    spread: str = "errors",
    areas: Iterable[str] | None = None,
    exclude: Iterable[int] = (),
    gaps: Gaps = "auto",
    replications: int = 1000,
    seed: int | None = None,
    min_origins: int = MIN_ORIGINS,
    progress: Callable[[int], None] | None = None,
) -> EngineBacktest:
    """Replay a scenario's organic model for every past year the data allow, and score it.

    Parameters
    ----------
    scenario : str, path-like or Scenario
        The scenario whose organic model is replayed (its projects, batches, pipeline,
        land and shocks are left out; every sector's growth a normal or a number).
    figures : GrowthFigures or path(s), optional
        The published figures (annual or tidy files); default the shipped ones.
    area : str, optional
        The area scored (default: the first area read, Longgang for the shipped data).
    vantage : int or str, optional
        Month 1–12 (or ``jan``, ``q1``, ``h1``, ``q3``) as of whose end each year is
        forecast: its year-to-date figures out by then are conditioned on. Default: the
        scenario's own (:func:`lgsim.forecasting.spread.scenario_vantage`).
    forecaster : {"naive_last", "naive_mean"}
        The forecast every sector is centred on.
    spread : {"errors", "scenario"}
        ``errors``: the organic spread sized from the errors before each origin (the
        rule of ``calibrate``); ``scenario``: the scenario's own sds as they are.
    areas : iterable of str, optional
        Areas pooled in the error record (default: all in the data).
    exclude : iterable of int
        Years left out of the error record (they are still scored).
    gaps : {"auto", "tail", "nan"}
        Years without a figure, as ``backtest --gaps``: ``tail`` scores only after the
        last gap, ``nan`` keeps every year (an origin after a missing year is two steps
        ahead), ``auto`` is ``tail`` when at least six figures follow the last gap.
    replications : int
        Engine replications per origin (a conditioned run may add some to reach its
        effective-sample-size floor).
    seed : int, optional
        Default the scenario's seed (else 0); each origin's run is keyed by (seed, year).
    min_origins : int
        Fewest usable origins (default :data:`MIN_ORIGINS`).
    progress : callable, optional
        Called with 1 after each published year (told the number first; see
        :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    EngineBacktest

    Raises
    ------
    ValueError
        Bad data (duplicate years, percent where a fraction is expected...), an unknown
        area, forecaster or vantage, or fewer than ``min_origins`` usable origins.
    lgsim.scenario.ScenarioError
        An invalid scenario, or a sector growth that is not normal (or a number).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    figs = figures if isinstance(figures, GrowthFigures) else read_growth_figures(figures)
    month = scenario_vantage(sc) if vantage is None else parse_vantage(vantage)
    base_seed = (sc.seed if sc.seed is not None else 0) if seed is None else int(seed)
    s, notes = _setup(sc, figs, area, month, forecaster, spread, areas, exclude, gaps,
                      int(replications), base_seed)
    origins, skipped = [], []
    announce(progress, len(s.annual))
    for year in sorted(s.annual):
        why = _why_not(s, year)
        if why is None:
            origins.append(_origin(s, year))
        else:
            skipped.append((year, why))
        if progress is not None:
            progress(1)
    if len(origins) < min_origins:
        found = ", ".join(str(o.year) for o in origins) or _("none")
        raise ValueError(
            _("{file}: area {area}: expected at least {least} usable origins (a published "
              "year with a figure at most {steps} years before it and at least {errors} past "
              "errors before it), found {n} ({years})").format(
                file=figs.label, area=s.area, least=min_origins, steps=MAX_STEPS,
                errors=MIN_ERRORS, n=len(origins), years=found)
        )
    notes += _notes(s, origins)
    history = tuple((y, f.value) for y, f in sorted(s.annual.items()))
    return EngineBacktest(sc.file, sc.title, s.area, figs.label, month, forecaster, spread,
                          int(replications), base_seed, tuple(origins), tuple(skipped),
                          tuple(figs.notes) + tuple(notes), history)


#: The parts of a scenario the replay leaves out, as the notes name them.
NON_ORGANIC_NAMES = {"projects": N_("projects"), "batches": N_("batches"),
                     "pipelines": N_("pipelines"), "lands": N_("lands"), "shocks": N_("shocks")}


def _notes(s: _Setup, origins: Sequence[Origin]) -> list[str]:
    """What the reader should know about this replay (English Messages, shown translated)."""
    sc = s.scenario
    left = [Message(name) for k, name in NON_ORGANIC_NAMES.items() if getattr(sc, k)]
    notes = []
    if left:
        notes.append(Message(N_("organic model only: the scenario's {parts} are not replayed"),
                             parts=left))
    flagged = [Message(N_("{year} (lower bound)") if o.lower_bound else N_("{year} (estimate)"),
                       year=o.year)
               for o in origins if o.lower_bound or o.estimate]
    if flagged:
        notes.append(Message(N_("scored at the stated value: {years}"), years=flagged))
    unlevelled = [o.year for o in origins
                  if (s.area, o.year - o.steps) not in s.figures.levels]
    if unlevelled:
        notes.append(Message(N_("no GDP level for the base year of {years}: the scenario's "
                                "economy.gdp stands in (organic growth does not depend on "
                                "the level)"), years=unlevelled))
    weak = [f.period for f in s.figures.figures
            if f.area == s.area and f.month < 12 and f.reliability == "D"]
    if weak:
        notes.append(Message(N_("year-to-date figures graded D (low reliability) left out: "
                                "{periods}"), periods=weak))
    if s.forecaster == "naive_last" and s.spread_mode == "errors":
        notes.append(Message(N_("the engine's prior and the random walk share centre and "
                                "spread: the engine can only gain on it through the "
                                "year-to-date figures")))
    return notes
