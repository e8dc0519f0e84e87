"""Contributions to GDP growth, in percentage points (百分点): by sector, component, street.

One bar chart, :func:`contributions_chart`; the medians do not add up, the means do (to
mean growth), which the chart's note states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .style import (
    BLUE,
    GREY,
    KIND_COLOURS,
    KIND_NAMES,
    _figure,
    _footer,
    _legend,
    _num,
    _short,
    _style,
    _titles,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...results import Results


def contributions_chart(results: Results, by: str = "sector", year: int | None = None) -> Figure:
    """Contributions to growth (percentage points): median bars with P10–P90 whiskers.

    Parameters
    ----------
    results : Results
        A run.
    by : {"sector", "component", "street"}
        The decomposition: all value added by sector; by component (organic growth of
        each sector, each batch / project / pipeline entry, each shock); or by street.
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        One bar per part in scenario order, labelled with its median in pp; the note
        gives the sum of the means, which equals mean growth (medians do not add up).
    """
    r = results
    year = year or r.target_year
    if by not in ("sector", "component", "street"):
        raise ValueError(f"by must be 'sector', 'component' or 'street', not {by!r}")
    table = r.contributions(by, year)
    n = len(table)
    fig, ax = _figure(8.0, 1.9 + 0.34 * n)
    _style(ax, grid="x")
    y = np.arange(n)[::-1]
    if by == "component":
        kinds = [str(k) for k in r.ds["component_kind"].values]
        colours = [KIND_COLOURS.get(k, BLUE) for k in kinds]
    else:
        kinds = []
        colours = [BLUE] * n
    p50 = table["p50"].to_numpy()
    ax.barh(y, p50, color=colours, height=0.62, alpha=0.9)
    ax.errorbar(p50, y, xerr=[p50 - table["p10"].to_numpy(), table["p90"].to_numpy() - p50],
                fmt="none", ecolor="#333333", elinewidth=1, capsize=2.5)
    labels = [_short(name, 16) for name in table["name"]]
    ax.set_yticks(y, labels, fontsize=9)
    ax.axvline(0, color=GREY, linewidth=0.9)
    span = max(float(np.nanmax(np.abs(table[["p10", "p90"]].to_numpy()))), 1e-3)
    for yi, v, hi in zip(y, p50, table["p90"].to_numpy(), strict=True):
        ax.text(max(v, hi, 0) + 0.02 * span, yi, _num(v, "+.2f"), va="center", fontsize=8,
                color="#333333")
    lo = min(float(table["p10"].min()), 0.0)
    hi = max(float(table["p90"].max()), 0.0)
    ax.set_xlim(lo - 0.05 * span, hi + 0.16 * span)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("对地区生产总值增长的拉动（百分点）")
    if kinds:
        from matplotlib.patches import Patch

        seen = list(dict.fromkeys(kinds))
        _legend(ax, handles=[Patch(color=KIND_COLOURS.get(k, BLUE), label=KIND_NAMES.get(k, k))
                             for k in seen], loc="lower right")
    what = {"sector": "分行业", "component": "分来源", "street": "分街道"}[by]
    mean_growth = float(np.nanmean(r.growth(year)))
    subtitle = (
        f"条形为中位数，细线为P10–P90；各项均值之和 {_num(table['mean'].sum(), '.2f')} 个百分点"
        f" = 平均增速 {_num(100 * mean_growth, '.2f')}%（中位数不可相加）"
    )
    if by == "component":
        subtitle += "\n自然增长与所列项目无法从历史数据中完全区分，项目按“增量系数”计入"
    _titles(fig, ax, f"{year}年地区生产总值增长{what}拉动（百分点）", subtitle, _footer(r))
    return fig
