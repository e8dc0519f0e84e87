"""A published growth series on a consecutive annual grid, ready for fitting.

:func:`prepare` validates a growth series (fractions by year, e.g.
:func:`lgsim.data.official.growth_series`), puts it on a consecutive grid and carries the
lower-bound and estimate flags; :class:`GrowthData` is what every model, the backtest and
the forecast take. Growth is a **fraction** (0.098 = 9.8 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..i18n import N_, Message, _

#: Ways to handle years without a published figure.
GAPS: tuple[str, ...] = ("tail", "nan", "auto")
#: With ``gaps="auto"``: fewest figures after the last gap for the ``"tail"`` rule.
AUTO_MIN_TAIL: int = 6

Gaps = Literal["tail", "nan", "auto"]


@dataclass(frozen=True)
class GrowthData:
    """A growth series on a consecutive annual grid, ready for fitting.

    Parameters
    ----------
    years : numpy.ndarray
        Consecutive years (int).
    y : numpy.ndarray
        Growth, **fraction**; NaN where no figure was published.
    lower_bound : numpy.ndarray
        True where the figure is only a lower bound ("over X").
    estimate : numpy.ndarray
        True where the figure is an estimate ("about X").
    dropped : tuple of int
        Published years left out by ``gaps="tail"``.
    """

    years: np.ndarray
    y: np.ndarray
    lower_bound: np.ndarray
    estimate: np.ndarray
    dropped: tuple[int, ...] = ()

    @property
    def observed(self) -> np.ndarray:
        """Boolean mask of years with a figure."""
        return ~np.isnan(self.y)

    @property
    def missing(self) -> tuple[int, ...]:
        """Years inside the span without a published figure (gaps)."""
        return tuple(int(v) for v in self.years[np.isnan(self.y)])

    @property
    def n_obs(self) -> int:
        """Number of published figures."""
        return int(self.observed.sum())

    def upto(self, year: int) -> GrowthData:
        """The data up to and including ``year``."""
        keep = self.years <= year
        return replace(
            self,
            years=self.years[keep],
            y=self.y[keep],
            lower_bound=self.lower_bound[keep],
            estimate=self.estimate[keep],
        )

    def to_series(self) -> pd.Series:
        """The published values as a Series indexed by year (fractions)."""
        obs = self.observed
        return pd.Series(self.y[obs], index=pd.Index(self.years[obs], name="year"))


def _flag_years(flag: Any, years: np.ndarray, name: str) -> np.ndarray:
    """Turn a flag given as years or as a boolean Series into a mask over ``years``."""
    if flag is None:
        return np.zeros(len(years), dtype=bool)
    if isinstance(flag, pd.Series) and flag.dtype == bool:
        flagged = {int(y) for y, v in flag.items() if v}
    else:
        try:
            flagged = {int(y) for y in flag}
        except (TypeError, ValueError) as exc:
            raise ValueError(_("{name}: expected years or a boolean Series by year").format(
                name=name)) from exc
    return np.isin(years, sorted(flagged))


def prepare(
    series: pd.Series | Mapping[int, float] | GrowthData,
    gaps: Gaps = "tail",
    lower_bound: Iterable[int] | pd.Series | None = None,
    estimate: Iterable[int] | pd.Series | None = None,
    *,
    min_tail: int = AUTO_MIN_TAIL,
) -> GrowthData:
    """Validate a growth series and put it on a consecutive annual grid.

    Parameters
    ----------
    series : pandas.Series or mapping
        Growth as a **fraction** (0.098 for 9.8 %), indexed by year, e.g. the output of
        :func:`lgsim.data.official.growth_series`. NaN entries count as not published.
    gaps : {"tail", "nan"}
        ``"tail"`` (default) keeps the longest run of consecutive years that ends at the
        last figure (Longgang: 2012–2020) and drops earlier years; ``"nan"`` keeps every
        year from the first to the last figure, missing years as NaN. ``"auto"``: the
        ``"tail"`` rule when at least ``min_tail`` figures follow the last gap, else
        ``"nan"`` (a series with gaps near its end, such as Longgang's above-size
        industry growth without 2017 and 2019).
    lower_bound, estimate : iterable of int or boolean Series, optional
        Years whose figure is a lower bound / an estimate. Default: the lists in
        ``series.attrs`` (set by :func:`lgsim.data.official.growth_series`), else none.
    min_tail : int
        With ``gaps="auto"``: fewest figures after the last gap for the tail rule
        (:func:`lgsim.forecasting.forecast.forecast` passes ``min_train + 1``, so that the tail
        leaves at least one backtest origin).

    Returns
    -------
    GrowthData

    Raises
    ------
    ValueError
        Non-numeric or duplicate years, values above 1 in magnitude ("looks like
        percent"), fewer than two figures, or an unknown ``gaps``.
    """
    if isinstance(series, GrowthData):
        return series
    if gaps not in GAPS:
        raise ValueError(_("gaps: expected one of {names}, found {value!r}").format(
            names=", ".join(GAPS), value=gaps))
    attrs = dict(getattr(series, "attrs", {}) or {})
    s = pd.Series(series, dtype=float) if not isinstance(series, pd.Series) else series
    try:
        years = np.asarray([int(y) for y in s.index], dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError(_("series: the index must be years (integers)")) from exc
    values = pd.to_numeric(pd.Series(s.to_numpy()), errors="coerce").to_numpy(dtype=float)
    if len(set(years.tolist())) != len(years):
        raise ValueError(_("series: a year appears more than once"))
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    order = np.argsort(years)
    years, values = years[order], values[order]
    if np.any(np.abs(values) > 1):
        bad = int(years[np.argmax(np.abs(values) > 1)])
        raise ValueError(
            _("series: year {year} has |growth| > 1 — looks like percent: write 0.06 for "
              "6{percent}").format(year=bad, percent="%")
        )
    if len(values) < 2:
        raise ValueError(_("series: at least 2 published years needed, found {n}").format(
            n=len(values)))
    full = np.arange(years[0], years[-1] + 1)
    y = np.full(len(full), np.nan)
    y[years - years[0]] = values
    lb = _flag_years(
        lower_bound if lower_bound is not None else attrs.get("lower_bound"), full, "lower_bound"
    )
    est = _flag_years(estimate if estimate is not None else attrs.get("estimate"), full, "estimate")
    data = GrowthData(full, y, lb & ~np.isnan(y), est & ~np.isnan(y))
    if gaps == "auto":
        tail = _tail(data)
        return tail if tail.n_obs >= min_tail else data
    return _tail(data) if gaps == "tail" else data


def _tail(data: GrowthData) -> GrowthData:
    """The years after the last gap; the published years before it go to ``dropped``."""
    missing = np.flatnonzero(np.isnan(data.y))
    if not missing.size:
        return data
    start = int(missing[-1]) + 1
    head_years, head_y = data.years[:start], data.y[:start]
    dropped = tuple(int(v) for v in head_years[~np.isnan(head_y)])
    return GrowthData(
        data.years[start:],
        data.y[start:],
        data.lower_bound[start:],
        data.estimate[start:],
        dropped,
    )


def span_notes(data: GrowthData, gaps: str) -> list[str]:
    """Notes for the reader on which years were fitted, for ``gaps`` as requested.

    English :class:`lgsim.i18n.Message` objects (shown translated on the terminal).
    """
    span = f"{data.years[0]}–{data.years[-1]}"
    if data.dropped:
        return [Message(N_("gaps={gaps}: fitted on {span}; dropped {years}"), gaps=repr(gaps),
                        span=span, years=list(data.dropped))]
    if gaps == "auto" and data.missing:
        return [Message(N_("gaps='auto': too few figures after the last gap, so fitted on "
                           "{span} with no figure for {years} (as gaps='nan')"),
                        span=span, years=list(data.missing))]
    return []
