"""Charts for analysts, in Chinese: each function takes results and returns a Figure.

The same functions serve the CLI (``run --plots``), the HTML report and notebooks. They
build a :class:`matplotlib.figure.Figure` directly (no :mod:`matplotlib.pyplot`, so no
GUI backend and no global figure list: nothing to close, and the Agg canvas is used when
the figure is saved). matplotlib is imported inside the functions, so ``import lgsim``
stays light. The bundled CJK font is registered at plot time
(:func:`lgsim.fonts.register_cjk_font`); no system font is needed.

Units on the charts: growth and probabilities in percent (the results hold fractions),
contributions in percentage points (百分点), money in 亿元 (nominal, as the results hold
investment).

Examples
--------
>>> import lgsim
>>> from lgsim import plots
>>> r = lgsim.run("scenarios/base.toml", replications=500)   # doctest: +SKIP
>>> plots.fan_chart(r).savefig("fan.png")                    # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import Results
    from .scenario.model import Target

__all__ = [
    "FIGURES",
    "contributions_chart",
    "distribution_overlay",
    "fan_chart",
    "fan_overlay",
    "figure_bytes",
    "growth_difference_chart",
    "growth_distribution",
    "investment_chart",
    "rule_zh",
    "run_figures",
    "save_figures",
    "sector_growth_chart",
    "start_dates_chart",
    "street_growth_chart",
]

# Colours: one blue family for the simulated distribution, red for the target.
BLUE = "#1f5fa8"
BAND_OUTER = "#cfe0f3"
BAND_INNER = "#8db6e3"
RED = "#c0392b"
MISS = "#f6d5d1"
GREY = "#5f6368"
LIGHT_GREY = "#d9d9d9"
#: Line colours of groups and compared scenarios (colour-blind friendly order).
CYCLE = ("#1f5fa8", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b", "#00838f", "#7f6000")
KIND_COLOURS = {
    "organic": "#1f5fa8",
    "batch": "#2e8b57",
    "project": "#2e8b57",
    "pipeline": "#8fbc8f",
    "shock": "#c0392b",
}
KIND_NAMES = {
    "organic": "自然增长（不含所列项目）",
    "batch": "项目批次",
    "project": "单个项目",
    "pipeline": "已签约待落地项目",
    "shock": "冲击",
}
#: Default resolution for PNG files, dots per inch (small files, sharp enough on screen).
DPI = 100


# ---------------------------------------------------------------------- text helpers
def _num(x: float, spec: str = ".1f") -> str:
    """Format a number with a true minus sign (U+2212), as the axis ticks show it."""
    return format(x, spec).replace("-", "\u2212")


def _pct(x: float, digits: int = 1) -> str:
    """A fraction as percent text (``0.252`` → ``"25.2%"``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return _num(100 * x, f".{digits}f") + "%"


def _target_pct(target: float) -> str:
    """A target fraction as short percent text (``0.06`` → ``"6%"``, ``0.055`` → ``"5.5%"``)."""
    return f"{round(100 * target, 6):g}%"


def rule_zh(target: Target) -> str:
    """The target rule in Chinese, for chart notes.

    Parameters
    ----------
    target : Target
        The scenario's target (fractions).

    Returns
    -------
    str
        E.g. ``"增速四舍五入保留1位小数后 ≥ 6.0%"``.
    """
    bar = target.gdp_growth - target.tolerance
    if target.decimals is not None:
        d = target.decimals
        text = f"增速四舍五入保留{d}位小数后 ≥ {100 * bar:.{d}f}%"
    else:
        text = f"增速 ≥ {round(100 * bar, 6):g}%"
    if target.tolerance:
        text += (
            f"（目标{_target_pct(target.gdp_growth)}，"
            f"容差{round(100 * target.tolerance, 6):g}个百分点）"
        )
    return text


def threshold(target: Target) -> float:
    """The lowest growth (fraction) that meets the target under its rule.

    With ``decimals = d`` the published figure is rounded half up, so growth from
    ``round(100 × bar, d) − 0.5 × 10^−d`` percent counts as met.
    """
    bar = target.gdp_growth - target.tolerance
    if target.decimals is None:
        return bar
    scale = 10.0**target.decimals
    return (math.floor(100 * bar * scale + 0.5 + 1e-9) - 0.5) / scale / 100


def _plain(text: str) -> str:
    """Escape ``$`` so matplotlib never reads a scenario's text as mathtext (idempotent)."""
    return re.sub(r"(?<!\\)\$", r"\\$", str(text))


def _short(text: str, width: int = 18) -> str:
    """Shorten a long Chinese name for a label (``…`` at the end); ``$`` escaped."""
    text = str(text)
    return _plain(text if len(text) <= width else text[: width - 1] + "…")


def _wrap(text: str, width: int = 14, lines: int = 2) -> str:
    """Break a Chinese label into at most ``lines`` lines of ``width`` characters."""
    text = str(text)
    parts = [text[i:i + width] for i in range(0, len(text), width)] or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:-1] + "…"
    return _plain("\n".join(parts))


