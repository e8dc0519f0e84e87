"""Charts of a monthly track: P(target met) by month with the releases, and one month's news.

Probabilities in percent; the news in percentage points (百分点).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..._format import target_pct
from .style import (
    BAND_OUTER,
    BLUE,
    GREY,
    LIGHT_GREY,
    RED,
    _figure,
    _num,
    _pct,
    _percent_axis,
    _short,
    _style,
    _titles,
    rule_zh,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...studies.track import MonthState, Track

GREEN = "#2e8b57"


def _footer(t: Track) -> str:
    from ..._version import __version__

    sc = t.scenario
    return (f"{sc.title}（{sc.name}）· 模拟 {t.replications:,} 次 · 种子 {t.seed} · "
            f"lgsim {__version__}")


def track_chart(t: Track) -> Figure:
    """P(target met) at the end of each month, with its interval and the releases marked.

    Returns
    -------
    matplotlib.figure.Figure
        The line of P(met) (percent) by month from the state before the first month, the
        95% simulation-precision band, a marker and label on each month with new
        releases (what came out), hollow markers on months that only repeat.
    """
    states = [t.opening, *t.months]
    x = np.arange(len(states))
    p = np.array([100 * m.stats.p.estimate for m in states])
    lo = np.array([100 * m.stats.p.low for m in states])
    hi = np.array([100 * m.stats.p.high for m in states])
    fig, ax = _figure(8.6, 5.0)
    _style(ax)
    ax.fill_between(x, lo, hi, color=BAND_OUTER, step=None, label="模拟精度95%区间")
    ax.plot(x, p, color=BLUE, linewidth=2.0, label="达标概率")
    row = 0
    for i, m in enumerate(states):
        filled = i == 0 or bool(m.news)
        ax.plot(x[i], p[i], "o", color=BLUE, markerfacecolor=BLUE if filled else "white",
                markersize=6, zorder=3)
        if not m.news:
            row = 0
            continue
        text = "\n".join(_short(n.release.short, 14) for n in m.news[:4])
        if len(m.news) > 4:
            text += f"\n等{len(m.news)}项"
        # labels hang from the top of the axes, alternating rows for neighbouring months
        ax.text(x[i] + 0.05, 0.98 - 0.3 * (row % 2), text, transform=ax.get_xaxis_transform(),
                fontsize=7.5, color=GREY, va="top", ha="left")
        ax.axvline(x[i], color=LIGHT_GREY, linewidth=0.8, zorder=0)
        row += 1
    ax.set_xticks(x, ["期初"] + [f"{m.month}月" for m in t.months])
    ax.set_xlim(-0.4, len(states) - 0.4)
    top = max(float(hi.max()), 5.0)
    ax.set_ylim(0, min(100.0, top * 1.8))
    _percent_axis(ax.yaxis)
    ax.set_ylabel("达标概率")
    ax.set_xlabel(f"截至当月月底已公布的数据（{t.months[0].year}年）")
    ax.legend(fontsize=8.5, frameon=False, loc="center right")
    sc = t.scenario
    _titles(fig, ax, f"逐月跟踪：{sc.target_year}年GDP增长{target_pct(sc.target.gdp_growth)}"
            "目标的达标概率",
            f"每月以当月月底前公布的全部数据为条件（空心点：当月无新数据，沿用上月）。"
            f"判定：{rule_zh(sc.target)}", _footer(t))
    return fig


def news_month(t: Track, month: str | None = None) -> MonthState | None:
    """The month whose news to draw: ``month`` (``YYYY-MM``) or the one that moved most."""
    with_news = [m for m in t.months if m.news]
    if month is not None:
        return next((m for m in t.months if m.label == month), None)
    if not with_news:
        return None
    return max(with_news, key=lambda m: sum(abs(n.d_p) for n in m.news))


def news_chart(t: Track, month: str | None = None) -> Figure | None:
    """A waterfall of one month's news: P(met) before, each release's change, after.

    Returns None when the month has no release. Bars in percent (levels) and percentage
    points (changes): green up, red down, in the order the news was computed.
    """
    m = news_month(t, month)
    if m is None or not m.news:
        return None
    before = 100 * m.news[0].p_before
    steps = [100 * n.d_p for n in m.news]
    labels = ["上月底"] + [_short(n.release.short, 14) for n in m.news] + [f"{m.month}月底"]
    fig, ax = _figure(8.6, 4.6 + 0.1 * len(steps))
    _style(ax)
    level = before
    ax.bar(0, before, color=BLUE, width=0.6)
    ax.text(0, before, _pct(before / 100), ha="center", va="bottom", fontsize=8.5)
    for i, d in enumerate(steps, start=1):
        ax.bar(i, d, bottom=level, color=GREEN if d >= 0 else RED, width=0.6)
        ax.text(i, max(level, level + d), f"{_num(d, '+.2f')}", ha="center", va="bottom",
                fontsize=8.5)
        level += d
    end = 100 * m.stats.p.estimate
    ax.bar(len(steps) + 1, end, color=BLUE, width=0.6)
    ax.text(len(steps) + 1, end, _pct(end / 100), ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.18 * max(before, end, *(100 * n.p_after for n in m.news)))
    _percent_axis(ax.yaxis)
    ax.set_ylabel("达标概率（变化为百分点）")
    order = "按公布先后依次加入" if t.news_order == "publication" else "Shapley 分解"
    _titles(fig, ax, f"{m.year}年{m.month}月的新数据如何改变达标概率",
            f"各项之和等于当月变化（{order}；同一组模拟，无模拟噪声）", _footer(t))
    return fig


def track_figures(t: Track, month: str | None = None) -> dict[str, Figure]:
    """The track's charts by file stem: ``track`` and, when a month has news, ``news``."""
    out = {"track": track_chart(t)}
    waterfall = news_chart(t, month)
    if waterfall is not None:
        out["news"] = waterfall
    return out
