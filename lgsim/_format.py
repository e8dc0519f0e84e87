"""Numbers as text: one formatter for percent, percentage points and plain numbers.

Two conventions, chosen by ``typeset``:

* **plain** (terminal, ``run.log``, CSV-like text): ASCII hyphen-minus, ``n/a`` for a
  missing value (None, NaN or infinite) — what a console and a diff tool show reliably;
* **typeset** (HTML reports and charts): the true minus sign U+2212, as matplotlib's
  axis ticks draw it, and an em dash ``—`` for a missing value.

For files people read, :func:`to_pct` turns a fraction into a percent number (names
carry their unit: ``_pct``, ``_pp``, ``_yi_yuan``).

Also the width of text in a terminal, where CJK characters take two columns.
"""

from __future__ import annotations

import math
import unicodedata

#: The minus sign of typeset text (U+2212).
MINUS = "\u2212"


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(float(x))


def num(x: float | None, spec: str = ".2f", *, typeset: bool = False) -> str:
    """A number with a format spec, e.g. ``num(-0.25, "+.2f")`` → ``"-0.25"``.

    Parameters
    ----------
    x : float or None
        The number.
    spec : str
        A format specification (``".1f"``, ``"+.3f"``, ``",.0f"``...).
    typeset : bool
        Typeset convention (U+2212 minus, ``—`` when missing) instead of plain
        (``-``, ``n/a``).
    """
    if _missing(x):
        return "—" if typeset else "n/a"
    text = format(x, spec)
    return text.replace("-", MINUS) if typeset else text


def pct(x: float | None, digits: int = 1, *, typeset: bool = False) -> str:
    """A fraction as percent: ``pct(0.0349)`` → ``"3.5%"`` (see :func:`num` for ``typeset``)."""
    if _missing(x):
        return num(x, typeset=typeset)
    return num(100 * float(x), f".{digits}f", typeset=typeset) + "%"


def pp(x: float | None, digits: int = 2, *, typeset: bool = False) -> str:
    """A difference of fractions in signed percentage points: ``0.002`` → ``"+0.20"``."""
    if _missing(x):
        return num(x, typeset=typeset)
    return num(100 * float(x), f"+.{digits}f", typeset=typeset)


def to_pct(x: float | None) -> float | None:
    """A fraction as a percent *number* for files: ``0.0349`` → ``3.49`` (None if missing).

    The file convention (docs/units): a number's name ends with its unit, ``_pct`` for
    percent, ``_pp`` for percentage points (differences of fractions, the same × 100).
    Rounded to 12 significant digits so that ``0.06`` gives ``6.0``, not
    ``6.000000000000001``.
    """
    if _missing(x):
        return None
    return float(f"{100.0 * float(x):.12g}")


def target_pct(target: float) -> str:
    """A target fraction as short percent text: ``0.06`` → ``"6%"``, ``0.055`` → ``"5.5%"``."""
    return f"{round(100 * target, 6):g}%"


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (wide CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns."""
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    """Right-align ``text`` in ``width`` terminal columns (a CJK character takes two)."""
    return " " * max(0, width - display_width(text)) + text


#: Control characters a terminal may act on (C0 except tab and newline, DEL, C1), and the
#: Unicode line and paragraph separators.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F,
                                        *range(0x80, 0xA0))}
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: str) -> str:
    """``text`` safe to print to a terminal: control characters shown as escapes (ESC: x1b).

    Keeps newlines and tabs; escapes every other C0 character (ESC, NUL, BEL, carriage
    return...), DEL and the C1 range, so a name in a scenario file cannot move the
    cursor, clear the screen or retitle the window.
    """
    return text.translate(_CONTROL)
