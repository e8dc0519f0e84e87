"""Published growth figures of one indicator by area: full-year and year-to-date, dated.

:func:`read_growth_figures` reads the figures an evidence record needs from either shape
of statistics file (told apart by its columns):

* **annual** — the shape of ``longgang_annual.csv``: ``year, indicator, value, unit,
  status, source, url`` (optional ``area``; without it the shipped file is Longgang and
  a user's file is named after its stem). Rows ``<indicator>_real_growth`` are the
  full-year growth, ``<indicator>`` its level (亿元), ``<indicator>_real_growth_target``
  the year's target. No publication dates.
* **tidy** — the shape of ``published_indicators.csv``: ``area, indicator, period, value,
  unit, kind, source_url, source_title, published, source_id, reliability, value_yi,
  note``, one row per published figure and vintage. ``kind`` ``ytd_growth_pct`` is the
  bureau's year-to-date growth through ``period`` (through December: the year),
  ``prelim_growth_pct`` the preliminary full-year figure, ``target_growth_pct`` the
  year's target, ``level_yi`` / ``prelim_level_yi`` / ``revised_level_yi`` levels
  (``value_yi``, 亿元).

One figure is kept per area, year and month: the bureau's year-to-date figure over the
preliminary one, and among vintages of one kind the last published (the rule of
``tools/figure_gaps.py``). A figure repeated in a later file is kept from the first.

Units: growth in the files is in percent (unit ``%``) or, where the unit says so, a
fraction (``fraction``); the figures returned are **fractions** (9.8 % → 0.098). Levels
in 亿元.

This is the reading the evidence record of ``lgsim calibrate`` and ``lgsim backtest
--engine`` needs; a general loader of published figures with vintages can absorb it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..i18n import N_, Message, _
from .areas import area_name
from .official import (
    ESTIMATE_MARKERS,
    LOWER_BOUND_MARKERS,
    PathLike,
    _has_marker,
    _read,
    load_annual,
)

#: Columns of the tidy published-indicators file.
TIDY_COLUMNS: tuple[str, ...] = (
    "area", "indicator", "period", "value", "unit", "kind", "source_url", "source_title",
    "published", "source_id", "reliability", "value_yi", "note",
)
#: Growth kinds of the tidy file, most authoritative first.
GROWTH_KINDS: tuple[str, ...] = ("ytd_growth_pct", "prelim_growth_pct")
#: Level kinds of the tidy file (亿元 in ``value_yi``), most authoritative first.
LEVEL_KINDS: tuple[str, ...] = ("revised_level_yi", "level_yi", "prelim_level_yi")
#: Units that say a growth figure is written as a fraction (0.098), not percent.
FRACTION_UNITS: tuple[str, ...] = ("fraction", "ratio", "1")
#: Months after a period's end when a figure without a publication date counts as out.
PUBLICATION_LAG_MONTHS = 1
#: The area of the shipped annual file (it has no ``area`` column).
SHIPPED_AREA = "Longgang"
#: The shipped files read when no path is given (annual first: its series is curated).
SHIPPED_FILES: tuple[str, ...] = ("annual", "published")
@dataclass(frozen=True, slots=True)
class GrowthFigure:
    """One published growth figure: year-to-date through ``month`` (12: the year).

    Attributes
    ----------
    area : str
        Where it is measured (``Longgang``, ``Shenzhen``...).
    year, month : int
        The end of the window (month 1–12; 12 is the full year).
    value : float
        Real growth, **fraction** (0.098 = 9.8 %).
    published : datetime.date or None
        When it was published, where the file says.
    kind : str
        ``annual`` (annual-format row) or the tidy file's ``kind``.
    source, url : str
        Title and address of the publication.
    reliability : str
        The tidy file's grade (``A`` … ``D``), empty when not graded.
    lower_bound, estimate : bool
        The source said "over X" (以上, 突破…) / "about X" (左右).
    file : str
        The file it was read from (as named in messages).
    """

    area: str
    year: int
    month: int
    value: float
    published: dt.date | None = None
    kind: str = "annual"
    source: str = ""
    url: str = ""
    reliability: str = ""
    lower_bound: bool = False
    estimate: bool = False
    file: str = ""

    @property
    def period(self) -> str:
        """``YYYY-MM`` (the form of ``[actuals]`` keys)."""
        return f"{self.year}-{self.month:02d}"

    def available(self, year: int, month: int) -> bool:
        """Whether the figure counts as out by the end of ``month`` of ``year``.

        Its window must have ended at least :data:`PUBLICATION_LAG_MONTHS` months
        before (an assumption: districts and cities publish quarterly GDP within about a
        month). The ``published`` column is not used for this: it dates the source read,
        often a later report that repeats the figure, not its first release.
        """
        return 12 * self.year + self.month + PUBLICATION_LAG_MONTHS <= 12 * year + month


@dataclass(frozen=True)
class GrowthFigures:
    """The growth figures, targets and levels of one indicator, by area.

    Attributes
    ----------
    indicator : str
        The tidy file's indicator name (``gdp``).
    figures : tuple of GrowthFigure
        One per area, year and month, sorted.
    targets : dict
        ``(area, year)`` → the year's growth target, fraction.
    levels : dict
        ``(area, year)`` → the year's level, 亿元.
    files : tuple of str
        The files read, in order.
    notes : tuple of str
        Figures of a later file left out because an earlier file had them.
    """

    indicator: str
    figures: tuple[GrowthFigure, ...]
    targets: dict[tuple[str, int], float] = field(default_factory=dict)
    levels: dict[tuple[str, int], float] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The files, for messages and ``[sources]``."""
        return " + ".join(self.files) or "no file"

    def areas(self) -> tuple[str, ...]:
        """Areas with at least one full-year figure, in the order first read."""
        return tuple(dict.fromkeys(f.area for f in self.figures if f.month == 12))

    def annual(self, area: str) -> dict[int, GrowthFigure]:
        """Full-year figures of ``area`` by year."""
        return {f.year: f for f in self.figures if f.area == area and f.month == 12}

    def year_to_date(self, area: str, year: int) -> list[GrowthFigure]:
        """Year-to-date figures of ``area`` before December of ``year``, by month."""
        return [f for f in self.figures if f.area == area and f.year == year and f.month < 12]

    def only(self, areas: Iterable[str]) -> GrowthFigures:
        """The figures of ``areas`` only (raises ValueError naming an unknown area)."""
        keep = list(areas)
        unknown = [a for a in keep if a not in {f.area for f in self.figures}]
        if unknown:
            raise ValueError(
                _("{file}: areas: expected one of {areas}, found {found}").format(
                    file=self.label, areas=", ".join(self.areas()),
                    found=", ".join(repr(a) for a in unknown))
            )
        return replace(self, figures=tuple(f for f in self.figures if f.area in keep))


