"""Published indicators with their vintages (the tidy published-indicators format).

One row per published figure, as ``published_indicators.csv`` in this folder holds them
(see ``README.md`` here)::

    area, indicator, period, value, unit, kind, source_url, source_title, published,
    source_id, reliability, value_yi, note

``area``, ``indicator``, ``period``, ``value``, ``unit`` and ``kind`` are required; a
``source`` column may stand for ``source_title`` / ``source_url``; the others are
optional. A user's own file in the same format works the same way, as CSV (UTF-8, with or
without a BOM) or as an Excel workbook (the first sheet, or the one named ``published``;
row 1 holds the column names). :func:`load_published` reads and checks it into a
:class:`PublishedTable`; :meth:`PublishedTable.as_of` returns what was known on a date.

What a row means
----------------
* ``period`` is the last month of the window: ``2022-02`` is 1–2月. Also accepted:
  ``2022-Q1``, ``2022-H1``, ``2022`` (the year), ``2022年1-5月``, ``2022年5月``,
  ``2022年一季度``, ``2022年上半年``, ``2022年前三季度``, ``2022年全年``.
* ``kind`` says what the number is: ``ytd_growth_pct`` (year-to-date growth, 累计),
  ``month_growth_pct`` (the single month, 当月), ``level_yi`` (a year-to-date level),
  ``prelim_*`` / ``revised_*`` (a preliminary or revised vintage of the same figure),
  ``target_*`` (a target, not a figure), ``ytd_2yr_avg_growth_pct`` (两年平均). The
  ``_pct`` / ``_yi`` endings may be left out (``ytd_growth``); Chinese names are accepted
  (累计增速, 当月增速, 累计值, 当月值, 目标).
* **January and February** are published together (1–2月) by China's statistics
  bureaus: a single-month figure of February from a monthly indicator covers January and
  February (its window starts in January), exactly like the year-to-date one.
* ``unit`` is ``%`` or ``fraction`` for growth (the file's own unit column decides the
  scale; :data:`PERCENT_UNITS`, :data:`FRACTION_UNITS`), a money unit for levels
  (:data:`MONEY_UNITS`; levels are converted to 亿元, or kept in 亿美元).
* **Real or nominal** comes from the indicator (``indicators.csv`` in this folder:
  GDP and value added real, investment, retail sales, revenue nominal).
* **Qualifiers** in ``note``: 左右 / about / around (about), 超 / 超过 / 突破 / more than /
  exceed / surpass (more than), 以上 / at least (at least).
* **Vintages.** A preliminary figure (``prelim_*``) is replaced by the final one once
  that is known, and the final one by a revision (``revised_*``); within a vintage, a
  later publication replaces an earlier one. Two different values of one indicator,
  period and vintage published on the same date are an error (unless they agree to the
  last digit the less precise one writes, rounded or cut: 237.4 and 237.457 agree).
* ``published`` is the date the figure became known. A row without one is taken as
  known at the end of the month ``release_lag_months`` after its period
  (:data:`DEFAULT_RELEASE_LAG_MONTHS`, one month, unless ``indicators.csv`` says
  otherwise — services revenue comes a month later) — an assumption: the dated first
  reports in the shipped file came 24 to 59 days after their period ended (median 38),
  and they are media reports that follow the bureau's own release.

Growth is returned as a fraction (2.4% → 0.024), levels in 亿元. Bad data raises
:class:`DataError`: one line naming the file (and sheet), the row, the column, what was
expected and what was found.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..i18n import _, error_line

#: Required columns of a published-indicators file.
REQUIRED_COLUMNS = ("area", "indicator", "period", "value", "unit", "kind")
#: Optional columns (``source`` may stand for the title and address together).
OPTIONAL_COLUMNS = ("source_url", "source_title", "source", "published", "source_id",
                    "reliability", "value_yi", "note")
#: A row without a publication date is known this many months after its period ends.
DEFAULT_RELEASE_LAG_MONTHS = 1
#: Units of growth rates.
PERCENT_UNITS = ("%", "％", "percent", "pct", "百分比")
FRACTION_UNITS = ("fraction", "比例", "ratio")
#: Money units: (currency, factor to 亿 of that currency).
MONEY_UNITS: dict[str, tuple[str, float]] = {
    "亿元": ("CNY", 1.0), "万元": ("CNY", 1e-4), "元": ("CNY", 1e-8),
    "万亿元": ("CNY", 1e4), "千亿元": ("CNY", 10.0), "million yuan": ("CNY", 0.01),
    "billion yuan": ("CNY", 10.0), "trillion yuan": ("CNY", 1e4),
    "亿美元": ("USD", 1.0), "billion usd": ("USD", 10.0), "million usd": ("USD", 0.01),
}
#: Reliability grades, best first (``README.md``); anything else ranks last.
RELIABILITY = ("A", "A-", "B", "C", "D")
#: Vintages, in the order in which one replaces another.
VINTAGES = ("prelim", "final", "revised")
#: Qualifier words in ``note`` → qualifier.
QUALIFIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("at_least", ("以上", "at least")),
    ("more_than", ("超过", "突破", "超", "more than", "exceed", "surpass")),
    ("about", ("左右", "about", "around", "approximately")),
)
_NOT_A_QUALIFIER = ("规模以上", "规上")
_KIND = re.compile(r"^(?:(?P<vintage>prelim|revised|target)_)?(?P<scope>ytd_|month_)?"
                   r"(?P<measure>2yr_avg_growth|growth|level)(?:_(?P<suffix>pct|yi))?$")
_KIND_ZH = {"累计增速": "ytd_growth", "当月增速": "month_growth", "累计值": "level",
            "当月值": "month_level", "目标": "target_growth", "两年平均增速": "ytd_2yr_avg_growth",
            "初步核算增速": "prelim_growth", "初步核算值": "prelim_level"}
_ZH_QUARTER = {"一季度": 3, "第一季度": 3, "上半年": 6, "二季度": 6, "前三季度": 9,
               "三季度": 9, "全年": 12, "四季度": 12}
_DASHES = "-–—~～至到"


class DataError(ValueError):
    """A published-indicators file is not acceptable.

    The message is one line: ``<file>: <where>: expected <what>, found <what>``, where
    ``file`` names the sheet of a workbook and ``where`` the row and column; in Chinese
    the same fixed structure as a scenario error, ``<file>：<where>：应为 <what>，实为
    <what>`` (the words in the current language, :mod:`lgsim.i18n`; file names, column
    names and values as they are).
    """

    def __init__(self, file: str, where: str, expected: str, found: str) -> None:
        self.file, self.where, self.expected, self.found = str(file), where, expected, found
        super().__init__(self.message)

    def __reduce__(self) -> tuple:
        return (type(self), (self.file, self.where, self.expected, self.found))

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        return error_line(self.file, self.where, self.expected, self.found)


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator lgsim knows (``indicators.csv``): its Chinese name and price basis."""

    name: str
    name_zh: str
    price: str  # "real" | "nominal"
    frequency: str  # "monthly" | "quarterly" | "annual"
    release_lag_months: int
    stock: bool
    note: str = ""


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """The indicators lgsim knows, by name (the vocabulary of ``[[indicator]]``)."""
    text = (Path(__file__).parent / "indicators.csv").read_text(encoding="utf-8-sig")
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        out[r["indicator"]] = Indicator(r["indicator"], r["name_zh"], r["price"],
                                        r["frequency"], int(r["release_lag_months"]),
                                        r["stock"] == "yes", r["note"])
    return out


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of a published-indicators file, checked and converted.

    Attributes
    ----------
    row : int
        Row of the file (the header is row 1).
    area, indicator : str
        Where and what (``Longgang``, ``industrial_va_above_scale``).
    year, month : int
        The end of the window.
    first_month : int
        The window's first month: 1 for year-to-date figures, the month itself for a
        single-month one (1 for February's: January and February come together).
    measure : str
        ``"growth"``, ``"level"`` or ``"two_year_average"`` (两年平均 growth).
    vintage : str
        ``"prelim"``, ``"final"``, ``"revised"`` or ``"target"``.
    value : float
        Growth as a fraction; a level in 亿 of ``currency``.
    text : str
        The value as written, with its unit.
    currency : str
        ``""`` for growth, ``"CNY"`` or ``"USD"`` for levels.
    published : datetime.date or None
        The publication date given in the file.
    qualifier : str
        ``""``, ``"about"``, ``"more_than"`` or ``"at_least"``.
    price : str
        ``"real"``, ``"nominal"`` or ``""`` for an indicator lgsim does not know.
    source, reliability, note : str
        As in the file (``source``: title and address).
    """

    row: int
    area: str
    indicator: str
    year: int
    month: int
    first_month: int
    measure: str
    vintage: str
    value: float
    text: str
    currency: str = ""
    published: dt.date | None = None
    qualifier: str = ""
    price: str = ""
    source: str = ""
    reliability: str = ""
    note: str = ""
    tolerance: float = field(default=0.0, compare=False)

    @property
    def key(self) -> tuple[str, str, int, int, int, str]:
        """What the figure is a value of: area, indicator, window and measure."""
        return (self.area, self.indicator, self.year, self.month, self.first_month,
                self.measure)

    @property
    def period(self) -> str:
        """``2022-02`` style period (the window's last month)."""
        return f"{self.year}-{self.month:02d}"

    @property
    def window(self) -> str:
        """``2022年1–2月`` / ``2022年5月`` style label of the window."""
        if self.first_month == self.month:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.first_month}–{self.month}月"

    def known_on(self, lags: Mapping[str, int] | None = None) -> dt.date:
        """When the figure became known: its date, else the end of its lag month."""
        if self.published is not None:
            return self.published
        return release_date(self.year, self.month, lag_months(self.indicator, lags))


def lag_months(indicator: str, lags: Mapping[str, int] | None = None) -> int:
    """Release lag of an indicator without a publication date, months."""
    if lags and indicator in lags:
        return int(lags[indicator])
    known = indicators().get(indicator)
    return known.release_lag_months if known is not None else DEFAULT_RELEASE_LAG_MONTHS


def release_date(year: int, month: int, lag: int) -> dt.date:
    """The last day of the month ``lag`` months after ``year-month``."""
    k = 12 * year + month - 1 + lag
    y, m = divmod(k, 12)
    return dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1])


