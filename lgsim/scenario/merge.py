"""Scenario documents: reading files, resolving ``extends`` / ``remove``, applying changes.

Merging rules (docs/model.md): tables merge key by key; distribution tables (with ``dist`` or
``a``/``b``), ``impact``, ``sector_mix``, ``street_mix``, ``window`` and ``matrix`` replace
the parent's value whole; an array-of-tables entry whose id the parent has overrides that
entry's keys, a new id is appended; top-level ``remove = ["project[id]", ...]`` drops
inherited entries (and ``remove = ["actuals"]`` an inherited optional table) before
merging. ``[scenario] name`` is not inherited.

``plan_start`` bookkeeping: when a file (or a set of changes, :func:`apply_changes`)
sets ``first_year_plan`` without ``plan_start``, the entry's ``plan_start`` becomes its
``planned_start`` as merged at that layer (and ``plan_duration_months`` its
``duration_months``), so a later layer that only moves ``planned_start`` keeps the plan's
schedule (rule 3, :mod:`.plan_shape`).
"""

from __future__ import annotations

import copy
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..fileio import FileTooLarge, NotRegularFile, file_kind, read_regular, size
from ..i18n import _
from .errors import ScenarioError, describe
from .investment import absolute_table
from .paths import ARRAY_KINDS, entry_path, locate, parse_path
from .plan_shape import record_plan_schedule
from .workbook import read_workbook

