"""One-at-a-time sensitivity: the tornado, :func:`tornado`.

Each input set to its P10 and then its P90, the rest random, every run on the same seed
(common random numbers), so the differences are measured on the same luck. Cost:
``1 + 2K`` runs of ``n`` replications for ``K`` inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...engine import compile_plan
from ...engine.smoothing import SmoothingPlan
from ...i18n import _
from ...montecarlo.outcomes import Outcome, evaluate_changes
from ...montecarlo.runner import resolve_seed
from ...scenario import Scenario
from ...scenario.plan_shape import with_pinned_shapes
from .inputs import _checked, select_inputs
from .result import SensitivityResult, _rank

#: Default replications per tornado run when P(met) has the conditional estimator.
TORNADO_REPLICATIONS = 1000


def tornado(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    low: float = 0.1,
    high: float = 0.9,
    progress: Any = None,
) -> SensitivityResult:
    """One-at-a-time sensitivity: each input at its P10 and P90, on common random numbers.

    Parameters
    ----------
    scenario : Scenario
    params : sequence of str, optional
        Key paths (or entries) of the inputs to vary; default all uncertain inputs.
    replications : int, optional
        Replications per run (default: the scenario's, at most
        :data:`TORNADO_REPLICATIONS` when P(met) is estimated by conditional Monte Carlo).
    seed : int, optional
        One seed for every run (default: the scenario's, else random; recorded).
    workers : int, optional
        Processes (default: all cores); results do not depend on it.
    low, high : float
        The quantiles the input is set to (default P10 and P90).
    progress : callable, optional
        Called with finished replications (see :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    SensitivityResult
        Ranked by the absolute swing of P(target met), ties by the median growth swing.
        With investment targets, also ``p_<key>_met_low`` / ``_high`` / ``_swing_pp``
        for each (``key`` ``fai``, ``industrial_fai``...).
    """
    import pandas as pd

    if not 0.0 < low < high < 1.0:
        raise ValueError(_("expected 0 < low < high < 1, found low={low}, high={high}").format(
            low=low, high=high))
    inputs = select_inputs(scenario, params)
    run_seed = resolve_seed(seed, scenario)
    if replications is None and isinstance(compile_plan(scenario).smoothing, SmoothingPlan):
        # P(met) by conditional Monte Carlo: 1,000 replications per run measure each swing
        # far more precisely than the indicator would with the scenario's default
        replications = min(scenario.replications, TORNADO_REPLICATIONS)
    changes: list[dict[str, Any] | None] = [None]
    for item in inputs:
        for q in (low, high):
            c = with_pinned_shapes(scenario, {item.path: item.value_at(q)})
            _checked(scenario, c, _("{path} at its P{q}").format(path=item.path,
                                                                  q=round(100 * q)))
            changes.append(c)
    outs = evaluate_changes(scenario, changes, replications, run_seed, workers,
                            progress=progress)
    base = outs[0]
    rows = []
    for k, item in enumerate(inputs):
        lo, hi = outs[1 + 2 * k], outs[2 + 2 * k]
        rows.append({
            "path": item.path,
            "label": item.label,
            "kind": item.kind,
            "unit": item.unit,
            "distribution": item.describe(),
            "value_low": item.value_at(low),
            "value_high": item.value_at(high),
            "p_met_low": lo.p_met.estimate,
            "p_met_high": hi.p_met.estimate,
            "p_met_swing_pp": 100.0 * (hi.p_met.estimate - lo.p_met.estimate),
            "growth_p50_low": lo.median,
            "growth_p50_high": hi.median,
            "growth_p50_swing_pp": 100.0 * (hi.median - lo.median),
            **_investment_swings(lo, hi),
        })
    table = pd.DataFrame(rows)
    table = _rank(table, ["p_met_swing_pp", "growth_p50_swing_pp"])
    return SensitivityResult(
        "tornado", scenario.name, scenario.title, table, base, run_seed, base.n, len(outs),
        {"low": low, "high": high, "target": scenario.target},
    )


def _investment_swings(lo: Outcome, hi: Outcome) -> dict[str, float]:
    """P(each investment target met) at the input's low and high values, and the swing."""
    out = {}
    for key in lo.investment_met:
        p_lo, p_hi = lo.p_investment(key).estimate, hi.p_investment(key).estimate
        out[f"p_{key}_met_low"] = p_lo
        out[f"p_{key}_met_high"] = p_hi
        out[f"p_{key}_met_swing_pp"] = 100.0 * (p_hi - p_lo)
    return out
