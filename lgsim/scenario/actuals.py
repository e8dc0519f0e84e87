"""``[actuals]``: year-to-date figures already published when the analysis is made.

```toml
[actuals]
revision_sd = 0.003                                   # default sd of every figure (fraction)
ytd = { "2022-Q1" = 0.02, "2022-06" = { value = 0.05, sd = 0.01, note = "..." } }
sectors = { industry = { "2022-02" = { value = -0.07, sd = 0.04 } } }
fai = { "2022-02" = { value = 0.113, sd = 0.10 } }       # district FAI (nominal)
industrial_fai = { "2022-02" = { value = 0.365, sd = 0.2 } }
```

Each figure is an *observation* of the model's own year-to-date growth (GDP, one
sector's value added, or — nominal — district FAI and industrial investment when
``[economy]`` models them) through the end of the period: ``y = model + e`` with
``e ~ N(0, sd²)``. The run conditions on every observation (importance weights, see
``docs/conditioning.md``); it never forces a replication through a figure. ``sd`` covers
rounding to one decimal, the gap between a first release and the final figure, and — for
a proxy (a city figure used for the district, a 规上 figure for a whole sector) — the gap
between the two quantities. ``sd = inf`` switches a figure off (it carries no
information). Periods are ``YYYY-MM`` (through the end of that month), ``YYYY-Qn``
(through the end of quarter n) or ``YYYY-H1`` / ``YYYY-H2``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..i18n import _
from .errors import describe, suggest

_PERIOD = re.compile(r"^(?P<y>\d{4})-(?:(?P<m>\d{2})|Q(?P<q>[1-4])|H(?P<h>[12]))$")
ACTUALS_KEYS = ("ytd", "sectors", "fai", "industrial_fai", "revision_sd")
#: What each quantity is called in labels.
QUANTITY_LABELS = {"fai": "固定资产投资", "industrial_fai": "工业投资"}
FIGURE_KEYS = ("value", "sd", "note")
#: Default sd of a published figure, fraction (see ``docs/conditioning.md``).
DEFAULT_REVISION_SD = 0.003
#: Two figures of one series and period further apart than this many sds contradict.
MAX_DISAGREEMENT_SD = 10.0


@dataclass(frozen=True, slots=True)
class Observation:
    """A published year-to-date growth rate through ``month`` of ``year``.

    Attributes
    ----------
    year, month : int
        The end of the year-to-date window (month 1–12).
    value : float
        The figure, real growth as a fraction (0.02 = 2%).
    sd : float
        Its standard deviation as an observation of the model's quantity, fraction;
        ``inf`` for a figure switched off.
    sector : str or None
        ``None`` for district GDP, else the sector whose value added it observes.
    path : str
        Key path of the figure in the scenario, for messages.
    note : str
        Free text (e.g. "Shenzhen figure used as a proxy").
    quantity : str
        ``"va"`` (GDP or a sector's value added, real), ``"fai"`` (district fixed-asset
        investment, nominal) or ``"industrial_fai"`` (工业投资, nominal).
    first_month : int
        The window's first month (1: year to date; ``month``: that month alone).
    sectors : tuple of str
        Several sectors whose value added is observed together (``sector`` is None).
    """

    year: int
    month: int
    value: float
    sd: float
    sector: str | None = None
    path: str = ""
    note: str = ""
    quantity: str = "va"
    first_month: int = 1
    sectors: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``2022年1–6月 GDP`` style label."""
        if self.quantity != "va":
            series = QUANTITY_LABELS[self.quantity]
        elif self.sectors:
            series = "+".join(self.sectors)
        else:
            series = "GDP" if self.sector is None else self.sector
        if self.first_month == self.month:
            return f"{self.year}年{self.month}月 {series}"
        return f"{self.year}年{self.first_month}–{self.month}月 {series}"

    @property
    def is_gdp(self) -> bool:
        """True for a year-to-date figure of district GDP."""
        return self.quantity == "va" and self.sector is None and not self.sectors \
            and self.first_month == 1

    @property
    def informative(self) -> bool:
        """False for a figure switched off with ``sd = inf``."""
        return math.isfinite(self.sd)


def parse_period(text: str) -> tuple[int, int] | None:
    """``"2022-06"`` / ``"2022-Q2"`` / ``"2022-H1"`` -> ``(2022, 6)``; None if malformed."""
    m = _PERIOD.fullmatch(text)
    if not m:
        return None
    year = int(m["y"])
    if m["m"] is not None:
        month = int(m["m"])
        return (year, month) if 1 <= month <= 12 else None
    if m["q"] is not None:
        return year, 3 * int(m["q"])
    return year, 6 * int(m["h"])


