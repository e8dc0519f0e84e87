"""Validation of a merged scenario document into frozen :mod:`model` objects.

Every check names the file, the key path, what was expected and what was found
(:class:`ScenarioError`). Checks never use ``assert`` (asserts vanish under ``-O``).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import calendar
from .. import drawdown as dd
from .actuals import parse_actuals
from .distributions import Dist, fixed, parse_dist
from .errors import ScenarioError, ScenarioWarning, describe, suggest
from .merge import check_values, record_plan_schedule, resolve_file
from .model import (
    Accounting,
    Batch,
    Drawdown,
    Economy,
    LandTask,
    Pipeline,
    ProjectSpec,
    Scenario,
    Sector,
    Shock,
    Street,
    Target,
)
from .paths import entry_path, locate, parse_path

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_NAME = re.compile(r"^\w[\w.-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()

#: Limits that refuse absurd inputs before any work starts.
MAX_REPLICATIONS = 10_000_000
MAX_BATCH_COUNT = 10_000
MAX_YEARS = 50
MAX_NAME = 100

TOP_KEYS = (
    "scenario", "target", "economy", "accounting", "sector", "correlation", "street",
    "project", "batch", "land", "shock", "pipeline", "sources", "actuals",
)
SCENARIO_KEYS = ("name", "title", "base_year", "target_year", "end_year", "seed", "replications")
TARGET_KEYS = ("gdp_growth", "sectors", "streets", "decimals", "tolerance", "fai")
ECONOMY_KEYS = ("gdp", "fai", "land_stock_ha")
ACCOUNTING_KEYS = (
    "construction_share", "construction_va_ratio", "local_share", "investment_deflator",
)
SECTOR_KEYS = (
    "id", "name", "share", "growth", "persistence", "monthly_sd", "monthly_persistence",
    "seasonality", "va_ratio", "output_per_investment",
)
CORRELATION_KEYS = ("default", "sectors", "matrix")
STREET_KEYS = ("id", "name", "share")
PROJECT_KEYS = (
    "id", "name", "sector", "street", "total_investment", "planned_start", "duration_months",
    "first_year_plan", "plan_start", "plan_duration_months", "start_delay_months", "drawdown",
    "execution", "land_ha",
    "annual_output", "ramp_months", "p_stall", "additionality",
)
BATCH_KEYS = (
    *[k for k in PROJECT_KEYS if k != "sector"],
    "count", "sector_mix", "size_concentration", "street_mix", "delay_correlation",
)
PIPELINE_KEYS = (
    *[k for k in PROJECT_KEYS if k != "planned_start"],
    "probability", "signed", "land_delay_months",
)
LAND_KEYS = ("id", "hectares", "by", "start", "delivered")
SHOCK_KEYS = (
    "id", "name", "window", "duration_months", "impact", "probability", "pauses_projects",
)


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
        message = f"{self.file}: {path}: {text}"
        self.warnings.append(message)
        warnings.warn(message, ScenarioWarning, stacklevel=4)

    def keys(
        self, table: Any, allowed: Iterable[str], path: str, required: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Check a table's keys: unknown keys (with a suggestion) and required keys."""
        if not isinstance(table, Mapping):
            raise self.fail(path, "a table", describe(table))
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(
                    where, "a known key", f"unknown key {key!r}", suggest(key, allowed)
                )
        for key in required:
            if key not in table:
                raise self.fail(f"{path}.{key}" if path else key, "a value (required)", "nothing")
        return dict(table)

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        default: Any = _MISSING,
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
            if default is _MISSING:
                raise self.fail(where, "a value (required)", "nothing")
            return default
        x = table[key]
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise self.fail(where, "an integer" if integer else "a number", describe(x))
        if integer and not isinstance(x, int):
            raise self.fail(where, "an integer", describe(x))
        if not math.isfinite(x):
            raise self.fail(where, "a finite number", repr(x))
        if fraction and abs(x) > 1:
            raise self.fail(
                where, "a fraction", f"{x:g} (looks like percent: write {x / 100:g} for {x:g}%)"
            )
        if lo is not None and (x < lo or (lo_open and x == lo)):
            raise self.fail(where, f"a value {'>' if lo_open else '>='} {lo:g}", f"{x:g}")
        if hi is not None and x > hi:
            raise self.fail(where, f"a value <= {hi:g}", f"{x:g}")
        return x

    def dist(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        default: Any = _MISSING,
        *,
        fraction: bool = False,
        nonneg: bool = False,
        upper: float | None = None,
    ) -> Dist:
        """A number or distribution table; ``nonneg`` requires support >= 0."""
        where = f"{path}.{key}"
        if key not in table:
            if default is _MISSING:
                raise self.fail(where, "a value (required)", "nothing")
            return default if isinstance(default, Dist) else fixed(default)
        d = parse_dist(table[key], where, self.fail, fraction=fraction)
        low, high = d.support()
        if nonneg and low < 0:
            found = f"support reaching {low:g}" if d.kind != "fixed" else f"{low:g}"
            hint = "" if d.kind == "fixed" else "add min = 0 or use a non-negative distribution"
            raise self.fail(where, "values >= 0", found, hint)
        if upper is not None and high > upper:
            found = f"support reaching {high:g}" if d.kind != "fixed" else f"{high:g}"
            raise self.fail(where, f"values <= {upper:g}", found)
        return d

    def string(self, table: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
        """A string."""
        if key not in table:
            if default is _MISSING:
                raise self.fail(f"{path}.{key}", "a value (required)", "nothing")
            return default
        x = table[key]
        if not isinstance(x, str):
            raise self.fail(f"{path}.{key}", "a string", describe(x))
        return x

    def boolean(self, table: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        """A boolean."""
        x = table.get(key, default)
        if not isinstance(x, bool):
            raise self.fail(f"{path}.{key}", "true or false", describe(x))
        return x

    def date_value(self, x: Any, where: str) -> dt.date:
        """A TOML date or an ISO string ``YYYY-MM-DD``."""
        if isinstance(x, dt.datetime):
            raise self.fail(where, "a date like 2022-06-07 (no time of day)", str(x))
        if isinstance(x, dt.date):
            return x
        if isinstance(x, str) and _DATE.fullmatch(x):
            try:
                return dt.date.fromisoformat(x)
            except ValueError:
                raise self.fail(where, "a real calendar date", repr(x)) from None
        raise self.fail(where, "a date like 2022-06-07", describe(x))

    def ident(self, table: Mapping[str, Any], path: str) -> str:
        """An id matching ``^[a-z0-9][a-z0-9_-]*$``."""
        x = table.get("id", _MISSING)
        if x is _MISSING:
            raise self.fail(f"{path}.id", "an id (required)", "nothing")
        if not isinstance(x, str) or not _ID.fullmatch(x):
            raise self.fail(
                f"{path}.id", "an id of lower-case letters, digits, '-' or '_'", describe(x)
            )
        return x


def _shares(ck: Checker, entries: list[tuple[str, float]], path: str, what: str) -> list[float]:
    total = sum(v for _, v in entries)
    if abs(total - 1.0) > 0.001:
        raise ck.fail(path, f"{what} that sum to 1 (within 0.001)", f"a sum of {total:.6g}")
    return [v / total for _, v in entries]


def _mix(
    ck: Checker, table: Any, path: str, known: list[str], what: str
) -> tuple[tuple[str, float], ...]:
    if not isinstance(table, Mapping) or not table:
        raise ck.fail(path, f"a table of {what} ids to weights", describe(table))
    items = []
    for key in table:
        if key not in known:
            raise ck.fail(f"{path}.{key}", f"a known {what} id", repr(key), suggest(key, known))
        v = ck.number(table, key, path, lo=0.0)
        items.append((key, float(v)))
    weights = _shares(ck, items, path, "weights")
    return tuple((k, w) for (k, _), w in zip(items, weights, strict=True))


def build(doc: dict[str, Any], file: str) -> Scenario:
    """Validate a merged document and build the :class:`Scenario`.

    Parameters
    ----------
    doc : dict
        The merged document (see :func:`lgsim.scenario.merge.resolve_file`).
    file : str
        The file name used in messages.

    Returns
    -------
    Scenario
    """
    ck = Checker(file)
    ck.keys(doc, TOP_KEYS, "", required=("scenario", "target", "economy", "sector"))

    # [scenario]
    sc = ck.keys(doc["scenario"], SCENARIO_KEYS, "scenario", required=("base_year",))
    name = ck.string(sc, "name", "scenario", Path(file).stem)
    if not _NAME.fullmatch(name) or ".." in name or len(name) > MAX_NAME:
        raise ck.fail(
            "scenario.name",
            f"a plain name of at most {MAX_NAME} letters, digits, '-', '_', '.' (it names the "
            "run directory)",
            repr(name) if len(name) <= 40 else repr(name[:37] + "..."),
        )
    title = ck.string(sc, "title", "scenario", name)
    base_year = ck.number(sc, "base_year", "scenario", integer=True, lo=1900, hi=2200)
    target_year = ck.number(
        sc, "target_year", "scenario", base_year + 1, integer=True, lo=base_year + 1
    )
    end_year = ck.number(sc, "end_year", "scenario", target_year, integer=True, lo=target_year)
    if end_year - base_year > MAX_YEARS:
        raise ck.fail(
            "scenario.end_year", f"at most {MAX_YEARS} years after base_year", str(end_year)
        )
    seed = ck.number(sc, "seed", "scenario", None, integer=True, lo=0, hi=2**63 - 1)
    replications = ck.number(
        sc, "replications", "scenario", 2000, integer=True, lo=1, hi=MAX_REPLICATIONS
    )
    horizon = 12 * (end_year - base_year)

    def month(x: Any, where: str, *, end: bool = False) -> float:
        return calendar.to_month(ck.date_value(x, where), base_year, end_of_day=end)

    def in_horizon(t: float, where: str, raw: Any, *, allow_end: bool = False) -> float:
        ok = 0.0 <= t <= horizon if allow_end else 0.0 <= t < horizon
        if not ok:
            raise ck.fail(
                where,
                f"a date within the horizon {base_year + 1}-01-01..{end_year}-12-31",
                str(raw),
            )
        return t

    # [[sector]]
    raw_sectors = doc["sector"]
    if not isinstance(raw_sectors, list) or not raw_sectors:
        raise ck.fail("sector", "at least one [[sector]] table", describe(raw_sectors))
    sector_ids: list[str] = []
    partial = []
    for i, entry in enumerate(raw_sectors):
        path = entry_path("sector", entry, i)
        t = ck.keys(entry, SECTOR_KEYS, path, required=("id", "share", "growth"))
        sid = ck.ident(t, path)
        if sid in sector_ids:
            raise ck.fail(f"{path}.id", "a unique sector id", f"'{sid}' twice")
        sector_ids.append(sid)
        season = t.get("seasonality")
        if season is None:
            weights = (1 / 12,) * 12
        else:
            if (
                not isinstance(season, list)
                or len(season) != 12
                or any(isinstance(w, bool) or not isinstance(w, int | float) for w in season)
            ):
                raise ck.fail(f"{path}.seasonality", "an array of 12 numbers", describe(season))
            if any(not math.isfinite(w) or w < 0 for w in season):
                raise ck.fail(f"{path}.seasonality", "12 finite numbers >= 0", str(season))
            norm = _shares(
                ck, [(str(k), float(w)) for k, w in enumerate(season)],
                f"{path}.seasonality", "12 monthly weights",
            )
            weights = tuple(norm)
        partial.append(
            dict(
                id=sid,
                name=ck.string(t, "name", path, sid),
                share=float(ck.number(t, "share", path, lo=0.0)),
                growth=ck.dist(t, "growth", path, fraction=True),
                persistence=float(ck.number(t, "persistence", path, 0.0, lo=-0.99, hi=0.99)),
                monthly_sd=float(ck.number(t, "monthly_sd", path, 0.0, lo=0.0, fraction=True)),
                monthly_persistence=float(
                    ck.number(t, "monthly_persistence", path, 0.0, lo=0.0, hi=0.99)
                ),
                seasonality=weights,
                va_ratio=(
                    float(ck.number(t, "va_ratio", path, lo=0.0, hi=1.0))
                    if "va_ratio" in t else None
                ),
                output_per_investment=float(
                    ck.number(t, "output_per_investment", path, 0.0, lo=0.0)
                ),
            )
        )
    shares = _shares(ck, [(p["id"], p["share"]) for p in partial], "sector", "sector shares")
    for p, s in zip(partial, shares, strict=True):
        p["share"] = s
    sectors = tuple(Sector(**p) for p in partial)

    correlation = _correlation(ck, doc.get("correlation"), sector_ids)

    # [[street]]
    raw_streets = doc.get("street", [])
    if not isinstance(raw_streets, list):
        raise ck.fail("street", "an array of tables [[street]]", describe(raw_streets))
    if raw_streets:
        street_items = []
        for i, entry in enumerate(raw_streets):
            path = entry_path("street", entry, i)
            t = ck.keys(entry, STREET_KEYS, path, required=("id", "share"))
            stid = ck.ident(t, path)
            if stid in [s[0] for s in street_items]:
                raise ck.fail(f"{path}.id", "a unique street id", f"'{stid}' twice")
            street_items.append(
                (stid, ck.string(t, "name", path, stid), float(ck.number(t, "share", path, lo=0.0)))
            )
        st_shares = _shares(ck, [(s[0], s[2]) for s in street_items], "street", "street shares")
        streets = tuple(
            Street(s[0], s[1], w) for s, w in zip(street_items, st_shares, strict=True)
        )
    else:
        streets = (Street("all", "全区", 1.0),)
    street_ids = [s.id for s in streets]

    # [target]
    tg = ck.keys(doc["target"], TARGET_KEYS, "target", required=("gdp_growth",))
    target = Target(
        gdp_growth=float(ck.number(tg, "gdp_growth", "target", fraction=True)),
        sectors=_subtargets(ck, tg.get("sectors", {}), "target.sectors", sector_ids, "sector"),
        streets=_subtargets(ck, tg.get("streets", {}), "target.streets", street_ids, "street"),
        decimals=ck.number(tg, "decimals", "target", None, integer=True, lo=0, hi=6),
        tolerance=float(ck.number(tg, "tolerance", "target", 0.0, lo=0.0, fraction=True)),
        fai=ck.number(tg, "fai", "target", None, lo=0.0, lo_open=True),
    )

    # [economy]
    ec = ck.keys(doc["economy"], ECONOMY_KEYS, "economy", required=("gdp",))
    economy = Economy(
        gdp=float(ck.number(ec, "gdp", "economy", lo=0.0, lo_open=True)),
        fai=ck.number(ec, "fai", "economy", None, lo=0.0, lo_open=True),
        land_stock_ha=float(ck.number(ec, "land_stock_ha", "economy", 0.0, lo=0.0)),
    )

    has_projects = any(doc.get(k) for k in ("project", "batch", "pipeline"))
    ac_raw = doc.get("accounting", {})
    ac = ck.keys(
        ac_raw, ACCOUNTING_KEYS, "accounting",
        required=ACCOUNTING_KEYS[:3] if has_projects else (),
    )
    accounting = Accounting(
        construction_share=float(
            ck.number(ac, "construction_share", "accounting", 0.0, lo=0.0, hi=1.0)
        ),
        construction_va_ratio=float(
            ck.number(ac, "construction_va_ratio", "accounting", 0.0, lo=0.0, hi=1.0)
        ),
        local_share=float(ck.number(ac, "local_share", "accounting", 0.0, lo=0.0, hi=1.0)),
        investment_deflator=float(
            ck.number(ac, "investment_deflator", "accounting", 1.0, lo=0.0, lo_open=True)
        ),
    )
    if has_projects and "construction" not in sector_ids:
        raise ck.fail(
            "sector",
            "a sector with id 'construction' (works value added goes there)",
            "sectors " + ", ".join(sector_ids),
        )

    ctx = _Ctx(ck, sector_ids, street_ids, month, in_horizon, horizon)
    entity_ids: dict[str, str] = {}

    def claim(ident: str, path: str) -> None:
        if ident in entity_ids:
            raise ck.fail(
                f"{path}.id",
                "an id unique across projects, batches and pipeline entries",
                f"'{ident}', already used by {entity_ids[ident]}",
            )
        entity_ids[ident] = path

    projects = []
    for i, entry in enumerate(_array(ck, doc, "project")):
        path = entry_path("project", entry, i)
        t = ck.keys(
            entry, PROJECT_KEYS, path,
            required=("id", "sector", "total_investment", "planned_start", "duration_months"),
        )
        spec = _project(ctx, t, path)
        claim(spec.id, path)
        projects.append(spec)

    batches = []
    for i, entry in enumerate(_array(ck, doc, "batch")):
        path = entry_path("batch", entry, i)
        t = ck.keys(
            entry, BATCH_KEYS, path,
            required=(
                "id", "count", "total_investment", "planned_start", "sector_mix",
                "duration_months",
            ),
        )
        spec = _project(ctx, t, path)
        claim(spec.id, path)
        street_mix = (
            _mix(ck, t["street_mix"], f"{path}.street_mix", street_ids, "street")
            if "street_mix" in t else None
        )
        batches.append(
            Batch(
                id=spec.id,
                name=spec.name,
                count=ck.number(t, "count", path, integer=True, lo=1, hi=MAX_BATCH_COUNT),
                template=spec,
                sector_mix=_mix(ck, t["sector_mix"], f"{path}.sector_mix", sector_ids, "sector"),
                street_mix=street_mix,
                size_concentration=float(
                    ck.number(t, "size_concentration", path, 1.0, lo=0.0, lo_open=True)
                ),
                delay_correlation=float(
                    ck.number(t, "delay_correlation", path, 0.0, lo=0.0, hi=1.0)
                ),
            )
        )

    pipelines = []
    for i, entry in enumerate(_array(ck, doc, "pipeline")):
        path = entry_path("pipeline", entry, i)
        if isinstance(entry, Mapping) and "planned_start" in entry:
            raise ck.fail(
                f"{path}.planned_start",
                "no planned_start on a pipeline entry (it starts at signed + land_delay_months)",
                str(entry["planned_start"]),
            )
        t = ck.keys(
            entry, PIPELINE_KEYS, path,
            required=(
                "id", "probability", "signed", "sector", "total_investment", "duration_months",
            ),
        )
        spec = _project(ctx, t, path)
        claim(spec.id, path)
        signed = month(t["signed"], f"{path}.signed")
        if signed >= horizon:
            raise ck.fail(f"{path}.signed", "a date before the horizon's end", str(t["signed"]))
        pipelines.append(
            Pipeline(
                id=spec.id,
                probability=float(ck.number(t, "probability", path, lo=0.0, hi=1.0)),
                signed=signed,
                land_delay_months=ck.dist(t, "land_delay_months", path, 0.0, nonneg=True),
                project=spec,
            )
        )

    lands = []
    land_ids: set[str] = set()
    for i, entry in enumerate(_array(ck, doc, "land")):
        path = entry_path("land", entry, i)
        t = ck.keys(entry, LAND_KEYS, path, required=("id", "hectares", "by"))
        lid = ck.ident(t, path)
        if lid in land_ids:
            raise ck.fail(f"{path}.id", "a unique land id", f"'{lid}' twice")
        land_ids.add(lid)
        by = in_horizon(month(t["by"], f"{path}.by", end=True), f"{path}.by", t["by"],
                        allow_end=True)
        start = (
            in_horizon(month(t["start"], f"{path}.start"), f"{path}.start", t["start"])
            if "start" in t else 12.0 * (target_year - base_year - 1)
        )
        if start >= by:
            raise ck.fail(
                f"{path}.start", f"a date before by ({t['by']})",
                str(t.get("start", f"{target_year}-01-01 (the default)")),
            )
        lands.append(
            LandTask(
                id=lid,
                hectares=ck.dist(t, "hectares", path, nonneg=True),
                start=start,
                by=by,
                delivered=ck.dist(t, "delivered", path, 1.0, nonneg=True, upper=1.0),
            )
        )

    shocks = []
    shock_ids: set[str] = set()
    for i, entry in enumerate(_array(ck, doc, "shock")):
        path = entry_path("shock", entry, i)
        t = ck.keys(
            entry, SHOCK_KEYS, path, required=("id", "window", "duration_months", "impact")
        )
        shid = ck.ident(t, path)
        if shid in shock_ids:
            raise ck.fail(f"{path}.id", "a unique shock id", f"'{shid}' twice")
        shock_ids.add(shid)
        w = t["window"]
        if not isinstance(w, list) or len(w) != 2:
            raise ck.fail(f"{path}.window", "[start date, end date]", describe(w))
        w0 = in_horizon(month(w[0], f"{path}.window[0]"), f"{path}.window[0]", w[0])
        w1 = in_horizon(
            month(w[1], f"{path}.window[1]", end=True), f"{path}.window[1]", w[1], allow_end=True
        )
        if ck.date_value(w[0], f"{path}.window[0]") == ck.date_value(w[1], f"{path}.window[1]"):
            w1 = w0  # one date: the shock starts exactly at the beginning of that day
        if w1 < w0:
            raise ck.fail(f"{path}.window", "start <= end", f"{w[0]} after {w[1]}")
        impact_raw = t["impact"]
        if not isinstance(impact_raw, Mapping) or not impact_raw:
            raise ck.fail(
                f"{path}.impact", "a table of sector ids to impacts", describe(impact_raw)
            )
        impact = []
        for sid, _ in impact_raw.items():
            if sid not in sector_ids:
                raise ck.fail(
                    f"{path}.impact.{sid}", "a known sector id", repr(sid), suggest(sid, sector_ids)
                )
            d = ck.dist(impact_raw, sid, f"{path}.impact", fraction=True)
            impact.append((sid, d))
        shocks.append(
            Shock(
                id=shid,
                name=ck.string(t, "name", path, shid),
                probability=float(ck.number(t, "probability", path, 1.0, lo=0.0, hi=1.0)),
                window=(w0, w1),
                duration_months=ck.dist(t, "duration_months", path, nonneg=True),
                impact=tuple(impact),
                pauses_projects=ck.boolean(t, "pauses_projects", path, False),
            )
        )

    _check_va_ratios(ck, sectors, projects, batches, pipelines)
    sources = _sources(ck, doc.get("sources", {}))
    actuals = (
        parse_actuals(ck, doc["actuals"], sector_ids, base_year, end_year)
        if "actuals" in doc else ()
    )

    return Scenario(
        name=name,
        title=title,
        base_year=base_year,
        target_year=target_year,
        end_year=end_year,
        seed=seed,
        replications=replications,
        target=target,
        economy=economy,
        accounting=accounting,
        sectors=sectors,
        correlation=correlation,
        streets=streets,
        projects=tuple(projects),
        batches=tuple(batches),
        lands=tuple(lands),
        shocks=tuple(shocks),
        pipelines=tuple(pipelines),
        sources=sources,
        file=file,
        document=doc,
        warnings=tuple(ck.warnings),
        actuals=actuals,
    )


class _Ctx:
    def __init__(self, ck, sector_ids, street_ids, month, in_horizon, horizon) -> None:
        self.ck = ck
        self.sector_ids = sector_ids
        self.street_ids = street_ids
        self.month = month
        self.in_horizon = in_horizon
        self.horizon = horizon


def _array(ck: Checker, doc: Mapping[str, Any], kind: str) -> list[Any]:
    value = doc.get(kind, [])
    if not isinstance(value, list):
        raise ck.fail(kind, f"an array of tables [[{kind}]]", describe(value))
    return value


def _project(ctx: _Ctx, t: dict[str, Any], path: str) -> ProjectSpec:
    ck = ctx.ck
    pid = ck.ident(t, path)
    sector = t.get("sector")
    if sector is not None and sector not in ctx.sector_ids:
        raise ck.fail(
            f"{path}.sector", "a known sector id", describe(sector),
            suggest(str(sector), ctx.sector_ids),
        )
    street = t.get("street")
    if street is not None and street not in ctx.street_ids:
        raise ck.fail(
            f"{path}.street", "a known street id", describe(street),
            suggest(str(street), ctx.street_ids),
        )
    planned = None
    if "planned_start" in t:
        planned = ctx.in_horizon(
            ctx.month(t["planned_start"], f"{path}.planned_start"),
            f"{path}.planned_start", t["planned_start"],
        )
    total = ck.dist(t, "total_investment", path, nonneg=True)
    duration = ck.dist(t, "duration_months", path, nonneg=True)
    plan = ck.number(t, "first_year_plan", path, None, lo=0.0)
    plan_start = None
    if "plan_start" in t:
        plan_start = ctx.month(t["plan_start"], f"{path}.plan_start")
    elif plan is not None:
        plan_start = planned
    if plan is not None and plan_start is None:
        raise ck.fail(
            f"{path}.plan_start", "the date the first-year plan was made for (required here)",
            "nothing",
        )
    drawdown = _drawdown(ck, t.get("drawdown", "s-curve"), f"{path}.drawdown")
    if plan is not None:
        t_med = total.median()
        if plan > t_med * (1 + 1e-12):
            raise ck.fail(
                f"{path}.first_year_plan",
                f"a plan <= total_investment ({t_med:g} 亿元)",
                f"{plan:g}",
            )
        if drawdown.kind == "s-curve" and t_med > 0:  # nothing to draw: no shape to solve
            plan_duration = (
                ck.dist(t, "plan_duration_months", path, nonneg=True)
                if "plan_duration_months" in t else duration
            )
            drawdown = _calibrate(ck, path, plan, t_med, plan_start, plan_duration.median())
    return ProjectSpec(
        id=pid,
        name=ck.string(t, "name", path, pid),
        sector=sector,
        street=street,
        total_investment=total,
        planned_start=planned,
        duration_months=duration,
        first_year_plan=None if plan is None else float(plan),
        plan_start=plan_start,
        start_delay_months=ck.dist(t, "start_delay_months", path, 0.0, nonneg=True),
        drawdown=drawdown,
        execution=ck.dist(t, "execution", path, 1.0, nonneg=True),
        land_ha=ck.dist(t, "land_ha", path, 0.0, nonneg=True),
        annual_output=(
            ck.dist(t, "annual_output", path, nonneg=True) if "annual_output" in t else None
        ),
        ramp_months=ck.dist(t, "ramp_months", path, 12.0, nonneg=True),
        p_stall=float(ck.number(t, "p_stall", path, 0.0, lo=0.0, hi=1.0)),
        additionality=ck.dist(t, "additionality", path, 1.0, nonneg=True, upper=1.0),
    )


def _drawdown(ck: Checker, value: Any, where: str) -> Drawdown:
    if value == "s-curve":
        return Drawdown("s-curve", dd.DEFAULT_A, 4.0 - dd.DEFAULT_A)
    if value == "linear":
        return Drawdown("linear", 1.0, 1.0)
    if isinstance(value, Mapping):
        t = ck.keys(value, ("a", "b"), where, required=("a", "b"))
        a = ck.number(t, "a", where, lo=0.0, lo_open=True)
        b = ck.number(t, "b", where, lo=0.0, lo_open=True)
        return Drawdown("beta", float(a), float(b))
    raise ck.fail(where, '"s-curve", "linear" or a table { a, b }', describe(value))


def _calibrate(
    ck: Checker, path: str, plan: float, total: float, plan_start: float, duration: float
) -> Drawdown:
    year_end = 12.0 * (math.floor(plan_start / 12.0) + 1)
    try:
        a = dd.solve_shape(plan / total if total > 0 else 0.0, (year_end - plan_start) / duration
                           if duration > 0 else math.inf)
    except dd.InfeasiblePlan as exc:
        raise ck.fail(
            f"{path}.first_year_plan",
            f"a plan reachable by an s-curve from plan_start with the median duration "
            f"({exc.low * total:.4g}..{exc.high * total:.4g} 亿元)",
            f"{plan:g}",
        ) from None
    if a < 1.0:
        ck.warn(
            f"{path}.first_year_plan",
            f"the plan needs a front-loaded s-curve (a = {a:.3f} < 1): most spending at once",
        )
    return Drawdown("s-curve", a, 4.0 - a, calibrated=True)


def _correlation(ck: Checker, raw: Any, sector_ids: list[str]) -> tuple[tuple[float, ...], ...]:
    n = len(sector_ids)
    m = np.eye(n)
    if raw is None:
        return tuple(map(tuple, m.tolist()))
    t = ck.keys(raw, CORRELATION_KEYS, "correlation")
    if "default" in t:
        rho = ck.number(t, "default", "correlation", lo=-1.0, hi=1.0)
        m[:] = rho
        np.fill_diagonal(m, 1.0)
    if "matrix" in t or "sectors" in t:
        if "matrix" not in t or "sectors" not in t:
            raise ck.fail("correlation", "both 'sectors' and 'matrix'", "only one of them")
        ids = t["sectors"]
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise ck.fail("correlation.sectors", "an array of sector ids", describe(ids))
        for x in ids:
            if x not in sector_ids:
                raise ck.fail(
                    "correlation.sectors", "known sector ids", repr(x), suggest(x, sector_ids)
                )
        if len(set(ids)) != len(ids):
            raise ck.fail("correlation.sectors", "distinct sector ids", str(ids))
        mat = t["matrix"]
        k = len(ids)
        if (
            not isinstance(mat, list)
            or len(mat) != k
            or any(not isinstance(row, list) or len(row) != k for row in mat)
        ):
            raise ck.fail("correlation.matrix", f"a {k}×{k} array of arrays", describe(mat))
        sub = np.empty((k, k))
        for i, row in enumerate(mat):
            for j, x in enumerate(row):
                if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                    raise ck.fail(f"correlation.matrix[{i}][{j}]", "a finite number", describe(x))
                sub[i, j] = x
        if not np.allclose(sub, sub.T, atol=1e-12, rtol=0):
            i, j = np.argwhere(np.abs(sub - sub.T) > 1e-12)[0]
            raise ck.fail(
                "correlation.matrix", "a symmetric matrix",
                f"[{i}][{j}] = {sub[i, j]:g} but [{j}][{i}] = {sub[j, i]:g}",
            )
        if not np.allclose(np.diag(sub), 1.0) or np.any(np.abs(sub) > 1):
            raise ck.fail(
                "correlation.matrix", "ones on the diagonal, entries in [-1, 1]", str(mat)
            )
        idx = [sector_ids.index(x) for x in ids]
        m[np.ix_(idx, idx)] = sub
    eig = np.linalg.eigvalsh(m)
    if eig.min() < -1e-10:
        raise ck.fail(
            "correlation",
            "a positive semi-definite correlation matrix",
            f"smallest eigenvalue {eig.min():.4g}",
        )
    return tuple(map(tuple, m.tolist()))


def _subtargets(
    ck: Checker, raw: Any, path: str, known: list[str], what: str
) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise ck.fail(path, f"a table of {what} ids to growth targets", describe(raw))
    out = {}
    for key in raw:
        if key not in known:
            raise ck.fail(f"{path}.{key}", f"a known {what} id", repr(key), suggest(key, known))
        out[key] = float(ck.number(raw, key, path, fraction=True))
    return out


def _check_va_ratios(ck, sectors, projects, batches, pipelines) -> None:
    by_id = {s.id: s for s in sectors}
    users: list[tuple[str, str, bool]] = []
    for p in projects:
        users.append((p.sector, f"project[{p.id}]", p.annual_output is not None))
    for pl in pipelines:
        p = pl.project
        users.append((p.sector, f"pipeline[{p.id}]", p.annual_output is not None))
    for b in batches:
        for sid, w in b.sector_mix:
            if w > 0:
                users.append((sid, f"batch[{b.id}]", b.template.annual_output is not None))
    for sid, who, explicit in users:
        s = by_id[sid]
        if s.va_ratio is None and (explicit or s.output_per_investment > 0):
            raise ck.fail(
                f"sector[{sid}].va_ratio",
                f"a value-added ratio (needed: {who} has operating output in this sector)",
                "nothing",
            )


def _sources(ck: Checker, raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ck.fail("sources", "a table of key paths to sources", describe(raw))
    out = {}
    for key, value in raw.items():
        try:
            parse_path(key)
        except ValueError as exc:
            raise ck.fail(f"sources.{key}", "a key path like project[id].field", str(exc)) from None
        if not isinstance(value, str) or not value.lstrip().startswith(("source:", "assumption:")):
            raise ck.fail(
                f'sources."{key}"',
                '"source: <title>, <address>" or "assumption: <why>"',
                describe(value),
            )
        out[key] = value.strip()
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge (``extends``) and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file or anything it extends is not a valid scenario.
    """
    doc = resolve_file(path)
    return build(doc, str(path))


def apply_changes(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """Return a copy of ``scenario`` with values at key paths replaced (validated)."""
    doc = copy.deepcopy(scenario.document)
    file = f"{scenario.file} (with_changes)"
    replanned: list[tuple[dict[str, bool], dict[str, Any]]] = []
    for text, value in changes.items():
        try:
            path = parse_path(text)
            table, key = locate(doc, path, create=True)
        except (ValueError, KeyError) as exc:
            raise ScenarioError(
                file, text, "a key path of this scenario", str(exc).strip("'\"")
            ) from None
        check_values(value, file, text)
        table[key] = copy.deepcopy(value)
        if key == "first_year_plan" and len(path.fields) == 1:
            own = {k: True for k in ("plan_start", "plan_duration_months")
                   if f"{path.kind}[{path.id}].{k}" in changes}
            replanned.append((own, table))
    for own, table in replanned:  # after all changes: the plan's schedule as changed
        record_plan_schedule(own, table)
    return build(doc, file)
