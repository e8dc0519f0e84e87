"""``[actuals]``: year-to-date figures already published when the analysis is made.

```toml
[actuals]
ytd = { "2022-03" = 0.02, "2022-06" = 0.03 }          # GDP growth, Jan..month, fraction
sectors = { industry = { "2022-06" = 0.01 } }         # optional, by sector
```

Periods are ``YYYY-MM`` (through the end of that month), ``YYYY-Qn`` (through the end
of quarter n) or ``YYYY-H1`` / ``YYYY-H2``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import describe, suggest

_PERIOD = re.compile(r"^(?P<y>\d{4})-(?:(?P<m>\d{2})|Q(?P<q>[1-4])|H(?P<h>[12]))$")
ACTUALS_KEYS = ("ytd", "sectors")


@dataclass(frozen=True, slots=True)
class Observation:
    """An observed year-to-date growth rate (fraction) through ``month`` of ``year``.

    ``sector`` is ``None`` for district GDP.
    """

    year: int
    month: int
    growth: float
    sector: str | None = None

    @property
    def label(self) -> str:
        """``1–6月 2022`` style label."""
        return f"{self.year}年1–{self.month}月"


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


def parse_actuals(
    ck: Any, raw: Any, sector_ids: list[str], base_year: int, end_year: int
) -> tuple[Observation, ...]:
    """Validate ``[actuals]`` into observations sorted by period (sectors before GDP)."""
    t = ck.keys(raw, ACTUALS_KEYS, "actuals")
    out: list[Observation] = []

    def series(table: Any, path: str, sector: str | None) -> None:
        if not isinstance(table, Mapping):
            raise ck.fail(path, 'a table like { "2022-06" = 0.03 }', describe(table))
        for key in table:
            period = parse_period(key)
            where = f'{path}."{key}"'
            if period is None:
                raise ck.fail(where, "a period YYYY-MM, YYYY-Qn or YYYY-H1/H2", repr(key))
            if not base_year < period[0] <= end_year:
                raise ck.fail(where, f"a period within {base_year + 1}..{end_year}", repr(key))
            growth = ck.number(table, key, path, fraction=True)
            out.append(Observation(period[0], period[1], float(growth), sector))

    series(t.get("ytd", {}), "actuals.ytd", None)
    sectors = t.get("sectors", {})
    if not isinstance(sectors, Mapping):
        raise ck.fail("actuals.sectors", "a table of sector ids to periods", describe(sectors))
    for sid, table in sectors.items():
        if sid not in sector_ids:
            raise ck.fail(
                f"actuals.sectors.{sid}", "a known sector id", repr(sid), suggest(sid, sector_ids)
            )
        series(table, f"actuals.sectors.{sid}", sid)
    out.sort(key=lambda o: (o.year, o.month, o.sector is None, o.sector or ""))
    return tuple(out)
