"""Calibrating a scenario's organic sector growth to a forecast of growth from history.

:func:`calibrate` forecasts a district's published GDP growth (and, for a sector with a
series of its own such as above-size industry, that series) to the scenario's target
year with :func:`lgsim.forecasting.forecast.forecast`, and writes a scenario file that ``extends``
the given one with each sector's ``growth = { dist = "normal", mean, sd }`` and a
``[sources]`` entry saying what was fitted on which years.

How the GDP-level distribution is kept. The scenario's GDP growth in the target year is
the share-weighted sum of the sectors' growth, ``G = Σ w_s g_s`` (exactly so for the
organic part when ``monthly_sd`` is 0; the first simulated year starts from the base
year without deviations). Giving every sector the GDP forecast's distribution would make
``sd(G) = sd · sqrt(w'Rw)``, smaller than the forecast's sd whenever sectors are less
than perfectly correlated (Longgang's base scenario: ×0.73). So:

* every sector's **mean** is the GDP forecast's mean (so ``E[G]`` is that mean);
* every sector's **sd** is ``k × sd_s``, with ``sd_s`` the sd of the forecast of its own
  series when it has one (a proxy, e.g. above-size industry for ``industry``), else the
  GDP forecast's sd, and one factor ``k`` chosen so that ``sqrt(Σ w_i w_j ρ_ij sd_i
  sd_j)`` — with the scenario's correlation matrix ``ρ`` — equals the GDP forecast's sd.

A sector's own series therefore sets how volatile it is *relative to the others*, not its
mean: a proxy's level need not match the sector's (Longgang's above-size industry grew
faster than GDP in every year both were published), and taking it would move the GDP
mean away from the forecast of GDP itself. :attr:`Calibration.proxy_mean_effect` shows
what the proxy means would have done.

The forecast is fitted on all published years, so its spread contains the bad years
(Longgang 2020: 1.1 %); a scenario that also has explicit lockdown shocks counts that
risk twice. :func:`calibrate` says so in :attr:`Calibration.warnings` and in the file.

Units: growth, means and sds are **fractions** in the code and the file; the text for
the terminal and ``[sources]`` shows percent.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..data.official import growth_frame, load_annual
from ..fileio import write_text
from ..i18n import N_, Composed, Message, _, localized, pgettext
from ..scenario import Scenario, load_scenario
from .forecast import ForecastResult, forecast
from .tables import table_text

#: The GDP-level growth indicator fitted by default.
DEFAULT_INDICATOR = "gdp_real_growth"
#: Sector id → indicator whose forecast sets that sector's relative spread (a proxy).
DEFAULT_SECTOR_INDICATORS: Mapping[str, str] = {
    "industry": "industry_above_size_va_real_growth",
}
#: Decimal places of the means and sds written (fractions: 1e-5 = 0.001 pp).
DECIMALS = 5


def share_weighted_sd(
    shares: Sequence[float], sds: Sequence[float], correlation: Sequence[Sequence[float]]
) -> float:
    """Standard deviation of ``Σ w_s g_s`` for sector growth with the given sds.

    Parameters
    ----------
    shares : sequence of float
        Sector weights ``w_s`` (normalised to sum to 1 here).
    sds : sequence of float
        Standard deviation of each sector's growth (fractions).
    correlation : sequence of sequences
        Correlation matrix of the sectors' growth, in the same order.

    Returns
    -------
    float
        ``sqrt(Σ_ij w_i w_j ρ_ij sd_i sd_j)``, a fraction.
    """
    w = np.asarray(shares, dtype=float)
    w = w / w.sum()
    v = w * np.asarray(sds, dtype=float)
    r = np.asarray(correlation, dtype=float)
    return float(math.sqrt(max(float(v @ r @ v), 0.0)))


@dataclass(frozen=True)
class SectorGrowth:
    """The calibrated growth distribution of one sector.

    Attributes
    ----------
    id : str
        Sector id.
    share : float
        Normalised share of base-year value added (fraction).
    mean, sd : float
        Mean and standard deviation of the sector's annual growth (fractions), as
        written to the file (rounded to :data:`DECIMALS` places).
    indicator : str
        The series whose forecast set the sector's spread.
    raw_sd : float
        That forecast's sd for the year (fraction), before the common scaling.
    source : str
        The ``[sources]`` text.
    """

    id: str
    share: float
    mean: float
    sd: float
    indicator: str
    raw_sd: float
    source: str


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate`: sector growth, the forecasts behind it, notes.

    Attributes
    ----------
    scenario : Scenario
        The scenario calibrated (the parent of the file written).
    year : int
        The year whose forecast was used (the scenario's target year by default).
    data_label : str
        The CSV fitted (as named in ``[sources]``).
    indicator : str
        The GDP-level indicator.
    forecasts : dict
        Indicator → :class:`lgsim.forecasting.forecast.ForecastResult`.
    sectors : tuple of SectorGrowth
        In the scenario's sector order.
    scale : float
        The common factor ``k`` applied to the forecast sds.
    notes, warnings : tuple of str
        Choices made, and what the analyst must act on (double-counted shocks): English
        (the file's header), :class:`lgsim.i18n.Message` objects shown translated.
    """

    scenario: Scenario
    year: int
    data_label: str
    indicator: str
    forecasts: dict[str, ForecastResult]
    sectors: tuple[SectorGrowth, ...]
    scale: float
    notes: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def gdp(self) -> ForecastResult:
        """The GDP-level forecast."""
        return self.forecasts[self.indicator]

    def implied(self) -> dict[str, float]:
        """Mean and sd of the share-weighted organic GDP growth the file implies (fractions)."""
        shares = [s.share for s in self.sectors]
        return {
            "mean": float(np.dot(shares, [s.mean for s in self.sectors]) / np.sum(shares)),
            "sd": share_weighted_sd(
                shares, [s.sd for s in self.sectors], self.scenario.correlation
            ),
        }

    @property
    def proxy_mean_effect(self) -> float | None:
        """GDP-level mean (fraction) had the proxies' own forecast means been used, or None."""
        means = []
        used = False
        for s in self.sectors:
            if s.indicator != self.indicator:
                means.append(self.forecasts[s.indicator].normal(self.year)["mean"])
                used = True
            else:
                means.append(s.mean)
        if not used:
            return None
        shares = [s.share for s in self.sectors]
        return float(np.dot(shares, means) / np.sum(shares))

    # ------------------------------------------------------------------ output

    def document(self, out: str | os.PathLike[str]) -> dict[str, Any]:
        """The scenario document to write at ``out`` (``extends`` relative to its folder)."""
        parent = Path(self.scenario.file).resolve()
        folder = Path(out).resolve().parent
        try:
            extends = Path(os.path.relpath(parent, folder)).as_posix()
        except ValueError:  # another drive (Windows): no relative path exists
            extends = parent.as_posix()
        fc = self.gdp
        return {
            "extends": extends,
            "scenario": {
                "title": f"{self.scenario.title} — organic growth calibrated to "
                f"{self.indicator} {fc.data.years[0]}–{fc.data.years[-1]}",
            },
            "sector": [
                {
                    "id": s.id,
                    "growth": {"dist": "normal", "mean": s.mean, "sd": s.sd},
                }
                for s in self.sectors
            ],
            "sources": {f"sector[{s.id}].growth": s.source for s in self.sectors},
        }

    def header(self) -> list[str]:
        """Comment lines for the top of the file (without ``#``)."""
        imp = self.implied()
        fc = self.gdp.normal(self.year)
        lines = [
            f"Written by lgsim {__version__} `lgsim calibrate` from {self.scenario.file} and "
            f"{self.data_label}.",
            f"Organic growth of every sector for {self.year} (and, as lgsim draws one "
            "distribution per sector for all years, for later years too):",
            f"  mean = the forecast mean of {self.indicator} for {self.year}, "
            f"{100 * fc['mean']:.2f}%;",
            f"  sd = {self.scale:.3f} x the sd of the forecast of the sector's own series "
            f"(else {self.indicator}), so that the share-weighted GDP growth has sd "
            f"{100 * imp['sd']:.2f}% with this scenario's correlation (forecast sd "
            f"{100 * fc['sd']:.2f}%).",
            "  Persistence, monthly deviations and shocks are inherited unchanged.",
        ]
        for w in self.warnings:
            lines += ["", f"WARNING: {w}"]
        return lines

    def to_toml(self, out: str | os.PathLike[str]) -> str:
        """The file's text: comment header, then the document (tomli-w)."""
        import tomli_w

        wrapped = [part for line in self.header() for part in _wrap(line, 88)]
        head = "\n".join(f"# {line}".rstrip() for line in wrapped)
        return f"{head}\n\n{tomli_w.dumps(self.document(out))}"

    def write(self, out: str | os.PathLike[str]) -> Path:
        """Write the calibrated scenario to ``out`` atomically; return the path.

        Raises
        ------
        ValueError
            If ``out`` is the scenario file being calibrated.
        """
        return write_calibrated(self.scenario, self.to_toml, out)

    def to_string(self) -> str:
        """Plain-text report for the terminal (growth in percent)."""
        fc = self.gdp
        x = 100 * fc.sample(self.year)
        q = np.quantile(x, [0.1, 0.9])
        d = fc.normal(self.year)
        m, sd = 100 * d["mean"], 100 * d["sd"]
        lines = [
            _("Calibration of {file} for {year} from {data}").format(
                file=self.scenario.file, year=self.year, data=self.data_label),
            _("GDP level: {indicator} fitted on {span}; forecast {year}: mean {mean}, sd {sd}, "
              "P10 {p10}, P90 {p90} (the normal written: P10 {n10}, P90 {n90})").format(
                indicator=self.indicator, span=_span(fc, _), year=self.year, mean=f"{m:.2f}%",
                sd=f"{sd:.2f}%", p10=f"{q[0]:.2f}%", p90=f"{q[1]:.2f}%",
                n10=f"{m - 1.2816 * sd:.2f}%", n90=f"{m + 1.2816 * sd:.2f}%"),
            _("  weights: {weights}").format(weights=_weights(fc, _)),
        ]
        for ind, f in self.forecasts.items():
            if ind == self.indicator:
                continue
            who = ", ".join(s.id for s in self.sectors if s.indicator == ind)
            p = f.normal(self.year)
            lines += [
                _("{sectors}: spread from {indicator} (proxy), fitted on {span}; forecast "
                  "{year}: sd {sd} (its mean {mean} is not used)").format(
                    sectors=who, indicator=ind, span=_span(f, _), year=self.year,
                    sd=f"{100 * p['sd']:.2f}%", mean=f"{100 * p['mean']:.2f}%"),
                _("  weights: {weights}").format(weights=_weights(f, _)),
            ]
        rows = [
            {
                _("sector"): s.id,
                _("share"): f"{s.share:.3f}",
                pgettext("column", "mean_%"): f"{100 * s.mean:.2f}",
                pgettext("column", "sd_%"): f"{100 * s.sd:.2f}",
                pgettext("column", "spread from"): s.indicator,
            }
            for s in self.sectors
        ]
        lines.append(table_text(pd.DataFrame(rows).set_index(_("sector"))))
        imp = self.implied()
        lines.append(
            _("Implied share-weighted organic GDP growth {year}: mean {mean}, sd {sd} (sds x "
              "{scale:.3f})").format(year=self.year, mean=f"{100 * imp['mean']:.2f}%",
                                     sd=f"{100 * imp['sd']:.2f}%", scale=self.scale)
        )
        lines.extend(_("note: {message}").format(message=localized(n)) for n in self.notes)
        lines.extend(_("warning: {message}").format(message=localized(w))
                     for w in self.warnings)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()


