"""Charts of the engine backtest: PIT histogram, reliability diagram, hedgehog of fans.

Each function takes an :class:`~lgsim.forecasting.engine_backtest.EngineBacktest` and
returns a :class:`matplotlib.figure.Figure` with Chinese labels; growth in percent.

* :func:`pit_histogram` — where each outcome fell in its forecast distribution (PIT); a
  calibrated forecaster gives a flat histogram, a too narrow one piles up at both ends;
* :func:`reliability_diagram` — for each nominal probability ``α``, the share of years
  that fell below the forecast's ``α`` quantile (a calibrated forecaster lies on the
  diagonal), with 95 % Wilson intervals; and, where targets are known, P(target met)
  against what happened;
* :func:`hedgehog_chart` — every past forecast as a fan from the last published year
  to the year forecast, against the published growth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...analysis import wilson
from .style import (
    BAND_INNER,
    BAND_OUTER,
    BLUE,
    GREY,
    _figure,
    _legend,
    _percent_axis,
    _style,
    _titles,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...forecasting.engine_backtest import EngineBacktest

#: Nominal probabilities of the reliability diagram.
LEVELS = np.round(np.arange(0.05, 0.96, 0.05), 2)
#: Colours of the engine and the random walk.
ENGINE, WALK = BLUE, "#e07b00"
VANTAGE_ZH = ("年初（提前一年）", "一季度数据公布后", "上半年数据公布后", "前三季度数据公布后")


def _footer(bt: EngineBacktest) -> str:
    quarter = (bt.vantage - 1) // 3
    return (f"{bt.area}，{len(bt.origins)}个年份；预测视角：{VANTAGE_ZH[quarter]}"
            f"（{bt.vantage}月末）；每年{bt.replications:,}次模拟；情景：{bt.scenario_file}")


def _pits(bt: EngineBacktest, who: str) -> np.ndarray:
    scores = [o.engine if who == "engine" else o.comparators[who] for o in bt.origins]
    return np.array([s.pit for s in scores], dtype=float)


def pit_histogram(bt: EngineBacktest) -> Figure:
    """Histogram of the engine's PIT values (and the random walk's), with the flat line.

    Returns
    -------
    matplotlib.figure.Figure
        Bars: years per PIT bin (five bins below 20 years, else ten); the dashed line is
        what a calibrated forecaster gives on average; the grey band its 95 % binomial
        range per bin.
    """
    from scipy.stats import binom

    n = len(bt.origins)
    bins = 5 if n < 20 else 10
    edges = np.linspace(0, 1, bins + 1)
    fig, ax = _figure(7.0, 4.2)
    _style(ax)
    width = 0.4 / bins
    for shift, who, colour, label in ((-1, "engine", ENGINE, "情景引擎"),
                                      (1, "random_walk", WALK, "随机游走（基准）")):
        counts, _ = np.histogram(_pits(bt, who), bins=edges)
        ax.bar(edges[:-1] + 0.5 / bins + shift * width / 2, counts, width=width, color=colour,
               label=label, alpha=0.9)
    lo, hi = binom.ppf([0.025, 0.975], n, 1 / bins)
    ax.axhspan(lo, hi, color="#eeeeee", zorder=0, label="校准良好时的95%范围")
    ax.axhline(n / bins, color=GREY, linestyle="--", linewidth=1.2, label="校准良好时的期望")
    ax.set_xticks(edges, [f"{e:.1f}" for e in edges])
    ax.set_xlabel("PIT值（实际增速在预测分布中的累计概率）")
    ax.set_ylabel("年份数")
    _legend(ax, loc="upper center", ncols=2)
    _titles(fig, ax, "PIT直方图：实际增速落在预测分布的什么位置",
            "平坦＝校准良好；两端堆积＝区间过窄；中间堆积＝区间过宽", _footer(bt))
    return fig


def reliability_diagram(bt: EngineBacktest) -> Figure:
    """Observed share below each forecast quantile against its nominal probability.

    Returns
    -------
    matplotlib.figure.Figure
        Left: for α = 5 %…95 %, the share of years whose growth fell below the
        forecast's α quantile (engine with 95 % Wilson intervals, random walk dashed);
        the diagonal is perfect calibration. Right, where targets are known: P(target
        met) against whether it was met; otherwise a note.
    """
    fig, (ax, ax2) = _figure(10.0, 4.4, ncols=2, width_ratios=(3, 2))
    _style(ax, grid="both")
    n = len(bt.origins)
    x = 100 * LEVELS
    for who, colour, label, style in (("engine", ENGINE, "情景引擎", "-"),
                                      ("random_walk", WALK, "随机游走（基准）", "--")):
        pits = _pits(bt, who)
        k = np.array([(pits <= a).sum() for a in LEVELS])
        ax.plot(x, 100 * k / n, style, color=colour, marker="o", markersize=3.5, label=label)
        if who == "engine":
            ci = np.array([wilson(int(kk), n) for kk in k])
            ax.fill_between(x, 100 * ci[:, 0], 100 * ci[:, 1], color=BAND_OUTER,
                            linewidth=0, label="情景引擎的95%置信区间（Wilson）")
    ax.plot([0, 100], [0, 100], color=GREY, linewidth=1, label="完全校准")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    _percent_axis(ax.xaxis, 0)
    _percent_axis(ax.yaxis, 0)
    ax.set_xlabel("名义概率α（预测分布的α分位数）")
    ax.set_ylabel("实际增速低于该分位数的年份占比")
    _legend(ax, loc="upper left")
    _target_panel(ax2, bt)
    _titles(fig, ax, "可靠性图：预测概率与实际频率", f"{n}个年份；样本很小，区间很宽",
            _footer(bt))
    return fig


def _target_panel(ax: object, bt: EngineBacktest) -> None:
    """P(target met) against the outcome, where the year's target is known."""
    known = [o for o in bt.origins if o.target is not None]
    _style(ax, grid="both")
    if not known:
        ax.text(0.5, 0.5, "数据中没有这些年份的增长目标：\n无法检验“达成目标的概率”",
                ha="center", va="center", transform=ax.transAxes, color=GREY, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    p = np.array([100 * o.engine.p_target for o in known])
    met = np.array([100.0 if o.met else 0.0 for o in known])
    ax.scatter(p, met, color=ENGINE, zorder=3, label="情景引擎")
    for o, px, my in zip(known, p, met, strict=True):
        ax.annotate(str(o.year), (px, my), xytext=(4, 4), textcoords="offset points",
                    fontsize=8)
    ax.plot([0, 100], [0, 100], color=GREY, linewidth=1)
    ax.set_xlim(-5, 105)
    ax.set_ylim(-10, 110)
    _percent_axis(ax.xaxis, 0)
    ax.set_yticks([0, 100], ["未达成", "达成"])
    ax.set_xlabel("预测的达成目标概率")
    ax.set_title("达成目标的概率与结果", fontsize=9.5, color=GREY, loc="left")


def hedgehog_chart(bt: EngineBacktest) -> Figure:
    """Every past forecast as a fan from the last published year, against the outcome.

    Returns
    -------
    matplotlib.figure.Figure
        The published growth (black line and dots; open dot: lower bound), and for each
        origin a fan from the last figure before it to the forecast year: 95 % (light)
        and 80 % (dark) bands of the engine's forecast, its median, and the year-to-date
        figures it was conditioned on (diamonds).
    """
    fig, ax = _figure(8.5, 4.8)
    _style(ax)
    history = dict(bt.history) or {o.year: o.realised for o in bt.origins}
    first = min(o.year - o.steps for o in bt.origins)
    years = [y for y in range(first, max(history) + 1)]
    ax.axhline(0, color=GREY, linewidth=0.8)
    shown = False
    for i, o in enumerate(bt.origins):
        x0 = o.year - o.steps
        y0 = 100 * history.get(x0, o.forecast)
        q = {k: 100 * v for k, v in o.engine.quantiles.items()}
        for lo, hi, colour in (("q02.5", "q97.5", BAND_OUTER), ("q10", "q90", BAND_INNER)):
            ax.fill([x0, o.year, o.year], [y0, q[lo], q[hi]], color=colour, linewidth=0,
                    alpha=0.8, label=(None if i else
                                      ("95%预测区间" if lo == "q02.5" else "80%预测区间")))
        ax.plot([x0, o.year], [y0, q["q50"]], color=BLUE, linewidth=1.4,
                label=None if i else "预测中位数")
        for f in o.figures:
            ax.plot(o.year - 1 + f.month / 12, 100 * f.value, "D", color="#222222",
                    markersize=4, label=None if shown else "已公布的累计增速（条件）")
            shown = True
    xs = [y for y in sorted(history) if y >= first]
    ax.plot(xs, [100 * history[y] for y in xs], color="black", linewidth=1.5, marker="o",
            markersize=5, zorder=5, label="实际增速（公布值）")
    lb = [o for o in bt.origins if o.lower_bound]
    ax.plot([o.year for o in lb], [100 * o.realised for o in lb], "o", mfc="white",
            mec="black", markersize=6, zorder=6, label="下限值（“以上”）" if lb else None)
    ax.set_xticks(years, [str(y) for y in years])
    _percent_axis(ax.yaxis)
    ax.set_ylabel("地区生产总值增速（%，可比价）")
    _legend(ax, loc="lower left")
    covered = sum(bool(o.engine.covered80) for o in bt.origins)
    _titles(fig, ax, "往年预测与实际增速（刺猬图）",
            f"80%预测区间覆盖了{len(bt.origins)}年中的{covered}年", _footer(bt))
    ax.tick_params(axis="x", labelsize=8.5)
    return fig


def evidence_figures(bt: EngineBacktest) -> dict[str, Figure]:
    """The three charts by file stem: ``pit_histogram``, ``reliability``, ``hedgehog``."""
    return {"pit_histogram": pit_histogram(bt), "reliability": reliability_diagram(bt),
            "hedgehog": hedgehog_chart(bt)}
