"""Input–output tables: the shipped national tables (10 industries) and user tables.

A table is a CSV in the format of ``lgsim/data/io/io10_2017.csv`` (see ``PROVENANCE.md``
there): rows ``domestic_product`` and ``imported_product`` for every sector,
``value_added``/``va_total`` and ``total``/``total_input``; columns the using sectors, then
final uses including ``gfcf`` (gross fixed capital formation) and ``total_output``. From it
:func:`read_table` derives what lgsim needs to turn project spending into value added:

* ``A`` — domestic technical coefficients: domestic input of product i per unit of
  output of sector j;
* ``v`` — value added per unit of output of each sector;
* ``gfcf_domestic`` / ``gfcf_imported`` — the composition of one unit of GFCF by product,
  produced at home and imported (they sum to 1).

A table that does not hold together (negative intermediate use or output, columns whose
inputs and value added do not add up to total input within 1e-6) is refused with a
:class:`TableError` (a ValueError) naming the row or column, what was expected and what was
found, in the current language (:mod:`lgsim.i18n`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..i18n import _

#: Tables shipped with lgsim: name -> file in ``lgsim/data/io/``.
SHIPPED = {"nbs-2017": "io10_2017.csv", "nbs-2018": "io10_2018.csv", "nbs-2020": "io10_2020.csv"}
#: Columns' total inputs and value added must balance within this (relative).
BALANCE_TOLERANCE = 1e-6


class TableError(ValueError):
    """An input–output table that is not acceptable.

    The message is ``<where>: expected <what>, found <what>`` (``where``: the row and
    column, empty for the whole table), the words in the current language.
    """

    def __init__(self, where: str, expected: str, found: str) -> None:
        self.where, self.expected, self.found = where, expected, found
        super().__init__(self.message)

    def __reduce__(self) -> tuple:
        return (type(self), (self.where, self.expected, self.found))

    @property
    def message(self) -> str:
        """The one-line message."""
        text = _("expected {expected}, found {found}").format(expected=self.expected,
                                                              found=self.found)
        return _("{where}: {text}").format(where=self.where, text=text) if self.where else text


def _cell(row: str, column: str) -> str:
    """``row domestic_product industry, column construction`` (the words translated)."""
    return _("row {name}, column {column}").format(name=row, column=column)


@dataclass(frozen=True)
class IOTable:
    """An input–output table reduced to what spending needs (see the module docstring).

    Attributes
    ----------
    sectors : tuple of str
        Sector ids, in the order of the arrays.
    a : numpy.ndarray
        ``(S, S)`` domestic technical coefficients.
    v : numpy.ndarray
        ``(S,)`` value-added coefficients.
    gfcf_domestic, gfcf_imported : numpy.ndarray
        ``(S,)`` shares of one unit of GFCF by product, domestic and imported.
    source : str
        The file read.
    """

    sectors: tuple[str, ...]
    a: np.ndarray
    v: np.ndarray
    gfcf_domestic: np.ndarray
    gfcf_imported: np.ndarray
    source: str

    def reordered(self, sectors: list[str]) -> IOTable:
        """The same table with its sectors in the order ``sectors`` (the same set)."""
        idx = [self.sectors.index(s) for s in sectors]
        return IOTable(tuple(sectors), self.a[np.ix_(idx, idx)], self.v[idx],
                       self.gfcf_domestic[idx], self.gfcf_imported[idx], self.source)


def shipped_path(name: str) -> Path:
    """The file of a shipped table (``nbs-2017``, ``nbs-2018``, ``nbs-2020``)."""
    return Path(str(resources.files("lgsim.data").joinpath("io", SHIPPED[name])))


def _number(text: str, where: str) -> float:
    try:
        x = float(text) if text.strip() else 0.0
    except ValueError:
        raise TableError(where, _("a number"), repr(text)) from None
    if not math.isfinite(x):
        raise TableError(where, _("a finite number"), repr(text))
    return x


def read_table(path: str | Path) -> IOTable:
    """Read and check an input–output table (the format of the shipped ``io10_*.csv``).

    A file already read (same path, size and modification time) is not parsed again:
    what-if studies validate the same scenario, and its table, hundreds of times.

    Raises
    ------
    TableError
        A missing row or column, a number that is not one, a negative intermediate use
        or output, or columns that do not balance (message names the row or column).
    """
    path = Path(path)
    stat = path.stat()
    return _read_table(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _read_table(file: str, size: int, mtime_ns: int) -> IOTable:
    """:func:`read_table` of one version of a file (``size``, ``mtime_ns`` key the cache)."""
    path = Path(file)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "row_type" not in rows[0] or "row" not in rows[0]:
        raise TableError("", _("the columns row_type and row of an lgsim IO table"),
                         _("columns {columns}").format(columns=", ".join(rows[0]) if rows
                                                       else _("none")))
    sectors = tuple(r["row"] for r in rows if r["row_type"] == "domestic_product")
    by = {(r["row_type"], r["row"]): r for r in rows}
    for s in sectors:
        if s not in rows[0]:
            raise TableError(_("column {column}").format(column=s),
                             _("a column for every domestic_product row"), _("none"))
    n = len(sectors)

    def matrix(row_type: str) -> np.ndarray:
        out = np.zeros((n, n))
        for i, s in enumerate(sectors):
            row = by.get((row_type, s))
            if row is None:
                if row_type == "imported_product":
                    continue  # a table without imports
                raise _missing_row(row_type, s)
            out[i] = [_number(row[c], _cell(f"{row_type} {s}", c)) for c in sectors]
        return out

    def row_of(row_type: str, name: str, default: float | None = None) -> np.ndarray:
        row = by.get((row_type, name))
        if row is None:
            raise _missing_row(row_type, name)
        return np.array([_number(row[c], _cell(name, c)) for c in sectors])

    domestic, imported = matrix("domestic_product"), matrix("imported_product")
    va = row_of("value_added", "va_total")
    total_input = row_of("total", "total_input")
    output = np.array([_number(by[("domestic_product", s)].get("total_output", ""),
                               _cell(f"domestic_product {s}", "total_output"))
                       for s in sectors])
    gfcf_d = np.array([_number(by[("domestic_product", s)].get("gfcf", ""),
                               _cell(f"domestic_product {s}", "gfcf")) for s in sectors])
    gfcf_m = np.array([_number(by[("imported_product", s)].get("gfcf", ""),
                               _cell(f"imported_product {s}", "gfcf"))
                       if ("imported_product", s) in by else 0.0 for s in sectors])
    _check(sectors, domestic, imported, va, total_input, output, gfcf_d + gfcf_m)
    total_gfcf = float((gfcf_d + gfcf_m).sum())
    return IOTable(sectors, domestic / total_input, va / total_input, gfcf_d / total_gfcf,
                   gfcf_m / total_gfcf, str(path))


def _missing_row(row_type: str, name: str) -> TableError:
    return TableError(_("row {name}").format(name=f"{row_type} {name!r}"),
                      _("a row of the table"), _("none"))


def _check(sectors: tuple[str, ...], domestic: np.ndarray, imported: np.ndarray,
           va: np.ndarray, total_input: np.ndarray, output: np.ndarray,
           gfcf: np.ndarray) -> None:
    for what, m in (("domestic_product", domestic), ("imported_product", imported)):
        bad = np.argwhere(m < 0)
        if bad.size:
            i, j = bad[0]
            raise TableError(_cell(f"{what} {sectors[i]}", sectors[j]),
                             _("an intermediate use >= 0"), f"{m[i, j]:g}")
    for j, s in enumerate(sectors):
        column = _("column {column}").format(column=s)
        if not total_input[j] > 0 or not output[j] > 0:
            raise TableError(column, _("a total output > 0"),
                             f"{min(total_input[j], output[j]):g}")
        inputs = domestic[:, j].sum() + imported[:, j].sum() + va[j]
        if abs(inputs - total_input[j]) > BALANCE_TOLERANCE * total_input[j]:
            raise TableError(
                column, _("intermediate inputs + value added = total input within {tolerance:g} "
                          "(relative)").format(tolerance=BALANCE_TOLERANCE),
                _("{inputs:.10g} against {total:.10g}").format(inputs=inputs,
                                                                total=total_input[j]))
    if not gfcf.sum() > 0 or (gfcf < 0).any():
        raise TableError(_("column {column}").format(column="gfcf"),
                         _("gross fixed capital formation >= 0 with a positive total"),
                         _("negative or all-zero values"))
