"""Typed getters for scenario tables that fail with the file, key path, expectation and finding."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from ..i18n import _
from .distributions import Dist, fixed, parse_dist
from .errors import ScenarioError, ScenarioWarning, describe, suggest

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_RE = re.compile(r"^\w[\w.-]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MISSING = object()
#: Longest name or title (characters).
MAX_TEXT = 200


class Checker:
    """Typed getters that raise :class:`ScenarioError` naming file and key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.warnings: list[str] = []

    def fail(self, path: str, expected: str, found: str, hint: str = "") -> ScenarioError:
        """Build the error for ``path``."""
        return ScenarioError(self.file, path, expected, found, hint)

    def warn(self, path: str, text: str) -> None:
        """Record a warning about ``path``."""
        message = _("{file}: {path}: {text}").format(file=self.file, path=path, text=text)
        self.warnings.append(message)
        warnings.warn(message, ScenarioWarning, stacklevel=4)

    def keys(
        self, table: Any, allowed: Iterable[str], path: str, required: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Check a table's keys: unknown keys (with a suggestion) and required keys."""
        if not isinstance(table, Mapping):
            raise self.fail(path, _("a table"), describe(table))
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(
                    where, _("a known key"), _("unknown key {key!r}").format(key=key), suggest(key,
                                                                                               allowed)
                )
        for key in required:
            if key not in table:
                raise self.fail(f"{path}.{key}" if path else key, _("a value (required)"),
                                _("nothing"))
        return dict(table)

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        default: Any = MISSING,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        integer: bool = False,
        fraction: bool = False,
    ) -> Any:
        """A finite number (or integer) within bounds."""
        where = f"{path}.{key}"
        if key not in table:
            if default is MISSING:
                raise self.fail(where, _("a value (required)"), _("nothing"))
            return default
        x = table[key]
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise self.fail(where, _("an integer") if integer else _("a number"), describe(x))
        if integer and not isinstance(x, int):
            raise self.fail(where, _("an integer"), describe(x))
        if not math.isfinite(x):
            raise self.fail(where, _("a finite number"), repr(x))
        if fraction and abs(x) > 1:
            raise self.fail(
                where, _("a fraction"), _("{x:g} (looks like percent: write {value:g} for {x:g}%)")
                                     .format(x=x, value=x / 100)
            )
        if lo is not None and (x < lo or (lo_open and x == lo)):
            raise self.fail(where, _("a value {value} {lo:g}")
                                   .format(value='>' if lo_open else '>=', lo=lo), f"{x:g}")
        if hi is not None and x > hi:
            raise self.fail(where, _("a value <= {hi:g}").format(hi=hi), f"{x:g}")
        return x

    def dist(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        default: Any = MISSING,
        *,
        fraction: bool = False,
        nonneg: bool = False,
        upper: float | None = None,
    ) -> Dist:
        """A number or distribution table; ``nonneg`` requires support >= 0."""
        where = f"{path}.{key}"
        if key not in table:
            if default is MISSING:
                raise self.fail(where, _("a value (required)"), _("nothing"))
            return default if isinstance(default, Dist) else fixed(default)
        d = parse_dist(table[key], where, self.fail, fraction=fraction)
        low, high = d.support()
        if nonneg and low < 0:
            found = (_("support reaching {value:g}").format(value=low) if d.kind != "fixed"
                     else f"{low:g}")
            hint = "" if d.kind == "fixed" else _("add min = 0 or use a non-negative "
                                                  "distribution")
            raise self.fail(where, _("values >= 0"), found, hint)
        if upper is not None and high > upper:
            found = (_("support reaching {value:g}").format(value=high) if d.kind != "fixed"
                     else f"{high:g}")
            raise self.fail(where, _("values <= {upper:g}").format(upper=upper), found)
        return d

    def string(self, table: Mapping[str, Any], key: str, path: str, default: Any = MISSING,
               *, line: bool = True) -> Any:
        """A name or title: one line of text without control characters, at most 200 long.

        ``line=False``: any string (the caller checks it with a stricter rule).
        """
        if key not in table:
            if default is MISSING:
                raise self.fail(f"{path}.{key}", _("a value (required)"), _("nothing"))
            return default
        x = table[key]
        if not isinstance(x, str):
            raise self.fail(f"{path}.{key}", _("a string"), describe(x))
        if not line:
            return x
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in x):
            raise self.fail(f"{path}.{key}", _("one line of text without control characters"),
                            describe(x))
        if len(x) > MAX_TEXT:
            raise self.fail(f"{path}.{key}", _("a text of at most {MAX_TEXT} characters")
                                             .format(MAX_TEXT=MAX_TEXT),
                            _("{count:,} characters").format(count=len(x)))
        return x

    def boolean(self, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        """A boolean."""
        x = table.get(key, default)
        if not isinstance(x, bool):
            raise self.fail(f"{path}.{key}", _("true or false"), describe(x))
        return x

    def date_value(self, x: Any, where: str) -> dt.date:
        """A TOML date or an ISO string ``YYYY-MM-DD``."""
        if isinstance(x, dt.datetime):
            raise self.fail(where, _("a date like 2022-06-07 (no time of day)"), str(x))
        if isinstance(x, dt.date):
            return x
        if isinstance(x, str) and DATE_RE.fullmatch(x):
            try:
                return dt.date.fromisoformat(x)
            except ValueError:
                raise self.fail(where, _("a real calendar date"), repr(x)) from None
        raise self.fail(where, _("a date like 2022-06-07"), describe(x))

    def ident(self, table: Mapping[str, Any], path: str) -> str:
        """An id matching ``^[a-z0-9][a-z0-9_-]*$``."""
        x = table.get("id", MISSING)
        if x is MISSING:
            raise self.fail(f"{path}.id", _("an id (required)"), _("nothing"))
        if not isinstance(x, str) or not ID_RE.fullmatch(x):
            raise self.fail(
                f"{path}.id", _("an id of lower-case letters, digits, '-' or '_'"), describe(x)
            )
        return x


def shares(ck: Checker, entries: list[tuple[str, float]], path: str, what: str) -> list[float]:
    """Weights that sum to 1 within 0.001, normalised to sum to 1."""
    total = sum(v for _k, v in entries)
    if abs(total - 1.0) > 0.001:
        raise ck.fail(path, _("{what} that sum to 1 (within 0.001)").format(what=what),
                      _("a sum of {total:.6g}")
                                                                    .format(total=total))
    return [v / total for _k, v in entries]


def mix(
    ck: Checker, table: Any, path: str, known: list[str], what: str
) -> tuple[tuple[str, float], ...]:
    """A table of known ids to weights (``sector_mix``, ``street_mix``), normalised."""
    if not isinstance(table, Mapping) or not table:
        raise ck.fail(path, _("a table of {what} ids to weights").format(what=what),
                      describe(table))
    items = []
    for key in table:
        if key not in known:
            raise ck.fail(f"{path}.{key}", _("a known {what} id").format(what=what), repr(key),
                          suggest(key, known))
        v = ck.number(table, key, path, lo=0.0)
        items.append((key, float(v)))
    weights = shares(ck, items, path, _("weights"))
    return tuple((k, w) for (k, _w), w in zip(items, weights, strict=True))


def seasonality(ck: Checker, season: Any, path: str) -> tuple[float, ...]:
    """Twelve monthly weights at ``path``, normalised (default 1/12 each)."""
    if season is None:
        return (1 / 12,) * 12
    if (
        not isinstance(season, list)
        or len(season) != 12
        or any(isinstance(w, bool) or not isinstance(w, int | float) for w in season)
    ):
        raise ck.fail(path, _("an array of 12 numbers"), describe(season))
    if any(not math.isfinite(w) or w < 0 for w in season):
        raise ck.fail(path, _("12 finite numbers >= 0"), str(season))
    return tuple(shares(
        ck, [(str(k), float(w)) for k, w in enumerate(season)],
        path, _("12 monthly weights"),
    ))
