"""The run directory: summary, results, resolved scenario, CSV tables and log.

Every file is written atomically; ``summary.json`` is written last, so a directory with
a ``summary.json`` always holds a finished run. While a run is under way the directory
holds ``chunks/`` (:mod:`lgsim.montecarlo.checkpoint`) and no ``summary.json`` (:func:`begin_run`
removes an old one); once ``summary.json`` is written the chunk files are deleted
(:func:`finish_chunks`) unless the user keeps them (``--keep chunks``).
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import weighted_mean
from ..fileio import write_text, write_with
from ..montecarlo._nodask import dask_hidden
from ..montecarlo.checkpoint import CHUNK_DIR
from .results_xlsx import RESULTS_XLSX, write_results_xlsx
from .results_xlsx import SHEETS as XLSX_SHEETS

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results

#: Files a finished run directory holds (plots and report are optional extras).
RUN_FILES = ("summary.json", "results.nc", "scenario.resolved.toml", "run.log")


def default_out_dir(scenario_name: str) -> Path:
    """``runs/<scenario-name>/`` relative to the working directory."""
    return Path("runs") / scenario_name


def begin_run(out: Path) -> None:
    """Create ``out`` and remove its ``summary.json``: from here the run is unfinished."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)


def finish_chunks(out: Path, *, keep: bool = False) -> None:
    """After ``summary.json`` is written: delete ``out/chunks`` unless ``keep``."""
    if not keep and (out / "summary.json").exists():
        shutil.rmtree(out / CHUNK_DIR, ignore_errors=True)


def write_csv(path: Path, frame: Any) -> None:
    """Write a table as CSV, UTF-8 with BOM (Excel shows Chinese correctly), atomically.

    Streamed to the file, so a 100,000-replication table never exists as one string in
    memory.
    """
    write_with(path, lambda tmp: frame.to_csv(
        tmp, index=False, float_format="%.10g", encoding="utf-8-sig", lineterminator="\n"
    ))


def tables(results: Results) -> dict[str, Any]:
    """The tidy CSV tables of a run, as pandas DataFrames keyed by file name."""
    return dict(iter_tables(results))


#: Percentiles of the year-to-date table.
_YTD_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def iter_tables(results: Results) -> Iterator[tuple[str, Any]]:
    """The tidy CSV tables one at a time: ``(file name, pandas.DataFrame)``.

    Column names carry their unit (``_pct`` percent, ``_pp`` percentage points,
    ``_yi_yuan`` 亿元). ``target_met`` is empty in years without a target.
    """
    import pandas as pd

    ds = results.ds
    y = results.target_year
    growth = ds["growth"].values
    years = ds["year"].values
    is_target = np.tile(years, results.n) == y
    met = pd.array(np.repeat(results.met(), len(years)), dtype="boolean")
    met[~is_target] = pd.NA
    yield "replications.csv", pd.DataFrame(
        {
            "replication": np.repeat(ds["replication"].values, len(years)),
            "year": np.tile(years, results.n),
            "gdp_yi_yuan": ds["gdp"].values.ravel(),
            "growth_pct": 100.0 * growth.ravel(),
            "target_met": met,
        }
    )
    rows = []
    for j, year in enumerate(years[1:], start=1):
        g = growth[:, j]
        qv = 100.0 * results.quantile_array(g, (0.1, 0.5, 0.9))
        rows.append({"year": int(year),
                     "growth_mean_pct": 100.0 * float(weighted_mean(g, results.weights)),
                     "growth_p10_pct": qv[0], "growth_p50_pct": qv[1], "growth_p90_pct": qv[2]})
    yield "growth_summary.csv", pd.DataFrame(rows)
    ytd = 100.0 * ds["ytd_growth"].sel(year=y).values
    qv = results.quantile_array(ytd, _YTD_QUANTILES)
    yield "ytd_growth.csv", pd.DataFrame(
        {"year": y, "month": ds["month"].values,
         **{f"ytd_growth_p{round(100 * q):02d}_pct": v
            for q, v in zip(_YTD_QUANTILES, qv, strict=True)}}
    )
    for by in ("sector", "street", "component"):
        yield f"contributions_{by}.csv", contributions_table(results, by)
    inv = results.investment_vs_plan().reset_index()
    inv = inv.rename(columns={c: f"{c}_yi_yuan" for c in ("plan", "mean", "p10", "p50", "p90")})
    inv.insert(0, "year", y)
    yield "investment_vs_plan.csv", inv
    yield "targets.csv", targets_table(results)
    if "fai" in ds:
        yield "fai_by_month.csv", fai_table(results)


