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

The modules: :mod:`~lgsim.plots.style` (colours, text, figure setup),
:mod:`~lgsim.plots.growth` (fan chart, distribution, sector and street growth),
:mod:`~lgsim.plots.contributions`, :mod:`~lgsim.plots.investment` (investment against
plan, start dates), :mod:`~lgsim.plots.compare` (scenario overlays and differences) and
:mod:`~lgsim.plots.output` (a run's charts, bytes and files). Everything is importable
from ``lgsim.plots``.

Examples
--------
>>> import lgsim
>>> from lgsim import plots
>>> r = lgsim.run("scenarios/base.toml", replications=500)   # doctest: +SKIP
>>> plots.fan_chart(r).savefig("fan.png")                    # doctest: +SKIP
"""

from __future__ import annotations

# Besides __all__, the names lgsim.plots had before it became a package stay importable
# here: the colours, DPI, threshold, and two private helpers used from outside, _short
# (lgsim.comparison) and _edges_through (tests).
from .compare import distribution_overlay, fan_overlay, growth_difference_chart
from .contributions import contributions_chart
from .growth import (
    _edges_through,  # noqa: F401
    fan_chart,
    growth_distribution,
    sector_growth_chart,
    street_growth_chart,
)
from .investment import investment_chart, start_dates_chart
from .output import FIGURES, figure_bytes, run_figures, save_figures
from .style import (  # noqa: F401
    BAND_INNER,
    BAND_OUTER,
    BLUE,
    CYCLE,
    DPI,
    GREY,
    KIND_COLOURS,
    KIND_NAMES,
    LIGHT_GREY,
    MISS,
    RED,
    _short,
    rule_zh,
    threshold,
)

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
