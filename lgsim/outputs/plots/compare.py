"""Charts comparing scenarios run on common random numbers: overlays and differences.

Each function takes a sequence of :class:`~lgsim.results.Results` of the same target
year (e.g. a :class:`lgsim.studies.compare.Comparison`'s), the first being the reference;
:func:`comparison_figures` draws the three charts of a comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..._format import target_pct
from ...studies.compare import LETTERS, Comparison, difference
from .growth import _edges_through, _ytd_axes
from .style import (
    BAND_INNER,
    BAND_OUTER,
    BLUE,
    CYCLE,
    GREY,
    MISS,
    RED,
    _figure,
    _footer_text,
    _legend_below,
    _num,
    _offset,
    _pct,
    _percent_axis,
    _short,
    _style,
    _titles,
    _wrap,
    rule_zh,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...results import Results


def _labels(results: Sequence[Results], labels: Sequence[str] | None) -> list[str]:
    if labels is not None:
        return [str(x) for x in labels]
    return [_short(x.scenario.title, 26) for x in results]


def fan_overlay(results: Sequence[Results], labels: Sequence[str] | None = None) -> Figure:
    """Year-to-date growth of several scenarios: medians and P25–P75 bands overlaid.

    Parameters
    ----------
    results : sequence of Results
        Runs of the same target year (e.g. a :class:`lgsim.studies.compare.Comparison`'s).
    labels : sequence of str, optional
        Legend labels (default: the scenario titles).

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = _labels(results, labels)
    first = results[0]
    year = first.target_year
    months = first.ds["month"].values
    fig, ax = _figure(8.0, 4.8)
    _style(ax)
    for i, (r, label) in enumerate(zip(results, labels, strict=True)):
        colour = CYCLE[i % len(CYCLE)]
        ytd = 100 * r.ds["ytd_growth"].sel(year=year).values
        q = r.quantile_array(ytd, (0.25, 0.5, 0.75))
        if i == 0:
            ax.fill_between(months, q[0], q[2], color=BAND_OUTER, linewidth=0)
        else:
            for edge in (q[0], q[2]):
                ax.plot(months, edge, color=colour, linewidth=1, linestyle="--", alpha=0.8)
        p = r.p_target()
        ax.plot(months, q[1], color=colour, linewidth=2, marker="o", markersize=3,
                label=f"{label}：达标概率 {_pct(p.estimate)}")
    targets = sorted({r.scenario.target.gdp_growth for r in results})
    for t in targets:
        ax.axhline(100 * t, color=RED, linestyle="--", linewidth=1.3)
        ax.annotate(f"目标 {target_pct(t)}", xy=(1, 100 * t), xycoords=("axes fraction", "data"),
                    xytext=(-4, 4), textcoords="offset points", ha="right", color=RED,
                    fontsize=9.5)
    _ytd_axes(ax, months, year)
    _legend_below(fig, ax, ncols=1 if len(results) > 2 else 2)
    _titles(
        fig, ax, f"{year}年地区生产总值累计增速：情景比较",
        "实线为中位数；25%–75%分位区间：第一个情景为阴影，其余为虚线\n"
        "各情景使用相同的随机数（同一种子、同一批抽样），差异只来自情景设定",
        f"模拟 {first.n:,} 次 · 种子 {first.seed}",
    )
    return fig


def distribution_overlay(
    results: Sequence[Results], labels: Sequence[str] | None = None
) -> Figure:
    """Distributions of target-year growth of several scenarios, overlaid (percent).

    Parameters
    ----------
    results : sequence of Results
        Runs of the same target year.
    labels : sequence of str, optional
        Legend labels (default: the scenario titles).

    Returns
    -------
    matplotlib.figure.Figure
        Top: outline histograms on common bins with the target line and the first
        scenario's miss region. Bottom: the exceedance curve of each scenario, the share
        of replications with growth at least x (percent); where it crosses the
        threshold of the target rule it reads P(target met).
    """
    labels = _labels(results, labels)
    first = results[0]
    year = first.target_year
    values = [100 * r.growth() for r in results]
    t = first.scenario.target
    cut = 100 * t.threshold()
    edges = _edges_through(np.concatenate(values), cut, max_bins=50)
    fig, (ax, ax2) = _figure(8.0, 7.2, nrows=2, sharex=True,
                             gridspec_kw={"height_ratios": [1.0, 0.85]})
    for a in (ax, ax2):
        _style(a)
        a.axvspan(edges[0], cut, color=MISS, alpha=0.45, linewidth=0, zorder=0)
        a.axvline(100 * t.gdp_growth, color=RED, linestyle="--", linewidth=1.4)
    for i, (g, r) in enumerate(zip(values, results, strict=True)):
        colour = CYCLE[i % len(CYCLE)]
        p = r.p_target().estimate
        w = np.full(g.shape, 1.0 / g.size) if r.weights is None else r.weights / r.weights.sum()
        ax.hist(g, bins=edges, weights=100.0 * w, histtype="step", color=colour, linewidth=1.8)
        order = np.argsort(g, kind="stable")
        xs = g[order]
        exceed = 100 * (1 - (np.cumsum(w[order]) - w[order]))  # share with growth >= xs[k]
        ax2.step(xs, exceed, where="post", color=colour, linewidth=1.8)
        ax2.plot([cut], [100 * p], marker="o", color=colour, markersize=5, zorder=5)
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.15)
    ax.text(100 * t.gdp_growth, top * 1.12, f" 目标 {target_pct(t.gdp_growth)}", color=RED,
            fontsize=9.5, va="top")
    ax.text(0.01, 0.97, "未达到目标的区域", transform=ax.transAxes, color=RED, fontsize=9,
            va="top")
    ax2.set_ylim(0, 102)
    _percent_axis(ax2.xaxis)
    _percent_axis(ax.yaxis, decimals=0)
    _percent_axis(ax2.yaxis, decimals=0)
    ax.set_ylabel("占模拟次数（%）")
    ax2.set_ylabel("增速不低于横轴数值的概率（%）")
    ax2.set_xlabel(f"{year}年地区生产总值增速（%，可比价）")
    ax2.set_title("超越概率曲线：圆点为目标处的读数，即达标概率", loc="left", fontsize=9.5,
                  color=GREY)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=CYCLE[i % len(CYCLE)], linewidth=2)
               for i in range(len(results))]
    texts = [f"{label}：达标概率 {_pct(r.p_target().estimate)}"
             for r, label in zip(results, labels, strict=True)]
    ax2.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=1,
               fontsize=8.5, frameon=False, bbox_transform=ax2.transAxes
               + _offset(fig, 0.46))
    _titles(fig, ax, f"{year}年地区生产总值增速的分布：情景比较",
            f"各情景使用相同的随机数；判定：{rule_zh(t)}",
            f"模拟 {first.n:,} 次 · 种子 {first.seed}")
    return fig


