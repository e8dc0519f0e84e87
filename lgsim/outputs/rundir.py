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
import os
import platform
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..fileio import (
    FileTooLarge,
    NotRegularFile,
    ensure_free_space,
    read_regular,
    write_text,
    write_with,
)
from ..montecarlo._nodask import dask_hidden
from ..montecarlo.checkpoint import CHUNK_DIR, remove_chunk_files

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
        raise RunDirectoryError(f"{path}: not a summary.json written by lgsim "
                                f"({exc.strerror})") from None
    except OSError as exc:
        raise RunDirectoryError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:  # bad UTF-8 or JSON
        raise RunDirectoryError(f"{path}: not a summary.json written by lgsim "
                                "(not valid JSON)") from None
    if not isinstance(doc, dict) or not {"scenario", "lgsim_version"} <= set(doc):
        raise RunDirectoryError(f"{path}: not a summary.json written by lgsim")
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
            raise RunFileMissing(f"{out}: no {name} — not a finished run directory")
    summary = read_summary(out)
    try:
        results = Results.load(out)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise RunDirectoryError(
            f"cannot read {out / 'results.nc'}: not a results file written by lgsim "
            f"({reason})"
        ) from None
    ours, theirs = results.run_id, str((summary or {}).get("run_id", ""))
    if ours != theirs:
        raise RunDirectoryError(
            f"{out}: summary.json (run {theirs or 'without id'}) and results.nc (run "
            f"{ours or 'without id'}) come from different runs — run the scenario again"
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


def iter_tables(results: Results) -> Iterator[tuple[str, Any]]:
    """The tidy CSV tables one at a time: ``(file name, pandas.DataFrame)``."""
    import pandas as pd

    ds = results.ds
    y = results.target_year
    growth = ds["growth"].values
    gdp = ds["gdp"].values
    years = ds["year"].values
    met = results.met()
    yield "replications.csv", pd.DataFrame(
        {
            "replication": np.repeat(ds["replication"].values, len(years)),
            "year": np.tile(years, results.n),
            "gdp_yi_yuan": gdp.ravel(),
            "growth": growth.ravel(),
            "target_met": np.repeat(met, len(years)) & (np.tile(years, results.n) == y),
        }
    )
    rows = []
    for j, year in enumerate(years[1:], start=1):
        g = growth[:, j]
        qv = np.quantile(g, [0.1, 0.5, 0.9], method="linear")
        rows.append({"year": int(year), "mean": g.mean(), "p10": qv[0], "p50": qv[1],
                     "p90": qv[2]})
    yield "growth_summary.csv", pd.DataFrame(rows)
    ytd = ds["ytd_growth"].sel(year=y).values
    qv = np.quantile(ytd, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0, method="linear")
    yield "ytd_growth.csv", pd.DataFrame(
        {"year": y, "month": ds["month"].values, "p05": qv[0], "p25": qv[1], "p50": qv[2],
         "p75": qv[3], "p95": qv[4]}
    )
    for by in ("sector", "street", "component"):
        frame = results.contributions(by).reset_index()
        frame.insert(0, "year", y)
        yield f"contributions_{by}.csv", frame
    inv = results.investment_vs_plan().reset_index()
    inv.insert(0, "year", y)
    yield "investment_vs_plan.csv", inv


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
    for name, frame in iter_tables(results):
        write_csv(out / name, frame)
        del frame
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


def summary_text(results: Results) -> str:
    """The text of ``summary.json``: :meth:`Results.summary` as indented JSON (UTF-8).

    Strict JSON: a NaN or infinite number is an error here, never ``NaN`` in the file.
    """
    return json.dumps(results.summary(), ensure_ascii=False, indent=2, sort_keys=False,
                      allow_nan=False) + "\n"
