r"""Regenerate the CJK font subset shipped in ``lgsim/fonts``.

The subset is cut from the *Noto Sans CJK SC Regular* face of the
``NotoSansCJK-Regular.ttc`` collection in Debian's ``fonts-noto-cjk``
package (SIL Open Font License 1.1).  The package does not need to be
installed; downloading and unpacking it is enough::

    apt-get update
    mkdir -p /tmp/notocjk && cd /tmp/notocjk
    apt-get download fonts-noto-cjk
    dpkg-deb -x fonts-noto-cjk_*.deb x
    # font:    x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
    # licence: x/usr/share/doc/fonts-noto-cjk/copyright (section SIL-1.1)

Then, from the repository root::

    python tools/subset_font.py \
        /tmp/notocjk/x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        --ofl-from /tmp/notocjk/x/usr/share/doc/fonts-noto-cjk/copyright

``--ofl-from`` also rewrites ``lgsim/fonts/OFL.txt`` (the font's copyright
and trademark notices followed by the SIL OFL 1.1 text of the Debian
``copyright`` file).

For a ``.ttc`` source the Simplified Chinese face is picked automatically
(family name containing ``SC``); ``--font-number N`` overrides it (it is 2
in fonts-noto-cjk 1:20220127+repack1-1).  The subset is produced with
fontTools' ``pyftsubset`` (called in-process through
:func:`fontTools.subset.main`), without timestamp recalculation, so the same
source font and fontTools version give a byte-identical output.

Characters kept (all generated in code below):

* printable ASCII and Latin-1 Supplement;
* Greek letters, general punctuation, chart symbols
  (``% ‰ ± × ÷ – — − … · ≤ ≥ ≈ ° ¥``, arrows, circled numbers, ...);
* CJK symbols and punctuation (U+3000-U+303F) and half-width/full-width
  forms (U+FF01-U+FF60, U+FFE0-U+FFE6);
* every character of GB 2312: the non-hanzi rows 1-9, the level-1 hanzi
  (rows 16-55, 3,755 characters) and the level-2 hanzi (rows 56-87, 3,008
  characters), obtained by decoding the code points with Python's
  ``gb2312`` codec.  (The 3,500-character level-1 list of the 通用规范汉字表
  cannot be derived offline from the standard library; GB 2312 levels 1+2
  cover almost all of it.)
* :data:`EXTRA_TEXT`, a short list of project words that must always be
  present (district and sub-district names, chart vocabulary).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "lgsim" / "fonts" / "NotoSansSC-Regular-subset.otf"

#: Project vocabulary that must be covered whatever the character tables say.
EXTRA_TEXT = (
    "深圳市 龙岗区 福田 罗湖 盐田 南山 宝安 龙华 坪山 光明 大鹏 深汕 "
    "坂田 宝龙 平湖 园山 龙岗 坪地 布吉 南湾 横岗 龙城 吉华 "
    "地区生产总值增长 工业 批发和零售业 住宿和餐饮业 营利性服务业 "
    "非营利性服务业 农林牧渔业 交通运输仓储和邮政业 金融业 房地产业 建筑业 "
    "目标 达成概率 亿元 万元 百分点 中位数 累计投资 计划 开工 月 年 季度 "
    "情景 基准 比较 分解 拉动 同比 环比 贡献率"
)

#: Individual chart symbols (besides the ranges below).
CHART_SYMBOLS = "%‰±×÷–—−…·≤≥≈≠∞°℃¥€£$亿元"

#: Inclusive Unicode ranges kept in the subset.
UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII printable
    (0x00A0, 0x00FF),  # Latin-1 Supplement (° ± × ÷ · ¥ ² ³ ...)
    (0x0391, 0x03A1),  # Greek capitals (U+03A2 is unassigned)
    (0x03A3, 0x03A9),
    (0x03B1, 0x03C9),  # Greek small letters
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203B),  # per mille, primes, reference mark
    (0x2160, 0x216B),  # Roman numerals
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign (matplotlib's axes.unicode_minus)
    (0x2460, 0x2473),  # circled numbers 1-20
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF60),  # full-width ASCII variants and brackets
    (0xFFE0, 0xFFE6),  # full-width signs (cent, pound, yen, ...)
)

#: GB 2312 rows (区) included: symbols, level-1 hanzi, level-2 hanzi.
GB2312_ROWS: tuple[tuple[int, int], ...] = ((1, 9), (16, 55), (56, 87))


def gb2312_chars(first_row: int, last_row: int) -> list[str]:
    """Decode GB 2312 rows ``first_row`` to ``last_row`` (inclusive).

    Parameters
    ----------
    first_row, last_row : int
        Row (区) numbers, 1-94.

    Returns
    -------
    list of str
        The characters of the defined cells, in code-point order of the
        GB 2312 table.
    """
    chars: list[str] = []
    for row in range(first_row, last_row + 1):
        for cell in range(1, 95):
            try:
                chars.append(bytes((0xA0 + row, 0xA0 + cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_codepoints() -> list[int]:
    """Return the sorted list of code points to keep in the subset.

    Returns
    -------
    list of int
        Unique Unicode code points.
    """
    level1 = gb2312_chars(16, 55)
    level2 = gb2312_chars(56, 87)
    if len(level1) != 3755 or len(level2) != 3008:
        raise RuntimeError(f"unexpected GB 2312 hanzi counts {len(level1)}/{len(level2)}")
    cps: set[int] = set()
    for lo, hi in UNICODE_RANGES:
        cps.update(range(lo, hi + 1))
    for lo, hi in GB2312_ROWS:
        cps.update(ord(c) for c in gb2312_chars(lo, hi))
    cps.update(ord(c) for c in CHART_SYMBOLS + EXTRA_TEXT if not c.isspace())
    return sorted(cps)


def family_name(font: TTFont) -> str:
    """Return the (typographic, else legacy) family name of ``font``."""
    name = font["name"]
    return str(name.getDebugName(16) or name.getDebugName(1))


def pick_font_number(source: Path) -> int:
    """Find the Simplified Chinese, proportional face in a collection.

    Parameters
    ----------
    source : Path
        A ``.ttc``/``.otc`` font collection.

    Returns
    -------
    int
        Index of the first face whose family name ends in ``SC`` and is not
        a monospaced (``Mono``) face.
    """
    coll = TTCollection(str(source), lazy=True)
    for i, font in enumerate(coll.fonts):
        fam = family_name(font)
        if fam.split()[-1] == "SC" and "Mono" not in fam:
            return i
    raise SystemExit(f"no Simplified Chinese (SC) face found in {source}")


def _is_collection(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"ttcf"


def _ranges(cps: Iterable[int]) -> str:
    """Compress sorted code points into a pyftsubset ``--unicodes`` string."""
    out: list[str] = []
    start = prev = None
    for cp in cps:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append(f"{start:04X}" if start == prev else f"{start:04X}-{prev:04X}")
            start = prev = cp
    if start is not None:
        out.append(f"{start:04X}" if start == prev else f"{start:04X}-{prev:04X}")
    return ",".join(out)


def ofl_from_debian_copyright(copyright_file: Path, font: TTFont) -> str:
    """Build ``OFL.txt`` from a Debian ``copyright`` file.

    Parameters
    ----------
    copyright_file : Path
        ``usr/share/doc/fonts-noto-cjk/copyright`` from the unpacked package.
    font : TTFont
        The subset font; its copyright (name ID 0) and trademark (name ID 7)
        notices head the licence text.

    Returns
    -------
    str
        The notices followed by the SIL OFL 1.1 text, unfolded from Debian's
        DEP-5 continuation-line format.
    """
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    # The stand-alone licence paragraph: "License: SIL-1.1" followed by
    # indented text (the "Files:" stanzas only name the licence).
    starts = [
        i + 1
        for i, line in enumerate(lines[:-1])
        if line.strip() == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    ]
    if not starts:
        raise SystemExit(f"no 'License: SIL-1.1' text in {copyright_file}")
    start = starts[0]
    body: list[str] = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    name = font["name"]
    header = [
        f"Font: {family_name(font)} Regular (subset), from Debian fonts-noto-cjk.",
        str(name.getDebugName(0)),
        str(name.getDebugName(7)),
        "",
    ]
    return "\n".join(header + body).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc (or an .otf)")
    parser.add_argument(
        "--font-number",
        type=int,
        default=None,
        help="face index in a .ttc (default: the SC face, found by name)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--ofl-from",
        type=Path,
        default=None,
        metavar="DEBIAN_COPYRIGHT",
        help="also write OFL.txt next to the output from this Debian copyright file",
    )
    args = parser.parse_args(argv)

    font_number = args.font_number
    if font_number is None:
        font_number = pick_font_number(args.source) if _is_collection(args.source) else 0

    cps = wanted_codepoints()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    pyftsubset_args = [
        str(args.source),
        f"--font-number={font_number}",
        f"--unicodes={_ranges(cps)}",
        # Layout: HarfBuzz/raqm horizontal defaults minus 'locl', which would
        # drag in ~6,000 Japanese/Korean/Traditional glyph variants.
        "--layout-features=ccmp,calt,clig,curs,kern,liga,mark,mkmk,rclt,rlig,rvrn",
        # Keep the whole name table (copyright, licence, trademark notices).
        "--name-IDs=*",
        "--notdef-outline",
        f"--output-file={args.output}",
    ]
    subset.main(pyftsubset_args)

    font = TTFont(str(args.output))
    fam = family_name(font)
    if "SC" not in fam.split():
        raise SystemExit(f"face {font_number} is {fam!r}, not Simplified Chinese")
    cmap = font.getBestCmap()
    missing = [cp for cp in cps if cp not in cmap]
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"source       : {args.source} (face {font_number})")
    print(f"output       : {args.output}")
    print(f"family       : {fam}")
    print(f"size         : {args.output.stat().st_size} bytes")
    print(f"glyphs       : {len(font.getGlyphOrder())}")
    print(f"cmap entries : {len(cmap)} (requested {len(cps)}, absent in source {len(missing)})")
    print(f"sha256       : {digest}")
    if missing:
        print("absent       : " + " ".join(f"U+{cp:04X}" for cp in missing))
    if args.ofl_from is not None:
        ofl = args.output.parent / "OFL.txt"
        ofl.write_text(ofl_from_debian_copyright(args.ofl_from, font), encoding="utf-8")
        print(f"licence      : {ofl}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