def read_growth_figures(
    paths: PathLike | Sequence[PathLike] | None = None, indicator: str = "gdp"
) -> GrowthFigures:
    """Read the published growth figures of ``indicator`` from one or more files.

    Parameters
    ----------
    paths : path or sequence of paths, optional
        Files in the annual or the tidy shape (see the module docstring), read in order.
        Default: the shipped ``longgang_annual.csv`` then ``published_indicators.csv``
        (Longgang 2005–2020 with its year-to-date figures, and Shenzhen).
    indicator : str
        The tidy file's name, e.g. ``gdp``; annual-format rows are
        ``<indicator>_real_growth`` (growth), ``<indicator>`` (level) and
        ``<indicator>_real_growth_target``. ``gdp_real_growth`` is accepted for ``gdp``.

    Returns
    -------
    GrowthFigures

    Raises
    ------
    ValueError
        One line naming the file and row: a missing column, a figure that is not a
        number, the same year twice (annual shape) or two different values of one
        period, kind and publication date (tidy shape), growth written in percent where
        the unit says fraction, or no growth figure of the indicator at all.
    """
    indicator = indicator.removesuffix("_real_growth")
    sources = [None, None] if paths is None else (
        [paths] if isinstance(paths, str | Path) else list(paths))
    figures: dict[tuple[str, int, int], GrowthFigure] = {}
    targets: dict[tuple[str, int], float] = {}
    levels: dict[tuple[str, int], float] = {}
    files, notes = [], []
    for i, path in enumerate(sources):
        shipped = SHIPPED_FILES[i] if path is None else None
        part = _read_one(path, shipped, indicator)
        files.append(part.files[0])
        for f in part.figures:
            key = (f.area, f.year, f.month)
            if key in figures:
                if abs(figures[key].value - f.value) > 1e-9:
                    notes.append(Message(
                        N_("{file}: {area} {period} {value} not used: {other} has {kept}"),
                        file=f.file, area=area_name(f.area), period=f.period,
                        value=f"{100 * f.value:.1f}%", other=figures[key].file,
                        kept=f"{100 * figures[key].value:.1f}%"))
                continue
            figures[key] = f
        for table, extra in ((targets, part.targets), (levels, part.levels)):
            for key, value in extra.items():
                table.setdefault(key, value)
    if not any(f.month == 12 for f in figures.values()):
        raise ValueError(
            _("{file}: expected full-year growth figures of {indicator!r}, found none").format(
                file=" + ".join(files), indicator=indicator)
        )
    ordered = tuple(sorted(figures.values(), key=lambda f: (f.area, f.year, f.month)))
    first = {a: i for i, a in enumerate(dict.fromkeys(f.area for f in figures.values()))}
    ordered = tuple(sorted(ordered, key=lambda f: first[f.area]))
    return GrowthFigures(indicator, ordered, targets, levels, tuple(files), tuple(notes))


