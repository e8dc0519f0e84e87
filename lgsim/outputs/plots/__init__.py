"""Charts for analysts, in Chinese: each function takes a result and returns a Figure.

The same functions serve the CLI (``run --plots``), the HTML report and notebooks. They
build a :class:`matplotlib.figure.Figure` directly (no :mod:`matplotlib.pyplot`, so no
GUI backend and no global figure list: nothing to close, and the Agg canvas is used when
the figure is saved). matplotlib is imported inside the functions, so ``import lgsim``
stays light. The bundled CJK font is registered at plot time
(:func:`lgsim.fonts.register_cjk_font`); no system font is needed.

Units on the charts: growth and probabilities in percent (the results hold fractions),
contributions in percentage points (百分点), money in 亿元 (nominal, as the results hold
investment).

The modules: :mod:`~.style` (colours, text, figure setup, bytes),
:mod:`~.growth` (fan chart, distribution, sector and street growth),
:mod:`~.contributions`, :mod:`~.investment` (investment against plan, start dates),
:mod:`~.output` (a run's charts and files), and the charts of studies:
:mod:`~.compare` (scenario overlays and differences), :mod:`~.sensitivity` (tornado,
indices), :mod:`~.solve` (target-seeking) and :mod:`~.forecasting` (backtest).

Examples
--------
>>> import lgsim
>>> from lgsim.outputs import plots
>>> r = lgsim.run("scenarios/base.toml", replications=500)   # doctest: +SKIP
>>> plots.fan_chart(r).savefig("fan.png")                    # doctest: +SKIP
"""

from __future__ import annotations

from .compare import comparison_figures, distribution_overlay, fan_overlay, growth_difference_chart
from .contributions import contributions_chart
from .forecasting import backtest_chart
from .growth import fan_chart, growth_distribution, sector_growth_chart, street_growth_chart
from .investment import investment_chart, start_dates_chart
from .output import FIGURES, run_figures, save_figures
from .sensitivity import sensitivity_chart, tornado_plot
from .solve import solution_chart
from .style import figure_bytes, rule_zh

__all__ = [
    "FIGURES",
    "backtest_chart",
    "comparison_figures",
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
    "sensitivity_chart",
    "solution_chart",
    "start_dates_chart",
    "street_growth_chart",
    "tornado_plot",
]
