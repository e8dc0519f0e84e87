"""The monthly tracker: P(target) month by month as figures are published, and its news.

For each month of a period, the scenario is conditioned on everything published by the
end of that month (:meth:`lgsim.data.published.PublishedTable.as_of`, through the
scenario's ``[[indicator]]`` entries, :mod:`lgsim.scenario.bridge`). Every month is
estimated from **one** set of replications (:mod:`lgsim.montecarlo.tracking`): month
``t``'s weights are ``w_t ∝ p/q × Π_{k known at t} L_k``. So

* a month with no new release has exactly the previous month's numbers (and says so);
* the change from one month to the next is split into the **news** of each release — the
  change in P(target met) and in expected growth when that release is added to what was
  known, in publication order (date, then row of the data; a revision or a later vintage
  replaces the figure it supersedes) — and the parts add up to the month's change up to
  floating-point rounding (≤ 1e-12), because they are differences of one chain of
  states computed on the same replications;
* optionally (``news="shapley"``) each release's part is its Shapley value over the
  orders of the month's releases (exact over all subsets, at most
  :data:`MAX_SHAPLEY` releases in a month), which also adds up to the change.

The scenario's own ``[actuals]`` are not used: the tracker's figures come from the data.
See ``docs/tracker.md``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.published import PublishedTable, load_published
from ..i18n import _
from ..montecarlo.footprint import check_memory, footprint
from ..montecarlo.runner import MIN_ESS, run_settings
from ..montecarlo.tracking import mixture, pilot, plan_of, simulate_track
from ..scenario import Scenario, ScenarioError
from ..scenario.bridge import Ignored, Release, bridge, release_lags
from . import track_report
from .track_states import MAX_SHAPLEY, Evaluator, MonthState, News, StateStats

__all__ = [
    "MAX_SHAPLEY",
    "NEWS_ORDERS",
    "MonthState",
    "News",
    "StateStats",
    "Track",
    "month_text",
    "track",
]

#: News orders.
NEWS_ORDERS = ("publication", "shapley")


@dataclass
class Track:
    """A finished track (see the module docstring).

    Attributes
    ----------
    scenario : Scenario
    data : str
        The published data used (file name).
    opening : MonthState
        What was known before the first month.
    months : list of MonthState
    releases : list of Release
        Every figure the track conditions on at some month, in publication order.
    ignored : list of Ignored
        Rows of the simulated years that are not observations, with the reason.
    replications, seed, components, pilot_replications : int
    news_order : str
    min_ess : float
    """

    scenario: Scenario
    data: str
    opening: MonthState
    months: list[MonthState]
    releases: list[Release]
    ignored: list[Ignored]
    replications: int
    seed: int
    components: int
    pilot_replications: int
    news_order: str
    min_ess: float
    earlier_rows: int = 0
    evaluator: Any = field(default=None, repr=False)

    def month(self, label: str) -> MonthState:
        """The month ``YYYY-MM`` (or the opening state's month)."""
        return next(m for m in [self.opening, *self.months] if m.label == label)

    def weights(self, label: str) -> np.ndarray | None:
        """Normalised importance weights (mean 1) of a month's state; None if all equal."""
        return self.evaluator.weights(self.month(label).known)

    def values(self, name: str) -> np.ndarray:
        """An array of every replication: ``figure_model`` (R, K), ``growth``, ``va``..."""
        return self.evaluator.draws.arrays[name]

    def largest_news(self) -> News | None:
        """The release that moved P(target met) the most (by size), or None."""
        items = [n for m in self.months for n in m.news]
        return max(items, key=lambda n: abs(n.d_p)) if items else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the content of ``track.json``; percent and pp in the names)."""
        return track_report.to_dict(self)

    def to_text(self) -> str:
        """The track for the terminal."""
        return track_report.to_text(self)


# ---------------------------------------------------------------------- driver
def track(
    scenario: Scenario,
    data: PublishedTable | str | None = None,
    start: tuple[int, int] | None = None,
    end: tuple[int, int] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    executor: str | None = None,
    news: str = "publication",
    min_ess: float = MIN_ESS,
) -> Track:
    """Track P(target met) month by month as the published figures come in.

    Parameters
    ----------
    scenario : Scenario
        With ``[[indicator]]`` entries mapping the published indicators.
    data : PublishedTable or str, optional
        The published figures (a file in the published-indicators format); default the
        figures shipped with lgsim.
    start, end : tuple of int, optional
        First and last month ``(year, month)``; default January to December of the
        target year.
    replications, seed, workers, chunk_size, executor
        As for :func:`lgsim.run`; results are identical for any worker count.
    news : {"publication", "shapley"}
        How a month's change is split among its releases.
    min_ess : float
        Months whose effective sample size is below this are flagged.

    Raises
    ------
    ScenarioError
        Bad months or arguments, or a figure the model cannot produce.
    lgsim.data.published.DataError
        A bad data file.
    """
    table = data if isinstance(data, PublishedTable) else load_published(data)
    months = _months(scenario, start, end)
    if news not in NEWS_ORDERS:
        raise ValueError(_("news: expected one of {names}, found {value!r}").format(
            names=", ".join(NEWS_ORDERS), value=news))
    lags = release_lags(scenario.indicators)
    dates = [_opening(months[0])] + [_month_end(y, m) for y, m in months]
    releases, states, ignored, earlier = _releases(table, scenario, dates, lags)
    sc = dataclasses.replace(scenario, actuals=tuple(r.observation for r in releases))
    settings = run_settings(scenario, replications, seed, workers, chunk_size)
    # a track keeps less of each replication than a run: a run's needs are an upper bound
    check_memory(sc, footprint(sc, settings.replications, settings.workers,
                               settings.chunk_size))
    plan = plan_of(sc)
    gaussian = [k for k, r in enumerate(releases) if not r.bound]
    tilts: list[Any] = [None]  # no figure that shapes a proposal: the prior alone
    if gaussian:
        try:
            tilts = mixture(plan, states, gaussian, pilot(sc, settings, executor=executor))
        except ScenarioError as exc:
            raise ScenarioError(table.file, exc.path, exc.expected, exc.found,
                                exc.hint) from None
    draws = simulate_track(sc, settings, tilts, executor=executor)
    ev = Evaluator(sc, releases, draws, plan.figures)
    opening = ev.month(dates[0].year, dates[0].month, dates[0], states[0], None, news,
                       min_ess)
    out = []
    prev = opening
    for (y, m), d, state in zip(months, dates[1:], states[1:], strict=True):
        prev = ev.month(y, m, d, state, prev, news, min_ess)
        out.append(prev)
    return Track(scenario, table.file, opening, out, releases, ignored,
                 settings.replications, settings.seed, draws.components,
                 draws.pilot_replications, news, float(min_ess), earlier, ev)


def _months(scenario: Scenario, start: tuple[int, int] | None,
            end: tuple[int, int] | None) -> list[tuple[int, int]]:
    first = start or (scenario.target_year, 1)
    last = end or (scenario.target_year, 12)
    lo, hi = scenario.base_year + 1, scenario.end_year
    for name, (y, m) in (("start", first), ("end", last)):
        if not (lo <= y <= hi and 1 <= m <= 12):
            raise ScenarioError(scenario.file, name,
                                _("a month YYYY-MM within the simulated years {first}–{last}")
                                .format(first=lo, last=hi), f"{y}-{m:02d}")
    if first > last:
        raise ScenarioError(scenario.file, "end", _("a month on or after {month}").format(
            month=f"{first[0]}-{first[1]:02d}"), f"{last[0]}-{last[1]:02d}")
    k0, k1 = 12 * first[0] + first[1] - 1, 12 * last[0] + last[1] - 1
    return [(k // 12, k % 12 + 1) for k in range(k0, k1 + 1)]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _opening(first: tuple[int, int]) -> dt.date:
    return dt.date(first[0], first[1], 1) - dt.timedelta(days=1)


def _releases(table: PublishedTable, scenario: Scenario, dates: list[dt.date],
              lags: dict[str, int]
              ) -> tuple[list[Release], list[tuple[int, ...]], list[Ignored], int]:
    """Every release of the track in publication order, and each date's known set."""
    years = (scenario.base_year + 1, scenario.end_year)
    by_row: dict[int, Release] = {}
    rows_at: list[list[int]] = []
    ignored: list[Ignored] = []
    for d in dates:
        found, ignored = bridge(table.as_of(d, lags), scenario.indicators, years, lags)
        by_row.update({r.figure.row: r for r in found})
        rows_at.append([r.figure.row for r in found])
    releases = sorted(by_row.values(), key=lambda r: (r.known, r.figure.row))
    index = {r.figure.row: k for k, r in enumerate(releases)}
    states = [tuple(sorted(index[row] for row in rows)) for rows in rows_at]
    inside = [g for g in ignored if years[0] <= g.figure.year <= years[1]]
    return releases, states, inside, len(ignored) - len(inside)


def month_text(text: str) -> tuple[int, int]:
    """Parse ``YYYY-MM`` (argparse type and API helper).

    Raises
    ------
    ValueError
        Not a month.
    """
    try:
        y, m = (int(x) for x in text.strip().split("-"))
        if not 1 <= m <= 12 or len(text.strip()) != 7:
            raise ValueError
    except ValueError:
        raise ValueError(f"expected a month YYYY-MM, found {text!r}") from None
    return y, m

