"""The uncertain inputs of a scenario, and the scenario with some of them fixed.

**Uncertain inputs** (:func:`uncertain_inputs`) are enumerated from the scenario: every
distribution that is not fixed, by key path (``sector[industry].growth``,
``batch[sz-2022-batch3].start_delay_months``, ``shock[power-rationing].duration_months``,
``shock[id].impact.<sector>``...), and every event probability strictly between 0 and 1
(``shock[id].probability``, ``pipeline[id].probability``, ``kind[id].p_stall``), read as
a Bernoulli input (happens / does not). Setting an input "at quantile q" replaces it by
the fixed value ``dist.ppf(q)`` through :meth:`Scenario.with_changes` (an event: 1 if
``q > 1 − p`` else 0). A batch's field is a member default, so fixing it fixes it for
every member (the batch moving together). What is *not* an input stays simulator
noise: shock timing within the window, batch size splits and sector draws, monthly
deviations, batch delay common factors.

Calibrated s-curves are pinned at the scenario's own shape in every variant
(:func:`lgsim.scenario.plan_shape.with_pinned_shapes`), so fixing a duration does not re-meet the
first-year plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._format import display_width
from ...i18n import _
from ...scenario import ProjectSpec, Scenario
from ...scenario.distributions import Dist
from ...scenario.errors import ScenarioError, suggest
from ...scenario.plan_shape import with_pinned_shapes

#: Range of quantiles the global methods sample (avoids infinite tails of ppf).
QUANTILE_BOUNDS = (0.005, 0.995)

#: Chinese label and unit of each field that can be uncertain.
_FIELDS: dict[str, tuple[str, str]] = {
    "growth": ("增长率", "fraction"),
    "total_investment": ("总投资", "亿元"),
    "start_delay_months": ("开工延迟", "months"),
    "duration_months": ("建设工期", "months"),
    "execution": ("投资执行率", "fraction"),
    "land_ha": ("用地", "hectares"),
    "annual_output": ("达产年产值", "亿元"),
    "ramp_months": ("爬坡期", "months"),
    "additionality": ("新增比例", "fraction"),
    "land_delay_months": ("落地延迟", "months"),
    "hectares": ("整备面积", "hectares"),
    "delivered": ("整备完成率", "fraction"),
    "impact": ("冲击幅度", "fraction"),
    "p_stall": ("是否停滞", "event"),
}
_PROJECT_FIELDS = (
    "total_investment", "start_delay_months", "duration_months", "execution", "land_ha",
    "annual_output", "ramp_months", "additionality",
)


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input of a scenario, addressed by key path.

    Attributes
    ----------
    path : str
        Key path, e.g. ``sector[industry].growth`` (a distribution) or
        ``shock[lockdown-risk].probability`` (an event).
    label : str
        Short Chinese label for tables and charts, e.g. ``工业·增长率``.
    kind : {"distribution", "event"}
        A distribution is set to ``dist.ppf(q)``; an event to 1 (happens) or 0.
    unit : str
        Unit of the values: ``fraction`` (0.05 = 5%), ``months``, ``亿元``, ``hectares``
        or ``event`` (0/1).
    dist : Dist or None
        The distribution (distributions only).
    probability : float or None
        Probability of the event (events only).
    """

    path: str
    label: str
    kind: str
    unit: str
    dist: Dist | None = None
    probability: float | None = None

    def value_at(self, q: float) -> float:
        """The fixed value that replaces the input at quantile ``q`` in (0, 1).

        A distribution gives ``dist.ppf(q)`` (after truncation); an event the
        Bernoulli(p) quantile: 1.0 if ``q > 1 − p`` else 0.0.
        """
        if not 0.0 < q < 1.0:
            raise ValueError(_("quantile must be in (0, 1), found {q}").format(q=q))
        if self.kind == "event":
            return 1.0 if q > 1.0 - float(self.probability or 0.0) else 0.0
        return float(np.asarray(self.dist.ppf(q)))  # type: ignore[union-attr]

    def describe(self) -> str:
        """The input's distribution in words, e.g. ``normal(0.05, 0.05)``."""
        if self.kind == "event":
            return f"event, p = {self.probability:g}"
        d = self.dist
        if d is None:
            return "distribution"
        params = ", ".join(f"{p:g}" for p in d.params[:4])
        if d.kind == "empirical" and len(d.params) > 4:
            params += ", …"
        return f"{d.kind}({params})"


