"""Bundled CJK font so matplotlib renders Chinese without system fonts.

The package ships ``NotoSansSC-Regular-subset.otf``, a subset of Noto Sans
CJK SC Regular (SIL Open Font License 1.1, see ``OFL.txt``) covering ASCII,
GB 2312 (all 6,763 hanzi plus its symbol rows), CJK punctuation, full-width
forms, Greek letters and the usual chart symbols.  :func:`register_cjk_font`
makes matplotlib use it; glyphs the subset lacks fall back to DejaVu Sans,
which matplotlib always ships.

Examples
--------
>>> from lgsim.fonts import register_cjk_font
>>> register_cjk_font()
'Noto Sans CJK SC'
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from pathlib import Path

__all__ = ["FONT_FILENAME", "cjk_font_path", "register_cjk_font", "subset_font"]

#: File name of the bundled font inside this package.
FONT_FILENAME = "NotoSansSC-Regular-subset.otf"

#: Fallback family kept right after the CJK family in ``font.sans-serif``.
_FALLBACK_FAMILY = "DejaVu Sans"

_MINUS_SIGN = 0x2212

_resource_stack = contextlib.ExitStack()
atexit.register(_resource_stack.close)
_font_path: Path | None = None
_family: str | None = None


def cjk_font_path() -> Path:
    """Return a file-system path to the bundled CJK font.

    Returns
    -------
    pathlib.Path
        Path of ``NotoSansSC-Regular-subset.otf``.  When the package is
        imported from a zip archive the font is extracted to a temporary file
        that lives until the interpreter exits.
    """
    global _font_path
    if _font_path is None:
        ref = resources.files(__name__).joinpath(FONT_FILENAME)
        _font_path = Path(_resource_stack.enter_context(resources.as_file(ref)))
    return _font_path


def register_cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and make it the default.

    Adds the font to ``matplotlib.font_manager.fontManager``, sets
    ``rcParams['font.family']`` to ``'sans-serif'`` and puts the font's
    family first in ``rcParams['font.sans-serif']``, followed by DejaVu Sans
    as fallback for glyphs the subset lacks.  ``rcParams['axes.unicode_minus']``
    is set to ``False`` only if the font has no U+2212 MINUS SIGN.

    The function is idempotent: the font is added to the font manager only
    once, and calling it again leaves ``rcParams`` unchanged if they are
    already set (it re-applies them if they were reset in between, e.g. by
    ``matplotlib.rcdefaults()``).

    Returns
    -------
    str
        The font family name to use in matplotlib (``'Noto Sans CJK SC'``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lgsim.fonts import register_cjk_font
    >>> family = register_cjk_font()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("龙岗区 地区生产总值增长 6.5%")
    """
    global _family
    import matplotlib as mpl
    from matplotlib import font_manager

    path = cjk_font_path()
    font = font_manager.get_font(path)
    if _family is None:
        if not any(Path(entry.fname) == path for entry in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(str(path))
        _family = str(font.family_name)
    family = _family

    if list(mpl.rcParams["font.family"]) != ["sans-serif"]:
        mpl.rcParams["font.family"] = "sans-serif"
    sans = list(mpl.rcParams["font.sans-serif"])
    wanted = [family, _FALLBACK_FAMILY] + [
        name for name in sans if name not in (family, _FALLBACK_FAMILY)
    ]
    if sans != wanted:
        mpl.rcParams["font.sans-serif"] = wanted
    if font.get_char_index(_MINUS_SIGN) == 0:
        mpl.rcParams["axes.unicode_minus"] = False
    return family


def subset_font(text: str) -> bytes:
    """The bundled font cut down to the characters of ``text``, as WOFF (zlib) bytes.

    For embedding in a self-contained HTML page (``@font-face`` with a ``data:`` URL):
    the page then draws its Chinese text with this font on a machine with no CJK font.
    Printable ASCII is always kept; characters the bundled font lacks are left out (the
    browser draws them with its next font). The result is deterministic (no time stamps).

    Parameters
    ----------
    text : str
        Every character the page shows.

    Returns
    -------
    bytes
        A WOFF font file (typically 20–150 kB for a report).
    """
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["ccmp", "kern", "liga", "calt", "mark", "mkmk"]
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL 1.1) records
    options.notdef_outline = True
    font = TTFont(cjk_font_path(), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set(map(chr, range(0x20, 0x7F))))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()