# ---------------------------------------------------------------------- the table
@dataclass(frozen=True)
class PublishedTable:
    """The checked figures of one file, and what was known when.

    Attributes
    ----------
    figures : tuple of Figure
        Every row in file order, targets included.
    file : str
        The file as named in messages.
    """

    figures: tuple[Figure, ...]
    file: str

    def targets(self) -> tuple[Figure, ...]:
        """The rows that are targets (``target_*`` kinds), not figures."""
        return tuple(f for f in self.figures if f.vintage == "target")

    def indicator_names(self) -> set[str]:
        """Indicators that appear in the file."""
        return {f.indicator for f in self.figures}

    def known_by(self, date: dt.date, lags: Mapping[str, int] | None = None
                 ) -> tuple[Figure, ...]:
        """Every figure (not target) known on ``date`` (published on or before it)."""
        return tuple(f for f in self.figures
                     if f.vintage != "target" and f.known_on(lags) <= date)

    def as_of(self, date: dt.date, lags: Mapping[str, int] | None = None
              ) -> tuple[Figure, ...]:
        """What was known on ``date``: the best known vintage of each figure.

        Of the rows of one figure (area, indicator, window, measure) known by the date,
        the latest vintage wins (revised over final over preliminary), then the latest
        publication, then the more reliable source, then the earlier row. Never returns
        a row published after ``date``.

        Parameters
        ----------
        date : datetime.date
        lags : mapping, optional
            Release lags (months) by indicator for rows without a date, overriding
            ``indicators.csv``.
        """
        best: dict[tuple, Figure] = {}
        for f in self.known_by(date, lags):
            old = best.get(f.key)
            if old is None or _rank(f, lags) > _rank(old, lags):
                best[f.key] = f
        return tuple(sorted(best.values(), key=lambda f: (f.known_on(lags), f.row)))


