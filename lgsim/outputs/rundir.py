"""The run directory: summary, results, resolved scenario, CSV tables and log.

Every file is written atomically (a temporary name, then a rename); ``summary.json`` is
published last (:func:`publish_summary`), after everything else — charts and report
included — succeeded, so a directory with a ``summary.json`` always holds a finished run.
While a run is under way the directory holds ``chunks/``
(:mod:`lgsim.montecarlo.checkpoint`) and no ``summary.json`` (:func:`begin_run` removes an
old one); once ``summary.json`` is written the chunk files are deleted
(:func:`finish_chunks`) unless the user keeps them (``--keep chunks``). lgsim deletes only
what it can prove it wrote: a ``summary.json`` of its own, the chunk manifest and files
with its own names, never a folder.

Each run carries a run id (``summary.json`` and an attribute of ``results.nc``);
:func:`load_run` refuses a directory whose two files come from different runs.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import weighted_mean
from ..fileio import (
    FileTooLarge,
    NotRegularFile,
    ensure_free_space,
    read_regular,
    write_text,
    write_with,
)
from ..i18n import _
from ..montecarlo._nodask import dask_hidden
from ..montecarlo.checkpoint import CHUNK_DIR, remove_chunk_files
from .results_xlsx import RESULTS_XLSX, write_results_xlsx
from .results_xlsx import SHEETS as XLSX_SHEETS

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results

#: Files a finished run directory holds (plots and report are optional extras).
RUN_FILES = ("summary.json", "results.nc", "scenario.resolved.toml", "run.log")


def default_out_dir(scenario_name: str) -> Path:
    """``runs/<scenario-name>/`` relative to the working directory."""
    return Path("runs") / scenario_name


#: Bytes to keep free for the charts and the report of a run (PNG, SVG, HTML).
EXTRAS_BYTES = 8 * 1024 * 1024
#: Largest ``summary.json`` a reader accepts (bytes).
MAX_SUMMARY_BYTES = 16 * 1024 * 1024


class RunDirectoryError(Exception):
    """A run directory cannot be read as one finished run (one-line message)."""


class RunFileMissing(RunDirectoryError, FileNotFoundError):
    """A finished run's file (``results.nc``, ``summary.json``) is missing."""


def begin_run(out: Path) -> None:
    """Create ``out`` and remove its ``summary.json``: from here the run is unfinished.

    The caller has checked that the ``summary.json`` is lgsim's (:func:`read_summary`).
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)


def finish_chunks(out: Path, *, keep: bool = False) -> list[str]:
    """After ``summary.json`` is written: delete lgsim's chunk files unless ``keep``.

    Returns the names of files in ``chunks/`` that lgsim did not write (kept).
    """
    if keep or not (out / "summary.json").exists():
        return []
    return remove_chunk_files(out / CHUNK_DIR)


def read_summary(out: Path) -> dict[str, Any] | None:
    """The ``summary.json`` of a run directory (None if absent).

    Raises
    ------
    RunDirectoryError
        Not a regular file, too large, not JSON, or not written by lgsim.
    """
    path = out / "summary.json"
    if not path.exists() and not path.is_symlink():
        return None
    try:
        doc = json.loads(read_regular(path, MAX_SUMMARY_BYTES).decode("utf-8"))
    except (NotRegularFile, FileTooLarge) as exc:
        raise RunDirectoryError(_("{path}: not a summary.json written by lgsim ({reason})")
                                .format(path=path, reason=exc.strerror)) from None
    except OSError as exc:
        raise RunDirectoryError(_("cannot read {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None
    except ValueError:  # bad UTF-8 or JSON
        raise RunDirectoryError(_("{path}: not a summary.json written by lgsim (not valid "
                                  "JSON)").format(path=path)) from None
    if not isinstance(doc, dict) or not {"scenario", "lgsim_version"} <= set(doc):
        raise RunDirectoryError(_("{path}: not a summary.json written by lgsim").format(
            path=path))
    return doc


def load_run(out: str | Path) -> tuple[Results, dict[str, Any]]:
    """Read a finished run directory: its results and its ``summary.json``.

    Raises
    ------
    RunDirectoryError
        A file is missing or unreadable, or ``summary.json`` and ``results.nc`` come
        from different runs (their run ids differ).
    """
    from ..results import Results

    out = Path(out)
    for name in ("results.nc", "summary.json"):
        if not (out / name).is_file():
            raise RunFileMissing(_("{folder}: no {name} — not a finished run directory")
                                 .format(folder=out, name=name))
    summary = read_summary(out)
    try:
        results = Results.load(out)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise RunDirectoryError(
            _("cannot read {path}: not a results file written by lgsim ({reason})").format(
                path=out / "results.nc", reason=reason)
        ) from None
    ours, theirs = results.run_id, str((summary or {}).get("run_id", ""))
    if ours != theirs:
        raise RunDirectoryError(
            _("{folder}: summary.json (run {summary_run}) and results.nc (run {results_run}) "
              "come from different runs — run the scenario again").format(
                folder=out, summary_run=theirs or _("without id"),
                results_run=ours or _("without id"))
        )
    return results, summary or {}


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
    met = pd.array(np.full(growth.size, pd.NA), dtype="boolean")  # empty: no target that year
    for year in sorted(results.scenario.targets or {results.target_year: None}):
        j = int(np.flatnonzero(years == year)[0])
        met[j::len(years)] = results.met(year)
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
    publish: bool = True,
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
    publish : bool
        Write ``summary.json`` at the end; False leaves it to the caller
        (:func:`publish_summary`, once its charts and report are written too).

    Raises
    ------
    lgsim.fileio.WriteError
        Not enough free space for ``results.nc`` and the tables (checked before
        writing), or a write failed; no ``summary.json`` then.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)
    ensure_free_space(out, estimated_bytes(results), "results.nc and the tables")
    with dask_hidden():  # xarray would import dask (≈1 s) to write numpy arrays
        _write_files(results, out, log_lines)
    if publish:
        publish_summary(results, out)
    return out


def estimated_bytes(results: Results) -> int:
    """Bytes ``results.nc`` and the tables of a run will take (about)."""
    arrays = sum(v.nbytes for v in results.ds.data_vars.values())
    return arrays + 80 * results.n * int(results.ds.sizes["year"]) + 1024 * 1024


def publish_summary(results: Results, out: str | Path) -> None:
    """Write ``summary.json``: the run directory is finished from this moment."""
    write_text(Path(out) / "summary.json", summary_text(results))


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
        f"P(target met): {results.estimator_note()}",
        *(info.log_lines() if (info := getattr(results, "run_info", None)) is not None else []),
    ]
    write_text(out / "run.log", "\n".join(log) + "\n")


def summary_text(results: Results) -> str:
    """The text of ``summary.json``: :meth:`Results.summary` as indented JSON (UTF-8).

    Strict JSON: a NaN or infinite number is an error here, never ``NaN`` in the file.
    """
    return json.dumps(results.summary(), ensure_ascii=False, indent=2, sort_keys=False,
                      allow_nan=False) + "\n"
