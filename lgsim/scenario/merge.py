"""Reading scenario files and resolving ``extends`` / ``remove`` into one document.

Merging rules (DESIGN.md): tables merge key by key; distribution tables (with ``dist`` or
``a``/``b``), ``impact``, ``sector_mix``, ``street_mix``, ``window`` and ``matrix`` replace
the parent's value whole; an array-of-tables entry whose id the parent has overrides that
entry's keys, a new id is appended; top-level ``remove = ["project[id]", ...]`` drops
inherited entries before merging. ``[scenario] name`` is not inherited.

``plan_start`` bookkeeping: when a file sets ``first_year_plan`` without ``plan_start``,
the entry's ``plan_start`` becomes its ``planned_start`` as merged at that file (and
``plan_duration_months`` its ``duration_months``), so a
child that only moves ``planned_start`` keeps the parent's plan schedule (rule 3).
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import ScenarioError, describe
from .paths import ARRAY_KINDS, entry_path

#: Keys whose value replaces the parent's whole instead of merging key by key.
REPLACE_WHOLE = frozenset({"impact", "sector_mix", "street_mix", "window", "matrix"})
_REMOVE = re.compile(r"^(?P<kind>[a-z]+)\[(?P<id>[^\]]+)\]$")
_PLANNED_KINDS = ("project", "batch", "pipeline")
#: A scenario nests at most four deep (``correlation.matrix`` rows); refuse far deeper.
MAX_DEPTH = 16
#: TOML integers are 64-bit; tomllib accepts larger ones, which overflow float arithmetic.
_INT64 = (-(2**63), 2**63 - 1)


def record_plan_schedule(layer: dict[str, Any], merged: dict[str, Any]) -> None:
    """Pin the schedule a first-year plan was made for (rule 3).

    A layer (file or set of changes) that sets ``first_year_plan`` without saying for
    which schedule makes the merged ``planned_start`` and ``duration_months`` explicit as
    ``plan_start`` and ``plan_duration_months``; later layers that move the start or the
    duration then shift or stretch the curve without re-meeting the plan.
    """
    for key, source in (("plan_start", "planned_start"),
                        ("plan_duration_months", "duration_months")):
        if key not in layer and source in merged:
            merged[key] = copy.deepcopy(merged[source])


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file, turning every failure into a :class:`ScenarioError`."""
    file = str(path)
    if path.is_dir():
        raise ScenarioError(file, "", "a scenario file", "a directory")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(file, "", "an existing scenario file", "no such file") from None
    except OSError as exc:
        raise ScenarioError(file, "", "a readable file", exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            file, "", "a UTF-8 text file",
            f"a byte that is not UTF-8 at line {line} (offset {exc.start})",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ScenarioError(file, "", "a TOML scenario with a [scenario] table", "an empty file")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"a syntax error: {exc}") from None
    except RecursionError:
        raise ScenarioError(
            file, "", "valid TOML", "arrays or tables nested too deeply to read"
        ) from None
    check_values(doc, file)
    return doc


def check_values(value: Any, file: str, path: str = "") -> None:
    """Refuse integers beyond 64 bits and absurd nesting (before any arithmetic or copying)."""
    stack = [(value, path, 0)]
    while stack:
        x, where, depth = stack.pop()
        if isinstance(x, int) and not isinstance(x, bool) and not _INT64[0] <= x <= _INT64[1]:
            raise ScenarioError(file, where, "an integer of at most 64 bits", describe(x))
        if isinstance(x, dict | list):
            if depth >= MAX_DEPTH:
                raise ScenarioError(
                    file, where, f"tables and arrays nested at most {MAX_DEPTH} deep",
                    "deeper nesting",
                )
            if isinstance(x, dict):
                items = [(f"{where}.{k}" if where else k, v) for k, v in x.items()]
            elif depth == 1 and where in ARRAY_KINDS:
                items = [(entry_path(where, v, i), v) for i, v in enumerate(x)]
            else:
                items = [(f"{where}[{i}]", v) for i, v in enumerate(x)]
            stack.extend((v, p, depth + 1) for p, v in items)


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
            raise ScenarioError(file, f"{kind}[#{n + 1}]", "a table", describe(entry))
        ident = entry["id"] if _has_id(entry) else None  # build() reports a bad or missing id
        if ident is not None:
            if ident in seen:
                raise ScenarioError(
                    file, f"{kind}[{ident}].id", f"a unique {kind} id", f"'{ident}' twice"
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


def merge_documents(parent: dict[str, Any], child: dict[str, Any], file: str) -> dict[str, Any]:
    """Merge a child document onto its (already resolved) parent."""
    out = {k: copy.deepcopy(v) for k, v in parent.items()}
    removals = child.get("remove", [])
    if not isinstance(removals, list):
        raise ScenarioError(file, "remove", 'an array like ["project[id]"]', describe(removals))
    for item in removals:
        m = _REMOVE.fullmatch(item) if isinstance(item, str) else None
        if not m or m["kind"] not in ARRAY_KINDS:
            raise ScenarioError(
                file, "remove", 'entries like "project[some-id]"', describe(item)
            )
        entries = out.get(m["kind"], [])
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("id") == m["id"])]
        if len(kept) == len(entries):
            raise ScenarioError(
                file, "remove", f"an inherited {m['kind']} id", f"{item!r}, which the parent lacks"
            )
        out[m["kind"]] = kept
    for key, value in child.items():
        if key in ("extends", "remove"):
            continue
        if key in ARRAY_KINDS:
            if not isinstance(value, list):
                raise ScenarioError(
                    file, key, f"an array of tables ([[{key}]])", describe(value)
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
    return _resolve(Path(path), ())


def _resolve(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    try:
        key = path.resolve()
    except (OSError, RuntimeError):  # e.g. a symlink loop; read_toml names the problem
        key = path.absolute()
    if key in chain:
        cycle = " -> ".join(p.name for p in (*chain, key))
        raise ScenarioError(str(path), "extends", "no cycle of extends", cycle)
    doc = read_toml(path)
    if not isinstance(doc.get("scenario", {}), dict):
        raise ScenarioError(str(path), "scenario", "a table [scenario]", describe(doc["scenario"]))
    own_name = doc.get("scenario", {}).get("name")
    parent_ref = doc.get("extends")
    if parent_ref is None:
        base: dict[str, Any] = {}
    else:
        if not isinstance(parent_ref, str):
            raise ScenarioError(str(path), "extends", "a file name (string)", describe(parent_ref))
        parent_path = path.parent / parent_ref
        try:
            found = parent_path.is_file()
        except OSError:  # e.g. a name too long for the file system
            found = False
        if not found:
            raise ScenarioError(
                str(path), "extends", "an existing parent file", f"{parent_ref!r} (no such file)"
            )
        base = _resolve(parent_path, (*chain, key))
    merged = merge_documents(base, doc, str(path))
    merged.setdefault("scenario", {})
    if own_name is None:
        merged["scenario"]["name"] = path.stem
    return merged
