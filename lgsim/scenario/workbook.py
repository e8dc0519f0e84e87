"""Scenario workbooks (.xlsx): the document a TOML file gives, in sheets an analyst edits.

A workbook holds one sheet per section; every sheet has two header rows, a Chinese label
(with its unit) and the key it maps to, and data from row 3:

``说明``
    How to use the workbook (ignored when read, like every sheet whose name starts
    with ``#``).
``总体 general``
    One row per key of the plain tables (``scenario``, ``target``, ``economy``,
    ``accounting``, ``correlation``, ``actuals``): key, label, value, unit, source.
``分项目标 targets``
    Sector and street growth targets (``target.sectors`` / ``target.streets``).
``行业 sector``, ``街道 street``, ``项目 project``, ``批次 batch``, ``储备项目 pipeline``,
``土地整备 land``, ``冲击 shock``, ``指标映射 indicator``
    One row per entry, one column per key. Nested keys are flattened with the key-path
    syntax: ``growth.dist`` (a drop-down of the distribution kinds), ``growth.mean``,
    ``sector_mix.industry``, ``window[0]``. A number without a distribution goes in the
    column of the key itself (``start_delay_months``). A ``sources:<key>`` column holds
    the ``[sources]`` text of the key next to it.
``来源 sources``
    Sources that belong to no single cell.

:func:`read_workbook` turns a workbook into the same document dict a TOML file gives
(the normal validation then runs); :func:`write_workbook` writes a document.
Numbers are written exactly (shortest round-trip form), so a document survives the
round trip TOML → workbook → TOML unchanged. openpyxl reads and writes the files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..fileio import write_with
from ..i18n import _
from .build import (
    BATCH_KEYS,
    LAND_KEYS,
    PIPELINE_KEYS,
    PROJECT_KEYS,
    SECTOR_KEYS,
    SHOCK_KEYS,
    STREET_KEYS,
)
from .distributions import PARAMS
from .errors import ScenarioError, describe, suggest
from .indicators import INDICATOR_KEYS
from .labels import key_label
from .paths import ARRAY_KINDS, parse_path

#: Sheets of a scenario workbook: (key, Chinese name); the title is ``"<name> <key>"``.
SHEETS: tuple[tuple[str, str], ...] = (
    ("general", "总体"), ("targets", "分项目标"), ("sector", "行业"), ("street", "街道"),
    ("project", "项目"), ("batch", "批次"), ("pipeline", "储备项目"), ("land", "土地整备"),
    ("shock", "冲击"), ("indicator", "指标映射"), ("sources", "来源"),
)
#: The sheet of instructions (ignored when read).
README = "说明"
#: First data row (row 1: Chinese labels, row 2: keys).
FIRST_ROW = 3
#: Header keys of the sheets that are not arrays of tables.
GENERAL_COLUMNS = ("key", "label", "value", "unit", "source")
TARGET_COLUMNS = ("kind", "id", "name", "growth", "source")
SOURCE_COLUMNS = ("key", "text")
#: Prefix of a column holding the ``[sources]`` text of a key.
SOURCE_PREFIX = "sources:"
#: Drop-down lists of the sheets (data validation).
DIST_KINDS = tuple(PARAMS)
DRAWDOWNS = ("s-curve", "linear")
#: Schema order of the columns of each array of tables.
#: Columns of an array sheet with no entries (so a first entry can be typed in).
EMPTY_COLUMNS = {
    "sector": ("id", "name", "share", "growth.dist", "growth.mean", "growth.sd"),
    "street": ("id", "name", "share"),
    "project": ("id", "name", "sector", "street", "total_investment", "first_year_plan",
                "planned_start", "duration_months", "start_delay_months"),
    "batch": ("id", "name", "count", "total_investment", "first_year_plan", "planned_start",
              "duration_months", "sector_mix"),
    "pipeline": ("id", "name", "probability", "signed", "sector", "total_investment",
                 "duration_months", "land_delay_months"),
    "land": ("id", "hectares", "by", "delivered"),
    "shock": ("id", "name", "probability", "window[0]", "window[1]", "duration_months",
              "impact", "pauses_projects"),
    "indicator": ("id", "area", "indicator", "quantity", "sectors[0]", "sd", "deflator"),
}
KEY_ORDER = {"sector": SECTOR_KEYS, "street": STREET_KEYS, "project": PROJECT_KEYS,
             "batch": BATCH_KEYS, "pipeline": PIPELINE_KEYS, "land": LAND_KEYS,
             "shock": SHOCK_KEYS, "indicator": INDICATOR_KEYS}
_PLAIN_ORDER = ("scenario", "target", "economy", "accounting", "correlation", "actuals")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_TOKEN = re.compile(r'\.?(?:(?P<name>[A-Za-z0-9_-]+)|"(?P<quoted>(?:[^"\\]|\\.)*)")|\[(?P<i>\d+)\]')


def title(key: str) -> str:
    """The sheet title of a section key, e.g. ``"行业 sector"``."""
    return f"{dict(SHEETS)[key]} {key}"


# ---------------------------------------------------------------------- flat keys
def join_key(prefix: str, part: str | int) -> str:
    """``prefix.part`` (quoted when needed) or ``prefix[part]`` for a list index."""
    if isinstance(part, int):
        return f"{prefix}[{part}]"
    seg = part if _SEGMENT.fullmatch(part) else json.dumps(part, ensure_ascii=False)
    return f"{prefix}.{seg}" if prefix else seg


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaves of nested tables and arrays as ``(flat key, value)`` pairs, in order."""
    if isinstance(value, Mapping):
        return [pair for k, v in value.items() for pair in flatten(v, join_key(prefix, k))]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in flatten(v, join_key(prefix, i))]
    return [(prefix, value)]