def _short(name: str, width: int = 30) -> str:
    """The name before any bracket, cut to ``width`` terminal columns."""
    head = name.split("（", 1)[0].split("(", 1)[0].strip() or name
    if display_width(head) <= width:
        return head
    out = ""
    for ch in head:
        if display_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _spec_inputs(kind: str, ident: str, name: str, spec: ProjectSpec) -> list[UncertainInput]:
    out = []
    for fname in _PROJECT_FIELDS:
        d = getattr(spec, fname)
        if d is not None and not d.is_fixed:
            cn, unit = _FIELDS[fname]
            out.append(UncertainInput(f"{kind}[{ident}].{fname}", f"{name}·{cn}", "distribution",
                                      unit, dist=d))
    if 0.0 < spec.p_stall < 1.0:
        out.append(UncertainInput(f"{kind}[{ident}].p_stall", f"{name}·是否停滞", "event",
                                  "event", probability=spec.p_stall))
    return out


def _economy_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Organic FAI growth (district and industrial) and the IO table's local share."""
    ec = scenario.economy
    out = []
    for key, label, dist in (("fai_growth", "固定资产投资·自然增长率", ec.fai_growth),
                             ("industrial_fai_growth", "工业投资·自然增长率",
                              ec.industrial_fai_growth)):
        if dist is not None and not dist.is_fixed:
            out.append(UncertainInput(f"economy.{key}", label, "distribution", "fraction",
                                      dist=dist))
    if scenario.io is not None and not scenario.io.local_share.is_fixed:
        out.append(UncertainInput("io.local_share", "投入产出·本地采购比例", "distribution",
                                  "fraction", dist=scenario.io.local_share))
    return out


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Every uncertain input of a scenario, in file order.

    Distributions that are not fixed (sector growth; organic FAI growth; the IO table's
    local share; project, batch and pipeline fields;
    pipeline land delays; land hectares and delivery; shock durations and impacts) and
    event probabilities strictly between 0 and 1 (shocks, pipeline entries, ``p_stall``).

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    list of UncertainInput
    """
    out: list[UncertainInput] = []
    sector_names = {s.id: s.name for s in scenario.sectors}
    for s in scenario.sectors:
        if not s.growth.is_fixed:
            out.append(UncertainInput(f"sector[{s.id}].growth", f"{s.name}·增长率",
                                      "distribution", "fraction", dist=s.growth))
    out += _economy_inputs(scenario)
    for p in scenario.projects:
        out += _spec_inputs("project", p.id, _short(p.name), p)
    for b in scenario.batches:
        out += _spec_inputs("batch", b.id, _short(b.name), b.template)
    for pl in scenario.pipelines:
        name = _short(pl.project.name)
        if 0.0 < pl.probability < 1.0:
            out.append(UncertainInput(f"pipeline[{pl.id}].probability", f"{name}·是否落地",
                                      "event", "event", probability=pl.probability))
        if not pl.land_delay_months.is_fixed:
            out.append(UncertainInput(f"pipeline[{pl.id}].land_delay_months",
                                      f"{name}·落地延迟", "distribution", "months",
                                      dist=pl.land_delay_months))
        out += _spec_inputs("pipeline", pl.id, name, pl.project)
    for t in scenario.lands:
        for fname in ("hectares", "delivered"):
            d = getattr(t, fname)
            if not d.is_fixed:
                cn, unit = _FIELDS[fname]
                out.append(UncertainInput(f"land[{t.id}].{fname}", f"土地整备 {t.id}·{cn}",
                                          "distribution", unit, dist=d))
    for sh in scenario.shocks:
        name = _short(sh.name)
        if 0.0 < sh.probability < 1.0:
            out.append(UncertainInput(f"shock[{sh.id}].probability", f"{name}·是否发生",
                                      "event", "event", probability=sh.probability))
        if not sh.duration_months.is_fixed:
            out.append(UncertainInput(f"shock[{sh.id}].duration_months", f"{name}·持续时间",
                                      "distribution", "months", dist=sh.duration_months))
        for sid, d in sh.impact:
            if not d.is_fixed:
                out.append(UncertainInput(f"shock[{sh.id}].impact.{sid}",
                                          f"{name}·{sector_names.get(sid, sid)}冲击",
                                          "distribution", "fraction", dist=d))
    return out


def select_inputs(scenario: Scenario, params: Sequence[str] | None = None) -> list[UncertainInput]:
    """The uncertain inputs named by ``params`` (all of them when ``None``).

    Parameters
    ----------
    scenario : Scenario
    params : sequence of str, optional
        Key paths of uncertain inputs, or entries ``kind[id]`` for all inputs of an
        entry (``batch[sz-2022-batch3]``).

    Raises
    ------
    ScenarioError
        If a path is no uncertain input of the scenario (fixed values are not inputs),
        or the scenario has none.
    """
    inputs = uncertain_inputs(scenario)
    if not inputs:
        raise ScenarioError(
            scenario.file, "",
            _("at least one uncertain input (a distribution that is not fixed, or an event "
              "probability strictly between 0 and 1)"), _("none"),
        )
    if not params:
        return inputs
    chosen: list[UncertainInput] = []
    paths = [i.path for i in inputs]
    for text in params:
        text = text.strip()
        hits = [i for i in inputs if i.path == text or i.path.startswith(text + ".")]
        if not hits:
            hint = suggest(text, paths) or _("see `uncertain_inputs(scenario)` for the list")
            raise ScenarioError(scenario.file, text,
                                _("an uncertain input of this scenario (a distribution that is "
                                  "not fixed, or an event probability strictly between 0 and 1)"),
                                _("no such uncertain input"), hint)
        chosen += [h for h in hits if h not in chosen]
    return chosen


def fixed_at(
    scenario: Scenario,
    inputs: str | UncertainInput | Sequence[str | UncertainInput],
    q: float = 0.5,
    *,
    pin: bool = True,
) -> Scenario:
    """The scenario with uncertain inputs replaced by their ``q`` quantile.

    ``fixed_at(s, "sector[industry].growth")`` removes that input's uncertainty (fixes
    it at its median) — the check that the top tornado driver matters most.

    Parameters
    ----------
    scenario : Scenario
    inputs : str, UncertainInput or a sequence of them
        Key paths (or entries ``kind[id]``) of uncertain inputs.
    q : float
        Quantile in (0, 1); 0.5 is the median.
    pin : bool
        Pin calibrated s-curves at their shape in ``scenario``
        (:func:`lgsim.scenario.plan_shape.with_pinned_shapes`).

    Returns
    -------
    Scenario
    """
    items = [inputs] if isinstance(inputs, str | UncertainInput) else list(inputs)
    paths = [i.path if isinstance(i, UncertainInput) else i for i in items]
    chosen = select_inputs(scenario, paths)
    changes = {i.path: i.value_at(q) for i in chosen}
    return scenario.with_changes(with_pinned_shapes(scenario, changes) if pin else changes)


def _checked(scenario: Scenario, changes: Mapping[str, Any], why: str) -> None:
    """Build one variant in this process so bad input fails here with a clear message."""
    try:
        scenario.with_changes(dict(changes))
    except ScenarioError as exc:
        raise ScenarioError(exc.file, exc.path, exc.expected, f"{exc.found} ({why})",
                            exc.hint) from None

