"""The key-path syntax used in messages, ``with_changes`` and levers.

``kind[id].field.sub`` for entries of arrays of tables (``project[yangmeigang].total_investment``,
``sector[industry].growth.mean``) and ``section.key`` for plain tables
(``target.gdp_growth``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..i18n import _

#: Arrays of tables addressed by id.
ARRAY_KINDS = ("sector", "street", "project", "batch", "land", "shock", "pipeline",
               "indicator")

_PATH = re.compile(r"^(?P<kind>[a-z_]+)(?:\[(?P<id>[^\]]+)\])?(?P<rest>(?:\.[A-Za-z0-9_@-]+)*)$")


@dataclass(frozen=True, slots=True)
class KeyPath:
    """A parsed key path."""

    kind: str
    id: str | None
    fields: tuple[str, ...]

    def __str__(self) -> str:
        head = f"{self.kind}[{self.id}]" if self.id is not None else self.kind
        return ".".join((head, *self.fields))


def parse_path(text: str) -> KeyPath:
    """Parse ``kind[id].field.sub`` or ``section.key``.

    Raises
    ------
    ValueError
        If the text is not a key path.
    """
    m = _PATH.match(text.strip())
    if not m:
        raise ValueError(_("not a key path: {text!r} (expected kind[id].field or "
                           "section.key)").format(text=text))
    kind, ident = m["kind"], m["id"]
    fields = tuple(f for f in m["rest"].split(".") if f)
    if kind in ARRAY_KINDS and ident is None and fields:
        raise ValueError(_("{text!r}: {kind} entries are addressed as {kind}[id].field")
                         .format(text=text, kind=kind))
    if kind not in ARRAY_KINDS and ident is not None:
        raise ValueError(_("{text!r}: [{kind}] is a table, not an array of tables").format(
            text=text, kind=kind))
    return KeyPath(kind, ident, fields)


def entry_path(kind: str, entry: Any, index: int) -> str:
    """Path head of an array-of-tables entry: ``kind[id]`` or ``kind[#n]`` without an id."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return f"{kind}[{entry['id']}]"
    return f"{kind}[#{index + 1}]"


def locate(doc: dict[str, Any], path: KeyPath, *, create: bool = False) -> tuple[dict, str]:
    """Return ``(table, key)`` such that ``table[key]`` is the value at ``path``.

    Raises
    ------
    KeyError
        With a message naming the missing part.
    """
    if not path.fields:
        raise KeyError(_("{path}: a path must name a field").format(path=path))
    if path.kind in ARRAY_KINDS:
        entries = doc.get(path.kind, [])
        table = next((e for e in entries if isinstance(e, dict) and e.get("id") == path.id), None)
        if table is None:
            raise KeyError(_("{entry}: no such entry").format(entry=f"{path.kind}[{path.id}]"))
    else:
        table = doc.setdefault(path.kind, {}) if create else doc.get(path.kind)
        if not isinstance(table, dict):
            raise KeyError(_("{table}: no such table").format(table=f"[{path.kind}]"))
    for name in path.fields[:-1]:
        nxt = table.get(name)
        if not isinstance(nxt, dict):
            if create and nxt is None:
                nxt = table[name] = {}
            else:
                raise KeyError(_("{path}: {name!r} is not a table here").format(path=path,
                                                                                 name=name))
        table = nxt
    return table, path.fields[-1]