def split_key(text: str) -> list[str | int]:
    """Tokens of a flat key: ``'growth.mean'`` → ``['growth', 'mean']``, ``'w[0]'`` → ``['w', 0]``.

    Raises
    ------
    ValueError
        If the text is not a flat key.
    """
    tokens: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        lead = m.group(0)[0] if m else ""
        if not m or (pos == 0 and lead in ".[") or (pos > 0 and lead not in ".["):
            raise ValueError(_("not a key: {text!r}").format(text=text))
        if m["i"] is not None:
            tokens.append(int(m["i"]))
        else:
            tokens.append(m["name"] if m["name"] is not None else json.loads(f'"{m["quoted"]}"'))
        pos = m.end()
    if not tokens:
        raise ValueError(_("an empty key"))
    return tokens


def put(doc: dict[str, Any], tokens: list[str | int], value: Any) -> None:
    """Set ``value`` at ``tokens`` in a nested document (lists grow in index order).

    Raises
    ------
    ValueError
        A key given twice, both as a value and as a table, or a list index with a gap.
    """
    node: Any = doc
    for k, token in enumerate(tokens):
        last = k == len(tokens) - 1
        nxt: Any = value if last else ([] if isinstance(tokens[k + 1], int) else {})
        if isinstance(token, int):
            if not isinstance(node, list) or token > len(node):
                raise ValueError(_("index [{index}] follows no index [{before}]").format(
                    index=token, before=token - 1))
            if token == len(node):
                node.append(nxt)
            elif last or not isinstance(node[token], type(nxt)):
                raise ValueError(_("given twice"))
        else:
            if not isinstance(node, dict):
                raise ValueError(_("both a value and a table"))
            if token not in node:
                node[token] = nxt
            elif last or not isinstance(node[token], type(nxt)):
                raise ValueError(_("given twice, or both as a value and as a table"))
        node = node[token]


def inline_value(text: str) -> Any:
    """A TOML inline table or array written in one cell (``{ industry = 0.4 }``), else the text."""
    import tomllib

    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text
    return value if isinstance(value, dict | list) else text