def targets_table(results: Results) -> Any:
    """P(met) of every target of every year: GDP growth, FAI, industrial investment.

    Columns: ``year``, ``target`` (``gdp_growth``, ``fai``, ``fai_growth``...), the goal
    as ``goal_pct`` (growth targets) or ``goal_yi_yuan`` (level targets), ``rule``,
    ``p_met_pct`` and its 95% simulation-precision interval ``p_met_low_pct`` /
    ``p_met_high_pct``; a last row ``all_years`` when several years have targets.
    """
    import pandas as pd

    rows = []

    def add(year: int | str, key: str, goal: float, level: bool, p: Any) -> None:
        rows.append({"year": year, "target": key,
                     "goal_pct": math.nan if level else 100 * goal,
                     "goal_yi_yuan": goal if level else math.nan,
                     "rule": p.rule, "p_met_pct": 100 * p.estimate,
                     "p_met_low_pct": 100 * p.low, "p_met_high_pct": 100 * p.high})

    for year, p in results.p_by_year().items():
        t = results.target_of(year)
        add(year, "gdp_growth", t.gdp_growth, False, p)
        goals = {(q if k == "level" else f"{q}_growth"): (v, k == "level")
                 for q, k, v in t.investment_goals()}
        for key, prob in results.p_investment(year).items():
            add(year, key, *goals[key], prob)
    if len(results.p_by_year()) > 1:
        add("all_years", "gdp_growth", math.nan, False, results.p_all_years())
    return pd.DataFrame(rows)


def fai_table(results: Results) -> Any:
    """District FAI by month of every simulated year: level and year-to-date growth.

    Columns: ``quantity`` (``fai``, ``industrial_fai``), ``year``, ``month``,
    ``level_mean_yi_yuan`` (the month's investment, 亿元 nominal) and
    ``ytd_growth_p10_pct`` / ``_p50_pct`` / ``_p90_pct`` (nominal).
    """
    import pandas as pd

    ds = results.ds
    frames = []
    for quantity in ("fai", "industrial_fai"):
        if quantity not in ds:
            continue
        monthly = ds[f"{quantity}_monthly"].values
        level = weighted_mean(monthly, results.weights)
        for j, year in enumerate(ds["year"].values[1:]):
            ytd = 100 * ds[f"{quantity}_ytd_growth"].sel(year=year).values
            q = results.quantile_array(ytd, (0.1, 0.5, 0.9))
            frames.append(pd.DataFrame({
                "quantity": quantity, "year": int(year), "month": ds["month"].values,
                "level_mean_yi_yuan": level[12 * j:12 * j + 12],
                "ytd_growth_p10_pct": q[0], "ytd_growth_p50_pct": q[1],
                "ytd_growth_p90_pct": q[2],
            }))
    return pd.concat(frames, ignore_index=True)


def contributions_table(results: Results, by: str) -> Any:
    """Contributions to target-year growth by sector, street or component, ``_pp`` columns.

    Street tables say how street value added was obtained (:func:`street_basis`).
    """
    frame = results.contributions(by).reset_index()
    frame = frame.rename(columns={c: f"{c}_pp" for c in ("mean", "p10", "p50", "p90")})
    frame.insert(0, "year", results.target_year)
    if by == "street":
        frame["basis"] = street_basis(results.scenario)
    return frame


def street_basis(scenario: Any) -> str:
    """How street results were obtained: from street data, or allocated by share."""
    if scenario.street_data:
        return "street data: each street's share of each sector's value added (sector_shares)"
    return ("allocated by population share (street.share), not street data: district value "
            "added split by fixed shares carries no information about streets")


def write_run(
    results: Results,
    out: str | Path,
    *,
    log_lines: Sequence[str] = (),
) -> Path:
    """Write a complete run directory (summary.json last).

    Parameters
    ----------
    results : Results
        The run.
    out : str or Path
        The directory (created if missing).
    log_lines : sequence of str
        Extra lines for ``run.log`` (wall time, workers, host...); they never enter
        ``summary.json`` or ``results.nc``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)
    with dask_hidden():  # xarray would import dask (≈1 s) to write numpy arrays
        _write_files(results, out, log_lines)
    return out


def _platform() -> str:
    """``Linux-6.1.0-x86_64-with-glibc2.36``, without ``platform.platform()``'s subprocess.

    ``platform.platform()`` runs ``uname -p`` in a child process: forked from a parent
    holding the results, it would show the whole run's memory again in peak-RSS figures.
    """
    u = os.uname()
    libc, version = platform.libc_ver()
    return f"{u.sysname}-{u.release}-{u.machine}" + (f"-with-{libc}{version}" if libc else "")


def _write_files(results: Results, out: Path, log_lines: Sequence[str]) -> None:
    results.save(out)
    small = {}
    for name, frame in iter_tables(results):
        write_csv(out / name, frame)
        if name in XLSX_SHEETS:  # the summary tables, not the per-replication one
            small[name] = frame
        del frame
    write_results_xlsx(results, out / RESULTS_XLSX, small)
    log = [
        f"lgsim {results.ds.attrs['lgsim_version']}",
        f"python {sys.version.split()[0]} on {_platform()}",
        f"scenario {results.scenario.name} ({results.scenario.file})",
        f"replications {results.n} seed {results.seed}",
        *results.scenario.warnings,
        *log_lines,
        *(info.log_lines() if (info := getattr(results, "run_info", None)) is not None else []),
    ]
    write_text(out / "run.log", "\n".join(log) + "\n")
    write_text(out / "summary.json", summary_text(results))


def summary_text(results: Results) -> str:
    """The text of ``summary.json``: :meth:`Results.summary` as indented JSON (UTF-8)."""
    return json.dumps(results.summary(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
