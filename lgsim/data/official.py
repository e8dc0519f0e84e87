"""The official statistics shipped with lgsim, and the growth series models are fitted on.

The CSVs in ``lgsim/data/`` are the official statistics as published (see its README): every
row carries its source (title and address) and a status. Figures are as an analyst knew
them in June 2022. Units are as published: levels in 亿元 (100 million yuan), growth
rates in **percent** in the files; :func:`growth_series` converts growth to **fractions**
(9.8 → 0.098), the unit used everywhere else in lgsim.

Every loader accepts a user CSV of the same shape (UTF-8, with or without a BOM) and
raises :class:`ValueError` naming the file and the missing or malformed column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import _

#: Columns of the annual file (one row per year and indicator).
ANNUAL_COLUMNS: tuple[str, ...] = ("year", "indicator", "value", "unit", "status", "source", "url")
#: Columns of the within-year file (half-year / three-quarter figures).
INTRA_YEAR_COLUMNS: tuple[str, ...] = (
    "period",
    "indicator",
    "value",
    "unit",
    "note",
    "source",
    "url",
)
#: Columns of the targets file.
TARGET_COLUMNS: tuple[str, ...] = ("year", "indicator", "target", "unit", "source", "url")
#: Columns of the streets file (besides one ``population*`` column).
STREET_COLUMNS: tuple[str, ...] = ("street", "name")

#: Text in ``status`` or ``source`` that marks a figure as a lower bound ("over X").
LOWER_BOUND_MARKERS: tuple[str, ...] = ("lower bound", "以上", "超过", "突破")
#: Text in ``status`` that marks a figure as an estimate ("about X").
ESTIMATE_MARKERS: tuple[str, ...] = ("estimate", "左右", "about")
#: Phrases that contain a lower-bound marker without meaning one (规模以上 = "above-size").
_NOT_A_BOUND: tuple[str, ...] = ("规模以上",)

_FILES = {
    "annual": "longgang_annual.csv",
    "intra_year": "longgang_intra_year.csv",
    "targets": "longgang_targets.csv",
    "streets": "streets_population.csv",
    "published": "published_indicators.csv",
}

PathLike = str | os.PathLike[str]


def _read(
    path: PathLike | None,
    kind: str,
    required: Sequence[str],
    numeric: Sequence[str] = (),
    integer: Sequence[str] = (),
) -> pd.DataFrame:
    """Read one CSV (the shipped one when ``path`` is None) and check its shape."""
    with ExitStack() as stack:
        if path is None:
            name = _FILES[kind]
            try:
                from importlib import resources

                ref = resources.files("lgsim").joinpath("data", name)
                file = stack.enter_context(resources.as_file(ref))
            except (ModuleNotFoundError, TypeError, FileNotFoundError):
                file = Path(__file__).parent / "data" / name
            if not Path(file).is_file():
                file = Path(__file__).parent / "data" / name
            label = f"lgsim/data/{name}"
        else:
            file = Path(path)
            label = str(path)
            if not file.is_file():
                raise ValueError(_("{file}: file not found").format(file=label))
        try:
            df = pd.read_csv(file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ValueError(_("{file}: not a readable UTF-8 CSV ({error})").format(
                file=label, error=exc)) from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(
            _("{file}: missing column {missing}; expected columns {expected}, found {found}")
            .format(file=label, missing=", ".join(repr(c) for c in missing),
                    expected=", ".join(required), found=", ".join(df.columns))
        )
    for col in df.columns:
        df[col] = df[col].str.strip()
    df.attrs["path"] = label
    _to_numbers(df, numeric, integer)
    return df


def _to_numbers(df: pd.DataFrame, numeric: Sequence[str], integer: Sequence[str] = ()) -> None:
    """Convert columns to numbers in place, naming the file, column and row on failure."""
    label = df.attrs.get("path", "data")
    for col in (*numeric, *integer):
        values = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                _("{file}: column {column!r}, data row {row}: expected a number, found "
                  "{found!r}").format(file=label, column=col, row=row + 1,
                                      found=df[col].iloc[row])
            )
        if col in integer:
            if not np.all(values == np.round(values)):
                row = int(np.flatnonzero((values != np.round(values)).to_numpy())[0])
                raise ValueError(
                    _("{file}: column {column!r}, data row {row}: expected a whole year, "
                      "found {found!r}").format(file=label, column=col, row=row + 1,
                                                found=df[col].iloc[row])
                )
            values = values.astype(np.int64)
        df[col] = values


def load_annual(path: PathLike | None = None) -> pd.DataFrame:
    """Annual statistics, one row per year and indicator (tidy).

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns ``year, indicator, value, unit, status, source, url``.
        Default: the shipped ``lgsim/data/longgang_annual.csv`` (Longgang, 2005–2020).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``indicator`` (str), ``value`` (float, in ``unit``:
        亿元 for levels, **percent** for growth rates), ``unit``, ``status``, ``source``,
        ``url`` (extra columns are kept; an ``area`` column makes the file hold several
        areas). ``df.attrs["path"]`` names the file.

    Raises
    ------
    ValueError
        If the file is missing, a required column is absent (the message names it),
        ``year`` / ``value`` are not numbers, or a (year, indicator) pair repeats (within
        an area, with an ``area`` column).
    """
    df = _read(path, "annual", ANNUAL_COLUMNS, numeric=("value",), integer=("year",))
    keys = ["area", "year", "indicator"] if "area" in df.columns else ["year", "indicator"]
    dup = df.duplicated(keys)
    if dup.any():
        row = df[dup].iloc[0]
        if "area" in df.columns:
            text = _("{file}: area {area!r} year {year} indicator {indicator!r} appears more "
                     "than once")
        else:
            text = _("{file}: year {year} indicator {indicator!r} appears more than once")
        raise ValueError(text.format(file=df.attrs["path"], area=row.get("area"),
                                     year=row["year"], indicator=row["indicator"]))
    return df


def load_intra_year(path: PathLike | None = None) -> pd.DataFrame:
    """Half-year / three-quarter figures and plan-completion ratios.

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns ``period, indicator, value, unit, note, source, url``.
        Default: the shipped ``lgsim/data/longgang_intra_year.csv``.

    Returns
    -------
    pandas.DataFrame
        ``period`` is text such as ``2015-H1`` or ``2018-Q1Q3``; ``value`` (float) is in
        ``unit`` (亿元 or percent); ``note`` holds the growth and plan-completion text.
    """
    return _read(path, "intra_year", INTRA_YEAR_COLUMNS, numeric=("value",))


def load_targets(path: PathLike | None = None) -> pd.DataFrame:
    """Targets set for a year (for Longgang: April 2022, for 2022).

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns ``year, indicator, target, unit, source, url``. Default:
        the shipped ``lgsim/data/longgang_targets.csv``.

    Returns
    -------
    pandas.DataFrame
        ``target`` (float) is in ``unit`` as published: **percent** for growth targets
        (6.0 means 6%; divide by 100 for a scenario's ``target.gdp_growth``), 亿元 for
        amounts. The source text says whether a target is "about" or a floor ("超").
    """
    return _read(path, "targets", TARGET_COLUMNS, numeric=("target",), integer=("year",))


def load_streets(path: PathLike | None = None) -> pd.DataFrame:
    """Resident population of the streets (街道), a proxy for street weights.

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns ``street, name`` and one ``population*`` column (persons),
        e.g. ``population_end_2022``; optional ``change_pct`` (percent). Default: the
        shipped ``lgsim/data/streets_population.csv`` (11 streets of Longgang, end 2022).

    Returns
    -------
    pandas.DataFrame
        One row per street; population columns as numbers (persons), ``change_pct``
        in percent.
    """
    df = _read(path, "streets", STREET_COLUMNS)
    pop = [c for c in df.columns if c.startswith("population")]
    if not pop:
        raise ValueError(
            _("{file}: missing column 'population*' (e.g. 'population_end_2022')").format(
                file=df.attrs["path"])
        )
    _to_numbers(df, (*pop, *(["change_pct"] if "change_pct" in df.columns else [])))
    return df


def _has_marker(text: str, markers: Sequence[str]) -> bool:
    """Whether ``text`` contains one of ``markers`` (ignoring 规模以上 and case)."""
    for phrase in _NOT_A_BOUND:
        text = text.replace(phrase, "")
    text = text.lower()
    return any(m.lower() in text for m in markers)


def growth_frame(
    df: pd.DataFrame | None = None, indicator: str = "gdp_real_growth"
) -> pd.DataFrame:
    """A published growth series with its lower-bound and estimate flags.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Output of :func:`load_annual`; default: the shipped annual file.
    indicator : str
        A growth indicator published in percent (``unit == "%"``), default
        ``gdp_real_growth`` (real GDP growth, constant prices).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year`` (int, ascending), columns ``growth`` (float, **fraction**:
        9.8 % → 0.098), ``lower_bound`` (bool: the source only said "over X" — status or
        source contains "lower bound", "以上", "超过" or "突破"; "规模以上" does not
        count), ``estimate`` (bool: status says "estimate", "左右" or "about"),
        ``status``, ``source``, ``url``.

    Raises
    ------
    ValueError
        If the indicator is absent (the message lists the available ones) or a row is
        not in percent.

    Notes
    -----
    Growth is taken as published, never computed from level ratios: levels are not
    comparable across method breaks (for Longgang the 2016→2017 GDP revision that
    capitalised R&D), while published real growth rates are on a consistent basis
    year by year.
    """
    if df is None:
        df = load_annual()
    label = df.attrs.get("path", "annual data")
    rows = df[df["indicator"] == indicator]
    if rows.empty:
        growth_like = sorted(i for i in df["indicator"].unique() if "growth" in str(i))
        raise ValueError(
            _("{file}: no rows for indicator {indicator!r}; growth indicators available: "
              "{available}").format(file=label, indicator=indicator,
                                    available=", ".join(growth_like) or _("none"))
        )
    not_pct = rows[rows["unit"].astype(str).str.strip() != "%"]
    if not not_pct.empty:
        r = not_pct.iloc[0]
        raise ValueError(
            _("{file}: indicator {indicator!r}, year {year}: column 'unit' is {unit!r}, "
              "expected {percent!r} (growth is read as published in percent, not computed "
              "from levels)").format(file=label, indicator=indicator, year=r["year"],
                                     unit=r["unit"], percent="%")
        )
    rows = rows.sort_values("year")
    status = rows["status"].astype(str)
    source = rows["source"].astype(str)
    out = pd.DataFrame(
        {
            "growth": rows["value"].astype(float).to_numpy() / 100.0,
            "lower_bound": [
                _has_marker(s, LOWER_BOUND_MARKERS) or _has_marker(src, LOWER_BOUND_MARKERS)
                for s, src in zip(status, source, strict=True)
            ],
            "estimate": [_has_marker(s, ESTIMATE_MARKERS) for s in status],
            "status": status.to_numpy(),
            "source": source.to_numpy(),
            "url": rows["url"].astype(str).to_numpy(),
        },
        index=pd.Index(rows["year"].astype(int).to_numpy(), name="year"),
    )
    return out


def growth_series(df: pd.DataFrame | None = None, indicator: str = "gdp_real_growth") -> pd.Series:
    """Published growth as fractions, indexed by year.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        Output of :func:`load_annual`; default: the shipped annual file.
    indicator : str
        A growth indicator published in percent, default ``gdp_real_growth``.

    Returns
    -------
    pandas.Series
        Real growth as a **fraction** (9.8 % → 0.098), indexed by year (int); years
        without a figure are absent (for Longgang: 2005, 2010, 2012–2020). The companion
        flags are in ``series.attrs["lower_bound"]`` and ``series.attrs["estimate"]``
        (lists of years) and, as boolean columns, in :func:`growth_frame`;
        :func:`lgsim.forecasting.forecast.forecast` and
        :func:`lgsim.forecasting.backtest.backtest` read the attrs when not given the flags
        explicitly.

    Notes
    -----
    The rates are the published ones. They are never computed as level ratios: GDP
    levels are not comparable across the 2016→2017 method revision (R&D capitalised),
    so ``gdp[2017] / gdp[2016] - 1`` would be about 29 %, not the published 9.8 %.
    """
    frame = growth_frame(df, indicator)
    series = frame["growth"].rename(indicator)
    series.attrs = {
        "indicator": indicator,
        "unit": "fraction",
        "lower_bound": [int(y) for y in frame.index[frame["lower_bound"]]],
        "estimate": [int(y) for y in frame.index[frame["estimate"]]],
    }
    return series
