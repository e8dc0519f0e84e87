"""Charts of sensitivity results, in Chinese: the tornado, and bars of Sobol / Morris indices.

:func:`sensitivity_chart` draws the chart that fits a result's method.

matplotlib is imported inside the functions; the bundled CJK font is registered at plot
time (:func:`lgsim.fonts.register_cjk_font`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...fonts import register_cjk_font

if TYPE_CHECKING:  # pragma: no cover
    from ...studies.sensitivity.result import SensitivityResult

_OUTPUTS = {"p_met": ("目标达成概率 P(met)", "%"), "growth_p50": ("地区生产总值增长率中位数", "%")}


def tornado_plot(result: SensitivityResult, output: str = "p_met", top: int | None = 20) -> Any:
    """Tornado chart of a tornado result (Chinese labels).

    Parameters
    ----------
    result : SensitivityResult
        From :func:`~lgsim.studies.sensitivity.tornado`.
    output : {"p_met", "growth_p50"}
        P(target met) or median growth of the target year.
    top : int, optional
        Show the ``top`` highest-ranked inputs (by the chosen output's swing).

    Returns
    -------
    matplotlib.figure.Figure
        Bars from the base value to the value with the input at its low / high
        quantile, in percent.
    """
    from matplotlib.figure import Figure



    if result.method != "tornado" or result.base is None:
        raise ValueError("tornado_plot needs the result of tornado()")
    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_OUTPUTS)}, found {output!r}")
    register_cjk_font()
    t = result.table.copy()
    swing = f"{output}_swing_pp"
    t = t.reindex(t[swing].abs().sort_values(ascending=False).index)
    if top is not None:
        t = t.head(top)
    t = t.iloc[::-1]
    base = result.base.p_met.estimate if output == "p_met" else result.base.median
    lo_q = round(100 * result.settings["low"])
    hi_q = round(100 * result.settings["high"])
    fig = Figure(figsize=(9.0, 1.2 + 0.42 * len(t)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    low = 100 * t[f"{output}_low"].to_numpy()
    high = 100 * t[f"{output}_high"].to_numpy()
    b = 100 * base
    ax.barh(y, low - b, left=b, color="#4C72B0", label=f"输入取P{lo_q}")
    ax.barh(y, high - b, left=b, color="#DD8452", label=f"输入取P{hi_q}")
    ax.axvline(b, color="black", lw=0.8)
    ax.set_yticks(y, [str(x) for x in t["label"]])
    name, unit = _OUTPUTS[output]
    ax.set_xlabel(f"{name}（{unit}）")
    ax.set_title(
        f"{result.title}\n龙卷风图：各不确定输入取P{lo_q}/P{hi_q}时的{name}"
        f"（基准 {b:.1f}{unit}，{result.replications:,}次模拟，共同随机数）",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _indices_plot(result: SensitivityResult, output: str = "p_met", top: int | None = 20) -> Any:
    from matplotlib.figure import Figure



    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_OUTPUTS)}, found {output!r}")
    register_cjk_font()
    t = result.table if top is None else result.table.head(top)
    t = t.iloc[::-1]
    fig = Figure(figsize=(9.0, 1.2 + 0.42 * len(t)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    name, _ = _OUTPUTS[output]
    if result.method == "sobol":
        ax.barh(y + 0.2, t[f"ST_{output}"], height=0.4, xerr=t[f"ST_{output}_conf"],
                color="#DD8452", label="总效应指数 ST")
        ax.barh(y - 0.2, t[f"S1_{output}"], height=0.4, xerr=t[f"S1_{output}_conf"],
                color="#4C72B0", label="一阶指数 S1")
        ax.set_xlabel(f"Sobol指数（{name}）")
    else:
        ax.barh(y, t[f"mu_star_{output}_pp"], xerr=t[f"mu_star_{output}_conf_pp"],
                color="#4C72B0", label="μ*")
        ax.set_xlabel(f"Morris μ*（{name}，百分点/分位数单位）")
    ax.set_yticks(y, [str(x) for x in t["label"]])
    ax.set_title(f"{result.title}\n全局敏感性（{result.method}，{result.evaluations:,}个样本点"
                 f"×{result.replications}次模拟）", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def sensitivity_chart(result: SensitivityResult, output: str = "p_met",
                      top: int | None = 20) -> Any:
    """Tornado chart (tornado) or bar chart of the indices (Sobol, Morris).

    Parameters
    ----------
    result : SensitivityResult
    output : {"p_met", "growth_p50"}
        P(target met) or median growth.
    top : int, optional
        Show the ``top`` highest-ranked inputs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if result.method == "tornado":
        return tornado_plot(result, output=output, top=top)
    return _indices_plot(result, output=output, top=top)
