"""The indicator bridge: published figures, through ``[[indicator]]``, as observations.

A published growth figure of a mapped indicator (see :mod:`.indicators`) becomes an
:class:`~lgsim.scenario.actuals.Observation` of the model's growth of the mapped quantity
over the same window (year to date, or one month): its value deflated when the indicator
is nominal and the quantity real, its sd the entry's. Everything else a file holds is
reported as ignored, with the reason, and never fails a run:

* a figure of a year outside the simulated years;
* a level, a two-year average (两年平均) or a target (only growth figures are
  observations; targets are targets);
* an indicator that no ``[[indicator]]`` entry maps.

A figure published as "more than" or "at least" (超, 以上) is a bound: it observes that
the quantity plus its noise reaches the value (a one-sided likelihood, used by the
tracker); "about" (左右) figures are ordinary observations, their sd covering the gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..data.areas import area_name, area_text
from ..data.published import Figure
from ..i18n import N_, Message
from .actuals import Observation
from .indicators import IndicatorMap, mapping_for

#: Model quantity of each mapped quantity (``Observation.quantity``).
_OBSERVED = {"gdp": "va", "value_added": "va", "fai": "fai",
             "industrial_fai": "industrial_fai"}


@dataclass(frozen=True)
class Release:
    """A published figure that observes the model.

    Attributes
    ----------
    figure : Figure
        The row of the published data.
    mapping : IndicatorMap
        The ``[[indicator]]`` entry that maps it.
    observation : Observation
        What the model sees: real growth (fraction) with the entry's sd, over the
        figure's window.
    known : datetime.date
        When it became known (its publication date, else the release lag's).
    bound : bool
        True for a "more than" / "at least" figure (a lower bound).
    """

    figure: Figure
    mapping: IndicatorMap
    observation: Observation
    known: dt.date
    bound: bool = False

    @property
    def label(self) -> str:
        """``2022年1–2月 Longgang 规模以上工业增加值`` style label (as files record it)."""
        return self.label_in(str)

    @property
    def name(self) -> str:
        """What the figure measures: the mapping's name, else its indicator id."""
        return self.mapping.name or self.mapping.indicator

    def label_in(self, tr: Callable[[str], str]) -> str:
        """The label with the area's name translated by ``tr`` (``… 龙岗区 …`` in Chinese)."""
        return release_label(self.figure.window, self.mapping.area, self.name, tr)

    @property
    def short(self) -> str:
        """Short label for charts: ``1–2月 规模以上工业增加值``."""
        return f"{self.figure.window[5:]} {self.name}"


@dataclass(frozen=True)
class Ignored:
    """A published row that is not an observation, and why."""

    figure: Figure
    reason: str


#: The reasons of :func:`_why_not` (message ids) and their short names in a summary.
REASON_NAMES = {
    "a target, not a figure": N_("a target, not a figure"),
    "a level (only growth figures observe the model)": N_("a level"),
    "a two-year average growth (两年平均)": N_("a two-year average growth"),
    "a figure of {year}, outside the simulated years {first}–{last}":
        N_("a figure outside the simulated years"),
    "no [[indicator]] entry maps {area} {indicator}": N_("no [[indicator]]"),
}


def release_label(window: str, area: str, name: str, tr: Callable[[str], str] = str) -> str:
    """A release as text: ``2022年1–2月 Longgang 规模以上工业增加值``.

    Window, area (its name translated by ``tr``: ``龙岗区`` in Chinese), what is measured.
    """
    return f"{window} {area_text(area, tr)} {name}"


def reason_name(reason: str) -> str:
    """The short name of an :class:`Ignored` reason (English; translate with ``_``)."""
    return REASON_NAMES.get(getattr(reason, "msgid", reason), reason)


def release_lags(maps: Iterable[IndicatorMap]) -> dict[str, int]:
    """Release lags the ``[[indicator]]`` entries set, by indicator."""
    return {m.indicator: m.release_lag_months for m in maps
            if m.release_lag_months is not None}


def bridge(figures: Iterable[Figure], maps: tuple[IndicatorMap, ...], years: tuple[int, int],
           lags: Mapping[str, int] | None = None) -> tuple[list[Release], list[Ignored]]:
    """Split published figures into releases (observations) and ignored rows.

    Parameters
    ----------
    figures : iterable of Figure
        Rows of the published data (e.g. :meth:`PublishedTable.as_of`).
    maps : tuple of IndicatorMap
        The scenario's ``[[indicator]]`` entries.
    years : tuple of int
        The first and last simulated year (base year + 1 .. end year).
    lags : mapping, optional
        Release lags by indicator (rows without a date).
    """
    releases, ignored = [], []
    for f in figures:
        m = mapping_for(maps, f.area, f.indicator)
        reason = _why_not(f, m, years)
        if reason is not None:
            ignored.append(Ignored(f, reason))
            continue
        releases.append(Release(f, m, observation(f, m), f.known_on(lags),
                                f.qualifier in ("more_than", "at_least")))
    return releases, ignored


def _why_not(f: Figure, m: IndicatorMap | None, years: tuple[int, int]) -> str | None:
    """Why a row is not an observation: an English Message (shown translated), or None."""
    if f.vintage == "target":
        return Message(N_("a target, not a figure"))
    if f.measure == "level":
        return Message(N_("a level (only growth figures observe the model)"))
    if f.measure == "two_year_average":
        return Message(N_("a two-year average growth (两年平均)"))
    if not years[0] <= f.year <= years[1]:
        return Message(N_("a figure of {year}, outside the simulated years {first}–{last}"),
                       year=f.year, first=years[0], last=years[1])
    if m is None:
        return Message(N_("no [[indicator]] entry maps {area} {indicator}"),
                       area=area_name(f.area), indicator=f.indicator)
    return None


def observation(f: Figure, m: IndicatorMap) -> Observation:
    """The observation a published growth figure makes through its entry."""
    sector = m.sectors[0] if len(m.sectors) == 1 else None
    sectors = m.sectors if len(m.sectors) > 1 else ()
    note = f"{f.area} {f.indicator} {f.text}" + (f" (deflated by {100 * m.deflator:.3g}%)"
                                                  if m.deflator else "")
    return Observation(f.year, f.month, m.real(f.value), m.sd, sector,
                       f"indicator[{m.id}] {f.window} (row {f.row})", note,
                       _OBSERVED[m.quantity], f.first_month, sectors)