# ---------------------------------------------------------------- helpers


def _wrap(text: str, width: int) -> list[str]:
    """Wrap a comment line, keeping its indent on continuation lines."""
    import textwrap

    indent = text[: len(text) - len(text.lstrip())]
    return textwrap.wrap(
        text, width, subsequent_indent=indent + "  " if indent else "", break_on_hyphens=False
    ) or [""]


def _span(fc: ForecastResult, tr: Callable[[str], str] = str) -> str:
    """'2012–2020' plus gaps and dropped years, for text.

    English with the identity ``tr``; ``tr`` (:func:`lgsim.i18n._`) translates it.
    """
    data = fc.data
    sep = tr(N_(", "))
    text = f"{data.years[0]}–{data.years[-1]}"
    if data.missing:
        text += tr(N_(" (no figure for {years})")).format(years=sep.join(map(str, data.missing)))
    if data.dropped:
        text += tr(N_(" ({years} not used: before a gap)")).format(
            years=sep.join(map(str, data.dropped)))
    return text


def _weights(fc: ForecastResult, tr: Callable[[str], str] = str) -> str:
    n = fc.backtest.n_origins
    body = tr(N_(", ")).join(f"{m} {w:.2f}" for m, w in fc.weights.items())
    text = (N_("{weights} ({weighting} from {n} backtest origin)") if n == 1
            else N_("{weights} ({weighting} from {n} backtest origins)"))
    return tr(text).format(weights=body, weighting=fc.weighting, n=n)


