"""The model's time axis: months since 1 January of ``base_year + 1``.

A date maps to ``12 (year - base_year - 1) + (month - 1) + (day - 1) / days_in_month``;
so with base year 2021, 2022-07-01 is month 6.0. An *end* date (``by``, a window end)
means the end of that day: ``day`` instead of ``day - 1``.
"""

from __future__ import annotations

import calendar as _cal
import datetime as _dt


def to_month(date: _dt.date, base_year: int, *, end_of_day: bool = False) -> float:
    """Convert a calendar date to model time.

    Parameters
    ----------
    date : datetime.date
        The date.
    base_year : int
        The scenario's base year; month 0.0 is 1 January of ``base_year + 1``.
    end_of_day : bool
        If true, the end of that day (used for ``by`` and window ends).

    Returns
    -------
    float
        Months since the start of the first simulated year.
    """
    days = _cal.monthrange(date.year, date.month)[1]
    day = date.day if end_of_day else date.day - 1
    return 12 * (date.year - base_year - 1) + (date.month - 1) + day / days


def month_label(month_index: int, base_year: int) -> str:
    """Return ``"YYYY-MM"`` for the accounting month ``month_index`` (0-based)."""
    year = base_year + 1 + month_index // 12
    return f"{year}-{month_index % 12 + 1:02d}"