def growth_difference_chart(
    results: Sequence[Results], labels: Sequence[str] | None = None
) -> Figure:
    """Differences to the first scenario: paired against unpaired intervals (pp).

    Parameters
    ----------
    results : sequence of Results
        Runs on common random numbers (same seed and replications), the first being
        the reference.
    labels : sequence of str, optional
        Row labels (default: the scenario titles).

    Returns
    -------
    matplotlib.figure.Figure
        Top: ``P(met) − P_ref(met)`` in percentage points with the paired 95% interval
        (mean of per-replication differences) and, for contrast, the unpaired one.
        Bottom: the per-replication growth difference in percentage points (P10–P90,
        P25–P75, median) and the paired interval of its mean.
    """
    labels = _labels(results, labels)
    first = results[0]
    others = list(results[1:])
    diffs = [difference(r, first) for r in others]
    k = len(others)
    fig, (ax, ax2) = _figure(8.0, 2.6 + 1.3 * k, nrows=2)
    y = np.arange(k)[::-1].astype(float)
    for a in (ax, ax2):
        _style(a, grid="x")
        a.axvline(0, color=GREY, linewidth=0.9)
        a.set_yticks(y, [_wrap(x, 15) for x in labels[1:]], fontsize=9)
        a.set_ylim(-0.6, k - 0.4)
    for yi, d in zip(y, diffs, strict=True):
        un, pa = d.p_met_unpaired, d.p_met_paired
        ax.hlines(yi - 0.13, 100 * un.low, 100 * un.high, color="#9e9e9e", linewidth=3,
                  label="不成对95%区间（两个独立估计相减，仅作对照）" if yi == y[0] else None)
        ax.hlines(yi + 0.13, 100 * pa.low, 100 * pa.high, color=BLUE, linewidth=5,
                  label="成对95%区间（同一随机数，逐次比较）" if yi == y[0] else None)
        ax.plot([100 * pa.estimate] * 2, [yi - 0.13, yi + 0.13], "o", color="#222222",
                markersize=4)
        ax.annotate(
            f"{_num(100 * pa.estimate, '+.2f')}（成对 {_num(100 * pa.low, '+.2f')} ~ "
            f"{_num(100 * pa.high, '+.2f')}）",
            xy=(100 * pa.high, yi + 0.13), xytext=(6, 0), textcoords="offset points",
            va="center", fontsize=8, color=BLUE,
        )
    lo = min([100 * d.p_met_unpaired.low for d in diffs] + [0.0])
    hi = max([100 * d.p_met_unpaired.high for d in diffs] + [0.0])
    ax.set_xlim(lo - 0.05 * (hi - lo + 1e-9), hi + 0.45 * (hi - lo + 1e-9))
    ax.set_xlabel("达标概率之差（百分点）")
    ax.set_title("达标概率之差：成对区间与不成对区间（对照）", loc="left", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, fontsize=8,
              frameon=False, bbox_transform=ax.transAxes + _offset(fig, 0.42))
    for yi, r, d in zip(y, others, diffs, strict=True):
        e = 100 * (r.growth() - first.growth())
        q = r.quantile_array(e, (0.1, 0.25, 0.5, 0.75, 0.9))
        ax2.hlines(yi, q[0], q[4], color=BAND_INNER, linewidth=2.5,
                   label="逐次之差 P10–P90" if yi == y[0] else None)
        ax2.hlines(yi, q[1], q[3], color=BLUE, linewidth=7, alpha=0.55,
                   label="P25–P75" if yi == y[0] else None)
        ax2.plot([q[2]], [yi], "o", color=BLUE, markersize=5,
                 label="中位数" if yi == y[0] else None)
        g = d.growth_paired
        ax2.plot([100 * g.estimate], [yi], "D", color=RED, markersize=5,
                 label="均值" if yi == y[0] else None)
        ax2.annotate(
            f"均值 {_num(100 * g.estimate, '+.3f')}（成对95%区间 {_num(100 * g.low, '+.3f')}"
            f" ~ {_num(100 * g.high, '+.3f')}）",
            xy=(0, yi), xycoords=("axes fraction", "data"), xytext=(4, 9),
            textcoords="offset points", va="bottom", fontsize=8, color="#333333",
        )
    ax2.set_xlabel(f"{first.target_year}年增速之差（百分点，每次模拟与A相比）")
    ax2.set_title("增速之差：每次模拟中两情景面对相同的“运气”", loc="left", fontsize=10)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=4, fontsize=8,
               frameon=False, bbox_transform=ax2.transAxes + _offset(fig, 0.42))
    fig.suptitle(f"与“{_short(labels[0], 40)}”的差异", x=0.01, ha="left", fontsize=13.5)
    _footer_text(fig, f"模拟 {first.n:,} 次 · 种子 {first.seed} · 区间均为模拟精度，"
                      "不含假设本身的不确定性")
    return fig


def comparison_figures(comparison: Comparison) -> dict[str, Figure]:
    """Overlaid fan chart, overlaid growth distributions, paired growth differences."""
    results = comparison.results
    labels = [f"{letter} {_short(r.scenario.title, 30)}"
              for letter, r in zip(LETTERS, results, strict=False)]
    return {
        "compare_fan": fan_overlay(results, labels),
        "compare_distribution": distribution_overlay(results, labels),
        "compare_growth_difference": growth_difference_chart(results, labels),
    }
