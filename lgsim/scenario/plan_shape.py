"""Rule 3 in one place: the s-curve of a first-year plan is solved once.

A ``first_year_plan`` fixes the shape ``a`` of a project's s-curve (Beta(a, 4 − a)) so
that, on the schedule the plan was made for, the project spends its plan in the plan's
year (docs/model.md, rule 3). That schedule is ``plan_start`` (default: the ``planned_start``
in force where the plan is set), the median of ``plan_duration_months`` (default: the
``duration_months`` in force there), no delay and execution 1. Once solved, the shape
stays: moving the start shifts the curve and changing the duration stretches it, without
re-meeting the plan.

Three things carry the rule, and they all live here:

* :func:`record_plan_schedule` — when a layer (a file in an ``extends`` chain, or a set
  of changes) sets ``first_year_plan``, the schedule in force becomes explicit as
  ``plan_start`` / ``plan_duration_months``, so later layers cannot move it;
* :func:`solve_plan_shape` — the shape solved for that schedule (or a one-line error);
* :func:`with_pinned_shapes` — for what-if studies that change a total, a duration or a
  growth rate: every solved shape is pinned at the scenario's own, unless the change is
  a new plan (:data:`PLAN_FIELDS`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..i18n import _
from . import drawdown as dd
from .model import Drawdown
from .paths import parse_path

if TYPE_CHECKING:  # pragma: no cover
    from .checks import Checker
    from .core import Scenario

#: Fields of a project, batch or pipeline entry that make (or re-make) its plan: a
#: change to one of them re-solves the shape instead of pinning it.
PLAN_FIELDS = ("first_year_plan", "plan_start", "plan_duration_months", "drawdown")

#: ``(schedule key, the key it is taken from)``.
_SCHEDULE = (("plan_start", "planned_start"), ("plan_duration_months", "duration_months"))


def record_plan_schedule(layer: Mapping[str, Any], merged: dict[str, Any]) -> None:
    """Pin the schedule a first-year plan was made for, in the merged entry.

    Parameters
    ----------
    layer : mapping
        What the layer (file or set of changes) wrote for this entry; a schedule key it
        sets itself is kept.
    merged : dict
        The entry after merging the layer; ``plan_start`` / ``plan_duration_months``
        become its ``planned_start`` / ``duration_months`` unless the layer set them.
    """
    for key, source in _SCHEDULE:
        if key not in layer and source in merged:
            merged[key] = copy.deepcopy(merged[source])


def solve_plan_shape(
    ck: Checker, path: str, plan: float, total: float, plan_start: float, duration: float
) -> Drawdown:
    """The s-curve that spends ``plan`` of ``total`` by the end of ``plan_start``'s year.

    Parameters
    ----------
    ck : Checker
        Reports an infeasible plan (naming ``path.first_year_plan``) and warns about a
        front-loaded shape.
    path : str
        Key path of the entry, e.g. ``batch[sz-2022-batch3]``.
    plan, total : float
        The first-year plan and the median total investment, 亿元.
    plan_start : float
        Start of the schedule, model months.
    duration : float
        Median duration of the schedule, months.

    Returns
    -------
    Drawdown
        ``s-curve`` Beta(a, 4 − a) with ``calibrated=True``.
    """
    year_end = 12.0 * (math.floor(plan_start / 12.0) + 1)
    try:
        a = dd.solve_shape(plan / total if total > 0 else 0.0, (year_end - plan_start) / duration
                           if duration > 0 else math.inf)
    except dd.InfeasiblePlan as exc:
        raise ck.fail(
            f"{path}.first_year_plan",
            _("a plan reachable by an s-curve from plan_start with the median duration "
              "({value:.4g}..{value2:.4g} 亿元)")
            .format(value=exc.low * total, value2=exc.high * total),
            f"{plan:g}",
        ) from None
    if a < 1.0:
        ck.warn(
            f"{path}.first_year_plan",
            _("the plan needs a front-loaded s-curve (a = {a:.3f} < 1): most spending at once")
            .format(a=a),
        )
    return Drawdown("s-curve", a, 4.0 - a, calibrated=True)


def pinned_drawdowns(scenario: Scenario, keep: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """Changes that pin every solved s-curve at the shape it has in ``scenario``.

    :meth:`Scenario.with_changes` validates the changed document like a file, so a
    change to ``total_investment`` re-solves the shape for the new plan share and the
    plan is met again, hiding most of the change's effect. Adding these changes keeps
    the original shape: the plan was made once. On the scenario itself they change
    nothing (same draws, same curve, bit-identical growth).

    Parameters
    ----------
    scenario : Scenario
    keep : sequence of str
        Entries left free to re-solve, as ``kind[id]``.

    Returns
    -------
    dict
        ``{"kind[id].drawdown": {"a": a, "b": b}, ...}`` for :meth:`Scenario.with_changes`.
    """
    entries = (
        [("project", p.id, p) for p in scenario.projects]
        + [("batch", b.id, b.template) for b in scenario.batches]
        + [("pipeline", p.id, p.project) for p in scenario.pipelines]
    )
    out: dict[str, Any] = {}
    for kind, ident, spec in entries:
        head = f"{kind}[{ident}]"
        if spec.drawdown.calibrated and head not in keep:
            out[f"{head}.drawdown"] = {"a": float(spec.drawdown.a), "b": float(spec.drawdown.b)}
    return out


def replanned_entries(changes: Mapping[str, Any]) -> list[str]:
    """Entries ``kind[id]`` whose plan a set of changes re-makes (a :data:`PLAN_FIELDS` key)."""
    out = []
    for text in changes:
        path = parse_path(text)
        if path.id is not None and path.fields and path.fields[0] in PLAN_FIELDS:
            out.append(f"{path.kind}[{path.id}]")
    return out


def with_pinned_shapes(scenario: Scenario, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` plus the pins of :func:`pinned_drawdowns` for entries it does not re-plan.

    The what-if studies (target-seeking, sensitivity, :func:`fixed_at`) pass their changes
    through this, so that a lever or an input moves the outcome without re-meeting a plan.
    """
    return {**pinned_drawdowns(scenario, keep=replanned_entries(changes)), **changes}