def _sd(ck: Any, table: Mapping[str, Any], key: str, path: str, default: float) -> float:
    """A figure's sd: a fraction > 0, or ``inf`` (the figure is switched off)."""
    x = table.get(key, default)
    if isinstance(x, float) and math.isinf(x) and x > 0:
        return x
    return float(ck.number(table, key, path, default, lo=0.0, lo_open=True, fraction=True))


def _figure(ck: Any, raw: Any, where: str, default_sd: float) -> tuple[float, float, str]:
    """``(value, sd, note)`` of one figure written as a number or a table."""
    if isinstance(raw, Mapping):
        t = ck.keys(raw, FIGURE_KEYS, where, required=("value",))
        value = float(ck.number(t, "value", where, fraction=True))
        sd = _sd(ck, t, "sd", where, default_sd)
        note = ck.string(t, "note", where, "")
        value_path = f"{where}.value"
    else:
        value = _plain(ck, raw, where)
        sd, note, value_path = default_sd, "", where
    if value <= -1.0:
        raise ck.fail(value_path, _("a growth rate above -1 (a level cannot fall by {all} or "
                                    "more)").format(all="100%"), f"{value:g}")
    return value, sd, note


def _plain(ck: Any, raw: Any, where: str) -> float:
    """A figure written as a plain number (a fraction)."""
    head, _dot, key = where.rpartition(".")
    return float(ck.number({key: raw}, key, head, fraction=True))


def parse_actuals(
    ck: Any, raw: Any, sector_ids: list[str], base_year: int, end_year: int,
    economy: Any = None,
) -> tuple[Observation, ...]:
    """Validate ``[actuals]`` into observations sorted by period (sectors before GDP)."""
    t = ck.keys(raw, ACTUALS_KEYS, "actuals")
    default_sd = _sd(ck, t, "revision_sd", "actuals", DEFAULT_REVISION_SD)
    out: list[Observation] = []

    def series(table: Any, path: str, sector: str | None, quantity: str = "va") -> None:
        if not isinstance(table, Mapping):
            raise ck.fail(path, _("a table like { \"2022-06\" = 0.03 }"), describe(table))
        for key, figure in table.items():
            period = parse_period(key)
            where = f'{path}."{key}"'
            if period is None:
                raise ck.fail(where, _("a period YYYY-MM, YYYY-Qn or YYYY-H1/H2"), repr(key))
            if not base_year < period[0] <= end_year:
                raise ck.fail(where, _("a period within {value}..{end_year}")
                                     .format(value=base_year + 1, end_year=end_year), repr(key))
            value, sd, note = _figure(ck, figure, where, default_sd)
            out.append(Observation(period[0], period[1], value, sd, sector, where, note,
                                   quantity))

    series(t.get("ytd", {}), "actuals.ytd", None)
    for quantity, needs in (("fai", "models_fai"), ("industrial_fai", "models_industrial_fai")):
        if quantity in t:
            if economy is None or not getattr(economy, needs):
                raise ck.fail(f"actuals.{quantity}",
                              _("a {quantity} model in [economy] for these figures").format(
                                  quantity=quantity),
                              _("no model of that quantity"))
            series(t[quantity], f"actuals.{quantity}", None, quantity)
    sectors = t.get("sectors", {})
    if not isinstance(sectors, Mapping):
        raise ck.fail("actuals.sectors", _("a table of sector ids to periods"), describe(sectors))
    for sid, table in sectors.items():
        if sid not in sector_ids:
            raise ck.fail(
                f"actuals.sectors.{sid}", _("a known sector id"), repr(sid), suggest(sid,
                                                                                     sector_ids)
            )
        series(table, f"actuals.sectors.{sid}", sid)
    out.sort(key=lambda o: (o.year, o.month, o.quantity != "va", o.sector is None,
                            o.sector or "", o.path))
    _check_agreement(ck, out)
    return tuple(out)


def _check_agreement(ck: Any, observations: list[Observation]) -> None:
    """Two figures of one series and period (``2022-Q2`` and ``2022-06``) must agree."""
    seen: dict[tuple[int, int, str | None, str], Observation] = {}
    for o in observations:
        key = (o.year, o.month, o.sector, o.quantity)
        other = seen.get(key)
        if other is not None and o.informative and other.informative:
            gap = abs(o.value - other.value)
            scale = math.hypot(o.sd, other.sd)
            if gap > MAX_DISAGREEMENT_SD * scale:
                raise ck.fail(
                    o.path,
                    _("a figure that agrees with {path} = {value:g} (the same series and period) "
                      "within {MAX_DISAGREEMENT_SD:g} sd ({scale:.3g})")
                    .format(path=other.path, value=other.value,
                            MAX_DISAGREEMENT_SD=MAX_DISAGREEMENT_SD, scale=scale),
                    _("{value:g}, {value2:.0f} sd away").format(value=o.value, value2=gap / scale),
                )
        seen.setdefault(key, o)
