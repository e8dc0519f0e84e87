"""Contributions to GDP growth, in percentage points (百分点): by sector, component, street.

One bar chart, :func:`contributions_chart`: bars are means (they add up to mean growth),
medians are marked (they do not add up; a risk that usually does not happen has a median
of zero but a negative mean), whiskers span P10–P90.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...results import INDIRECT_SUFFIX
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
    """Contributions to growth (percentage points): mean bars, medians marked, P10–P90.

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
        One bar per part in scenario order: its mean in pp (the label), a diamond at its
        median, a whisker from P10 to P90; the note gives the sum of the means, which
        equals mean growth (medians do not add up).
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
    mean = table["mean"].to_numpy()
    p50 = table["p50"].to_numpy()
    indirect = np.array([str(c).endswith(":indirect") for c in table.index])
    bars = ax.barh(y, mean, color=colours, height=0.62, alpha=0.9, label="均值")
    for bar, spill in zip(bars, indirect, strict=True):
        if spill:  # the supply-chain round of the same entry: hatched, its colour lighter
            bar.set_hatch("////")
            bar.set_alpha(0.55)
    ax.hlines(y, table["p10"].to_numpy(), table["p90"].to_numpy(), color="#333333",
              linewidth=1, label="P10–P90")
    ax.plot(p50, y, "D", color="#222222", markersize=4, markerfacecolor="white",
            label="中位数")
    labels = [_label(name, spill) for name, spill in zip(table["name"], indirect, strict=True)]
    ax.set_yticks(y, labels, fontsize=9)
    ax.axvline(0, color=GREY, linewidth=0.9)
    span = max(float(np.nanmax(np.abs(table[["p10", "p90"]].to_numpy()))), 1e-3)
    for yi, v, hi in zip(y, mean, table["p90"].to_numpy(), strict=True):
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
        marks = [h for h, label in zip(*ax.get_legend_handles_labels(), strict=True)
                 if label != "均值"]
        handles = [Patch(color=KIND_COLOURS.get(k, BLUE), label=KIND_NAMES.get(k, k))
                   for k in seen]
        if indirect.any():
            handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////",
                                 label="间接拉动（产业链，斜线）"))
        _legend(ax, handles=handles + marks, loc="lower right")
    else:
        _legend(ax, loc="lower right")
    what = {"sector": "分行业", "component": "分来源", "street": "分街道"}[by]
    mean_growth = float(np.nanmean(r.growth(year)))
    subtitle = (
        f"条形及数字为均值，◇为中位数，细线为P10–P90\n均值之和 "
        f"{_num(table['mean'].sum(), '.2f')} 个百分点 = 平均增速 "
        f"{_num(100 * mean_growth, '.2f')}%（中位数不可相加）"
    )
    if by == "component":
        subtitle += "\n自然增长与所列项目无法从历史数据中完全区分，项目按“增量系数”计入"
    if by == "street" and not r.scenario.street_data:
        subtitle += "\n街道按人口份额分摊（非街道统计数据）"
    _titles(fig, ax, f"{year}年地区生产总值增长{what}拉动（百分点）", subtitle, _footer(r))
    return fig


def _label(name: str, indirect: bool, width: int = 16) -> str:
    """A bar's label: the name shortened, keeping "（间接）" on an indirect row.

    Shortening the full name would cut the suffix off, and the direct and indirect rows
    of one batch would read the same.
    """
    name = str(name)
    if indirect:
        base = name.removesuffix(INDIRECT_SUFFIX)
        return _short(base, width - 4) + "（间接）"
    return _short(name, width)