def inline_toml(value: Any) -> str:
    """A value as TOML inline text (the inverse of :func:`inline_value`)."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{join_key('', str(k))} = {inline_toml(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(inline_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    # a JSON string is a TOML basic string, except that TOML also forbids DEL unescaped
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _is_dist(value: Any) -> bool:
    return isinstance(value, Mapping) and ("dist" in value or "a" in value or "b" in value)


def _row_cells(entry: Mapping[str, Any], columns: list[str]) -> dict[str, Any]:
    """An entry's cells; a table whose key order the columns cannot keep goes inline.

    The order of ``sector_mix`` / ``street_mix`` / ``impact`` keys matters (members draw
    their sector in that order), so a table whose keys come in another order than the
    sheet's columns is written as inline TOML in the column of its own key.
    """
    flat = dict(flatten(entry))
    for key, value in entry.items():
        if not isinstance(value, Mapping) or _is_dist(value) or not value:
            continue
        mine = [k for k, _v in flatten(value, key)]
        if [c for c in columns if c in mine] != mine:
            for k in mine:
                flat.pop(k)
            flat[key] = inline_toml(value)
    return flat


# ---------------------------------------------------------------------- locations
class Cell(NamedTuple):
    """Where a value sits in a workbook (row and column 1-based; 0 = the whole row/sheet)."""

    sheet: str
    row: int = 0
    column: int = 0

    def describe(self) -> str:
        """``sheet 行业 sector, row 5, column G``."""
        from openpyxl.utils import get_column_letter

        text = _("sheet {sheet}").format(sheet=self.sheet)
        if self.row:
            text += _(", row {row}").format(row=self.row)
        if self.column:
            text += _(", column {column}").format(column=get_column_letter(self.column))
        return text


class Locations(dict):
    """Key path → :class:`Cell`, to name the cell of a validation error."""

    def cell_of(self, path: str) -> Cell | None:
        """The cell of ``path`` or of its nearest enclosing key, entry or section."""
        candidate = path
        while candidate:
            if candidate in self:
                return self[candidate]
            stripped = re.sub(r'(\.("[^"]*"|[^.\[\]"]+)|\[[^\]]*\])$', "", candidate)
            if stripped == candidate:
                break
            candidate = stripped
        return None

    def locate(self, exc: ScenarioError) -> ScenarioError:
        """The same error with its file naming the sheet, row and column."""
        cell = self.cell_of(exc.path)
        if cell is None:
            return exc
        return ScenarioError(_("{file}, {cell}").format(file=exc.file, cell=cell.describe()),
                             exc.path, exc.expected,
                             exc.found, exc.hint)


# ---------------------------------------------------------------------- reading
def read_workbook(path: str | Path) -> tuple[dict[str, Any], Locations]:
    """Read a scenario workbook into a document (as :func:`tomllib.loads` gives).

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.

    Returns
    -------
    (dict, Locations)
        The document, and where each key path sits (to name cells in errors).

    Raises
    ------
    ScenarioError
        The file cannot be read as a workbook, or a cell cannot be placed (one line
        naming the file, sheet, row and column).
    """
    file = str(path)
    values, formulas = _open(Path(path))
    doc: dict[str, Any] = {}
    where = Locations()
    readers = {"general": _read_general, "targets": _read_targets, "sources": _read_sources}
    known = {key for key, _label in SHEETS}
    for name in values.sheetnames:
        key = name.split()[-1] if name.split() else name
        if name.startswith(("#", README)):
            continue
        if key not in known:
            raise ScenarioError(
                _("{file}, sheet {sheet}").format(file=file, sheet=name), "",
                _("a sheet named like '行业 sector' ({names}) or starting with '#' (ignored)")
                .format(names=", ".join(known)), _("sheet {name!r}").format(name=name),
                suggest(key, known),
            )
        sheet = _Sheet(file, name, values[name], formulas[name])
        reader = readers.get(key)
        if reader is not None:
            reader(sheet, doc, where)
        else:
            _read_entries(sheet, key, doc, where)
    return doc, where


def _open(path: Path) -> tuple[Any, Any]:
    """The workbook twice: computed values, and formulas (to spot uncomputed ones)."""
    import zipfile

    from openpyxl import load_workbook

    file = str(path)
    if path.is_dir():
        raise ScenarioError(file, "", _("a scenario workbook"), _("a directory"))
    try:
        return (load_workbook(path, data_only=True, read_only=False),
                load_workbook(path, data_only=False, read_only=False))
    except FileNotFoundError:
        raise ScenarioError(file, "", _("an existing scenario workbook"),
                            _("no such file")) from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        found = " ".join(str(exc).split())[:80] or type(exc).__name__
        raise ScenarioError(file, "", _("an Excel workbook (.xlsx)"), found) from None


class _Sheet:
    """One sheet being read: cell values, their locations and one-line errors."""

    def __init__(self, file: str, name: str, values: Any, formulas: Any) -> None:
        self.file, self.name, self.values, self.formulas = file, name, values, formulas

    def fail(self, row: int, column: int, path: str, expected: str, found: str) -> ScenarioError:
        return ScenarioError(f"{self.file}, {Cell(self.name, row, column).describe()}", path,
                             expected, found)

    def value(self, row: int, column: int) -> Any:
        """A cell's value: dates as dates, stripped empty strings as None."""
        v = self.values.cell(row=row, column=column).value
        if v is None:
            f = self.formulas.cell(row=row, column=column).value
            if isinstance(f, str) and f.startswith("="):
                raise self.fail(row, column, "",
                                _("a value (a formula needs its computed value: open and save "
                                  "the file in Excel)"), _("formula {formula}").format(formula=f))
            return None
        if isinstance(v, dt.datetime):
            if v.time() != dt.time(0):
                return v
            return v.date()
        if isinstance(v, str) and not v.strip():
            return None
        if isinstance(v, str) and v.strip().startswith(("{", "[")):
            return inline_value(v)
        return v

    def header(self, expected: Iterable[str] | None = None) -> dict[str, int]:
        """Row 2: key → column; checks duplicates (and the fixed columns if given)."""
        out: dict[str, int] = {}
        for col in range(1, self.values.max_column + 1):
            key = self.value(2, col)
            if key is None:
                continue
            key = str(key).strip()
            if key in out:
                raise self.fail(2, col, "", _("each key once in row 2"), _("{key!r} twice")
                                                                      .format(key=key))
            out[key] = col
        if expected is not None:
            for key in expected:
                if key not in out and key not in ("label", "unit", "name"):
                    raise self.fail(2, 0, "", _("a column {key!r} in row 2").format(key=key),
                                    _("none"))
        return out

    def rows(self) -> range:
        return range(FIRST_ROW, self.values.max_row + 1)


