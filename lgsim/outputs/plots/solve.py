"""Chart of a target-seeking result: P(target met) over the lever's grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...fonts import register_cjk_font
from ...studies.solve import fmt_lever

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...studies.solve import Solution


def solution_chart(solution: Solution) -> Figure:
    """P(target met) over the grid with its Wilson band, the request and the answer.

    Returns
    -------
    matplotlib.figure.Figure
        Lever on the x axis (its own units), P(target met) in percent.
    """
    from matplotlib.figure import Figure

    register_cjk_font()
    points = sorted(solution.grid, key=lambda t: t[0])
    x = [t[0] for t in points]
    p = [100 * t[1].estimate for t in points]
    lo = [100 * t[1].low for t in points]
    hi = [100 * t[1].high for t in points]
    fig = Figure(figsize=(8.0, 4.6), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(x, lo, hi, color="#8db6e3", alpha=0.5, label="95%模拟精度（Wilson）")
    ax.plot(x, p, "o-", color="#1f5fa8", label="目标达成概率（网格）")
    ax.axhline(100 * solution.probability, color="#c0392b", lw=1.0, ls="--",
               label=f"要求的概率 {100 * solution.probability:.0f}%")
    if solution.value is not None:
        ax.axvline(solution.value, color="black", lw=1.0,
                   label=f"所需取值 {fmt_lever(solution.value, solution.bounds)}")
        left = solution.bounds[0] if solution.low_censored else solution.low
        right = solution.bounds[1] if solution.high_censored else solution.high
        if left is not None and right is not None:
            ax.axvspan(left, right, color="grey", alpha=0.15, label="取值的95%模拟精度")
    if solution.current is not None:
        ax.axvline(solution.current, color="#e07b00", lw=1.0, ls=":",
                   label=f"情景当前值 {fmt_lever(solution.current, solution.bounds)}")
    ax.set_xlabel(solution.lever)
    ax.set_ylabel("目标达成概率（%）")
    ax.set_ylim(-2, 102)
    status = {"solved": "已求解", "not reachable": "在范围内无法达到",
              "already reached": "下界处已达到"}[solution.status]
    ax.set_title(f"{solution.title}\n目标倒推：{solution.lever}（{status}；每点{solution.replications:,}次"
                 "模拟，共同随机数）", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig
