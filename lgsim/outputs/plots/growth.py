"""Charts of GDP growth: the year-to-date fan, the year's distribution, sectors and streets.

Each function takes a run's :class:`~lgsim.results.Results` and returns a
:class:`matplotlib.figure.Figure`; growth and probabilities are shown in percent.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..._format import target_pct
from .style import (
    BAND_INNER,
    BAND_OUTER,
    BLUE,
    GREY,
    MISS,
    RED,
    _figure,
    _footer,
    _legend_below,
    _num,
    _p_detail,
    _p_title,
    _pct,
    _percent_axis,
    _plain,
    _style,
    _titles,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ...results import Results


def fan_chart(results: Results, year: int | None = None) -> Figure:
    """Fan chart of year-to-date GDP growth by month, with the target and P(target met).

    Parameters
    ----------
    results : Results
        A run.
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        Bands P5–P95 and P25–P75 and the median of year-to-date growth (percent) through
        months 1–12 (the official 1–M月 series), the target line and P(target met) of
        the target year in the title. A run conditioned on published GDP figures shows
        them as points with ±1.96 sd error bars; its bands are of the weighted
        (posterior) replications.
    """
    r = results
    year = year or r.target_year
    ytd = 100 * r.ds["ytd_growth"].sel(year=year).values  # (replication, month), percent
    q = r.quantile_array(ytd, (0.05, 0.25, 0.5, 0.75, 0.95))
    months = r.ds["month"].values
    target = 100 * r.scenario.target.gdp_growth

    fig, ax = _figure(8.0, 4.8)
    _style(ax)
    ax.fill_between(months, q[0], q[4], color=BAND_OUTER, linewidth=0,
                    label="5%–95%分位区间（90%的模拟结果）")
    ax.fill_between(months, q[1], q[3], color=BAND_INNER, linewidth=0,
                    label="25%–75%分位区间（50%的模拟结果）")
    ax.plot(months, q[2], color=BLUE, linewidth=2.2, marker="o", markersize=3.5,
            label="中位数")
    ax.axhline(target, color=RED, linestyle="--", linewidth=1.4,
               label=f"目标 {target_pct(r.scenario.target.gdp_growth)}")
    ax.annotate(
        f"目标 {target_pct(r.scenario.target.gdp_growth)}", xy=(1, target),
        xycoords=("axes fraction", "data"), xytext=(-4, 4), textcoords="offset points",
        ha="right", va="bottom", color=RED, fontsize=9.5,
    )
    ax.annotate(
        f"全年中位数 {_num(q[2][-1])}%", xy=(months[-1], q[2][-1]), xytext=(-6, -14),
        textcoords="offset points", ha="right", va="top", color=BLUE, fontsize=9,
    )
    _published_figures(ax, r, year)
    _ytd_axes(ax, months, year)
    _legend_below(fig, ax)
    title = f"{year}年地区生产总值累计增速"
    if year == r.target_year:
        title += f"：{_p_title(r)}"
    _titles(fig, ax, title, _p_detail(r) if year == r.target_year else "", _footer(r))
    return fig


def _published_figures(ax: Axes, results: Results, year: int) -> None:
    """The published GDP figures the run is conditioned on, with ±1.96 sd error bars."""
    figs = [o for o in results.scenario.actuals
            if o.is_gdp and o.year == year and o.informative]
    if not figs:
        return
    ax.errorbar([o.month for o in figs], [100 * o.value for o in figs],
                yerr=[1.96 * 100 * o.sd for o in figs], fmt="D", color="#222222",
                markersize=5, capsize=4, linewidth=1.2, zorder=6,
                label="已公布数据（误差线：±1.96倍标准差）")


def _ytd_axes(ax: Axes, months: np.ndarray, year: int) -> None:
    """Axes of year-to-date growth: periods ``1月``, ``1-2月``, … and growth in percent."""
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xticks(months, ["1月"] + [f"1-{m}月" for m in months[1:]])
    ax.set_xlim(months[0] - 0.3, months[-1] + 0.3)
    _percent_axis(ax.yaxis)
    ax.set_ylabel("地区生产总值累计增速（%，可比价）")
    ax.set_xlabel(f"{year}年累计期间")


def growth_distribution(results: Results, year: int | None = None) -> Figure:
    """Distribution of the year's GDP growth with the target line and the miss region.

    Parameters
    ----------
    results : Results
        A run.
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        A histogram of growth (percent; bar heights in percent of replications) with
        the bars that miss the target shaded red, the share met and missed written on
        either side of the target line.
    """
    r = results
    year = year or r.target_year
    g = 100 * r.growth(year)
    met = r.met(year)
    t = r.scenario.target
    cut = 100 * t.threshold()
    edges = _edges_through(g, cut)

    fig, ax = _figure(8.0, 4.6)
    _style(ax)
    weights = (np.full(g.shape, 100.0 / g.size) if r.weights is None
               else 100.0 * r.weights / r.weights.sum())
    ax.axvspan(min(edges[0], cut), cut, color=MISS, alpha=0.45, linewidth=0, zorder=0)
    ax.hist(g[~met], bins=edges, weights=weights[~met], color="#e3968c",
            edgecolor="white", linewidth=0.5, label="未达到目标")
    ax.hist(g[met], bins=edges, weights=weights[met], color=BLUE, edgecolor="white",
            linewidth=0.5, label="达到目标")
    ax.axvline(100 * t.gdp_growth, color=RED, linestyle="--", linewidth=1.4)
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.18)
    ax.text(100 * t.gdp_growth, top * 1.13, f" 目标 {target_pct(t.gdp_growth)}", color=RED,
            fontsize=9.5, va="top", ha="left")
    # the shares of simulated paths (what the bars show), both top left, so that neither
    # meets the target's label; the title's P(met) may be the smoothed estimate instead
    share = float(weights[met].sum()) / 100.0
    ax.text(0.02, 0.97, f"未达到目标的模拟结果 {_pct(1 - share)}", transform=ax.transAxes,
            ha="left", va="top", color=RED, fontsize=10.5)
    ax.text(0.02, 0.89, f"达到目标的模拟结果 {_pct(share)}", transform=ax.transAxes,
            ha="left", va="top", color=BLUE, fontsize=10.5)
    q = r.quantile_array(g, (0.1, 0.5, 0.9))
    ax.axvline(q[1], color=GREY, linewidth=1, linestyle=":")
    ax.annotate(f"中位数 {_num(q[1])}%", xy=(q[1], top * 0.92), xytext=(4, 0),
                textcoords="offset points", color=GREY, fontsize=8.5)
    _percent_axis(ax.xaxis)
    _percent_axis(ax.yaxis, decimals=0)
    ax.set_xlabel(f"{year}年地区生产总值增速（%，可比价）")
    ax.set_ylabel("占模拟次数（%）")
    spread = f"P10 {_num(q[0])}%　中位数 {_num(q[1])}%　P90 {_num(q[2])}%"
    subtitle = _p_detail(r) + "；" + spread if year == r.target_year else spread
    title = f"{year}年地区生产总值增速的分布"
    if year == r.target_year:
        title += f"：{_p_title(r)}"
    _titles(fig, ax, title, subtitle, _footer(r))
    return fig


def _edges_through(values: np.ndarray, cut: float, max_bins: int = 60) -> np.ndarray:
    """Histogram bin edges (``numpy`` "auto" width) with one edge exactly at ``cut``."""
    finite = values[np.isfinite(values)]
    lo, hi = float(finite.min()), float(finite.max())
    auto = np.histogram_bin_edges(finite, bins="auto")
    width = max(float(auto[1] - auto[0]) if auto.size > 1 else 1.0, (hi - lo) / max_bins)
    width = max(width, (hi - lo) / 200 if hi > lo else 0.1, 1e-6)
    start = cut - math.ceil((cut - lo) / width) * width if lo < cut else cut
    stop = cut + math.ceil((hi - cut) / width) * width if hi > cut else cut + width
    if stop <= start:
        stop = start + width
    edges = np.arange(start, stop + 0.5 * width, width)
    return edges if edges.size >= 2 else np.array([start, start + width])


def _growth_vs_targets(results: Results, kind: str, year: int | None) -> Figure:
    r = results
    year = year or r.target_year
    var, dim, name_coord = {
        "streets": ("street_va", "street", "street_name"),
        "sectors": ("va", "sector", "sector_name"),
    }[kind]
    da = r.ds[var]
    g = 100 * (da.sel(year=year) / da.sel(year=year - 1) - 1.0).values  # (rep, part)
    ids = [str(s) for s in r.ds[dim].values]
    names = [_plain(s) for s in r.ds[name_coord].values]
    targets = getattr(r.scenario.target, kind)
    probs = r.p_subtargets(year)[kind] if year == r.target_year else {}
    n = len(ids)
    q = np.nanquantile(g, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0, method="linear")
    fig, ax = _figure(8.0, 1.9 + 0.36 * n)
    _style(ax, grid="x")
    y = np.arange(n)[::-1]
    ax.hlines(y, q[0], q[4], color=BAND_INNER, linewidth=2.5, label="P10–P90")
    ax.hlines(y, q[1], q[3], color=BLUE, linewidth=6, alpha=0.55, label="P25–P75")
    ax.plot(q[2], y, "o", color=BLUE, markersize=5, label="中位数")
    xmax = float(np.nanmax(q[4]))
    has_target = False
    for yi, ident in zip(y, ids, strict=True):
        if ident in targets:
            tx = 100 * targets[ident]
            ax.plot([tx], [yi], marker="|", color=RED, markersize=16, markeredgewidth=2.2,
                    label=None if has_target else "目标")
            ax.annotate(f"目标{target_pct(targets[ident])}", xy=(tx, yi), xytext=(0, 9),
                        textcoords="offset points", ha="center", va="bottom", color=RED,
                        fontsize=8)
            has_target = True
            xmax = max(xmax, tx)
    span = xmax - min(float(np.nanmin(q[0])), 0.0)
    for yi, ident in zip(y, ids, strict=True):
        if ident in probs:
            ax.text(xmax + 0.04 * span, yi, f"达标概率 {_pct(probs[ident].estimate, 0)}",
                    va="center", fontsize=8.5, color=RED)
    ax.set_xlim(right=xmax + (0.28 if probs else 0.05) * span)
    ax.set_yticks(y, names, fontsize=9)
    ax.axvline(0, color=GREY, linewidth=0.9)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(f"{year}年增加值增速（%，可比价）")
    _legend_below(fig, ax)
    what = "各街道" if kind == "streets" else "各行业"
    if targets:
        subtitle = f"红色竖线为{what[1:]}目标；判定规则同地区生产总值目标"
    else:
        subtitle = f"本情景未设定{what[1:]}目标"
    if kind == "streets" and not r.scenario.street_data:
        subtitle += "\n街道增加值按人口份额分摊（非街道统计数据），不判定街道达标概率"
    _titles(fig, ax, f"{year}年{what}增加值增速与目标", subtitle, _footer(r))
    return fig


def street_growth_chart(results: Results, year: int | None = None) -> Figure:
    """Growth of each street's value added against the street targets (percent).

    Parameters
    ----------
    results : Results
        A run.
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        Median, P25–P75 and P10–P90 of each street's growth; the target (red tick) and
        P(met) where ``[target] streets`` sets one.
    """
    return _growth_vs_targets(results, "streets", year)


def sector_growth_chart(results: Results, year: int | None = None) -> Figure:
    """Growth of each sector's value added against the sector targets (percent).

    Parameters
    ----------
    results : Results
        A run.
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        As :func:`street_growth_chart`, for the sectors and ``[target] sectors``.
    """
    return _growth_vs_targets(results, "sectors", year)