def _key_tokens(sheet: _Sheet, row: int, col: int, text: Any) -> list[str | int]:
    try:
        return split_key(str(text).strip())
    except ValueError:
        raise sheet.fail(row, col, "", _("a key such as target.gdp_growth"),
                         describe(text)) from None


def _put(sheet: _Sheet, doc: dict[str, Any], tokens: list[str | int], value: Any,
         row: int, col: int, path: str) -> None:
    try:
        put(doc, tokens, value)
    except ValueError as exc:
        raise sheet.fail(row, col, path, _("each key once"), str(exc)) from None


def _read_general(sheet: _Sheet, doc: dict[str, Any], where: Locations) -> None:
    cols = sheet.header(("key", "value"))
    for row in sheet.rows():
        key = sheet.value(row, cols["key"])
        value = sheet.value(row, cols["value"])
        source = sheet.value(row, cols["source"]) if "source" in cols else None
        if key is None:
            if value is not None or source is not None:
                raise sheet.fail(row, cols["key"], "", _("a key in column key"), _("an empty cell"))
            continue
        tokens = _key_tokens(sheet, row, cols["key"], key)
        path = str(key).strip()
        if value is not None:
            _put(sheet, doc, tokens, value, row, cols["value"], path)
            where[path] = Cell(sheet.name, row, cols["value"])
        if source is not None:
            _add_source(sheet, doc, where, path, source, row, cols["source"])


