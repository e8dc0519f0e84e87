"""Global sensitivity indices with SALib: Sobol (variance decomposition), Morris (screening).

Both sample the inputs' quantiles in :data:`~lgsim.studies.sensitivity.inputs.QUANTILE_BOUNDS`
``[0.005, 0.995]`` (independent uniforms, so the ``[correlation]`` of sector growth is
not represented). The simulator's own randomness is handled by *conditional averaging on
common random numbers*: each SALib sample point fixes every input at its quantile, and
the output at that point is P(target met) (and the median growth) over a small fixed set
of ``R`` replications — the same seed and replication numbers at every point, so the
residual noise is the same at every point and does not enter the differences SALib's
estimators take. Cost: Sobol ``N (K + 2) R`` replications (first-order and total
indices, no second order), Morris ``r (K + 1) R``. The indices describe the variance of
P(met | inputs) across the inputs' ranges; the residual noise's share is not part of
them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...i18n import N_, Message, _
from ...montecarlo.outcomes import evaluate_changes
from ...montecarlo.runner import resolve_seed
from ...scenario import Scenario
from ...scenario.errors import ScenarioError
from ...scenario.plan_shape import with_pinned_shapes
from .inputs import QUANTILE_BOUNDS, UncertainInput, _checked, select_inputs
from .result import SensitivityResult, _rank


def _point_changes(scenario: Scenario, inputs: list[UncertainInput],
                   x: np.ndarray) -> dict[str, Any]:
    return with_pinned_shapes(
        scenario, {item.path: item.value_at(float(q)) for item, q in zip(inputs, x, strict=True)}
    )


def _global_outputs(
    scenario: Scenario, inputs: list[UncertainInput], X: np.ndarray, replications: int,
    run_seed: int, workers: int | None, progress: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    q_lo, q_hi = QUANTILE_BOUNDS
    for item in inputs:  # validate the extremes here, not inside worker processes
        for q in (q_lo, q_hi):
            _checked(scenario, with_pinned_shapes(scenario, {item.path: item.value_at(q)}),
                     _("{path} at quantile {q}").format(path=item.path, q=q))
    changes = [_point_changes(scenario, inputs, x) for x in X]
    outs = evaluate_changes(scenario, changes, replications, run_seed, workers,
                            progress=progress)
    p = np.array([o.p_met.estimate for o in outs])
    g = np.array([o.median for o in outs])
    return p, g


def _problem(inputs: list[UncertainInput]) -> dict[str, Any]:
    return {"num_vars": len(inputs), "names": [i.path for i in inputs],
            "bounds": [list(QUANTILE_BOUNDS)] * len(inputs)}


def _table(inputs: list[UncertainInput], cols: dict[str, Any]) -> Any:
    """One row per input: what it is (path, label, kind, unit, distribution), then ``cols``."""
    import pandas as pd

    return pd.DataFrame({
        "path": [i.path for i in inputs],
        "label": [i.label for i in inputs],
        "kind": [i.kind for i in inputs],
        "unit": [i.unit for i in inputs],
        "distribution": [i.describe() for i in inputs],
        **cols,
    })


def sobol(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
    *,
    samples: int = 64,
    progress: Any = None,
) -> SensitivityResult:
    """Sobol first-order and total indices (SALib, Saltelli/Sobol' sequence).

    Parameters
    ----------
    scenario : Scenario
    params : sequence of str, optional
        Inputs (default all uncertain inputs).
    replications : int
        Replications per sample point (the residual randomness averaged at each point,
        on common random numbers).
    seed : int, optional
        Simulation seed, shared by every point; also seeds SALib's scrambling and
        bootstrap.
    workers : int, optional
        Processes (default: all cores).
    samples : int
        SALib base sample ``N`` (a power of 2); ``N (K + 2)`` points are evaluated.
    progress : callable, optional
        Called with finished replications (see :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    SensitivityResult
        Ranked by total index ``ST`` of P(target met), then of median growth.
    """
    import warnings

    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    inputs = select_inputs(scenario, params)
    if len(inputs) < 2:
        raise ScenarioError(scenario.file, "params", _("at least two inputs for Sobol indices"),
                            f"{len(inputs)}")
    run_seed = resolve_seed(seed, scenario)
    problem = _problem(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "N should be a power of 2"
        X = sobol_sample.sample(problem, int(samples), calc_second_order=False,
                                seed=run_seed % 2**32)
    p, g = _global_outputs(scenario, inputs, X, replications, run_seed, workers, progress)
    cols: dict[str, Any] = {}
    for name, y in (("p_met", p), ("growth_p50", g)):
        if np.ptp(y) == 0.0:
            nan = np.full(len(inputs), math.nan)
            res = {"ST": nan, "ST_conf": nan, "S1": nan, "S1_conf": nan}
        else:
            with np.errstate(all="ignore"):
                res = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                            seed=run_seed % 2**32)
        for key in ("ST", "S1"):
            cols[f"{key}_{name}"] = np.asarray(res[key], dtype=float)
            cols[f"{key}_{name}_conf"] = np.asarray(res[f"{key}_conf"], dtype=float)
    table = _table(inputs, cols)
    table = _rank(table, ["ST_p_met", "ST_growth_p50"])
    return SensitivityResult(
        "sobol", scenario.name, scenario.title, table, None, run_seed, int(replications),
        len(X), {"samples": int(samples), "quantile_bounds": QUANTILE_BOUNDS,
                 "p_met_mean": float(p.mean()), "p_met_var": float(p.var()),
                 "warnings": sobol_warnings(int(samples), cols)},
    )


#: Fewest base samples for Sobol indices worth reading (SALib's examples use 1,024).
MIN_SOBOL_SAMPLES = 64


def sobol_warnings(samples: int, cols: dict[str, Any]) -> list[str]:
    """Why Sobol indices of a run may not be worth reading (an empty list if none)."""
    out = []
    if samples < MIN_SOBOL_SAMPLES or samples & (samples - 1):
        out.append(Message(N_(
            "{n} base samples are too few for Sobol indices (use a power of 2, at least "
            "{least}): the estimates below are unreliable"), n=samples, least=MIN_SOBOL_SAMPLES))
    values = np.concatenate([np.asarray(v, dtype=float) for k, v in cols.items()
                             if not k.endswith("_conf")])
    values = values[np.isfinite(values)]
    if values.size and (values.min() < -0.1 or values.max() > 1.1):
        out.append(Message(N_(
            "indices outside [0, 1] (from {low:.2f} to {high:.2f}): sampling error dominates; "
            "use more samples"), low=float(values.min()), high=float(values.max())))
    return out


def morris(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
    *,
    trajectories: int = 10,
    levels: int = 4,
    progress: Any = None,
) -> SensitivityResult:
    """Morris elementary effects (SALib): a cheap screening of many inputs.

    Parameters
    ----------
    scenario : Scenario
    params : sequence of str, optional
        Inputs (default all uncertain inputs).
    replications : int
        Replications per sample point (common random numbers at every point).
    seed : int, optional
        Simulation seed, shared by every point; also seeds SALib.
    workers : int, optional
        Processes (default: all cores).
    trajectories : int
        Number of Morris trajectories ``r``; ``r (K + 1)`` points are evaluated.
    levels : int
        Grid levels of the quantile range.
    progress : callable, optional
        Called with finished replications (see :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    SensitivityResult
        Ranked by ``mu_star`` of P(target met), then of median growth; in percentage
        points per unit of quantile.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    inputs = select_inputs(scenario, params)
    run_seed = resolve_seed(seed, scenario)
    problem = _problem(inputs)
    X = morris_sample.sample(problem, int(trajectories), num_levels=int(levels),
                             seed=run_seed % 2**32)
    p, g = _global_outputs(scenario, inputs, X, replications, run_seed, workers, progress)
    cols: dict[str, Any] = {}
    for name, y in (("p_met", p), ("growth_p50", g)):
        with np.errstate(all="ignore"):
            res = morris_analyze.analyze(problem, X, y, num_levels=int(levels),
                                         seed=run_seed % 2**32)
        cols[f"mu_star_{name}_pp"] = 100.0 * np.asarray(res["mu_star"], dtype=float)
        cols[f"mu_star_{name}_conf_pp"] = 100.0 * np.asarray(res["mu_star_conf"], dtype=float)
        cols[f"sigma_{name}_pp"] = 100.0 * np.asarray(res["sigma"], dtype=float)
    table = _table(inputs, cols)
    table = _rank(table, ["mu_star_p_met_pp", "mu_star_growth_p50_pp"])
    return SensitivityResult(
        "morris", scenario.name, scenario.title, table, None, run_seed, int(replications),
        len(X), {"trajectories": int(trajectories), "levels": int(levels),
                 "quantile_bounds": QUANTILE_BOUNDS},
    )

