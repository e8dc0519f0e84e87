"""A run's set of charts, and turning figures into PNG / SVG bytes and files.

:data:`FIGURES` lists the charts of a run by file stem; :func:`run_figures` draws those
that apply; :func:`save_figures` writes them atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .contributions import contributions_chart
from .growth import fan_chart, growth_distribution, sector_growth_chart, street_growth_chart
from .investment import fai_chart, investment_chart, start_dates_chart
from .style import figure_bytes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ...results import Results


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
    "fai": fai_chart,
}


def run_figures(results: Results) -> dict[str, Figure]:
    """Every chart that applies to a run, keyed by file stem.

    Sub-target charts are included only when the scenario sets sector or street
    targets; investment and start-date charts only when it lists projects; the FAI
    chart only when the scenario models FAI.
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
        if stem == "fai" and "fai" not in results.ds:
            continue
        out[stem] = make(results)
    return out


def save_figures(
    figures: dict[str, Figure], out: str | Path, formats: Sequence[str] = ("png",)
) -> list[Path]:
    """Write figures atomically as ``<out>/<stem>.<fmt>``; return the paths written."""
    from ...fileio import write_bytes

    out = Path(out)
    paths = []
    for stem, fig in figures.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            write_bytes(path, figure_bytes(fig, fmt))
            paths.append(path)
    return paths