def _add_source(sheet: _Sheet, doc: dict[str, Any], where: Locations, key: str, text: Any,
                row: int, col: int) -> None:
    sources = doc.setdefault("sources", {})
    if key in sources:
        raise sheet.fail(row, col, f'sources."{key}"', _("one source per key"), _("a second one"))
    sources[key] = text
    where[f'sources."{key}"'] = where[f"sources.{key}"] = Cell(sheet.name, row, col)


def _read_targets(sheet: _Sheet, doc: dict[str, Any], where: Locations) -> None:
    cols = sheet.header(("kind", "id", "growth"))
    for row in sheet.rows():
        kind, ident = sheet.value(row, cols["kind"]), sheet.value(row, cols["id"])
        growth = sheet.value(row, cols["growth"])
        source = sheet.value(row, cols["source"]) if "source" in cols else None
        if kind is None and ident is None and growth is None and source is None:
            continue
        if kind not in ("sector", "street"):
            raise sheet.fail(row, cols["kind"], "target", _("'sector' or 'street'"), describe(kind))
        if not isinstance(ident, str):
            raise sheet.fail(row, cols["id"], "target", _("a {kind} id").format(kind=kind),
                             describe(ident))
        path = f"target.{kind}s.{ident}"
        if growth is not None:
            _put(sheet, doc, ["target", f"{kind}s", ident], growth, row, cols["growth"], path)
            where[path] = Cell(sheet.name, row, cols["growth"])
        if source is not None:
            _add_source(sheet, doc, where, path, source, row, cols["source"])


def _read_sources(sheet: _Sheet, doc: dict[str, Any], where: Locations) -> None:
    cols = sheet.header(SOURCE_COLUMNS)
    for row in sheet.rows():
        key, text = sheet.value(row, cols["key"]), sheet.value(row, cols["text"])
        if key is None and text is None:
            continue
        if key is None:
            raise sheet.fail(row, cols["key"], "sources", _("a key path"), _("an empty cell"))
        _add_source(sheet, doc, where, str(key).strip(), text, row, cols["text"])


def _read_entries(sheet: _Sheet, kind: str, doc: dict[str, Any], where: Locations) -> None:
    cols = sheet.header()
    entries: list[dict[str, Any]] = []
    where.setdefault(kind, Cell(sheet.name))
    for row in sheet.rows():
        cells = {key: sheet.value(row, col) for key, col in cols.items()}
        if all(v is None for v in cells.values()):
            _check_unlabelled(sheet, row, set(cols.values()))
            continue
        _check_unlabelled(sheet, row, set(cols.values()))
        ident = cells.get("id")
        head = f"{kind}[{ident}]" if isinstance(ident, str) else f"{kind}[#{len(entries) + 1}]"
        where[head] = Cell(sheet.name, row)
        entry: dict[str, Any] = {}
        for key, value in cells.items():
            if value is None:
                continue
            if key.startswith(SOURCE_PREFIX):
                field = key[len(SOURCE_PREFIX):]
                _add_source(sheet, doc, where, f"{head}.{field}", value, row, cols[key])
                continue
            path = f"{head}.{key}"
            _put(sheet, entry, _key_tokens(sheet, 2, cols[key], key), value, row, cols[key],
                 path)
            where[path] = Cell(sheet.name, row, cols[key])
        entries.append(entry)
    if entries:
        if kind in doc:
            raise sheet.fail(0, 0, kind, _("one sheet of {kind} entries").format(kind=kind),
                             _("two"))
        doc[kind] = entries