def _rank(f: Figure, lags: Mapping[str, int] | None) -> tuple:
    grade = RELIABILITY.index(f.reliability) if f.reliability in RELIABILITY else len(
        RELIABILITY)
    return (VINTAGES.index(f.vintage), f.known_on(lags), -grade, -f.row)


# ---------------------------------------------------------------------- loading
def shipped_path() -> Path:
    """The published indicators shipped with lgsim."""
    return Path(__file__).parent / "published_indicators.csv"


def load_published(path: str | Path | None = None) -> PublishedTable:
    """Read and check a published-indicators file (the shipped one when ``path`` is None).

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, or a row is bad (one line naming
        the file, the row and the column).
    """
    file = shipped_path() if path is None else Path(path)
    label = "lgsim/data/published_indicators.csv" if path is None else str(path)
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        label, rows = _excel_rows(file, label)
    else:
        rows = _csv_rows(file, label)
    return _table(label, rows)


def _csv_rows(file: Path, label: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(label, _("file"), _("an existing file"), _("no such file")) from None
    except IsADirectoryError:
        raise DataError(label, _("file"), _("a CSV or Excel file"), _("a directory")) from None
    except UnicodeDecodeError as exc:
        raise DataError(label, _("file"), _("UTF-8 text (CSV)"),
                        _("bytes that are not UTF-8 at offset {offset}").format(
                            offset=exc.start)) from None
    reader = csv.reader(io.StringIO(text))
    try:
        table = list(reader)
    except csv.Error as exc:
        raise DataError(label, _row(reader.line_num), "CSV", str(exc)) from None
    if not table:
        raise DataError(label, _row(1), _("a header row naming the columns"),
                        _("an empty file"))
    header = [h.strip() for h in table[0]]
    out = []
    for i, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        out.append((i, dict(zip(header, (c.strip() for c in cells), strict=False))))
    _check_columns(label, header)
    return out


def _excel_rows(file: Path, label: str) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, data_only=True, read_only=True)
    except FileNotFoundError:
        raise DataError(label, _("file"), _("an existing file"), _("no such file")) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(label, _("file"), _("an Excel workbook (.xlsx)"),
                        " ".join(str(exc).split())[:80] or type(exc).__name__) from None
    ws = wb["published"] if "published" in wb.sheetnames else wb.worksheets[0]
    label = _("{file}, sheet {sheet}").format(file=label, sheet=ws.title)
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise DataError(label, _row(1), _("a header row naming the columns"),
                        _("an empty sheet"))
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    _check_columns(label, header)
    out = []
    for i, cells in enumerate(rows[1:], start=2):
        values = ["" if c is None else (c.strip() if isinstance(c, str) else c)
                  for c in cells]
        if all(v == "" for v in values):
            continue
        out.append((i, dict(zip(header, values, strict=False))))
    return label, out


