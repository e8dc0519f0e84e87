"""The look shared by every chart: colours, Chinese text helpers, figure and axes setup.

Charts build a :class:`matplotlib.figure.Figure` directly (no :mod:`matplotlib.pyplot`,
so no GUI backend and no global figure list: nothing to close, and the Agg canvas is used
when the figure is saved). matplotlib is imported inside the functions, so ``import
lgsim`` stays light. :func:`_figure` registers the bundled CJK font
(:func:`lgsim.fonts.register_cjk_font`; no system font is needed) and, in a Jupyter
kernel, a PNG printer so the returned figures display.

Numbers on charts: growth and probabilities in percent (the results hold fractions),
with a true minus sign (U+2212) as the axis ticks show it.
"""

from __future__ import annotations

import io
import re
import sys
from typing import TYPE_CHECKING, Any

from ..._format import num, pct, target_pct
from ...fonts import register_cjk_font

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ...results import Results
    from ...scenario.model import Target

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
    """A number with a true minus sign (U+2212), as the axis ticks show it."""
    return num(x, spec, typeset=True)


def _pct(x: float, digits: int = 1) -> str:
    """A fraction as percent text (``0.252`` → ``"25.2%"``)."""
    return pct(x, digits, typeset=True)


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
            f"（目标{target_pct(target.gdp_growth)}，"
            f"容差{round(100 * target.tolerance, 6):g}个百分点）"
        )
    return text


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
    """``达到6%目标的概率约25%`` for titles (one decimal below 10%, so 0.4% is not "0%")."""
    p = results.p_target().estimate
    goal = target_pct(results.scenario.target.gdp_growth)
    if 0 < p < 0.0005:
        return f"达到{goal}目标的概率不到0.1%"
    return f"达到{goal}目标的概率约{100 * p:.{1 if p < 0.1 else 0}f}%"


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


def _offset(fig: Figure, inches: float) -> Any:
    """A transform moving ``inches`` down (for legends under an axes)."""
    from matplotlib.transforms import ScaledTranslation

    return ScaledTranslation(0, -inches, fig.dpi_scale_trans)


def _legend_below(fig: Figure, ax: Axes, ncols: int = 4, offset: float = 0.46) -> None:
    """The axes' legend centred under the x label, ``offset`` inches below the axes.

    Attached to the axes, so constrained layout makes room for it.
    """
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, fontsize=8.5,
        frameon=False, bbox_transform=ax.transAxes + _offset(fig, offset),
    )


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = DPI) -> bytes:
    """Render a figure to PNG or SVG bytes (SVG text is drawn as paths: no font needed)."""
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return buf.getvalue()