def _check_unlabelled(sheet: _Sheet, row: int, labelled: set[int]) -> None:
    for col in range(1, sheet.values.max_column + 1):
        if col not in labelled and sheet.value(row, col) is not None:
            raise sheet.fail(row, col, "", _("a key in row 2 above this value"), _("an empty cell"))


# ---------------------------------------------------------------------- writing
def write_workbook(document: Mapping[str, Any], path: str | Path) -> Path:
    """Write a scenario document as a workbook (atomically) and return its path.

    Parameters
    ----------
    document : mapping
        A scenario document, e.g. :func:`lgsim.scenario.resolve.resolved_document` (a
        workbook has no ``extends``: write the resolved document of a chain).
    path : str or Path
        The ``.xlsx`` file.
    """
    from openpyxl import Workbook

    from .workbook_style import readme_sheet, style_sheet

    doc = dict(document)
    sources = dict(doc.pop("sources", {}) or {})
    names = {e["id"]: e.get("name", e["id"]) for kind in ("sector", "street")
             for e in doc.get(kind, []) if isinstance(e, dict) and isinstance(e.get("id"), str)}
    wb = Workbook()
    readme_sheet(wb.active, README)
    ws = wb.create_sheet(title("general"))
    _write_general(ws, doc, sources)
    style_sheet(ws, list(GENERAL_COLUMNS))
    ws = wb.create_sheet(title("targets"))
    _write_targets(ws, doc, sources, names)
    style_sheet(ws, list(TARGET_COLUMNS), sector_ids=_ids(doc, "sector"),
                street_ids=_ids(doc, "street"))
    for kind in ("sector", "street", "project", "batch", "pipeline", "land", "shock",
                 "indicator"):
        ws = wb.create_sheet(title(kind))
        columns = _write_entries(ws, kind, doc.get(kind, []), sources, names)
        style_sheet(ws, columns, sector_ids=_ids(doc, "sector"), street_ids=_ids(doc, "street"))
    ws = wb.create_sheet(title("sources"))
    _header(ws, [("键（键路径）", "key"), ("说明", "text")])
    for key, text in sources.items():
        ws.append([key, text])
    style_sheet(ws, list(SOURCE_COLUMNS))
    path = Path(path)
    write_with(path, lambda tmp: wb.save(tmp))
    return path


def _ids(doc: Mapping[str, Any], kind: str) -> list[str]:
    return [e["id"] for e in doc.get(kind, []) if isinstance(e, dict)
            and isinstance(e.get("id"), str)]


def _header(ws: Any, columns: list[tuple[str, str]]) -> None:
    ws.append([label for label, _key in columns])
    ws.append([key for _label, key in columns])


def set_value(cell: Any, value: Any) -> None:
    """Write a value exactly: numbers in their shortest round-trip form, dates as dates.

    openpyxl writes numbers with 16 significant digits, which can change a float in its
    last place and a 64-bit integer (a seed) in its last digits; the cell's text is set
    to ``repr`` instead (``tests/test_workbook.py`` checks the round trip).
    """
    cell.value = value
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        cell._value = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def _write_general(ws: Any, doc: dict[str, Any], sources: dict[str, str]) -> None:
    from .labels import KEY_LABELS

    _header(ws, [("键", "key"), ("名称", "label"), ("值", "value"), ("单位", "unit"),
                 ("来源或假设", "source")])
    plain = [k for k in _PLAIN_ORDER if k in doc] + [
        k for k in doc if k not in _PLAIN_ORDER and k not in ARRAY_KINDS]
    for section in plain:
        value = doc[section]
        if section == "target" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in ("sectors", "streets")}
        for key, leaf in flatten(value, section):
            label = key_label(section, key.split(".", 1)[1], unit=False) if "." in key else section
            head = key.split(".")[1].split("[")[0] if "." in key else ""
            unit = KEY_LABELS.get(section, {}).get(head, ("", ""))[1]
            _append(ws, [key, label, leaf, unit, sources.pop(key, None)])
        for key in [k for k in sources if k.startswith(f"{section}.")
                    and not k.startswith(("target.sectors.", "target.streets."))]:
            _append(ws, [key, key_label(section, key.split(".", 1)[1], unit=False), None,
                         "", sources.pop(key)])


