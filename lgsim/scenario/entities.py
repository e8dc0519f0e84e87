"""Projects, batches, pipeline entries, land tasks and shocks of a scenario document.

Each ``build_*`` function validates one array of tables into model objects; the
:class:`Context` carries what they need from the rest of the file (sector and street
ids, the time axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import _
from . import calendar
from . import drawdown as dd
from .checks import Checker, mix
from .errors import describe, suggest
from .model import Batch, Drawdown, LandTask, Pipeline, ProjectSpec, Shock
from .paths import entry_path
from .plan_shape import solve_plan_shape

#: The largest uniform a draw can use (:mod:`lgsim.engine.streams`: (2**52 − 1/2) / 2**52):
#: ``ppf`` of it is the largest value a distribution can give in a run.
LARGEST_UNIFORM = 1.0 - 2.0**-53
#: At most this many members in one batch.
MAX_BATCH_COUNT = 10_000

PROJECT_KEYS = (
    "id", "name", "sector", "street", "total_investment", "planned_start", "duration_months",
    "first_year_plan", "plan_start", "plan_duration_months", "start_delay_months", "drawdown",
    "execution", "land_ha", "annual_output", "ramp_months", "p_stall", "additionality",
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


@dataclass
class Context:
    """What entity tables need from the rest of the scenario."""

    ck: Checker
    sector_ids: list[str]
    street_ids: list[str]
    base_year: int
    target_year: int
    end_year: int
    entity_ids: dict[str, str] = field(default_factory=dict)

    @property
    def horizon(self) -> float:
        """Simulated months."""
        return 12.0 * (self.end_year - self.base_year)

    def month(self, x: Any, where: str, *, end: bool = False) -> float:
        """A date value as model time (end of day when ``end``)."""
        return calendar.to_month(self.ck.date_value(x, where), self.base_year, end_of_day=end)

    def in_horizon(self, t: float, where: str, raw: Any, *, allow_end: bool = False) -> float:
        """Check that model time ``t`` lies within the horizon."""
        ok = 0.0 <= t <= self.horizon if allow_end else 0.0 <= t < self.horizon
        if not ok:
            raise self.ck.fail(
                where,
                _("a date within the horizon {value}-01-01..{end_year}-12-31")
                .format(value=self.base_year + 1, end_year=self.end_year),
                str(raw),
            )
        return t

    def claim(self, ident: str, path: str) -> None:
        """Register a project, batch or pipeline id (one namespace for the three)."""
        if ident in self.entity_ids:
            raise self.ck.fail(
                f"{path}.id",
                _("an id unique across projects, batches and pipeline entries"),
                _("'{ident}', already used by {entity_ids}")
                .format(ident=ident, entity_ids=self.entity_ids[ident]),
            )
        self.entity_ids[ident] = path


def build_projects(ctx: Context, doc: Mapping[str, Any]) -> tuple[ProjectSpec, ...]:
    """Validate ``[[project]]`` entries."""
    ck = ctx.ck
    projects = []
    for i, entry in enumerate(_array(ck, doc, "project")):
        path = entry_path("project", entry, i)
        t = ck.keys(
            entry, PROJECT_KEYS, path,
            required=("id", "sector", "total_investment", "planned_start", "duration_months"),
        )
        spec = project_spec(ctx, t, path)
        ctx.claim(spec.id, path)
        projects.append(spec)

    return tuple(projects)


def build_batches(ctx: Context, doc: Mapping[str, Any]) -> tuple[Batch, ...]:
    """Validate ``[[batch]]`` entries (amounts are batch totals)."""
    ck = ctx.ck
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
        spec = project_spec(ctx, t, path)
        ctx.claim(spec.id, path)
        street_mix = (
            mix(ck, t["street_mix"], f"{path}.street_mix", ctx.street_ids, _("street"))
            if "street_mix" in t else None
        )
        batches.append(
            Batch(
                id=spec.id,
                name=spec.name,
                count=ck.number(t, "count", path, integer=True, lo=1, hi=MAX_BATCH_COUNT),
                template=spec,
                sector_mix=mix(ck, t["sector_mix"], f"{path}.sector_mix", ctx.sector_ids,
                               _("sector")),
                street_mix=street_mix,
                size_concentration=float(
                    ck.number(t, "size_concentration", path, 1.0, lo=0.0, lo_open=True)
                ),
                delay_correlation=float(
                    ck.number(t, "delay_correlation", path, 0.0, lo=0.0, hi=1.0)
                ),
            )
        )

    return tuple(batches)


def build_pipelines(ctx: Context, doc: Mapping[str, Any]) -> tuple[Pipeline, ...]:
    """Validate ``[[pipeline]]`` entries."""
    ck = ctx.ck
    pipelines = []
    for i, entry in enumerate(_array(ck, doc, "pipeline")):
        path = entry_path("pipeline", entry, i)
        if isinstance(entry, Mapping) and "planned_start" in entry:
            raise ck.fail(
                f"{path}.planned_start",
                _("no planned_start on a pipeline entry (it starts at signed + land_delay_months)"),
                str(entry["planned_start"]),
            )
        t = ck.keys(
            entry, PIPELINE_KEYS, path,
            required=(
                "id", "probability", "signed", "sector", "total_investment", "duration_months",
            ),
        )
        spec = project_spec(ctx, t, path)
        ctx.claim(spec.id, path)
        signed = ctx.month(t["signed"], f"{path}.signed")
        if signed >= ctx.horizon:
            raise ck.fail(f"{path}.signed", _("a date before the horizon's end"), str(t["signed"]))
        delay = ck.dist(t, "land_delay_months", path, 0.0, nonneg=True)
        longest = float(delay.ppf(np.array([LARGEST_UNIFORM]))[0])  # the largest draw
        if signed + longest < 0.0:
            raise ck.fail(
                f"{path}.signed",
                _("a signing from which the entry can land within the horizon "
                  "({value}-01-01..{end_year}-12-31)")
                .format(value=ctx.base_year + 1, end_year=ctx.end_year),
                _("{signed} with at most {longest:.4g} months' land delay (landed before the "
                  "horizon: part of the base-year economy, no growth)")
                .format(signed=t['signed'], longest=longest),
            )
        pipelines.append(
            Pipeline(
                id=spec.id,
                probability=float(ck.number(t, "probability", path, lo=0.0, hi=1.0)),
                signed=signed,
                land_delay_months=delay,
                project=spec,
            )
        )

    return tuple(pipelines)


def build_lands(ctx: Context, doc: Mapping[str, Any]) -> tuple[LandTask, ...]:
    """Validate ``[[land]]`` tasks."""
    ck = ctx.ck
    lands = []
    land_ids: set[str] = set()
    for i, entry in enumerate(_array(ck, doc, "land")):
        path = entry_path("land", entry, i)
        t = ck.keys(entry, LAND_KEYS, path, required=("id", "hectares", "by"))
        lid = ck.ident(t, path)
        if lid in land_ids:
            raise ck.fail(f"{path}.id", _("a unique land id"), _("'{lid}' twice").format(lid=lid))
        land_ids.add(lid)
        by = ctx.in_horizon(ctx.month(t["by"], f"{path}.by", end=True), f"{path}.by", t["by"],
                        allow_end=True)
        start = (
            ctx.in_horizon(ctx.month(t["start"], f"{path}.start"), f"{path}.start", t["start"])
            if "start" in t else 12.0 * (ctx.target_year - ctx.base_year - 1)
        )
        if start >= by:
            raise ck.fail(
                f"{path}.start", _("a date before by ({by})").format(by=t['by']),
                str(t.get("start", _("{date} (the default)").format(
                    date=f"{ctx.target_year}-01-01"))),
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

    return tuple(lands)


def build_shocks(ctx: Context, doc: Mapping[str, Any]) -> tuple[Shock, ...]:
    """Validate ``[[shock]]`` entries."""
    ck = ctx.ck
    shocks = []
    shock_ids: set[str] = set()
    for i, entry in enumerate(_array(ck, doc, "shock")):
        path = entry_path("shock", entry, i)
        t = ck.keys(
            entry, SHOCK_KEYS, path, required=("id", "window", "duration_months", "impact")
        )
        shid = ck.ident(t, path)
        if shid in shock_ids:
            raise ck.fail(f"{path}.id", _("a unique shock id"), _("'{shid}' twice")
                .format(shid=shid))
        shock_ids.add(shid)
        w = t["window"]
        if not isinstance(w, list) or len(w) != 2:
            raise ck.fail(f"{path}.window", _("[start date, end date]"), describe(w))
        w0 = ctx.in_horizon(ctx.month(w[0], f"{path}.window[0]"), f"{path}.window[0]", w[0])
        w1 = ctx.in_horizon(
            ctx.month(w[1], f"{path}.window[1]", end=True), f"{path}.window[1]", w[1],
            allow_end=True,
        )
        if ck.date_value(w[0], f"{path}.window[0]") == ck.date_value(w[1], f"{path}.window[1]"):
            w1 = w0  # one date: the shock starts exactly at the beginning of that day
        if w1 < w0:
            raise ck.fail(f"{path}.window", _("start <= end"), _("{w} after {w2}")
                                                            .format(w=w[0], w2=w[1]))
        impact_raw = t["impact"]
        if not isinstance(impact_raw, Mapping) or not impact_raw:
            raise ck.fail(
                f"{path}.impact", _("a table of sector ids to impacts"), describe(impact_raw)
            )
        impact = []
        for sid, _impact in impact_raw.items():
            if sid not in ctx.sector_ids:
                raise ck.fail(
                    f"{path}.impact.{sid}", _("a known sector id"), repr(sid),
                    suggest(sid, ctx.sector_ids),
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

    return tuple(shocks)


def _array(ck: Checker, doc: Mapping[str, Any], kind: str) -> list[Any]:
    value = doc.get(kind, [])
    if not isinstance(value, list):
        raise ck.fail(kind, _("an array of tables [[{kind}]]").format(kind=kind), describe(value))
    return value


def project_spec(ctx: Context, t: dict[str, Any], path: str) -> ProjectSpec:
    """The project fields shared by projects, batch member defaults and pipeline entries."""
    ck = ctx.ck
    pid = ck.ident(t, path)
    sector = t.get("sector")
    if sector is not None and sector not in ctx.sector_ids:
        raise ck.fail(
            f"{path}.sector", _("a known sector id"), describe(sector),
            suggest(str(sector), ctx.sector_ids),
        )
    street = t.get("street")
    if street is not None and street not in ctx.street_ids:
        raise ck.fail(
            f"{path}.street", _("a known street id"), describe(street),
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
            f"{path}.plan_start", _("the date the first-year plan was made for (required here)"),
            _("nothing"),
        )
    drawdown = _drawdown(ck, t.get("drawdown", "s-curve"), f"{path}.drawdown")
    if plan is not None:
        t_med = total.median()
        if plan > t_med * (1 + 1e-12):
            raise ck.fail(
                f"{path}.first_year_plan",
                _("a plan <= total_investment ({t_med:g} 亿元)").format(t_med=t_med),
                f"{plan:g}",
            )
        if drawdown.kind == "s-curve" and t_med > 0:  # nothing to draw: no shape to solve
            plan_duration = (
                ck.dist(t, "plan_duration_months", path, nonneg=True)
                if "plan_duration_months" in t else duration
            )
            drawdown = solve_plan_shape(ck, path, plan, t_med, plan_start,
                                        plan_duration.median())
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
    raise ck.fail(where, _("\"s-curve\", \"linear\" or a table { a, b }"), describe(value))
