"""The files of an engine backtest: ``backtest.json``, ``backtest.txt`` and three charts.

Every file is written atomically (:mod:`lgsim.fileio`); ``backtest.json`` is written
last, so a directory holding it holds a finished backtest. Growth in the JSON is in
fractions (its ``units`` table says so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..fileio import write_text
from .plots import save_figures
from .plots.evidence import evidence_figures

if TYPE_CHECKING:  # pragma: no cover
    from ..forecasting.engine_backtest import EngineBacktest

#: The files written, in order (``backtest.json`` last; one ``asof/<year>.toml`` per origin
#: between the charts and it).
FILES = ("backtest.txt", "pit_histogram.png", "reliability.png", "hedgehog.png",
         "backtest.json")


def write_engine_backtest(
    backtest: EngineBacktest, out: str | Path, *, formats: Sequence[str] = ("png",)
) -> list[Path]:
    """Write an engine backtest's files to ``out`` (created if missing).

    ``backtest.txt`` (the report), ``pit_histogram``, ``reliability`` and ``hedgehog``
    charts, ``asof/<year>.toml`` (each origin's scenario as run: running it reproduces
    that year's forecast) and, last, ``backtest.json`` (one record per origin year).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "backtest.json").unlink(missing_ok=True)
    paths = [out / "backtest.txt"]
    write_text(paths[0], backtest.to_text() + "\n")
    paths += save_figures(evidence_figures(backtest), out, formats)
    for origin in backtest.origins:
        path = out / "asof" / f"{origin.year}.toml"
        write_text(path, origin.scenario_toml)
        paths.append(path)
    data = json.dumps(backtest.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
    write_text(out / "backtest.json", data + "\n")
    return [*paths, out / "backtest.json"]
