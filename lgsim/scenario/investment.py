"""``[economy]`` (district totals and FAI growth) and ``[io]`` (spending through an IO table).

```toml
[economy]
gdp = 4744.49                    # base-year GDP, 亿元
fai = 1321.84                    # base-year fixed-asset investment, 亿元 nominal
fai_growth = { dist = "normal", mean = 0.04, sd = 0.08 }   # organic FAI, nominal
fai_seasonality = [...]          # 12 monthly weights
industrial_fai = 224.7           # base-year 工业投资 (part of fai), 亿元
industrial_fai_growth = { dist = "normal", mean = 0.10, sd = 0.15 }

[io]
table = "nbs-2017"               # or a CSV path (relative to the scenario file)
local_share = { dist = "beta", mean = 0.3, sd = 0.1 }   # indirect rounds bought locally
direct_local_share = 0.9         # direct purchases made in the district (default 1)
gfcf_share = 0.8                 # investment that is capital formation, not land (default 1)
```

District FAI is *organic* FAI plus the listed projects' spending. Organic FAI is
everything the scenario does not list, so a listed project is never counted twice: its
spending is part of the district total only through its own slot, and ``fai_growth`` is
the growth of the rest (docs/investment.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data.io_tables import SHIPPED, TableError, read_table, shipped_path
from ..i18n import _
from .checks import Checker, seasonality
from .model import Economy, IOSpec

ECONOMY_KEYS = (
    "gdp", "fai", "land_stock_ha", "fai_growth", "fai_persistence", "fai_seasonality",
    "industrial_fai", "industrial_fai_growth", "industrial_sectors",
)
IO_KEYS = ("table", "local_share", "direct_local_share", "gfcf_share")
#: Smallest base-year GDP (亿元): below it shares of it underflow to nothing.
MIN_GDP = 0.01
#: Largest amount (亿元) or hectares written as a plain number.
MAX_AMOUNT = 1e15


def parse_economy(ck: Checker, raw: Any, sector_ids: list[str]) -> Economy:
    """``[economy]``: base-year GDP (亿元), land stock (hectares) and the FAI model."""
    ec = ck.keys(raw, ECONOMY_KEYS, "economy", required=("gdp",))
    gdp = float(ck.number(ec, "gdp", "economy", lo=0.0, lo_open=True, hi=MAX_AMOUNT))
    if gdp < MIN_GDP:
        raise ck.fail("economy.gdp", _("a base-year GDP of at least {MIN_GDP:g} 亿元 (smaller "
                                       "values underflow)").format(MIN_GDP=MIN_GDP), f"{gdp:g}")
    fai = ck.number(ec, "fai", "economy", None, lo=0.0, lo_open=True, hi=MAX_AMOUNT)
    growth = ck.dist(ec, "fai_growth", "economy", None, fraction=True) \
        if "fai_growth" in ec else None
    if growth is not None and fai is None:
        raise ck.fail("economy.fai", _("the base-year FAI level (亿元) for fai_growth"),
                      _("nothing"))
    _check_growth_support(ck, growth, "economy.fai_growth")
    industrial = ck.number(ec, "industrial_fai", "economy", None, lo=0.0, lo_open=True,
                           hi=MAX_AMOUNT)
    ind_growth = (ck.dist(ec, "industrial_fai_growth", "economy", fraction=True)
                  if industrial is not None else None)
    if industrial is None and "industrial_fai_growth" in ec:
        raise ck.fail("economy.industrial_fai", _("the base-year industrial investment (亿元) for "
                                                  "industrial_fai_growth"), _("nothing"))
    if industrial is not None:
        if growth is None:
            raise ck.fail("economy.fai_growth", _("a district FAI model (fai and fai_growth) for "
                                                  "industrial_fai"), _("nothing"))
        if not industrial < fai:
            raise ck.fail("economy.industrial_fai", _("a part of economy.fai = {fai:g}")
                                                    .format(fai=fai),
                          f"{industrial:g}")
        _check_growth_support(ck, ind_growth, "economy.industrial_fai_growth")
    return Economy(
        gdp=gdp,
        fai=None if fai is None else float(fai),
        land_stock_ha=float(ck.number(ec, "land_stock_ha", "economy", 0.0, lo=0.0,
                                      hi=MAX_AMOUNT)),
        fai_growth=growth,
        fai_persistence=float(ck.number(ec, "fai_persistence", "economy", 0.0,
                                        lo=-0.99, hi=0.99)),
        fai_seasonality=seasonality(ck, ec.get("fai_seasonality"), "economy.fai_seasonality"),
        industrial_fai=None if industrial is None else float(industrial),
        industrial_fai_growth=ind_growth,
        industrial_sectors=_industrial_sectors(ck, ec, sector_ids, industrial is not None),
    )


def _check_growth_support(ck: Checker, dist: Any, path: str) -> None:
    """A growth distribution must stay above −100% (but for a negligible tail)."""
    if dist is not None and dist.cdf(-1.0) > 1e-9:
        raise ck.fail(path, _("growth above -1 (add min = -0.9 or similar)"),
                      _("P(growth <= -1) = {cdf:.3g}").format(cdf=dist.cdf(-1.0)))


def _industrial_sectors(ck: Checker, ec: dict[str, Any], sector_ids: list[str],
                        needed: bool) -> tuple[str, ...]:
    path = "economy.industrial_sectors"
    raw = ec.get("industrial_sectors")
    if raw is None:
        if needed and "industry" not in sector_ids:
            raise ck.fail(path,
                          _("the sectors whose projects count as 工业投资 (no sector 'industry' "
                                  "to default to)"), _("nothing"))
        return ("industry",)
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        raise ck.fail(path, _("a non-empty array of sector ids"), repr(raw))
    for x in raw:
        if x not in sector_ids:
            raise ck.fail(path, _("known sector ids"), repr(x))
    return tuple(raw)


def parse_io(ck: Checker, raw: Any, sector_ids: list[str], file: str) -> IOSpec:
    """``[io]``: read and check the table; its sectors must be the scenario's."""
    t = ck.keys(raw, IO_KEYS, "io", required=("table",))
    name = ck.string(t, "table", "io")
    path = _table_path(ck, name, file)
    try:
        table = read_table(path)
    except OSError as exc:
        raise ck.fail("io.table", _("a readable input–output table"),
                      f"{path}: {exc.strerror or exc}") from None
    except TableError as exc:  # names the row or column, what was expected and found
        where = f", {exc.where}" if exc.where else ""
        raise ck.fail(f"io.table ({path.name}{where})", exc.expected, exc.found) from None
    except (ValueError, KeyError) as exc:
        raise ck.fail(f"io.table ({path.name})", _("a table in lgsim's IO format"),
                      str(exc)) from None
    if sorted(table.sectors) != sorted(sector_ids):
        missing = [s for s in sector_ids if s not in table.sectors]
        extra = [s for s in table.sectors if s not in sector_ids]
        raise ck.fail("io.table", _("a table with the scenario's sector ids"),
                      _("{path}: missing {value}, not in the scenario {value2}")
                      .format(path=path, value=missing or 'none', value2=extra or 'none'))
    table = table.reordered(sector_ids)
    local = ck.dist(t, "local_share", "io", 1.0, nonneg=True, upper=1.0)
    direct = float(ck.number(t, "direct_local_share", "io", 1.0, lo=0.0, hi=1.0))
    gfcf = float(ck.number(t, "gfcf_share", "io", 1.0, lo=0.0, hi=1.0))
    return IOSpec(name, str(path), tuple(sector_ids), table.a, table.v, table.gfcf_domestic,
                  local, direct, gfcf)


def _table_path(ck: Checker, name: str, file: str) -> Path:
    """A shipped table's file, or the path as written (made absolute when merged)."""
    if name in SHIPPED:
        return shipped_path(name)
    path = Path(name)
    if not path.is_absolute():
        base = Path(file).parent if Path(file).exists() else Path.cwd()
        path = base / path
    if not path.is_file():
        raise ck.fail("io.table", _("one of {join} or an existing CSV file")
                                  .format(join=', '.join(SHIPPED)),
                      _("{name!r} (no such file)").format(name=name))
    return path


def absolute_table(doc: dict[str, Any], directory: Path) -> None:
    """Make a relative ``[io] table`` path of one file absolute (called per file merged)."""
    io = doc.get("io")
    if isinstance(io, dict) and isinstance(io.get("table"), str):
        name = io["table"]
        if name not in SHIPPED and not Path(name).is_absolute():
            io["table"] = str((directory / name).resolve())