#: Keys whose value replaces the parent's whole instead of merging key by key.
REPLACE_WHOLE = frozenset({"impact", "sector_mix", "street_mix", "window", "matrix"})
_REMOVE = re.compile(r"^(?P<kind>[a-z]+)\[(?P<id>[^\]]+)\]$")
_PLANNED_KINDS = ("project", "batch", "pipeline")
#: A scenario nests at most four deep (``correlation.matrix`` rows); refuse far deeper.
MAX_DEPTH = 16
#: TOML integers are 64-bit; tomllib accepts larger ones, which overflow float arithmetic.
_INT64 = (-(2**63), 2**63 - 1)
#: Largest scenario file read (bytes); a scenario of 200 sectors and 10,000 projects is
#: about 3 MB.
MAX_FILE_BYTES = 10 * 1000 * 1000
#: Longest chain of ``extends`` (a file, its parent, its grandparent...).
MAX_EXTENDS = 32
#: Control characters no text of a scenario may hold (NUL cannot even be stored in
#: results.nc; ESC and the like would act on a terminal): C0 except tab, newline and
#: carriage return, DEL, C1, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file, turning every failure into a :class:`ScenarioError`.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read: a FIFO, a device
    (``/dev/zero``) or a socket gets one line instead of a hang or a read without end.
    """
    file = str(path)
    if path.is_dir():
        raise ScenarioError(file, "", _("a scenario file"), _("a directory"))
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise ScenarioError(file, "", _("an existing scenario file"), _("no such file")) from None
    except NotRegularFile as exc:
        raise ScenarioError(file, "", _("a scenario file (a regular file)"), exc.strerror) from None
    except FileTooLarge:
        raise ScenarioError(
            file, "", _("a scenario file of at most {size}").format(size=size(MAX_FILE_BYTES)),
            _("a larger file")
        ) from None
    except OSError as exc:
        raise ScenarioError(file, "", _("a readable file"), exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            file, "", _("a UTF-8 text file"),
            _("a byte that is not UTF-8 at line {line} (offset {start})")
            .format(line=line, start=exc.start),
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ScenarioError(file, "", _("a TOML scenario with a [scenario] table"),
                            _("an empty file"))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", _("valid TOML"), _("a syntax error: {exc}")
            .format(exc=exc)) from None
    except RecursionError:
        raise ScenarioError(
            file, "", _("valid TOML"), _("arrays or tables nested too deeply to read")
        ) from None
    check_values(doc, file)
    return doc


def check_values(value: Any, file: str, path: str = "") -> None:
    """Refuse integers beyond 64 bits and absurd nesting (before any arithmetic or copying)."""
    stack = [(value, path, 0)]
    while stack:
        x, where, depth = stack.pop()
        if isinstance(x, int) and not isinstance(x, bool) and not _INT64[0] <= x <= _INT64[1]:
            raise ScenarioError(file, where, _("an integer of at most 64 bits"), describe(x))
        if isinstance(x, str) and _CONTROL.search(x):
            raise ScenarioError(file, where, _("text without control characters"),
                                _control_found(x, _("text {shown!r} holding the control "
                                                    "character {char!r}")))
        if isinstance(x, dict):
            for k in x:
                if _CONTROL.search(k):
                    raise ScenarioError(file, where, _("key names without control characters"),
                                        _control_found(k, _("key {shown!r} holding the "
                                                            "control character {char!r}")))
        if isinstance(x, dict | list):
            if depth >= MAX_DEPTH:
                raise ScenarioError(
                    file, where, _("tables and arrays nested at most {MAX_DEPTH} deep")
                                 .format(MAX_DEPTH=MAX_DEPTH),
                    _("deeper nesting"),
                )
            if isinstance(x, dict):
                items = [(f"{where}.{k}" if where else k, v) for k, v in x.items()]
            elif depth == 1 and where in ARRAY_KINDS:
                items = [(entry_path(where, v, i), v) for i, v in enumerate(x)]
            else:
                items = [(f"{where}[{i}]", v) for i, v in enumerate(x)]
            stack.extend((v, p, depth + 1) for p, v in items)


def _control_found(text: str, template: str) -> str:
    char = _CONTROL.search(text)[0]  # type: ignore[index]
    shown = text if len(text) <= 40 else text[:37] + "..."
    return template.format(shown=shown, char=char)


def _is_dist_table(value: Any) -> bool:
    return isinstance(value, dict) and ("dist" in value or "a" in value or "b" in value)


def merge_tables(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Merge a child table onto a parent table (not arrays of tables)."""
    out = dict(parent)
    for key, value in child.items():
        old = out.get(key)
        if (
            isinstance(value, dict)
            and isinstance(old, dict)
            and key not in REPLACE_WHOLE
            and not _is_dist_table(value)
            and not _is_dist_table(old)
        ):
            out[key] = merge_tables(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_entries(
    kind: str, parent: list[Any], child: list[Any], file: str
) -> list[Any]:
    out = [copy.deepcopy(e) for e in parent]
    index = {e["id"]: i for i, e in enumerate(out) if isinstance(e, dict) and _has_id(e)}
    seen: set[str] = set()
    for n, entry in enumerate(child):
        if not isinstance(entry, dict):
            raise ScenarioError(file, f"{kind}[#{n + 1}]", _("a table"), describe(entry))
        ident = entry["id"] if _has_id(entry) else None  # build() reports a bad or missing id
        if ident is not None:
            if ident in seen:
                raise ScenarioError(
                    file, f"{kind}[{ident}].id", _("a unique {kind} id").format(kind=kind),
                    _("'{ident}' twice").format(ident=ident)
                )
            seen.add(ident)
        if ident is not None and ident in index:
            merged = merge_tables(out[index[ident]], entry)
        else:
            merged = copy.deepcopy(entry)
        if kind in _PLANNED_KINDS and "first_year_plan" in entry:
            record_plan_schedule(entry, merged)
        if ident is not None and ident in index:
            out[index[ident]] = merged
        else:
            if ident is not None:
                index[ident] = len(out)
            out.append(merged)
    return out


def _has_id(entry: dict[str, Any]) -> bool:
    return isinstance(entry.get("id"), str)


#: Optional tables a child file may drop whole with ``remove = ["actuals"]``.
REMOVABLE_TABLES = ("actuals", "correlation", "io")


def _remove(doc: dict[str, Any], item: Any, file: str) -> None:
    """Drop an inherited entry (``kind[id]``) or optional table (``actuals``) from ``doc``."""
    if isinstance(item, str) and item in REMOVABLE_TABLES:
        if item not in doc:
            raise ScenarioError(file, "remove", _("an inherited [{item}] table").format(item=item),
                                _("{item!r}, which the parent lacks").format(item=item))
        del doc[item]
        return
    m = _REMOVE.fullmatch(item) if isinstance(item, str) else None
    if not m or m["kind"] not in ARRAY_KINDS:
        raise ScenarioError(
            file, "remove",
            _('entries like "project[some-id]" or the name of an optional table ({tables})')
            .format(tables=", ".join(REMOVABLE_TABLES)), describe(item),
        )
    entries = doc.get(m["kind"], [])
    kept = [e for e in entries if not (isinstance(e, dict) and e.get("id") == m["id"])]
    if len(kept) == len(entries):
        raise ScenarioError(
            file, "remove", _("an inherited {kind} id").format(kind=m["kind"]),
            _("{item!r}, which the parent lacks").format(item=item)
        )
    doc[m["kind"]] = kept
    if isinstance(doc.get("sources"), dict):  # its sources go with it
        head = f"{m['kind']}[{m['id']}]"
        doc["sources"] = {k: v for k, v in doc["sources"].items()
                          if not (k == head or k.startswith(head + "."))}


def merge_documents(parent: dict[str, Any], child: dict[str, Any], file: str) -> dict[str, Any]:
    """Merge a child document onto its (already resolved) parent."""
    out = {k: copy.deepcopy(v) for k, v in parent.items()}
    removals = child.get("remove", [])
    if not isinstance(removals, list):
        raise ScenarioError(file, "remove", _("an array like [\"project[id]\"]"),
                            describe(removals))
    for item in removals:
        _remove(out, item, file)
    for key, value in child.items():
        if key in ("extends", "remove"):
            continue
        if key in ARRAY_KINDS:
            if not isinstance(value, list):
                raise ScenarioError(
                    file, key, _("an array of tables ([[{key}]])").format(key=key), describe(value)
                )
            out[key] = _merge_entries(key, out.get(key, []), value, file)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_file(path: str | Path) -> dict[str, Any]:
    """Read a scenario file and everything it extends into one merged document.

    Parameters
    ----------
    path : str or Path
        The scenario file.

    Returns
    -------
    dict
        The merged document, with ``scenario.name`` set to the file's stem unless the
        file itself names the scenario.
    """
    return _resolve(Path(path), (), str(path))


def _resolve(path: Path, chain: tuple[Path, ...], top: str) -> dict[str, Any]:
    try:
        key = path.resolve()
    except (OSError, RuntimeError):  # e.g. a symlink loop; read_toml names the problem
        key = path.absolute()
    if key in chain:
        cycle = " -> ".join(p.name for p in (*chain, key))
        raise ScenarioError(str(path), "extends", _("no cycle of extends"), cycle)
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            top, "extends", _("a chain of at most {MAX_EXTENDS} files (extends)")
                            .format(MAX_EXTENDS=MAX_EXTENDS),
            _("a longer chain (still going at {name})").format(name=path.name),
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):  # a workbook as a parent
        doc = read_workbook(path)[0]
        check_values(doc, str(path))
    else:
        doc = read_toml(path)
    absolute_table(doc, path.parent)  # a user IO table is found next to its file
    if not isinstance(doc.get("scenario", {}), dict):
        raise ScenarioError(str(path), "scenario", _("a table [scenario]"),
                            describe(doc["scenario"]))
    own_name = doc.get("scenario", {}).get("name")
    parent_ref = doc.get("extends")
    if parent_ref is None:
        base: dict[str, Any] = {}
    else:
        if not isinstance(parent_ref, str):
            raise ScenarioError(str(path), "extends", _("a file name (string)"),
                                describe(parent_ref))
        parent_path = path.parent / parent_ref
        try:
            mode = parent_path.stat().st_mode  # never blocks, even on a FIFO
        except (OSError, ValueError):  # missing, a name too long, a NUL...
            mode = None
        if mode is None:
            raise ScenarioError(
                str(path), "extends", _("an existing parent file"),
                _("{parent!r} (no such file)").format(parent=parent_ref)
            )
        if not stat.S_ISREG(mode):
            raise ScenarioError(str(path), "extends", _("a parent scenario file (a regular file)"),
                                f"{parent_ref!r}, {file_kind(mode)}")
        base = _resolve(parent_path, (*chain, key), top)
    merged = merge_documents(base, doc, str(path))
    merged.setdefault("scenario", {})
    if own_name is None:
        merged["scenario"]["name"] = path.stem
    return merged


