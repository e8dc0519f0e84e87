"""Charts of forecasting results: the rolling-origin backtest."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ...fonts import register_cjk_font

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...forecasting.backtest import BacktestResult


def backtest_chart(result: BacktestResult) -> Figure:
    """One panel per model: published figures and the forecasts from each origin.

    Dots are the published growth (open: lower bound; cross: estimate); bars are
    the central 80 % (thick) and 95 % (thin) intervals with the median, at the
    target year. Growth in percent on the axis. Labels in Chinese, like lgsim's other
    charts; model names are their ids.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    register_cjk_font()
    names = list(result.models) + (["combined"] if len(result.pool) > 1 else [])
    ncols = 3
    nrows = -(-len(names) // ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.2 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    obs = result.data.observed
    years, y = result.data.years[obs], 100 * result.data.y[obs]
    lb, est = result.data.lower_bound[obs], result.data.estimate[obs]
    table = result.table()
    for ax, name in zip(axes, names, strict=False):
        ax.plot(result.data.years, 100 * result.data.y, color="0.4", lw=1)  # breaks at gaps
        plain = ~lb & ~est
        ax.plot(years[plain], y[plain], "o", color="k", ms=4, label="公布值")
        ax.plot(years[lb], y[lb], "o", mfc="none", mec="k", ms=6, label="下限值（“以上”）")
        ax.plot(years[est], y[est], "x", color="k", ms=6, label="估计值（“左右”）")
        r = result.records[result.records["model"] == name]
        r = r[np.isfinite(r["mean"])]
        tx = r["target_year"].to_numpy(dtype=float)
        ax.vlines(tx, 100 * r["q02.5"], 100 * r["q97.5"], color="C0", lw=1)
        ax.vlines(tx, 100 * r["q10"], 100 * r["q90"], color="C0", lw=4, alpha=0.6)
        ax.plot(tx, 100 * r["q50"], "_", color="C3", ms=10, mew=2, label="预测中位数")
        crps = table.loc[name, "crps_pp"] if name in table.index else math.nan
        ax.set_title(f"{name}（CRPS {crps:.2f} 个百分点）", fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="lower left")
    for ax in axes[::ncols]:
        ax.set_ylabel("实际增速（%，可比价）")
    fig.suptitle(
        f"提前一步预测回测：中间 80% / 95% 区间，{result.n_origins} 个预测起点"
    )
    return fig
