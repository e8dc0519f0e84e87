"""Sizing a scenario's organic spread from past forecast errors (``lgsim calibrate``).

The district total's organic growth gets the spread of past forecast errors
(:mod:`lgsim.forecasting.errors`); the sector structure stays: every sector's sd is
multiplied by one factor ``k`` (:class:`lgsim.forecasting.asof.SectorStructure`), so the
shares, the correlation, the relative spreads and the means are the scenario's own.
The within-year deviations' share of the annual variance is measured on the organic
model and taken off, so the *simulated* organic growth has the record's spread.

**Vantage and conditioning.** The prior is sized from the **year-ahead** (January)
record at every vantage. A scenario made later in the year brings what was published by
then as ``[actuals]`` and the run conditions on it; that is what makes a June forecast
narrower than a January one. A prior sized from mid-year errors *and* conditioned on the
mid-year figures would count those figures twice. The within-year record at the vantage
(the latest year-to-date figure against the year) is reported next to the model's own
year-to-date-to-year gap, and ``lgsim backtest --engine`` scores the resulting posterior
out of sample. See ``docs/evidence.md``.

Units: growth, means and sds are **fractions** in the code and the file; text shows
percent and percentage points.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from .._format import pad, rjust
from .._version import __version__
from ..data.areas import area_name
from ..data.growth_figures import GrowthFigures, read_growth_figures
from ..i18n import N_, Composed, Message, _, localized
from ..scenario import Scenario, load_scenario
from ..scenario.actuals import DEFAULT_REVISION_SD
from .asof import SectorStructure, WithinYear, measure_within_year, sector_structure
from .calibrate import write_calibrated
from .errors import (
    MIN_ERRORS,
    ForecastError,
    Spread,
    fit_spread,
    parse_vantage,
    vantage_label,
    vantage_name,
    within_year_errors,
    year_ahead_errors,
)

#: Decimal places of the sds written (fractions: 1e-5 = 0.001 pp).
DECIMALS = 5
#: Forecasters, as named in text.
FORECASTER_TEXT = {"naive_last": N_("random walk (the last published growth)"),
                   "naive_mean": N_("mean of all earlier published growth")}


def scenario_vantage(scenario: Scenario) -> int:
    """The month as of whose end a scenario stands: one after its latest figure's window.

    The latest informative ``[actuals]`` figure of the target year, plus the one-month
    publication lag (:data:`lgsim.data.growth_figures.PUBLICATION_LAG_MONTHS`); January
    (1) without one.
    """
    months = [o.month for o in scenario.actuals
              if o.year == scenario.target_year and o.informative]
    return min(12, max(months) + 1) if months else 1


@dataclass(frozen=True)
class SpreadCalibration:
    """The organic spread of a scenario sized from past errors (:func:`calibrate_spread`).

    Attributes
    ----------
    scenario : Scenario
        The scenario calibrated (the file written ``extends`` it).
    data_label : str
        The files the record comes from.
    vantage : int
        Month 1–12 as of whose end the scenario stands.
    forecaster : str
        The year-ahead record's point forecaster.
    spread : Spread
        The year-ahead record and its fit: the organic growth gets ``spread.predictive``.
    within : tuple of ForecastError
        The within-year record at the vantage (a check; empty in January).
    structure : SectorStructure
        The scenario's sector growth before calibration.
    within_year : WithinYear
        The organic model's within-year deviations.
    scale : float
        ``k``, the factor on every sector's sd.
    excluded : tuple of int
        Years left out of the record.
    notes, warnings : tuple of str
        English (the file's header); :class:`lgsim.i18n.Message` objects, shown translated
        on the terminal.
    """

    scenario: Scenario = field(repr=False)
    data_label: str
    vantage: int
    forecaster: str
    spread: Spread
    within: tuple[ForecastError, ...]
    structure: SectorStructure
    within_year: WithinYear
    scale: float
    excluded: tuple[int, ...]
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def sds(self) -> tuple[float, ...]:
        """Each sector's calibrated sd (fraction), as written."""
        return tuple(round(float(self.scale * sd), DECIMALS) for sd in self.structure.sds)

    @property
    def target_sd(self) -> float:
        """The sd the organic growth is given: the record's predictive spread (fraction)."""
        return self.spread.predictive

    def implied_sd(self) -> float:
        """Sd of the organic growth with the written sds (draws and deviations; fraction)."""
        draws = SectorStructure(self.structure.ids, self.structure.shares,
                                self.structure.means, np.array(self.sds),
                                self.structure.correlation).total_sd
        return math.sqrt(draws * draws + self.within_year.variance)

    def _lead(self) -> str:
        """The sector whose ``[sources]`` entry holds the whole derivation (largest share)."""
        return self.structure.ids[int(np.argmax(self.structure.shares))]

    def derivation(self) -> str:
        """The derivation, for ``[sources]`` (percent and pp)."""
        s = self.spread
        text = (
            "source: sized by lgsim calibrate from past forecast errors of published real "
            "GDP growth: the organic GDP growth has the spread of the next pseudo-real-time "
            f"year-ahead error of the {FORECASTER_TEXT[self.forecaster]}, "
            f"{100 * s.predictive:.2f} pp = {s.describe()}"
        )
        if self.excluded:
            text += f"; left out of the record: {self._excluded_text()}"
        text += (
            f"; every sector's sd is its hand-set sd x k = {self.scale:.4f} (one k: shares, "
            "correlation, relative spreads and means stay the scenario's); the within-year "
            f"deviations add {100 * math.sqrt(self.within_year.variance):.2f} pp in "
            f"quadrature (measured on the organic model); vantage {vantage_label(self.vantage)}"
            ": the prior is the year-ahead spread and the run conditions on the figures "
            "published by then ([actuals]), which narrow it"
        )
        urls = self.publications()
        if urls:
            text += f"; growth figures as published in: {'; '.join(urls)}"
        return text

    def publications(self) -> list[str]:
        """Addresses of the publications of the figures in the record (no scheme)."""
        urls = [u for e in self.spread.errors for u in e.urls if u.strip()]
        return [u.split("://", 1)[-1] for u in dict.fromkeys(urls)]

    def _excluded_text(self, tr: Callable[[str], str] = str) -> str:
        """The years left out and why: English with the identity ``tr`` (files)."""
        years = tr(N_(", ")).join(map(str, self.excluded))
        if self.scenario.shocks:
            return tr(N_("{years} (the scenario models such years' risk as explicit shocks: "
                         "{shocks}; with the year in the record that risk would be counted "
                         "twice)")).format(years=years, shocks=", ".join(
                             s.id for s in self.scenario.shocks))
        return tr(N_("{years} (by request)")).format(years=years)

    def sources(self) -> dict[str, str]:
        """``[sources]`` entries, one per scaled sector's ``growth.sd``.

        The whole derivation goes on the largest sector, a pointer to it on the others.
        """
        lead = self._lead()
        out = {}
        for sid, old, new in zip(self.structure.ids, self.structure.sds, self.sds, strict=True):
            if old == 0:
                continue
            key = f"sector[{sid}].growth.sd"
            out[key] = self.derivation() if sid == lead else (
                f"source: calibrated as sector[{lead}].growth.sd: the hand-set sd "
                f"{100 * old:.2f}% x k = {self.scale:.4f} = {100 * new:.3f}%")
        return out

    def document(self, out: str | os.PathLike[str]) -> dict[str, Any]:
        """The scenario document to write at ``out`` (``extends`` relative to its folder)."""
        parent = Path(self.scenario.file).resolve()
        folder = Path(out).resolve().parent
        try:
            extends = Path(os.path.relpath(parent, folder)).as_posix()
        except ValueError:  # another drive (Windows)
            extends = parent.as_posix()
        sectors = [
            {"id": sid, "growth": {"dist": "normal", "mean": float(mean), "sd": sd}}
            for sid, mean, old, sd in zip(self.structure.ids, self.structure.means,
                                          self.structure.sds, self.sds, strict=True)
            if old > 0
        ]
        return {
            "extends": extends,
            "scenario": {"title": f"{self.scenario.title} — spread from past errors"},
            "sector": sectors,
            "sources": self.sources(),
        }

    def to_toml(self, out: str | os.PathLike[str]) -> str:
        """The file's text: a comment header, then the document."""
        import tomli_w

        head = [
            f"# Written by lgsim {__version__} `lgsim calibrate` from {self.scenario.file}",
            f"# and {self.data_label}: every sector's growth sd x {self.scale:.4f}, so that",
            f"# organic GDP growth has sd {100 * self.target_sd:.2f} pp (past year-ahead "
            "errors);",
            "# means, shares, correlation and everything else are inherited.",
        ]
        head += [f"# WARNING: {w}" for w in self.warnings]
        return "\n".join(head) + "\n\n" + tomli_w.dumps(self.document(out))

    def write(self, out: str | os.PathLike[str]) -> Path:
        """Write the calibrated scenario to ``out`` atomically; return the path.

        Raises
        ------
        ValueError
            If ``out`` is the scenario being calibrated.
        """
        return write_calibrated(self.scenario, self.to_toml, out)

    def to_string(self) -> str:
        """The terminal report (percent and pp)."""
        lines = [
            _("Calibration of {file}: organic spread sized from past forecast errors").format(
                file=self.scenario.file),
            _("Data: {data}").format(data=self.data_label),
            _("Vantage: {vantage}. The prior is sized from year-ahead errors; the figures "
              "published by the vantage ([actuals]) narrow it in the run.").format(
                vantage=vantage_label(self.vantage, _)),
            _("Year-ahead record, {forecaster}: {record}").format(
                forecaster=_(FORECASTER_TEXT[self.forecaster]),
                record=self.spread.describe(_)),
        ]
        if self.excluded:
            lines.append(_("Left out of the record: {years}").format(
                years=self._excluded_text(_)))
        lines += self._within_lines()
        lines.append(
            _("Organic GDP growth: sd {sd:.2f} pp (hand-set: {hand:.2f} pp); every sector's sd "
              "x {scale:.4f}; the within-year deviations add {within:.2f} pp in quadrature")
            .format(sd=100 * self.implied_sd(),
                    hand=100 * math.sqrt(self.structure.total_sd ** 2
                                         + self.within_year.variance),
                    scale=self.scale, within=100 * math.sqrt(self.within_year.variance))
        )
        lines.append("  " + pad(_("sector"), 22) + " " + rjust(_("share"), 6) + " "
                     + rjust(_("mean"), 7) + " " + rjust(_("sd"), 7) + " "
                     + rjust(_("was"), 7))
        for sid, w, m, old, new in zip(self.structure.ids, self.structure.shares,
                                       self.structure.means, self.structure.sds, self.sds,
                                       strict=True):
            lines.append(f"  {sid:<22} {w:6.3f} {100 * m:6.2f}% {100 * new:6.2f}% "
                         f"{100 * old:6.2f}%")
        lines += [_("note: {message}").format(message=localized(n)) for n in self.notes]
        lines += [_("warning: {message}").format(message=localized(w)) for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()

    def _within_lines(self) -> list[str]:
        """The within-year record at the vantage against the model's own gap."""
        if self.vantage < 4:
            return [_("Within-year record: none at a January vantage (no figure of the year "
                      "is out).")]
        month = 3 * ((self.vantage - 1) // 3)
        model = self.within_year.gap_sd.get(month, 0.0)
        rsd = revision_sd(self.scenario)
        text = _("Within-year record, {vantage} (the year minus the latest year-to-date "
                 "figure then out): ").format(vantage=vantage_name(self.vantage, _))
        if len(self.within) >= MIN_ERRORS:
            text += fit_spread(self.within).describe(_)
        else:
            text += _("{count} errors: too short to fit a spread (at least {least} needed)"
                      ).format(count=len(self.within), least=MIN_ERRORS)
        text += _(". The organic model's year-to-month-{month} gap: sd {model:.2f} pp, "
                  "{total:.2f} pp with a figure's revision sd {revision:.2f} pp (where the "
                  "record is much wider, the posterior at the vantage is too narrow: backtest "
                  "--engine checks it)").format(month=month, model=100 * model,
                                                total=100 * math.hypot(model, rsd),
                                                revision=100 * rsd)
        return [text]


def revision_sd(scenario: Scenario) -> float:
    """The scenario's ``[actuals] revision_sd`` (or the default), fraction."""
    raw = scenario.document.get("actuals", {})
    value = raw.get("revision_sd", DEFAULT_REVISION_SD) if isinstance(raw, dict) else None
    return float(value) if isinstance(value, int | float) else DEFAULT_REVISION_SD


def calibrate_spread(
    scenario: str | os.PathLike[str] | Scenario,
    figures: GrowthFigures | str | os.PathLike[str] | Sequence[Any] | None = None,
    *,
    vantage: int | str | None = None,
    forecaster: str = "naive_last",
    areas: Iterable[str] | None = None,
    exclude: Iterable[int] = (),
    seed: int = 0,
) -> SpreadCalibration:
    """Size a scenario's organic spread from past forecast errors.

    Parameters
    ----------
    scenario : str, path-like or Scenario
        The scenario (every sector's growth a normal distribution or a number).
    figures : GrowthFigures, path(s), optional
        The published figures (:func:`lgsim.data.growth_figures.read_growth_figures`);
        default the shipped Longgang and Shenzhen series.
    vantage : int or str, optional
        Month 1–12 (or ``jan``, ``q1``, ``h1``, ``q3``) as of whose end the scenario
        stands; default :func:`scenario_vantage`.
    forecaster : {"naive_last", "naive_mean"}
        The year-ahead record's point forecaster.
    areas : iterable of str, optional
        Areas pooled in the record (default every area in the data, each labelled).
    exclude : iterable of int
        Years left out of the record (e.g. a year whose risk the scenario models as an
        explicit shock).
    seed : int
        Seed of the run that measures the within-year deviations.

    Returns
    -------
    SpreadCalibration
        ``.write(path)`` writes a scenario extending this one; ``str()`` is the report.

    Raises
    ------
    ValueError
        Bad data, an unknown area or forecaster, a bad vantage, or fewer than
        :data:`lgsim.forecasting.errors.MIN_ERRORS` errors in the record.
    lgsim.scenario.ScenarioError
        An invalid scenario, or a sector whose growth is not normal (or a number).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    figs = figures if isinstance(figures, GrowthFigures) else read_growth_figures(figures)
    if areas is not None:
        figs = figs.only(areas)
    month = scenario_vantage(sc) if vantage is None else parse_vantage(vantage)
    excluded = tuple(sorted({int(y) for y in exclude}))
    spread = fit_spread(year_ahead_errors(figs, None, forecaster, exclude=excluded))
    structure = sector_structure(sc)
    within_year = measure_within_year(sc, seed)
    scale = structure.scale(spread.predictive, within_year.variance)
    within = within_year_errors(figs, month, exclude=excluded) if month >= 4 else ()
    return SpreadCalibration(
        sc, figs.label, month, forecaster, spread, within, structure, within_year, scale,
        excluded, tuple(figs.notes) + _notes(sc, spread), _warnings(sc, month, spread, excluded),
    )


def _notes(sc: Scenario, spread: Spread) -> tuple[str, ...]:
    """Notes for the reader: English Messages, shown translated on the terminal."""
    notes = []
    last = max(e.year for e in spread.errors)
    if last < sc.base_year:
        notes.append(Message(N_(
            "the record ends in {last}, before the base year {base}: the spread is that of a "
            "year-ahead forecast, which assumes the scenario's means were set knowing {base} "
            "(if not, the forecast is {steps} years ahead and wider)"),
            last=last, base=sc.base_year, steps=sc.target_year - last))
    flagged = [Message(N_("{area} {year}"), area=area_name(e.area), year=e.year)
               for e in spread.errors if e.lower_bound or e.estimate]
    if flagged:
        notes.append(Message(N_("scored at their stated value: {figures} (a lower bound "
                                "'over X' or an estimate 'about X')"), figures=flagged))
    return tuple(notes)


def _warnings(sc: Scenario, month: int, spread: Spread,
              excluded: tuple[int, ...]) -> tuple[str, ...]:
    out = []
    if sc.shocks and not excluded:
        worst = max(spread.errors, key=lambda e: abs(e.scaled))
        out.append(Message(N_(
            "the record includes every year, the worst {area} {year} ({error} pp), and the "
            "scenario also has explicit shocks ({shocks}): if such a year's risk is what the "
            "shocks model, it is counted twice — leave the year out (exclude)"),
            area=area_name(worst.area), year=worst.year, error=f"{100 * worst.error:+.1f}",
            shocks=", ".join(s.id for s in sc.shocks)))
    own = scenario_vantage(sc)
    if (month - 1) // 3 > (own - 1) // 3:
        latest = (Message(N_("no figure of {year}"), year=sc.target_year) if own == 1
                  else Message(N_("figures through month {month} of {year} only"),
                               month=own - 1, year=sc.target_year))
        out.append(Message(N_(
            "vantage {vantage} but the scenario conditions on {latest}: the prior is the "
            "year-ahead spread, so add the figures out by the vantage to [actuals]"),
            vantage=Composed(partial(vantage_label, month)), latest=latest))
    return tuple(out)