def apply_changes(
    document: dict[str, Any], changes: Mapping[str, Any], file: str
) -> dict[str, Any]:
    """A copy of ``document`` with the values at key paths replaced (not yet validated).

    Parameters
    ----------
    document : dict
        A merged scenario document.
    changes : mapping
        Key path -> new value, e.g. ``{"batch[sz-2022-batch3].start_delay_months": 3.0}``.
    file : str
        Name used in messages.

    Raises
    ------
    ScenarioError
        A path that is not a key path of the document, or a value beyond 64-bit integers
        or nested too deep.
    """
    doc = copy.deepcopy(document)
    replanned: list[tuple[dict[str, bool], dict[str, Any]]] = []
    for text, value in changes.items():
        try:
            path = parse_path(text)
            table, key = locate(doc, path, create=True)
        except (ValueError, KeyError) as exc:
            raise ScenarioError(
                file, text, _("a key path of this scenario"), str(exc).strip("'\"")
            ) from None
        check_values(value, file, text)
        table[key] = copy.deepcopy(value)
        if key == "first_year_plan" and len(path.fields) == 1:
            own = {k: True for k in ("plan_start", "plan_duration_months")
                   if f"{path.kind}[{path.id}].{k}" in changes}
            replanned.append((own, table))
    for own, table in replanned:  # after all changes: the plan's schedule as changed
        record_plan_schedule(own, table)
    return doc