def _append(ws: Any, row: list[Any]) -> None:
    r = ws.max_row + 1
    for c, value in enumerate(row, start=1):
        if value is not None:
            set_value(ws.cell(row=r, column=c), value)


def _write_targets(ws: Any, doc: dict[str, Any], sources: dict[str, str],
                   names: dict[str, str]) -> None:
    _header(ws, [("类别", "kind"), ("编号", "id"), ("名称", "name"),
                 ("增长目标（比例，0.06 = 6%）", "growth"), ("来源或假设", "source")])
    target = doc.get("target", {}) if isinstance(doc.get("target"), Mapping) else {}
    for kind in ("sector", "street"):
        table = target.get(f"{kind}s", {})
        if not isinstance(table, Mapping):
            continue
        for ident, growth in table.items():
            _append(ws, [kind, ident, names.get(ident), growth,
                         sources.pop(f"target.{kind}s.{ident}", None)])


def _columns(kind: str, entries: list[Any]) -> list[str]:
    """Flat keys of the entries in schema order (then first seen).

    A table some entry cannot show in these columns' order (:func:`_row_cells`) also
    gets a column of its own key, for its inline text.
    """
    order = KEY_ORDER.get(kind, ())
    seen: dict[str, int] = {}
    for entry in entries:
        for key, _v in flatten(entry):
            seen.setdefault(key, len(seen))
    for entry in entries:
        for key in _row_cells(entry, list(seen)):
            seen.setdefault(key, -1)

    def rank(key: str) -> tuple[int, int]:
        head = re.split(r"[.\[]", key, maxsplit=1)[0]
        return (order.index(head) if head in order else len(order), seen[key])

    return sorted(seen, key=rank)


def _source_columns(kind: str, entries: list[Any], columns: list[str],
                    sources: dict[str, str]) -> list[str]:
    """Columns with ``sources:<key>`` inserted after the key's own columns."""
    ids = {e.get("id") for e in entries if isinstance(e, dict)}
    fields: list[str] = []
    for key in sources:
        try:
            kp = parse_path(key)
        except ValueError:
            continue
        field = ".".join(kp.fields)
        if kp.kind == kind and kp.id in ids and field and field not in fields:
            fields.append(field)
    out = list(columns)
    for field in fields:
        mine = [i for i, c in enumerate(out) if c == field or c.startswith((f"{field}.",
                                                                           f"{field}["))]
        out.insert(mine[-1] + 1 if mine else len(out), SOURCE_PREFIX + field)
    return out


def _write_entries(ws: Any, kind: str, entries: list[Any], sources: dict[str, str],
                   names: dict[str, str]) -> list[str]:
    columns = _source_columns(kind, entries, _columns(kind, entries), sources)
    if not entries:
        columns = list(EMPTY_COLUMNS[kind])
    labels = [
        f"来源：{key_label(kind, c[len(SOURCE_PREFIX):], names, unit=False)}"
        if c.startswith(SOURCE_PREFIX) else key_label(kind, c, names) for c in columns
    ]
    _header(ws, list(zip(labels, columns, strict=True)))
    plain = [c for c in columns if not c.startswith(SOURCE_PREFIX)]
    for entry in entries:
        flat = _row_cells(entry, plain)
        head = f"{kind}[{entry.get('id')}]"
        row = [sources.pop(f"{head}.{c[len(SOURCE_PREFIX):]}", None)
               if c.startswith(SOURCE_PREFIX) else flat.get(c) for c in columns]
        _append(ws, row)
    return columns