def _footer(results: Results) -> str:
    return (
        f"{_plain(results.scenario.title)}（{results.scenario.name}）· 模拟 {results.n:,} 次 · "
        f"种子 {results.seed} · lgsim {results.ds.attrs.get('lgsim_version', '')}"
    )


def _p_title(results: Results) -> str:
    """``达到6%目标的概率约25%`` for titles."""
    p = results.p_target()
    return (
        f"达到{_target_pct(results.scenario.target.gdp_growth)}目标的概率约"
        f"{100 * p.estimate:.0f}%"
    )


def _p_detail(results: Results) -> str:
    p = results.p_target()
    return (
        f"达标概率 {_pct(p.estimate)}（模拟精度95%区间 {_pct(p.low)}–{_pct(p.high)}，"
        f"不含假设本身的不确定性）\n判定：{rule_zh(results.scenario.target)}"
    )


# ---------------------------------------------------------------------- figure helpers
def _figure(width: float = 8.0, height: float = 4.8, **subplots: Any) -> tuple[Figure, Any]:
    """A constrained-layout Figure with the CJK font registered, and its axes."""
    from matplotlib.figure import Figure

    from .fonts import register_cjk_font

    register_cjk_font()
    _enable_notebook_display()
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(**subplots) if subplots else fig.subplots()
    return fig, axes


def _enable_notebook_display() -> None:
    """In a Jupyter kernel, show returned Figures as PNG even if pyplot is not set up.

    The charts are plain :class:`~matplotlib.figure.Figure` objects (no pyplot), which
    IPython displays only once an inline backend has registered them. If it has not, a
    PNG printer is registered with IPython's public ``for_type`` API; nothing happens
    outside IPython.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, lambda fig: figure_bytes(fig, "png"))


def _style(ax: Axes, grid: str = "y") -> None:
    """Quiet axes: no top/right spines, light grid behind the data."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GREY)
    ax.tick_params(colors="#333333", labelsize=9)
    if grid:
        ax.grid(axis=grid, color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str = "", footer: str = "") -> None:
    """Main title (figure, left), subtitle (above the axes, grey), footer (bottom, small)."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=13.5)
    if subtitle:
        ax.set_title(subtitle, loc="left", fontsize=9.5, color=GREY, pad=8)
    if footer:
        _footer_text(fig, footer)


def _footer_text(fig: Figure, text: str) -> None:
    """Small grey provenance line at the bottom left, outside the constrained layout."""
    height = fig.get_figheight()
    margin = 0.24 / height
    fig.get_layout_engine().set(rect=(0, margin, 1, 1 - margin))
    fig.text(0.01, 0.06 / height, text, ha="left", va="bottom", fontsize=7.5, color="#808080")


def _percent_axis(axis: Any, decimals: int | None = None) -> None:
    """Tick labels ``5%``, ``2.5%``, ``−1%`` on data already in percent."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v: float, _pos: int | None) -> str:
        text = f"{v:.{decimals}f}" if decimals is not None else f"{v:.2f}".rstrip("0").rstrip(".")
        return ("0" if text in ("-0", "") else text).replace("-", "\u2212") + "%"

    axis.set_major_formatter(FuncFormatter(fmt))