def _urls(*fitted: tuple[pd.DataFrame, ForecastResult]) -> str:
    """The distinct addresses of the fitted rows, in year order (first series first)."""
    urls: list[str] = []
    for frame, fc in fitted:
        years = [int(y) for y in fc.data.years[fc.data.observed]]
        urls += [str(u) for u in frame.loc[frame.index.isin(years), "url"] if str(u).strip()]
    return "; ".join(dict.fromkeys(urls)) or "no address in the url column"


def _describe(fc: ForecastResult, indicator: str, year: int, seed: int) -> str:
    d = fc.normal(year)
    return (
        f"indicator {indicator}, years {_span(fc)}, forecast for {year}: mean "
        f"{100 * d['mean']:.2f}%, sd {100 * d['sd']:.2f}% (models {_weights(fc)}; seed "
        f"{seed}, {len(fc.paths)} paths)"
    )


def _frame(df: pd.DataFrame, indicator: str, year: int) -> pd.DataFrame:
    """The indicator's published rows, checked to end before ``year``."""
    frame = growth_frame(df, indicator)
    last = int(frame.index.max())
    if year <= last:
        raise ValueError(
            _("year: {year} is already published for {indicator} (last figure {last}); "
              "calibrate forecasts a later year").format(year=year, indicator=indicator,
                                                         last=last)
        )
    return frame


