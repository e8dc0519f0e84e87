"""The files of a study: a comparison, a sensitivity ranking, a target-seeking result.

Every file is written atomically (:mod:`lgsim.fileio`); tables are CSV in UTF-8 with a
BOM so Excel shows Chinese. For a comparison, ``comparison.json`` is written last: a
directory holding it holds a finished comparison.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import write_text, write_with
from .plots import save_figures
from .plots.compare import comparison_figures
from .plots.sensitivity import sensitivity_chart
from .report import comparison_html
from .rundir import write_csv

if TYPE_CHECKING:  # pragma: no cover
    from ..studies.compare import Comparison
    from ..studies.sensitivity import SensitivityResult
    from ..studies.solve import Solution


def write_comparison(
    comparison: Comparison, out: str | Path, *, formats: Sequence[str] = ("png",),
    report: bool = True,
) -> Path:
    """Write ``comparison.csv``, the charts, ``comparison.html`` and ``comparison.json``.

    Parameters
    ----------
    comparison : Comparison
    out : str or Path
        The directory (created if missing).
    formats : sequence of str
        Chart formats (``"png"``, ``"svg"``).
    report : bool
        Also write the self-contained ``comparison.html``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "comparison.json").unlink(missing_ok=True)
    write_csv(out / "comparison.csv", comparison.table())
    figures = comparison_figures(comparison)
    save_figures(figures, out, formats)
    if report:
        write_text(out / "comparison.html", comparison_html(comparison, figures))
    write_text(out / "comparison.json", comparison.to_json())
    return out


#: Columns of study tables that hold fractions: written in percent as ``<name>_pct``.
FRACTION_COLUMNS = ("p_met_low", "p_met_high", "growth_p50_low", "growth_p50_high")


def percent_columns(table: Any) -> Any:
    """A study table for a file: fraction columns in percent, named ``<name>_pct``.

    Sobol indices (``S1_*``, ``ST_*``) stay shares of variance between 0 and 1.
    """
    out = table.copy()
    # the investment targets' P(met) at the input's low and high values (p_fai_met_low...)
    extra = tuple(c for c in out.columns if c.startswith("p_") and c.endswith(("_met_low",
                                                                           "_met_high")))
    columns = tuple(dict.fromkeys(FRACTION_COLUMNS + extra))
    for col in columns:
        if col in out.columns:
            out[col] = 100.0 * out[col]
    return out.rename(columns={c: f"{c}_pct" for c in columns})


def write_sensitivity(
    result: SensitivityResult, directory: str | Path, *, plot: bool = True
) -> list[Path]:
    """Write ``sensitivity-<method>.csv``, ``.txt`` and (optionally) ``.png``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    stem = Path(directory) / f"sensitivity-{result.method}"
    write_csv(stem.with_suffix(".csv"), percent_columns(result.table))
    files = [stem.with_suffix(".csv")]
    write_text(stem.with_suffix(".txt"), result.to_text() + "\n")
    files.append(stem.with_suffix(".txt"))
    if plot:
        fig = sensitivity_chart(result)
        write_with(stem.with_suffix(".png"),
                   lambda tmp: fig.savefig(tmp, format="png", dpi=150, bbox_inches="tight"))
        files.append(stem.with_suffix(".png"))
    return files


def write_solution(solution: Solution, directory: str | Path) -> list[Path]:
    """Write ``solve.txt`` and ``solve.json``; return their paths."""
    directory = Path(directory)
    text, data = directory / "solve.txt", directory / "solve.json"
    write_text(text, solution.to_text() + "\n")
    write_text(data, json.dumps(solution.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return [text, data]