def _horizon_axis(ax: Axes, first_month: int, last_month: int, base_year: int) -> None:
    """Model-time x axis with a tick at the end of each quarter (``6月``, ``12月`` + year).

    ``x = k`` is the start of model month ``k``; a value plotted at ``k + 1`` is as of
    the end of month ``k``.
    """
    ticks, labels = [], []
    for k in range(first_month, last_month):
        month = k % 12 + 1
        if month % 3 == 0:
            ticks.append(k + 1)
            year = base_year + 1 + k // 12
            labels.append(f"{month}月\n{year}年" if month == 12 else f"{month}月")
    ax.set_xticks(ticks, labels)
    ax.set_xlim(first_month, last_month)
    for k in range(first_month, last_month + 1, 12):
        if k > first_month:
            ax.axvline(k, color=LIGHT_GREY, linewidth=0.8, zorder=0)


def _legend(ax: Axes, **kwargs: Any) -> None:
    options = {"fontsize": 8.5, "frameon": False}
    options.update(kwargs)
    ax.legend(**options)


def _legend_below(fig: Figure, ax: Axes, ncols: int = 4, offset: float = 0.46) -> None:
    """The axes' legend centred under the x label, ``offset`` inches below the axes.

    Attached to the axes, so constrained layout makes room for it.
    """
    from matplotlib.transforms import ScaledTranslation

    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, fontsize=8.5,
        frameon=False,
        bbox_transform=ax.transAxes + ScaledTranslation(0, -offset, fig.dpi_scale_trans),
    )