def _forecast_frame(
    frame: pd.DataFrame, indicator: str, year: int, n_sims: int, seed: int, min_train: int,
    progress: Any = None,
) -> ForecastResult:
    series = frame["growth"].rename(indicator)
    series.attrs = {
        "lower_bound": [int(y) for y in frame.index[frame["lower_bound"]]],
        "estimate": [int(y) for y in frame.index[frame["estimate"]]],
    }
    horizon = year - int(frame.index.max())
    return forecast(
        series, horizon=horizon, n_sims=n_sims, seed=seed, min_train=min_train, gaps="auto",
        progress=progress,
    )


def _gap_note(fc: ForecastResult, indicator: str) -> list[str]:
    return [Message(N_("{indicator}: {note}"), indicator=indicator, note=n) for n in fc.notes]


# ---------------------------------------------------------------- entry point


def calibrate(
    scenario: str | os.PathLike[str] | Scenario,
    data: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    indicator: str = DEFAULT_INDICATOR,
    sector_indicators: Mapping[str, str] | None = None,
    year: int | None = None,
    n_sims: int = 10_000,
    seed: int = 0,
    min_train: int = 5,
    progress: Any = None,
) -> Calibration:
    """Calibrate a scenario's organic sector growth to forecasts of published growth.

    Parameters
    ----------
    scenario : str, path-like or Scenario
        The scenario to calibrate (the file written ``extends`` it).
    data : str, path-like or pandas.DataFrame, optional
        The annual statistics (see :func:`lgsim.data.official.load_annual`); default the
        shipped ``lgsim/data/longgang_annual.csv``.
    indicator : str
        The GDP-level growth indicator (published in percent), default
        ``gdp_real_growth``.
    sector_indicators : mapping, optional
        Sector id → indicator whose forecast sets that sector's spread relative to the
        others (a labelled proxy). Default: ``{"industry":
        "industry_above_size_va_real_growth"}``; ``{}`` gives every sector the
        GDP-level spread. A sector the scenario lacks is skipped with a note.
    year : int, optional
        The year whose forecast is used (default: the scenario's target year). It must
        come after every series' last figure.
    n_sims : int
        Simulated paths per model (see :func:`lgsim.forecasting.forecast.forecast`). The default,
        10,000, puts the Monte Carlo standard error of the written mean near 0.05
        percentage points (about 0.11 with the forecast's default 2,000).
    seed : int
        Seed of the forecasts (≥ 0).
    min_train : int
        Fewest figures before a backtest origin is used for the model weights.
    progress : callable, optional
        Called as the backtests score each model and origin (see
        :func:`lgsim.forecasting.backtest.backtest`).

    Returns
    -------
    Calibration
        ``.write(path)`` writes the scenario; ``str()`` is the terminal report.

    Raises
    ------
    ValueError
        Missing or malformed CSV, unknown indicator, a year already published, or too
        few figures to fit.
    lgsim.scenario.ScenarioError
        If the scenario file is not valid.

    Notes
    -----
    Every sector's mean is the GDP forecast's mean; every sd is ``k`` times the sd of
    the forecast of the sector's own series (else the GDP forecast's), with one ``k``
    chosen so that the share-weighted GDP growth, under the scenario's correlation
    matrix, has the GDP forecast's sd. The forecasts use ``gaps="auto"`` (a series with
    gaps near its end keeps its earlier years, with the gaps as missing) and are fitted
    on all published years, including bad years whose risk the scenario may also
    model as explicit shocks (see :attr:`Calibration.warnings`).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    df = data if isinstance(data, pd.DataFrame) else load_annual(data)
    label = str(df.attrs.get("path", "annual data"))
    year = sc.target_year if year is None else int(year)
    wanted = dict(DEFAULT_SECTOR_INDICATORS if sector_indicators is None else sector_indicators)
    ids = [s.id for s in sc.sectors]
    notes: list[str] = []
    for sid in [k for k in wanted if k not in ids]:
        notes.append(Message(N_("sector {sector} is not in the scenario: {indicator} not used"),
                             sector=repr(sid), indicator=wanted.pop(sid)))

    # Check every series before the (slower) fits, so a bad name fails at once.
    frames = {ind: _frame(df, ind, year) for ind in dict.fromkeys([indicator, *wanted.values()])}
    forecasts: dict[str, ForecastResult] = {}
    for ind, frame in frames.items():
        forecasts[ind] = _forecast_frame(frame, ind, year, n_sims, seed, min_train, progress)
        notes.extend(_gap_note(forecasts[ind], ind))

    gdp = forecasts[indicator].normal(year)
    if not gdp["sd"] > 0:
        raise ValueError(_("{indicator}: the forecast for {year} has no spread (sd 0)").format(
            indicator=indicator, year=year))
    shares = np.array([s.share for s in sc.sectors], dtype=float)
    shares = shares / shares.sum()
    used = [wanted.get(sid, indicator) for sid in ids]
    raw = np.array([forecasts[ind].normal(year)["sd"] for ind in used])
    base = share_weighted_sd(shares, raw, sc.correlation)
    if not base > 0:
        raise ValueError(
            _("correlation: the share-weighted sd is 0 with this correlation matrix; cannot "
              "match the forecast's spread")
        )
    scale = gdp["sd"] / base

    sectors = _sector_growths(
        ids, shares, used, raw, scale, frames, forecasts, indicator, year, seed, label
    )
    if any(s.monthly_sd > 0 for s in sc.sectors):
        notes.append(Message(N_(
            "within-year deviations (monthly_sd) add a little to the simulated annual spread; "
            "the match is of the annual growth draws")))
    cal = Calibration(
        scenario=sc,
        year=year,
        data_label=label,
        indicator=indicator,
        forecasts=forecasts,
        sectors=tuple(sectors),
        scale=float(scale),
        notes=tuple(notes),
        warnings=(),
    )
    effect = cal.proxy_mean_effect
    if effect is not None:
        notes.append(Message(N_(
            "proxy means not used: with them the GDP-level mean would be {with_proxy} instead "
            "of {mean} (a proxy's level need not match its sector's; edit the file to use it "
            "anyway)"), with_proxy=f"{100 * effect:.2f}%", mean=f"{100 * gdp['mean']:.2f}%"))
    return replace(cal, notes=tuple(notes), warnings=(Composed(partial(_double_count, cal)),))


def _sector_growths(
    ids: list[str], shares: np.ndarray, used: list[str], raw: np.ndarray, scale: float,
    frames: dict[str, pd.DataFrame], forecasts: dict[str, ForecastResult], indicator: str,
    year: int, seed: int, label: str,
) -> list[SectorGrowth]:
    """Each sector's calibrated growth with the ``[sources]`` text saying how it was fitted."""
    gdp = forecasts[indicator].normal(year)
    gdp_text = _describe(forecasts[indicator], indicator, year, seed)
    gdp_fit = (frames[indicator], forecasts[indicator])
    match = (
        f"x {scale:.3f} so that the share-weighted GDP growth has sd "
        f"{100 * gdp['sd']:.2f}% with this scenario's correlation"
    )
    sectors = []
    for sid, share, ind, rsd in zip(ids, shares, used, raw, strict=True):
        if ind == indicator:
            text = (
                f"source: fitted by lgsim calibrate on {label}, {gdp_text}; mean = that "
                f"forecast mean (as every sector), sd = its sd {match}; {_urls(gdp_fit)}"
            )
        else:
            own = _describe(forecasts[ind], ind, year, seed)
            text = (
                f"source: fitted by lgsim calibrate on {label}: mean = the forecast mean of "
                f"{gdp_text} (as every sector); sd = the forecast sd of {own}, a proxy for "
                f"sector {sid} (its mean not used), {match}; "
                f"{_urls(gdp_fit, (frames[ind], forecasts[ind]))}"
            )
        sectors.append(SectorGrowth(
            id=sid, share=float(share), mean=round(gdp["mean"], DECIMALS),
            sd=round(float(scale * rsd), DECIMALS), indicator=ind, raw_sd=float(rsd),
            source=text,
        ))
    return sectors


