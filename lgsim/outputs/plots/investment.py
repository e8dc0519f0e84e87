"""Charts of the listed projects: cumulative investment against plan, and start dates.

Money in 亿元 (nominal, as the results hold investment); time on the model's monthly
axis with a tick at the end of each quarter.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ...analysis import weighted_mean, weighted_quantile
from .style import (
    BAND_INNER,
    BAND_OUTER,
    BLUE,
    CYCLE,
    GREY,
    RED,
    _figure,
    _footer,
    _footer_text,
    _horizon_axis,
    _legend,
    _percent_axis,
    _short,
    _style,
    _titles,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...results import Results


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
        q = results.quantile_array(c, (0.1, 0.25, 0.5, 0.75, 0.9))
        ax.fill_between(x, q[0], q[4], color=BAND_OUTER, linewidth=0, label="P10–P90")
        ax.fill_between(x, q[1], q[3], color=BAND_INNER, linewidth=0, label="P25–P75")
        ax.plot(x, q[2], color=BLUE, linewidth=1.8, label="中位数")
        ax.plot(x, weighted_mean(c, results.weights), color=GREY, linewidth=1.1, linestyle=":",
                label="平均值")
        _horizon_axis(ax, first, first + n_months, base)
        for tick in ax.get_xticklabels():
            tick.set_fontsize(7.5)
        plan = (float(plan_table.loc[groups[i], "plan"]) if groups[i] in plan_table.index
                else math.nan)
        year_end = first + 12
        in_year = inv_year[:, member_group == groups[i]].sum(axis=1)
        med = float(results.quantile_array(in_year, (0.5,))[0])
        if not math.isnan(plan):
            ax.hlines(plan, first, year_end, color=RED, linestyle="--", linewidth=1.4,
                      label=f"{year}年计划")
            ax.plot([year_end], [plan], marker="D", color=RED, markersize=5)
            share = float(weighted_mean(in_year >= plan - 1e-9, results.weights))
            note = (f"{year}年计划 {plan:.1f}亿元\n模拟中位数 {med:.1f}亿元"
                    f"\n完成计划的概率 {100 * share:.0f}%")
        elif kinds[i] == "pipeline":
            started = float(weighted_mean(c[:, -1] > 0, results.weights))
            mean_in_year = float(weighted_mean(in_year, results.weights))
            note = (f"已签约、尚未落地\n{year}年投资均值 {mean_in_year:.1f}亿元"
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
        mean = 100 * weighted_mean(shares, results.weights)
        members = s.shape[1]
        median = _median_start(s, results.weights)
        label = f"{_short(names[i], 16)}（{members}个）"
        if not math.isnan(median):
            label += f"，开工中位 {_month_text(median, base)}"
        ax.plot(grid, mean, color=colour, linewidth=2, label=label)
        if members > 1:
            q = results.quantile_array(100 * shares, (0.1, 0.9))
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


def _median_start(start: np.ndarray, weights: np.ndarray | None) -> float:
    """Median start month of the members that start (weighted by replication), or NaN."""
    ok = np.isfinite(start)
    if not ok.any():
        return math.nan
    if weights is None:
        return float(np.median(start[ok]))
    w = np.broadcast_to(weights[:, None], start.shape)[ok]
    return float(weighted_quantile(start[ok], np.array([0.5]), w)[0])


def _month_text(model_month: float, base_year: int) -> str:
    k = math.floor(model_month)
    return f"{base_year + 1 + k // 12}年{k % 12 + 1}月"


def _planned_starts(results: Results) -> dict[str, float | None]:
    sc = results.scenario
    out: dict[str, float | None] = {p.id: p.planned_start for p in sc.projects}
    out.update({b.id: b.template.planned_start for b in sc.batches})
    out.update({p.id: None for p in sc.pipelines})
    return out


#: Panel titles of the FAI chart.
_FAI_NAMES = {"fai": "固定资产投资", "industrial_fai": "工业投资"}


def fai_chart(results: Results, year: int | None = None) -> Figure:
    """Year-to-date growth of district FAI (and industrial investment) by month.

    Parameters
    ----------
    results : Results
        A run whose scenario models FAI (``[economy] fai_growth``).
    year : int, optional
        The year (default: the target year).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per modelled quantity: P10–P90 band and median of year-to-date
        nominal growth (percent) through months 1–12, the published figures the run is
        conditioned on (±1.96 sd), the full-year growth a level target needs and
        P(target met) in the panel title.
    """
    r = results
    year = year or r.target_year
    quantities = [q for q in ("fai", "industrial_fai") if q in r.ds]
    fig, axes = _figure(8.0, 3.9 * len(quantities), nrows=len(quantities), squeeze=False)
    months = r.ds["month"].values
    probs = r.p_investment(year) if year in (r.scenario.targets or {}) else {}
    for ax, quantity in zip(axes[:, 0], quantities, strict=True):
        _style(ax)
        ytd = 100 * r.ds[f"{quantity}_ytd_growth"].sel(year=year).values
        q = r.quantile_array(ytd, (0.1, 0.5, 0.9))
        ax.fill_between(months, q[0], q[2], color=BAND_OUTER, linewidth=0,
                        label="10%–90%分位区间")
        ax.plot(months, q[1], color=BLUE, linewidth=2.0, marker="o", markersize=3,
                label="中位数")
        level = r.target_of(year).investment_goals() if probs else []
        for qty, kind, value in level:
            if qty != quantity:
                continue
            before = float(weighted_mean(r.ds[quantity].sel(year=year - 1).values, r.weights))
            need = 100 * (value / before - 1.0) if kind == "level" else 100 * value
            ax.axhline(need, color=RED, linestyle="--", linewidth=1.2,
                       label=(f"目标 {value:,.0f}亿元所需全年增速 {need:.1f}%" if kind == "level"
                              else f"目标增速 {need:.1f}%"))
        figs = [o for o in r.scenario.actuals
                if o.quantity == quantity and o.year == year and o.informative]
        if figs:
            ax.errorbar([o.month for o in figs], [100 * o.value for o in figs],
                        yerr=[1.96 * 100 * o.sd for o in figs], fmt="D", color="#222222",
                        markersize=5, capsize=4, linewidth=1.2, zorder=6,
                        label="已公布数据（±1.96倍标准差）")
        key = quantity if quantity in probs else f"{quantity}_growth"
        title = f"{year}年{_FAI_NAMES[quantity]}累计增速（现价）"
        if key in probs:
            title += f"：达标概率 {100 * probs[key].estimate:.0f}%"
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_xticks(months, ["1月"] + [f"1-{m}月" for m in months[1:]])
        ax.tick_params(axis="x", labelsize=8)
        _percent_axis(ax.yaxis)
        _legend(ax, loc="best")
    fig.suptitle(f"{year}年投资：累计增速的分布", x=0.01, ha="left", fontsize=13.5)
    _footer_text(fig, _footer(r))
    return fig