# ---------------------------------------------------------------------- run charts
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
        the target year in the title.
    """
    r = results
    year = year or r.target_year
    ytd = 100 * r.ds["ytd_growth"].sel(year=year).values  # (replication, month), percent
    q = np.quantile(ytd, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0, method="linear")
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
               label=f"目标 {_target_pct(r.scenario.target.gdp_growth)}")
    ax.annotate(
        f"目标 {_target_pct(r.scenario.target.gdp_growth)}", xy=(1, target),
        xycoords=("axes fraction", "data"), xytext=(-4, 4), textcoords="offset points",
        ha="right", va="bottom", color=RED, fontsize=9.5,
    )
    ax.annotate(
        f"全年中位数 {_num(q[2][-1])}%", xy=(months[-1], q[2][-1]), xytext=(-6, -14),
        textcoords="offset points", ha="right", va="top", color=BLUE, fontsize=9,
    )
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xticks(months, ["1月"] + [f"1-{m}月" for m in months[1:]])
    ax.set_xlim(months[0] - 0.3, months[-1] + 0.3)
    _percent_axis(ax.yaxis)
    ax.set_ylabel("地区生产总值累计增速（%，可比价）")
    ax.set_xlabel(f"{year}年累计期间")
    _legend_below(fig, ax)
    title = f"{year}年地区生产总值累计增速"
    if year == r.target_year:
        title += f"：{_p_title(r)}"
    _titles(fig, ax, title, _p_detail(r) if year == r.target_year else "", _footer(r))
    return fig


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
    cut = 100 * threshold(t)
    edges = _edges_through(g, cut)

    fig, ax = _figure(8.0, 4.6)
    _style(ax)
    weights = np.full(g.shape, 100.0 / g.size)
    ax.axvspan(min(edges[0], cut), cut, color=MISS, alpha=0.45, linewidth=0, zorder=0)
    ax.hist(g[~met], bins=edges, weights=weights[~met], color="#e3968c",
            edgecolor="white", linewidth=0.5, label="未达到目标")
    ax.hist(g[met], bins=edges, weights=weights[met], color=BLUE, edgecolor="white",
            linewidth=0.5, label="达到目标")
    ax.axvline(100 * t.gdp_growth, color=RED, linestyle="--", linewidth=1.4)
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.18)
    ax.text(100 * t.gdp_growth, top * 1.13, f" 目标 {_target_pct(t.gdp_growth)}", color=RED,
            fontsize=9.5, va="top", ha="left")
    ax.text(0.02, 0.97, f"未达到目标\n{_pct(1 - met.mean())}", transform=ax.transAxes,
            ha="left", va="top", color=RED, fontsize=11)
    ax.text(0.98, 0.97, f"达到目标\n{_pct(met.mean())}", transform=ax.transAxes,
            ha="right", va="top", color=BLUE, fontsize=11)
    q = np.quantile(g, [0.1, 0.5, 0.9], method="linear")
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


def investment_chart(results: Results, year: int | None = None) -> Figure:
    """Cumulative investment of each group against its annual plan (S-curve bands), 亿元.

    Parameters
    ----------
    results : Results
        A run.
    year : int, optional
        The plan year (default: the target year); cumulation starts on 1 January of it.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per group (batch, single project, pipeline entry): P10–P90 and
        P25–P75 bands and the median of cumulative investment from 1 January of the
        year to the end of the horizon (亿元, nominal), the year's plan as a red line
        with the share of replications that reach it.
    """
    r = results
    year = year or r.target_year
    ds = r.ds
    base = int(ds.attrs["base_year"])
    first = 12 * (year - base - 1)
    monthly = ds["investment_monthly"].values[:, first:, :]  # (rep, month, group)
    n_months = monthly.shape[1]
    cum = np.cumsum(monthly, axis=1)
    plan_table = r.investment_vs_plan(year)
    groups = [str(g) for g in ds["group"].values]
    names = [str(g) for g in ds["group_name"].values]
    kinds = [str(k) for k in ds["group_kind"].values]
    inv_year = ds["investment"].sel(year=year).values
    member_group = ds["project_group"].values
    k = len(groups)
    ncols = 1 if k == 1 else 2
    nrows = max(1, math.ceil(k / ncols))
    fig, axes = _figure(9.0 if ncols == 2 else 8.0, 1.3 + 2.9 * nrows, nrows=nrows,
                        ncols=ncols, squeeze=False)
    x = np.arange(1, n_months + 1) + first
    for i in range(nrows * ncols):
        ax = axes.flat[i]
        if i >= k:
            ax.set_visible(False)
            continue
        _style(ax)
        c = cum[:, :, i]
        q = np.quantile(c, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0, method="linear")
        ax.fill_between(x, q[0], q[4], color=BAND_OUTER, linewidth=0, label="P10–P90")
        ax.fill_between(x, q[1], q[3], color=BAND_INNER, linewidth=0, label="P25–P75")
        ax.plot(x, q[2], color=BLUE, linewidth=1.8, label="中位数")
        ax.plot(x, c.mean(axis=0), color=GREY, linewidth=1.1, linestyle=":", label="平均值")
        _horizon_axis(ax, first, first + n_months, base)
        for tick in ax.get_xticklabels():
            tick.set_fontsize(7.5)
        plan = (float(plan_table.loc[groups[i], "plan"]) if groups[i] in plan_table.index
                else math.nan)
        year_end = first + 12
        in_year = inv_year[:, member_group == groups[i]].sum(axis=1)
        med = float(np.median(in_year))
        if not math.isnan(plan):
            ax.hlines(plan, first, year_end, color=RED, linestyle="--", linewidth=1.4,
                      label=f"{year}年计划")
            ax.plot([year_end], [plan], marker="D", color=RED, markersize=5)
            share = float(np.mean(in_year >= plan - 1e-9))
            note = (f"{year}年计划 {plan:.1f}亿元\n模拟中位数 {med:.1f}亿元"
                    f"\n完成计划的概率 {100 * share:.0f}%")
        elif kinds[i] == "pipeline":
            started = float(np.mean(c[:, -1] > 0))
            note = (f"已签约、尚未落地\n{year}年投资均值 {in_year.mean():.1f}亿元"
                    f"\n模拟期内开工的概率 {100 * started:.0f}%")
        else:
            note = f"{year}年无年度计划\n{year}年投资中位数 {med:.1f}亿元"
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", ha="left", fontsize=8.5,
                color="#333333", bbox={"facecolor": "white", "edgecolor": "none",
                                      "alpha": 0.8, "pad": 1.5})
        ax.set_title(f"{_short(names[i], 24)}", loc="left", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("累计投资（亿元）", fontsize=9)
        if i == 0:
            _legend(ax, loc="lower right", fontsize=7.5)
    fig.suptitle(f"项目累计完成投资与{year}年度计划（亿元，现价）", x=0.01, ha="left",
                 fontsize=13.5)
    last_year = base + (first + n_months) // 12
    _footer_text(fig, f"{_footer(r)} · 自{year}年1月1日起累计至{last_year}年末")
    return fig


def start_dates_chart(results: Results) -> Figure:
    """When projects actually start: share of each group's projects started, by month.

    Parameters
    ----------
    results : Results
        A run.

    Returns
    -------
    matplotlib.figure.Figure
        For each group, the mean share of its projects started by each date (percent,
        a cumulative distribution over the horizon; projects that never start in the
        horizon keep it below 100%), a P10–P90 band across replications for batches,
        and the planned start as a triangle on the x axis.
    """
    r = results
    ds = r.ds
    base = int(ds.attrs["base_year"])
    n_months = int(ds.sizes["month_index"])
    start = ds["start_month"].values  # (rep, project)
    member_group = ds["project_group"].values
    groups = [str(g) for g in ds["group"].values]
    names = [str(g) for g in ds["group_name"].values]
    planned = _planned_starts(r)
    grid = np.linspace(0, n_months, 4 * n_months + 1)
    first = int(max(0, math.floor(min(
        [p for p in planned.values() if p is not None] + [float(np.nanmin(start))]
        if np.isfinite(start).any() else [0.0]
    ) / 3) * 3 - 3))

    fig, ax = _figure(8.5, 4.8)
    _style(ax)
    for i, gid in enumerate(groups):
        colour = CYCLE[i % len(CYCLE)]
        s = start[:, member_group == gid]  # (rep, members)
        started = np.where(np.isnan(s), np.inf, s)
        shares = (started[:, :, None] <= grid[None, None, :]).mean(axis=1)  # (rep, grid)
        mean = 100 * shares.mean(axis=0)
        members = s.shape[1]
        median = float(np.nanmedian(s)) if np.isfinite(s).any() else math.nan
        label = f"{_short(names[i], 16)}（{members}个）"
        if not math.isnan(median):
            label += f"，开工中位 {_month_text(median, base)}"
        ax.plot(grid, mean, color=colour, linewidth=2, label=label)
        if members > 1:
            q = np.quantile(100 * shares, [0.1, 0.9], axis=0, method="linear")
            ax.fill_between(grid, q[0], q[1], color=colour, alpha=0.15, linewidth=0)
        if planned.get(gid) is not None:
            ax.plot([planned[gid]], [0], marker="^", color=colour, markersize=9,
                    clip_on=False, zorder=5)
    _horizon_axis(ax, first, n_months, base)
    ax.set_ylim(0, 102)
    _percent_axis(ax.yaxis, decimals=0)
    ax.set_ylabel("已开工项目占比（%）")
    _legend(ax, loc="lower right")
    _titles(
        fig, ax, "项目实际开工时间：各批次累计开工比例",
        "曲线为各次模拟的平均开工比例，阴影为P10–P90；▲为计划开工日期；"
        "未在模拟期内开工的项目使曲线停在100%以下",
        _footer(r),
    )
    return fig


def _month_text(model_month: float, base_year: int) -> str:
    k = math.floor(model_month)
    return f"{base_year + 1 + k // 12}年{k % 12 + 1}月"


def _planned_starts(results: Results) -> dict[str, float | None]:
    sc = results.scenario
    out: dict[str, float | None] = {p.id: p.planned_start for p in sc.projects}
    out.update({b.id: b.template.planned_start for b in sc.batches})
    out.update({p.id: None for p in sc.pipelines})
    return out


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
            ax.annotate(f"目标{_target_pct(targets[ident])}", xy=(tx, yi), xytext=(0, 9),
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


# ---------------------------------------------------------------------- comparisons
def _labels(results: Sequence[Results], labels: Sequence[str] | None) -> list[str]:
    if labels is not None:
        return [str(x) for x in labels]
    return [_short(x.scenario.title, 26) for x in results]


def fan_overlay(results: Sequence[Results], labels: Sequence[str] | None = None) -> Figure:
    """Year-to-date growth of several scenarios: medians and P25–P75 bands overlaid.

    Parameters
    ----------
    results : sequence of Results
        Runs of the same target year (e.g. a :class:`lgsim.comparison.Comparison`'s).
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
        q = np.quantile(ytd, [0.25, 0.5, 0.75], axis=0, method="linear")
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
        ax.annotate(f"目标 {_target_pct(t)}", xy=(1, 100 * t), xycoords=("axes fraction", "data"),
                    xytext=(-4, 4), textcoords="offset points", ha="right", color=RED,
                    fontsize=9.5)
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xticks(months, ["1月"] + [f"1-{m}月" for m in months[1:]])
    ax.set_xlim(months[0] - 0.3, months[-1] + 0.3)
    _percent_axis(ax.yaxis)
    ax.set_ylabel("地区生产总值累计增速（%，可比价）")
    ax.set_xlabel(f"{year}年累计期间")
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
    cut = 100 * threshold(t)
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
        ax.hist(g, bins=edges, weights=np.full(g.shape, 100.0 / g.size), histtype="step",
                color=colour, linewidth=1.8)
        xs = np.sort(g)
        exceed = 100 * (1 - np.arange(xs.size) / xs.size)  # share with growth >= xs[k]
        ax2.step(xs, exceed, where="post", color=colour, linewidth=1.8)
        ax2.plot([cut], [100 * p], marker="o", color=colour, markersize=5, zorder=5)
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.15)
    ax.text(100 * t.gdp_growth, top * 1.12, f" 目标 {_target_pct(t.gdp_growth)}", color=RED,
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


def _offset(fig: Figure, inches: float) -> Any:
    """A transform moving ``inches`` down (for legends under an axes)."""
    from matplotlib.transforms import ScaledTranslation

    return ScaledTranslation(0, -inches, fig.dpi_scale_trans)


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
    from .comparison import difference

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
        q = np.quantile(e, [0.1, 0.25, 0.5, 0.75, 0.9], method="linear")
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


# ---------------------------------------------------------------------- files
#: The charts of a run: file stem → function of Results (see :func:`run_figures`).
FIGURES: dict[str, Callable[[Results], Figure]] = {
    "fan": fan_chart,
    "growth_distribution": growth_distribution,
    "contributions_sector": lambda r: contributions_chart(r, "sector"),
    "contributions_component": lambda r: contributions_chart(r, "component"),
    "investment": investment_chart,
    "start_dates": start_dates_chart,
    "sector_growth": sector_growth_chart,
    "street_growth": street_growth_chart,
}


def run_figures(results: Results) -> dict[str, Figure]:
    """Every chart that applies to a run, keyed by file stem.

    Sub-target charts are included only when the scenario sets sector or street
    targets; investment and start-date charts only when it lists projects.
    """
    sc = results.scenario
    out: dict[str, Figure] = {}
    has_groups = int(results.ds.sizes.get("group", 0)) > 0
    for stem, make in FIGURES.items():
        if stem in ("investment", "start_dates") and not has_groups:
            continue
        if stem == "sector_growth" and not sc.target.sectors:
            continue
        if stem == "street_growth" and not sc.target.streets:
            continue
        out[stem] = make(results)
    return out


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = DPI) -> bytes:
    """Render a figure to PNG or SVG bytes (SVG text is drawn as paths: no font needed)."""
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return buf.getvalue()


def save_figures(
    figures: dict[str, Figure], out: str | Path, formats: Sequence[str] = ("png",)
) -> list[Path]:
    """Write figures atomically as ``<out>/<stem>.<fmt>``; return the paths written."""
    from .fileio import write_bytes

    out = Path(out)
    paths = []
    for stem, fig in figures.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            write_bytes(path, figure_bytes(fig, fmt))
            paths.append(path)
    return paths