def _double_count(cal: Calibration, tr: Callable[[str], str] = str) -> str:
    """The warning's text (English with the identity ``tr``; ``tr`` translates it)."""
    parts = []
    for ind, fc in cal.forecasts.items():
        data = fc.data
        obs = data.observed
        years, y = data.years[obs], data.y[obs]
        low = int(np.argmin(y))
        parts.append(tr(N_("{indicator} {span}, lowest {year} ({growth})")).format(
            indicator=ind, span=_span(fc, tr), year=int(years[low]),
            growth=f"{100 * y[low]:.1f}%"))
    text = tr(N_("the forecast is fitted on all published years ({years}), so its spread "
                 "already contains bad years such as lockdown years")).format(
        years=tr(N_("; ")).join(parts))
    shocks = [s.id for s in cal.scenario.shocks]
    if shocks:
        text += tr(N_("; this scenario also has explicit shocks ({shocks}): that risk is "
                      "counted twice and P(target met) is understated — fit on years before "
                      "the shock years, or lower the shocks' probability")).format(
            shocks=", ".join(shocks))
    else:
        text += tr(N_("; the scenario has no explicit shocks, so nothing is counted twice"))
    return text


def write_calibrated(scenario: Scenario, to_toml: Any, out: str | os.PathLike[str]) -> Path:
    """Write a calibrated scenario's TOML (``to_toml(path)``) to ``out``, atomically.

    Raises
    ------
    ValueError
        If ``out`` is the scenario file being calibrated.
    """
    path = Path(out)
    if path.resolve() == Path(scenario.file).resolve():
        raise ValueError(_("out: {out} is the scenario being calibrated; choose a new file")
                         .format(out=out))
    write_text(path, to_toml(path))
    return path