def _row(row: int, column: str | None = None) -> str:
    """``row 3`` / ``row 3, column unit``: where in the file (the words translated)."""
    if column is None:
        return _("row {row}").format(row=row)
    return _("row {row}, column {column}").format(row=row, column=column)


def _check_columns(label: str, header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataError(label, _row(1), _("the columns {columns}").format(
                            columns=", ".join(REQUIRED_COLUMNS)),
                        _("no column {column!r} (columns: {columns})").format(
                            column=missing[0], columns=", ".join(h for h in header if h)))


def _table(label: str, rows: list[tuple[int, dict[str, Any]]]) -> PublishedTable:
    figures = [_figure(label, i, r) for i, r in rows]
    _check_scale(label, figures)
    for f in figures:
        if f.measure != "level" and f.value <= -1.0:
            raise DataError(label, _row(f.row, "value"),
                            _("a growth rate above -100% (nothing falls by all of itself or "
                              "more)"), f.text)
    _check_conflicts(label, figures)
    return PublishedTable(tuple(figures), label)


# ---------------------------------------------------------------------- one row
def _figure(label: str, row: int, r: Mapping[str, Any]) -> Figure:
    """Check and convert one row."""
    def fail(column: str, expected: str, found: str) -> DataError:
        return DataError(label, _row(row, column), expected, found)

    area, name = (_text(r.get(c)) for c in ("area", "indicator"))
    if not area:
        raise fail("area", _("the area the figure is about"), _("an empty cell"))
    if not name:
        raise fail("indicator", _("the indicator the figure is about"), _("an empty cell"))
    period = parse_period_text(r.get("period"))
    if period is None:
        raise fail("period", _("a period like 2022-02, 2022-Q1, 2022-H1, 2022 or 2022年1-2月"),
                   _shown(r.get("period")))
    kind = parse_kind(_text(r.get("kind")))
    if kind is None:
        raise fail("kind", _("a kind such as ytd_growth_pct, month_growth_pct, level_yi, "
                             "prelim_growth_pct or target_level_yi"), _shown(r.get("kind")))
    vintage, scope, measure = kind
    unit = _text(r.get("unit"))
    value, text = _value(r.get("value"), fail)
    scale, currency = _unit_scale(unit, measure, _text(r.get("kind")), fail)
    year, month = period
    known = indicators().get(name)
    return Figure(
        row=row, area=area, indicator=name, year=year, month=month,
        first_month=_first_month(month, scope, known), measure=measure, vintage=vintage,
        value=_convert(value, scale), text=f"{text} {unit}".strip(), currency=currency,
        published=_date(r.get("published"), fail), qualifier=qualifier(_text(r.get("note"))),
        price=known.price if known is not None else "", source=_source(r),
        reliability=_text(r.get("reliability")), note=_text(r.get("note")),
        tolerance=_last_digit(text) * scale,
    )


def _convert(value: float, scale: float) -> float:
    """``value × scale`` without binary noise in the digits written (10.4% → 0.104)."""
    if scale == 0.01:
        return value / 100.0
    return float(f"{value * scale:.12g}")


def _text(x: Any) -> str:
    return "" if x is None else str(x).strip()


def _shown(x: Any) -> str:
    text = _text(x)
    return repr(text) if text else _("an empty cell")


def _value(raw: Any, fail: Any) -> tuple[float, str]:
    """The number of a ``value`` cell and its text as written."""
    if isinstance(raw, bool):
        raise fail("value", _("a number"), repr(raw))
    if isinstance(raw, int | float):
        x, text = float(raw), repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = _text(raw).replace(",", "").rstrip("%％").strip()
        try:
            x = float(text)
        except ValueError:
            raise fail("value", _("a number"), _shown(raw)) from None
    if not math.isfinite(x):
        raise fail("value", _("a finite number"), _shown(raw))
    return x, text


def _last_digit(text: str) -> float:
    """One unit of the last digit written: a published number may be rounded or cut."""
    mantissa = text.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** -decimals


def _unit_scale(unit: str, measure: str, kind: str, fail: Any) -> tuple[float, str]:
    """Factor to fractions (growth) or to 亿 (levels), and the currency of a level."""
    u = unit.lower()
    if measure == "level":
        if u in PERCENT_UNITS or u in FRACTION_UNITS:
            raise fail("unit", _("a money unit (亿元, 万元, billion yuan...) for kind {kind}, "
                                 "a level").format(kind=kind), repr(unit))
        if unit not in MONEY_UNITS and u not in MONEY_UNITS:
            raise fail("unit", _("a money unit: {units}").format(units=", ".join(MONEY_UNITS)),
                       _shown(unit))
        currency, factor = MONEY_UNITS.get(unit) or MONEY_UNITS[u]
        return factor, currency
    if u in PERCENT_UNITS:
        return 0.01, ""
    if u in FRACTION_UNITS:
        if kind.endswith("_pct"):
            raise fail("unit", _("a percent unit (%) for kind {kind} (its name says percent)")
                       .format(kind=kind), repr(unit))
        return 1.0, ""
    if unit in MONEY_UNITS or u in MONEY_UNITS:
        raise fail("unit", _("a unit of a growth rate ({percent} or fraction) for kind {kind}")
                   .format(percent="%", kind=kind), repr(unit))
    raise fail("unit", _("{percent} or fraction for a growth rate").format(percent="%"),
               _shown(unit))


def _first_month(month: int, scope: str, known: Indicator | None) -> int:
    """The window's first month (see :class:`Figure`)."""
    if scope != "month":
        return 1
    if known is not None and known.frequency == "quarterly":
        return max(1, month - 2)  # 当季: the quarter
    return 1 if month == 2 else month  # 1–2月 come together


def _date(raw: Any, fail: Any) -> dt.date | None:
    """A publication date (``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY年M月D日``) or None."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", text)
    try:
        if m is None:
            raise ValueError
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise fail("published", _("a date YYYY-MM-DD (or an empty cell)"),
                   _shown(raw)) from None


def _source(r: Mapping[str, Any]) -> str:
    title = _text(r.get("source_title")) or _text(r.get("source"))
    url = _text(r.get("source_url"))
    return f"{title}, {url}" if title and url else title or url


def qualifier(note: str) -> str:
    """``"about"``, ``"more_than"``, ``"at_least"`` or ``""`` from a row's note."""
    text = note.lower()
    for phrase in _NOT_A_QUALIFIER:
        text = text.replace(phrase, "")
    for name, words in QUALIFIERS:
        if any(w in text for w in words):
            return name
    return ""


def parse_kind(text: str) -> tuple[str, str, str] | None:
    """``(vintage, scope, measure)`` of a kind, or None.

    ``vintage`` is prelim / final / revised / target; ``scope`` ytd / month;
    ``measure`` growth / level / two_year_average.
    """
    text = _KIND_ZH.get(text, text)
    m = _KIND.fullmatch(text)
    if m is None:
        return None
    measure = {"2yr_avg_growth": "two_year_average"}.get(m["measure"], m["measure"])
    if (m["suffix"] == "pct" and measure == "level") or (m["suffix"] == "yi"
                                                         and measure != "level"):
        return None
    return m["vintage"] or "final", (m["scope"] or "ytd_")[:-1], measure


def parse_period_text(raw: Any) -> tuple[int, int] | None:
    """``(year, last month)`` of a period cell, or None (see the module docstring)."""
    if isinstance(raw, dt.date):  # Excel turns "2022-02" into a date
        return raw.year, raw.month
    text = _text(raw).replace(" ", "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})|-Q([1-4])|-H([12]))?", text)
    if m is not None:
        month = int(m[2]) if m[2] else 3 * int(m[3]) if m[3] else 6 * int(m[4]) if m[4] \
            else 12
        return (int(m[1]), month) if 1 <= month <= 12 else None
    m = re.fullmatch(rf"(\d{{4}})年(?:1[{_DASHES}])?(\d{{1,2}})月(?:份)?(?:累计)?", text)
    if m is not None:
        month = int(m[2])
        return (int(m[1]), month) if 1 <= month <= 12 else None
    m = re.fullmatch(r"(\d{4})年(.+)", text)
    if m is not None and m[2] in _ZH_QUARTER:
        return int(m[1]), _ZH_QUARTER[m[2]]
    return None


# ---------------------------------------------------------------------- the whole file
def _check_scale(label: str, figures: list[Figure]) -> None:
    """Growth in percent where the file says fraction, or the reverse.

    Judged from the file's own unit column: a file whose percent figures are all below
    1 in size (three or more, not all zero) wrote fractions as percent; a file whose
    fraction figures are mostly 1 or more in size wrote percent as fractions.
    """
    growth = [f for f in figures if f.measure != "level"]
    percent = [f for f in growth if _unit_of(f) in PERCENT_UNITS]
    fraction = [f for f in growth if _unit_of(f) in FRACTION_UNITS]
    nonzero = [f for f in percent if f.value != 0.0]
    if len(nonzero) >= 3 and all(abs(f.value) < 0.01 for f in nonzero):
        f = nonzero[0]
        raise DataError(label, _row(f.row, "value"),
                        _("growth in percent, as the unit column says (6.5 for 6.5%)"),
                        _("{value}: every growth figure in percent in the file is below 1 in "
                          "size — fractions written as percent? (write them in percent, or "
                          "set their unit to fraction)").format(value=f.text))
    big = [f for f in fraction if abs(f.value) >= 1.0]
    if fraction and 2 * len(big) > len(fraction):
        f = big[0]
        raise DataError(label, _row(f.row, "value"),
                        _("growth as a fraction, as the unit column says (0.065 for 6.5%)"),
                        _("{value}: most growth figures given as fractions in the file are 1 "
                          "or more in size — percent written as fractions? (write them as "
                          "fractions, or set their unit to %)").format(value=f.text))


def _unit_of(f: Figure) -> str:
    return f.text.rsplit(" ", 1)[-1].lower() if " " in f.text else ""


def _check_conflicts(label: str, figures: Iterable[Figure]) -> None:
    """Two different values of one figure, vintage and publication date are an error."""
    seen: dict[tuple, Figure] = {}
    for f in figures:
        if f.vintage == "target":
            continue
        key = (*f.key, f.vintage, f.known_on(), f.currency)
        other = seen.get(key)
        if other is None:
            seen[key] = f
            continue
        if abs(f.value - other.value) > max(f.tolerance, other.tolerance) + 1e-12:
            when = (_("published {date}").format(date=f.published) if f.published
                    else _("no publication date"))
            raise DataError(
                label, _row(f.row, "value"),
                _("the value of row {row} ({value}) for {area} {indicator} {window}, vintage "
                  "{vintage}, {when}").format(row=other.row, value=other.text, area=f.area,
                                              indicator=f.indicator, window=f.window,
                                              vintage=f.vintage, when=when),
                _("{value}: two different values for one indicator, period and vintage")
                .format(value=f.text))


def with_values(table: PublishedTable, changes: Mapping[int, float]) -> PublishedTable:
    """A copy of ``table`` with the values of some rows replaced (row → value)."""
    figures = tuple(replace(f, value=changes[f.row]) if f.row in changes else f
                    for f in table.figures)
    return PublishedTable(figures, table.file)
