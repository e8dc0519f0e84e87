"""``[target]``: the target year's targets and, in sub-tables, later years' targets.

```toml
[target]                         # the target year ([scenario] target_year)
gdp_growth = 0.06
decimals = 1
fai = 1400.0                     # 固定资产投资 超1400亿元 (level, 亿元)
industrial_fai = 265.0           # 工业投资 超265亿元

[target.2023]                    # any other simulated year; decimals/tolerance inherited
gdp_growth = 0.06
fai_growth = 0.05                # FAI targets may be levels or growth
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import _
from .checks import Checker
from .errors import describe, suggest
from .indicators import parse_indicator_targets
from .model import Economy, Target

TARGET_KEYS = (
    "gdp_growth", "sectors", "streets", "decimals", "tolerance", "fai", "fai_growth",
    "industrial_fai", "industrial_fai_growth", "area", "indicators",
)


def parse_targets(ck: Checker, raw: Any, ids: tuple[list[str], list[str]],
                  years: tuple[int, int, int], economy: Economy) -> dict[int, Target]:
    """All targets by year; the target year's first.

    Parameters
    ----------
    ck : Checker
    raw : Any
        The ``[target]`` table.
    ids : tuple of list of str
        Sector ids and street ids.
    years : tuple of int
        ``(base_year, target_year, end_year)``.
    economy : Economy
        An FAI target needs the FAI model.
    """
    base_year, target_year, end_year = years
    if not isinstance(raw, Mapping):
        raise ck.fail("target", _("a table"), describe(raw))
    own = {k: v for k, v in raw.items() if not k.isdigit()}
    main = _target(ck, own, "target", ids, None)
    out = {target_year: main}
    for key, table in raw.items():
        if not key.isdigit():
            continue
        year = int(key)
        where = f"target.{key}"
        if not base_year < year <= end_year or year == target_year:
            raise ck.fail(where, _("a year in {value}..{end_year} other than the target year "
                                   "{target_year} (whose targets are [target] itself)")
                                 .format(value=base_year + 1, end_year=end_year,
                                         target_year=target_year),
                          key)
        out[year] = _target(ck, table, where, ids, main)
    for year, t in out.items():
        where = "target" if year == target_year else f"target.{year}"
        _check_investment(ck, t, where, economy)
    return dict(sorted(out.items()))


def _target(ck: Checker, raw: Any, path: str, ids: tuple[list[str], list[str]],
            parent: Target | None) -> Target:
    """One year's targets; a later year inherits ``decimals`` and ``tolerance``."""
    tg = ck.keys(raw, TARGET_KEYS, path, required=("gdp_growth",))
    sector_ids, street_ids = ids

    def level(key: str) -> float | None:
        x = ck.number(tg, key, path, None, lo=0.0, lo_open=True)
        return None if x is None else float(x)

    def growth(key: str) -> float | None:
        x = ck.number(tg, key, path, None, lo=-1.0, lo_open=True, fraction=True)
        return None if x is None else float(x)

    return Target(
        gdp_growth=float(ck.number(tg, "gdp_growth", path, fraction=True)),
        sectors=_subtargets(ck, tg.get("sectors", {}), f"{path}.sectors", sector_ids,
                            _("sector")),
        streets=_subtargets(ck, tg.get("streets", {}), f"{path}.streets", street_ids,
                            _("street")),
        decimals=ck.number(tg, "decimals", path,
                           None if parent is None else parent.decimals,
                           integer=True, lo=0, hi=6),
        tolerance=float(ck.number(tg, "tolerance", path,
                                  0.0 if parent is None else parent.tolerance,
                                  lo=0.0, fraction=True)),
        fai=level("fai"),
        fai_growth=growth("fai_growth"),
        industrial_fai=level("industrial_fai"),
        industrial_fai_growth=growth("industrial_fai_growth"),
        **_indicator_targets(ck, tg, path, parent),
    )


def _indicator_targets(ck: Checker, tg: Mapping[str, Any], path: str,
                       parent: Target | None) -> dict[str, Any]:
    """``area`` (inherited by later years) and ``indicators`` of one year's targets."""
    area = ck.string(tg, "area", path, None if parent is None else parent.area)
    targets = parse_indicator_targets(ck, tg.get("indicators", {}), f"{path}.indicators")
    if targets and area is None:
        raise ck.fail(f"{path}.area", _("the area whose indicators the indicator targets "
                                        "are (as in the published data, e.g. \"Longgang\")"),
                      _("nothing"))
    return {"area": area, "indicators": targets}


def _check_investment(ck: Checker, t: Target, path: str, economy: Economy) -> None:
    """An FAI target needs the FAI model; an industrial one needs industrial_fai too."""
    for quantity, kind, _value in t.investment_goals():
        key = quantity if kind == "level" else f"{quantity}_growth"
        if quantity == "fai" and not economy.models_fai:
            raise ck.fail(f"{path}.{key}", _("an FAI model for an FAI target ([economy] fai and "
                                             "fai_growth)"), _("no FAI model"))
        if quantity == "industrial_fai" and not economy.models_industrial_fai:
            raise ck.fail(f"{path}.{key}",
                          _("an industrial investment model for this target ([economy] "
                            "industrial_fai and industrial_fai_growth)"),
                          _("no industrial investment model"))


def _subtargets(
    ck: Checker, raw: Any, path: str, known: list[str], what: str
) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise ck.fail(path, _("a table of {what} ids to growth targets").format(what=what),
                      describe(raw))
    out = {}
    for key in raw:
        if key not in known:
            raise ck.fail(f"{path}.{key}", _("a known {what} id").format(what=what), repr(key),
                          suggest(key, known))
        out[key] = float(ck.number(raw, key, path, fraction=True))
    return out