def _read_one(path: PathLike | None, shipped: str | None, indicator: str) -> GrowthFigures:
    """One file, in whichever shape its columns say."""
    if shipped == "annual":
        return _annual(load_annual(None), indicator, SHIPPED_AREA)
    if shipped == "published":
        return _tidy(_read(None, "published", TIDY_COLUMNS, numeric=("value",)), indicator)
    head = _read(path, "annual", ())
    columns = set(head.columns)
    if {"period", "kind"} <= columns:
        return _tidy(_read(path, "published", TIDY_COLUMNS, numeric=("value",)), indicator)
    if "year" in columns:
        return _annual(load_annual(path), indicator, Path(path).stem)
    raise ValueError(
        _("{file}: expected the annual columns (year, indicator, value, unit, ...) or the "
          "tidy ones (area, indicator, period, value, unit, kind, ...), found {columns}")
        .format(file=path, columns=", ".join(head.columns))
    )


def _growth(value: float, unit: str, where: str) -> float:
    """A growth figure as a fraction, from percent or from a fraction (checked)."""
    unit = unit.strip()
    if unit == "%":
        return value / 100.0
    if unit.lower() in FRACTION_UNITS or unit == "":
        if abs(value) > 1:
            raise ValueError(
                _("{where}: expected a fraction (0.098 for 9.8{percent}) as the unit {unit!r} "
                  "says, found {value:g} — looks like percent: write the unit {percent!r} or "
                  "divide by 100").format(where=where, unit=unit or _("(empty)"), value=value,
                                          percent="%")
            )
        return value
    raise ValueError(_("{where}: column 'unit': expected {percent!r} or 'fraction', found "
                       "{unit!r}").format(where=where, percent="%", unit=unit))


def _annual(df: pd.DataFrame, indicator: str, default_area: str) -> GrowthFigures:
    """Figures, targets and levels of an annual-shape file."""
    label = str(df.attrs.get("path", "annual data"))
    areas = df["area"] if "area" in df.columns else pd.Series(default_area, index=df.index)
    figures, targets, levels = [], {}, {}
    for (_i, row), area in zip(df.iterrows(), areas, strict=True):
        name, year = str(row["indicator"]), int(row["year"])
        where = _("{file}: year {year} indicator {indicator!r}").format(
            file=label, year=year, indicator=name)
        if name == f"{indicator}_real_growth":
            status, source = str(row["status"]), str(row["source"])
            figures.append(GrowthFigure(
                str(area), year, 12, _growth(float(row["value"]), str(row["unit"]), where),
                None, "annual", source, str(row["url"]), "",
                _has_marker(status, LOWER_BOUND_MARKERS) or _has_marker(source,
                                                                        LOWER_BOUND_MARKERS),
                _has_marker(status, ESTIMATE_MARKERS), label,
            ))
        elif name == f"{indicator}_real_growth_target":
            targets[(str(area), year)] = _growth(float(row["value"]), str(row["unit"]), where)
        elif name == indicator:
            levels[(str(area), year)] = float(row["value"])
    return GrowthFigures(indicator, tuple(figures), targets, levels, (label,))


def _tidy(df: pd.DataFrame, indicator: str) -> GrowthFigures:
    """Figures, targets and levels of a tidy-shape file (one vintage per figure)."""
    label = str(df.attrs.get("path", "published data"))
    rows = df[df["indicator"] == indicator]
    best: dict[tuple[str, int, int], tuple[tuple[int, str], GrowthFigure]] = {}
    seen: dict[tuple[str, str, str, str], tuple[float, int]] = {}
    targets, levels, level_rank = {}, {}, {}
    for i, row in rows.iterrows():
        area, period, kind = str(row["area"]), str(row["period"]), str(row["kind"])
        where = _("{file}: data row {row} ({area} {indicator} {period}, {kind})").format(
            file=label, row=int(i) + 1, area=area, indicator=indicator, period=period,
            kind=kind)
        year, month = _period(period, where)
        published = _date(str(row["published"]), where)
        key = (area, period, kind, str(row["published"]))
        value = float(row["value"])
        if kind in (*GROWTH_KINDS, "target_growth_pct") and key in seen \
                and abs(seen[key][0] - value) > 1e-9:
            raise ValueError(
                _("{where}: expected one figure per period, kind and publication date, found "
                  "{first:g} (data row {row}) and {value:g}").format(
                    where=where, first=seen[key][0], row=seen[key][1], value=value)
            )
        seen.setdefault(key, (value, int(i) + 1))
        if kind == "target_growth_pct":
            targets[(area, year)] = _growth(value, str(row["unit"]), where)
        elif kind in LEVEL_KINDS and month == 12 and str(row["value_yi"]).strip():
            rank = (-LEVEL_KINDS.index(kind), str(row["published"]))
            if (area, year) not in level_rank or rank >= level_rank[(area, year)]:
                levels[(area, year)] = _number(str(row["value_yi"]), "value_yi", where)
                level_rank[(area, year)] = rank
        elif kind in GROWTH_KINDS:
            note = str(row["note"])
            fig = GrowthFigure(
                area, year, month, _growth(value, str(row["unit"]), where), published, kind,
                str(row["source_title"]), str(row["source_url"]), str(row["reliability"]),
                _has_marker(note, LOWER_BOUND_MARKERS), _has_marker(note, ESTIMATE_MARKERS),
                label,
            )
            rank = (-GROWTH_KINDS.index(kind), str(row["published"]))
            cell = (area, year, month)
            if cell not in best or rank >= best[cell][0]:
                best[cell] = (rank, fig)
    figures = tuple(fig for _rank, fig in best.values())
    return GrowthFigures(indicator, figures, targets, levels, (label,))


def _number(text: str, column: str, where: str) -> float:
    """A number from a text cell, naming the column on failure."""
    try:
        return float(text)
    except ValueError:
        raise ValueError(_("{where}: column {column!r}: expected a number, found {text!r}")
                         .format(where=where, column=column, text=text)) from None


def _period(text: str, where: str) -> tuple[int, int]:
    """``YYYY-MM`` → ``(year, month)``."""
    try:
        year, month = (int(p) for p in text.split("-"))
    except ValueError:
        raise ValueError(_("{where}: column 'period': expected YYYY-MM, found {text!r}")
                         .format(where=where, text=text)) from None
    if not 1 <= month <= 12:
        raise ValueError(_("{where}: column 'period': expected a month 01–12, found {text!r}")
                         .format(where=where, text=text))
    return year, month


def _date(text: str, where: str) -> dt.date | None:
    """A ``published`` date (``YYYY-MM-DD``), or None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("{where}: column 'published': expected a date YYYY-MM-DD, found {text!r}")
            .format(where=where, text=text)
        ) from None
