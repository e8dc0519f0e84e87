"""Which uncertain inputs move P(target met) and median growth: tornado, Sobol, Morris.

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

**Tornado** (:func:`tornado`): each input set to its P10 and then its P90, the rest
random, every run on the same seed (common random numbers), so the differences are
measured on the same luck. Cost: ``1 + 2K`` runs of ``n`` replications.

**Global indices** (:func:`sobol`, :func:`morris`) with SALib over the inputs'
quantiles in ``[0.005, 0.995]`` (independent uniforms, so the ``[correlation]`` of
sector growth is not represented). The simulator's own randomness is handled by
*conditional averaging on common random numbers*: each SALib sample point fixes every
input at its quantile, and the output at that point is P(target met) (and the median
growth) over a small fixed set of ``R`` replications — the same seed and replication
numbers at every point, so the residual noise is the same at every point and does not
enter the differences SALib's estimators take. Cost: Sobol ``N (K + 2) R``
replications (first-order and total indices, no second order), Morris
``r (K + 1) R``. The indices describe the variance of P(met | inputs) across the
inputs' ranges; the residual noise's share is not part of them.

Calibrated s-curves are pinned at the scenario's own shape in every variant
(:func:`lgsim.whatif.pinned_drawdowns`), so fixing a duration does not re-meet the
first-year plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .headline import display_width, pad
from .scenario.distributions import Dist
from .scenario.errors import ScenarioError, suggest
from .scenario.model import ProjectSpec, Scenario
from .whatif import Outcome, evaluate_changes, pinned_drawdowns

__all__ = [
    "METHODS",
    "QUANTILE_BOUNDS",
    "SensitivityResult",
    "UncertainInput",
    "fixed_at",
    "morris",
    "select_inputs",
    "sensitivity",
    "sobol",
    "tornado",
    "tornado_plot",
    "uncertain_inputs",
]

#: Methods of :func:`sensitivity`.
METHODS = ("tornado", "sobol", "morris")

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


# ---------------------------------------------------------------------- inputs
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
            raise ValueError(f"quantile must be in (0, 1), found {q}")
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


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Every uncertain input of a scenario, in file order.

    Distributions that are not fixed (sector growth; project, batch and pipeline fields;
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
                out.append(UncertainInput(f"land[{t.id}].{fname}", f"土地{t.id}·{cn}",
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
            "at least one uncertain input (a distribution that is not fixed, or an event "
            "probability strictly between 0 and 1)", "none",
        )
    if not params:
        return inputs
    chosen: list[UncertainInput] = []
    paths = [i.path for i in inputs]
    for text in params:
        text = text.strip()
        hits = [i for i in inputs if i.path == text or i.path.startswith(text + ".")]
        if not hits:
            hint = suggest(text, paths) or "see `uncertain_inputs(scenario)` for the list"
            raise ScenarioError(scenario.file, text,
                                "an uncertain input of this scenario (a distribution that is "
                                "not fixed, or an event probability strictly between 0 and 1)",
                                "no such uncertain input", hint)
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
        (:func:`lgsim.whatif.pinned_drawdowns`).

    Returns
    -------
    Scenario
    """
    items = [inputs] if isinstance(inputs, str | UncertainInput) else list(inputs)
    paths = [i.path if isinstance(i, UncertainInput) else i for i in items]
    chosen = select_inputs(scenario, paths)
    changes = pinned_drawdowns(scenario) if pin else {}
    changes.update({i.path: i.value_at(q) for i in chosen})
    return scenario.with_changes(changes)


# ---------------------------------------------------------------------- result
@dataclass(frozen=True)
class SensitivityResult:
    """A ranked sensitivity table with what produced it.

    Attributes
    ----------
    method : {"tornado", "sobol", "morris"}
    scenario : str
        Scenario name.
    title : str
        Scenario title.
    table : pandas.DataFrame
        One row per input, ranked (column ``rank``, 1 = moves P(target met) most).
        Probabilities and growth are fractions; columns ending in ``_pp`` are
        percentage points. Tornado: ``value_low`` / ``value_high`` (the P10 / P90 value,
        in the input's ``unit``), ``p_met_low`` / ``p_met_high``,
        ``p_met_swing_pp`` (= 100 × (high − low)), ``growth_p50_low`` /
        ``growth_p50_high``, ``growth_p50_swing_pp``. Sobol: ``ST_*`` / ``S1_*`` and
        ``*_conf`` (95% bootstrap half-widths) for outputs ``p_met`` and
        ``growth_p50``. Morris: ``mu_star_*``, ``mu_star_*_conf``, ``sigma_*`` in
        pp per unit of quantile.
    base : Outcome or None
        The unchanged scenario on the same seed (tornado only).
    seed : int
        The seed of every evaluation (common random numbers).
    replications : int
        Replications per evaluation (per run for the tornado, per sample point for
        Sobol and Morris).
    evaluations : int
        Number of scenario variants evaluated.
    settings : dict
        Method parameters (quantiles, samples, bounds).
    """

    method: str
    scenario: str
    title: str
    table: Any = field(repr=False)
    base: Outcome | None
    seed: int
    replications: int
    evaluations: int
    settings: dict[str, Any] = field(default_factory=dict)

    def to_text(self, top: int | None = None) -> str:
        """The ranked table for the terminal (Chinese labels aligned by display width)."""
        return _text(self, top)

    def __str__(self) -> str:
        return self.to_text()

    def to_csv(self, path: str | Path) -> Path:
        """Write the table as CSV, UTF-8 with BOM (Excel shows Chinese), atomically."""
        import io

        from .fileio import write_text

        buf = io.StringIO()
        self.table.to_csv(buf, index=False, float_format="%.10g")
        path = Path(path)
        write_text(path, "\ufeff" + buf.getvalue())
        return path

    def plot(self, output: str = "p_met", top: int | None = 20) -> Any:
        """Tornado chart (tornado) or bar chart of the indices (Sobol, Morris).

        Parameters
        ----------
        output : {"p_met", "growth_p50"}
            P(target met) or median growth.
        top : int, optional
            Show the ``top`` highest-ranked inputs.

        Returns
        -------
        matplotlib.figure.Figure
        """
        if self.method == "tornado":
            return tornado_plot(self, output=output, top=top)
        return _indices_plot(self, output=output, top=top)

    def write(self, directory: str | Path, *, plot: bool = True) -> list[Path]:
        """Write ``sensitivity-<method>.csv``, ``.txt`` and (optionally) ``.png``.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        from .fileio import write_text, write_with

        directory = Path(directory)
        stem = directory / f"sensitivity-{self.method}"
        files = [self.to_csv(stem.with_suffix(".csv"))]
        write_text(stem.with_suffix(".txt"), self.to_text() + "\n")
        files.append(stem.with_suffix(".txt"))
        if plot:
            fig = self.plot()
            write_with(stem.with_suffix(".png"),
                       lambda tmp: fig.savefig(tmp, format="png", dpi=150,
                                               bbox_inches="tight"))
            files.append(stem.with_suffix(".png"))
        return files

    def _repr_html_(self) -> str:
        import html

        head = html.escape(_header(self).replace("\n", " "))
        return f"<p>{head}</p>" + self.table.to_html(index=False, float_format="%.4g")


# ---------------------------------------------------------------------- methods
def _pins(scenario: Scenario) -> dict[str, Any]:
    return pinned_drawdowns(scenario)


def _checked(scenario: Scenario, changes: Mapping[str, Any], why: str) -> None:
    """Build one variant in this process so bad input fails here with a clear message."""
    try:
        scenario.with_changes(dict(changes))
    except ScenarioError as exc:
        raise ScenarioError(exc.file, exc.path, exc.expected, f"{exc.found} ({why})",
                            exc.hint) from None


def tornado(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    low: float = 0.1,
    high: float = 0.9,
) -> SensitivityResult:
    """One-at-a-time sensitivity: each input at its P10 and P90, on common random numbers.

    Parameters
    ----------
    scenario : Scenario
    params : sequence of str, optional
        Key paths (or entries) of the inputs to vary; default all uncertain inputs.
    replications : int, optional
        Replications per run (default: the scenario's).
    seed : int, optional
        One seed for every run (default: the scenario's, else random; recorded).
    workers : int, optional
        Processes (default: all cores); results do not depend on it.
    low, high : float
        The quantiles the input is set to (default P10 and P90).

    Returns
    -------
    SensitivityResult
        Ranked by the absolute swing of P(target met), ties by the median growth swing.
    """
    import pandas as pd

    from .montecarlo import resolve_seed

    if not 0.0 < low < high < 1.0:
        raise ValueError(f"expected 0 < low < high < 1, found low={low}, high={high}")
    inputs = select_inputs(scenario, params)
    run_seed = resolve_seed(seed, scenario)
    pins = _pins(scenario)
    changes: list[dict[str, Any] | None] = [None]
    for item in inputs:
        for q in (low, high):
            c = {**pins, item.path: item.value_at(q)}
            _checked(scenario, c, f"{item.path} at its P{round(100 * q)}")
            changes.append(c)
    outs = evaluate_changes(scenario, changes, replications, run_seed, workers)
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
        })
    table = pd.DataFrame(rows)
    table = _rank(table, ["p_met_swing_pp", "growth_p50_swing_pp"])
    return SensitivityResult(
        "tornado", scenario.name, scenario.title, table, base, run_seed, base.n, len(outs),
        {"low": low, "high": high},
    )


def _rank(table: Any, keys: list[str]) -> Any:
    order = np.lexsort(tuple(-np.nan_to_num(np.abs(table[k].to_numpy()), nan=-1.0)
                             for k in reversed(keys)))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _point_changes(pins: dict[str, Any], inputs: list[UncertainInput],
                   x: np.ndarray) -> dict[str, Any]:
    c = dict(pins)
    c.update({item.path: item.value_at(float(q)) for item, q in zip(inputs, x, strict=True)})
    return c


def _global_outputs(
    scenario: Scenario, inputs: list[UncertainInput], X: np.ndarray, replications: int,
    run_seed: int, workers: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    pins = _pins(scenario)
    q_lo, q_hi = QUANTILE_BOUNDS
    for item in inputs:  # validate the extremes here, not inside worker processes
        for q in (q_lo, q_hi):
            _checked(scenario, {**pins, item.path: item.value_at(q)},
                     f"{item.path} at quantile {q}")
    changes = [_point_changes(pins, inputs, x) for x in X]
    outs = evaluate_changes(scenario, changes, replications, run_seed, workers)
    p = np.array([o.p_met.estimate for o in outs])
    g = np.array([o.median for o in outs])
    return p, g


def _problem(inputs: list[UncertainInput]) -> dict[str, Any]:
    return {"num_vars": len(inputs), "names": [i.path for i in inputs],
            "bounds": [list(QUANTILE_BOUNDS)] * len(inputs)}


def sobol(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
    *,
    samples: int = 64,
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

    Returns
    -------
    SensitivityResult
        Ranked by total index ``ST`` of P(target met), then of median growth.
    """
    import warnings

    import pandas as pd
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    from .montecarlo import resolve_seed

    inputs = select_inputs(scenario, params)
    if len(inputs) < 2:
        raise ScenarioError(scenario.file, "--params", "at least two inputs for Sobol indices",
                            f"{len(inputs)}")
    run_seed = resolve_seed(seed, scenario)
    problem = _problem(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "N should be a power of 2"
        X = sobol_sample.sample(problem, int(samples), calc_second_order=False,
                                seed=run_seed % 2**32)
    p, g = _global_outputs(scenario, inputs, X, replications, run_seed, workers)
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
    table = pd.DataFrame({
        "path": [i.path for i in inputs],
        "label": [i.label for i in inputs],
        "kind": [i.kind for i in inputs],
        "unit": [i.unit for i in inputs],
        "distribution": [i.describe() for i in inputs],
        **cols,
    })
    table = _rank(table, ["ST_p_met", "ST_growth_p50"])
    return SensitivityResult(
        "sobol", scenario.name, scenario.title, table, None, run_seed, int(replications),
        len(X), {"samples": int(samples), "quantile_bounds": QUANTILE_BOUNDS,
                 "p_met_mean": float(p.mean()), "p_met_var": float(p.var())},
    )


def morris(
    scenario: Scenario,
    params: Sequence[str] | None = None,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
    *,
    trajectories: int = 10,
    levels: int = 4,
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

    Returns
    -------
    SensitivityResult
        Ranked by ``mu_star`` of P(target met), then of median growth; in percentage
        points per unit of quantile.
    """
    import pandas as pd
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    from .montecarlo import resolve_seed

    inputs = select_inputs(scenario, params)
    run_seed = resolve_seed(seed, scenario)
    problem = _problem(inputs)
    X = morris_sample.sample(problem, int(trajectories), num_levels=int(levels),
                             seed=run_seed % 2**32)
    p, g = _global_outputs(scenario, inputs, X, replications, run_seed, workers)
    cols: dict[str, Any] = {}
    for name, y in (("p_met", p), ("growth_p50", g)):
        with np.errstate(all="ignore"):
            res = morris_analyze.analyze(problem, X, y, num_levels=int(levels),
                                         seed=run_seed % 2**32)
        cols[f"mu_star_{name}_pp"] = 100.0 * np.asarray(res["mu_star"], dtype=float)
        cols[f"mu_star_{name}_conf_pp"] = 100.0 * np.asarray(res["mu_star_conf"], dtype=float)
        cols[f"sigma_{name}_pp"] = 100.0 * np.asarray(res["sigma"], dtype=float)
    table = pd.DataFrame({
        "path": [i.path for i in inputs],
        "label": [i.label for i in inputs],
        "kind": [i.kind for i in inputs],
        "unit": [i.unit for i in inputs],
        "distribution": [i.describe() for i in inputs],
        **cols,
    })
    table = _rank(table, ["mu_star_p_met_pp", "mu_star_growth_p50_pp"])
    return SensitivityResult(
        "morris", scenario.name, scenario.title, table, None, run_seed, int(replications),
        len(X), {"trajectories": int(trajectories), "levels": int(levels),
                 "quantile_bounds": QUANTILE_BOUNDS},
    )


def sensitivity(scenario: Scenario, method: str = "tornado", **options: Any) -> SensitivityResult:
    """Run one of :data:`METHODS` (``tornado``, ``sobol``, ``morris``) with ``options``."""
    funcs = {"tornado": tornado, "sobol": sobol, "morris": morris}
    if method not in funcs:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, found {method!r}")
    return funcs[method](scenario, **options)


# ---------------------------------------------------------------------- text
def _pct(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _value(x: float, unit: str) -> str:
    if unit == "fraction":
        return f"{100 * x:.2f}%"
    if unit == "event":
        return "yes" if x >= 0.5 else "no"
    if unit == "months":
        return f"{x:.2f} mo"
    if unit == "亿元":
        return f"{x:.2f}亿"
    if unit == "hectares":
        return f"{x:.1f} ha"
    return f"{x:.4g}"


def _header(r: SensitivityResult) -> str:
    lines = [f"Sensitivity ({r.method}) — {r.title}  [{r.scenario}]"]
    if r.method == "tornado":
        lo, hi = r.settings["low"], r.settings["high"]
        lines.append(
            f"Each uncertain input set to its P{round(100 * lo)} and P{round(100 * hi)} "
            f"(a fixed value), the rest random; {r.evaluations} runs × {r.replications:,} "
            f"replications, all on seed {r.seed} (common random numbers)."
        )
        if r.base is not None:
            p = r.base.p_met
            lines.append(
                f"Base: P(target met) {_pct(p.estimate)} [95% simulation precision "
                f"{_pct(p.low)}–{_pct(p.high)}]; median growth {_pct(r.base.median, 2)}; "
                f"rule: {p.rule}"
            )
    else:
        what = ("Sobol indices (first-order S1, total ST)" if r.method == "sobol"
                else "Morris elementary effects (mu*, sigma; pp per unit of quantile)")
        lines.append(
            f"{what} over the inputs' quantiles {QUANTILE_BOUNDS[0]}–{QUANTILE_BOUNDS[1]}; "
            f"{r.evaluations:,} sample points × {r.replications:,} replications each, "
            f"all on seed {r.seed} (common random numbers average the simulator's noise)."
        )
    return "\n".join(lines)


def _text(r: SensitivityResult, top: int | None) -> str:
    t = r.table if top is None else r.table.head(top)
    w = max([display_width(str(x)) for x in t["label"]] + [20]) + 2
    lines = [_header(r), ""]
    if r.method == "tornado":
        lo, hi = round(100 * r.settings["low"]), round(100 * r.settings["high"])
        lines.append(
            "  #  " + pad("input", w) + pad(f"value P{lo} → P{hi}", 24)
            + pad("P(met) P10 → P90", 19) + pad("Δ pp", 8)
            + pad("median P10 → P90", 19) + "Δ pp"
        )
        for _, row in t.iterrows():
            vals = f"{_value(row.value_low, row.unit)} → {_value(row.value_high, row.unit)}"
            pm = f"{_pct(row.p_met_low)} → {_pct(row.p_met_high)}"
            gm = f"{_pct(row.growth_p50_low, 2)} → {_pct(row.growth_p50_high, 2)}"
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w) + pad(vals, 24) + pad(pm, 19)
                + pad(f"{row.p_met_swing_pp:+.1f}", 8) + pad(gm, 19)
                + f"{row.growth_p50_swing_pp:+.2f}"
            )
            lines.append("     " + str(row.path))
    elif r.method == "sobol":
        lines.append(
            "  #  " + pad("input", w) + "ST P(met) ±95%    S1 P(met) ±95%    "
            "ST median  S1 median"
        )
        for _, row in t.iterrows():
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w)
                + f"{row.ST_p_met:6.3f} ±{row.ST_p_met_conf:5.3f}    "
                + f"{row.S1_p_met:6.3f} ±{row.S1_p_met_conf:5.3f}    "
                + f"{row.ST_growth_p50:6.3f}     {row.S1_growth_p50:6.3f}"
            )
            lines.append("     " + str(row.path))
    else:
        lines.append(
            "  #  " + pad("input", w) + "mu* P(met) pp ±95%   sigma pp   mu* median pp"
        )
        for _, row in t.iterrows():
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w)
                + f"{row.mu_star_p_met_pp:8.2f} ±{row.mu_star_p_met_conf_pp:6.2f}   "
                + f"{row.sigma_p_met_pp:8.2f}   {row.mu_star_growth_p50_pp:10.3f}"
            )
            lines.append("     " + str(row.path))
    if top is not None and len(r.table) > top:
        lines.append(f"  … {len(r.table) - top} more inputs in the CSV")
    return "\n".join(lines)


# ---------------------------------------------------------------------- charts
_OUTPUTS = {"p_met": ("目标达成概率 P(met)", "%"), "growth_p50": ("地区生产总值增长率中位数", "%")}


def tornado_plot(result: SensitivityResult, output: str = "p_met", top: int | None = 20) -> Any:
    """Tornado chart of a tornado result (Chinese labels).

    Parameters
    ----------
    result : SensitivityResult
        From :func:`tornado`.
    output : {"p_met", "growth_p50"}
        P(target met) or median growth of the target year.
    top : int, optional
        Show the ``top`` highest-ranked inputs (by the chosen output's swing).

    Returns
    -------
    matplotlib.figure.Figure
        Bars from the base value to the value with the input at its low / high
        quantile, in percent.
    """
    from matplotlib.figure import Figure

    from .fonts import register_cjk_font

    if result.method != "tornado" or result.base is None:
        raise ValueError("tornado_plot needs the result of tornado()")
    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_OUTPUTS)}, found {output!r}")
    register_cjk_font()
    t = result.table.copy()
    swing = f"{output}_swing_pp"
    t = t.reindex(t[swing].abs().sort_values(ascending=False).index)
    if top is not None:
        t = t.head(top)
    t = t.iloc[::-1]
    base = result.base.p_met.estimate if output == "p_met" else result.base.median
    lo_q = round(100 * result.settings["low"])
    hi_q = round(100 * result.settings["high"])
    fig = Figure(figsize=(9.0, 1.2 + 0.42 * len(t)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    low = 100 * t[f"{output}_low"].to_numpy()
    high = 100 * t[f"{output}_high"].to_numpy()
    b = 100 * base
    ax.barh(y, low - b, left=b, color="#4C72B0", label=f"输入取P{lo_q}")
    ax.barh(y, high - b, left=b, color="#DD8452", label=f"输入取P{hi_q}")
    ax.axvline(b, color="black", lw=0.8)
    ax.set_yticks(y, [str(x) for x in t["label"]])
    name, unit = _OUTPUTS[output]
    ax.set_xlabel(f"{name}（{unit}）")
    ax.set_title(
        f"{result.title}\n龙卷风图：各不确定输入取P{lo_q}/P{hi_q}时的{name}"
        f"（基准 {b:.1f}{unit}，{result.replications:,}次模拟，共同随机数）",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _indices_plot(result: SensitivityResult, output: str = "p_met", top: int | None = 20) -> Any:
    from matplotlib.figure import Figure

    from .fonts import register_cjk_font

    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(_OUTPUTS)}, found {output!r}")
    register_cjk_font()
    t = result.table if top is None else result.table.head(top)
    t = t.iloc[::-1]
    fig = Figure(figsize=(9.0, 1.2 + 0.42 * len(t)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    name, _ = _OUTPUTS[output]
    if result.method == "sobol":
        ax.barh(y + 0.2, t[f"ST_{output}"], height=0.4, xerr=t[f"ST_{output}_conf"],
                color="#DD8452", label="总效应指数 ST")
        ax.barh(y - 0.2, t[f"S1_{output}"], height=0.4, xerr=t[f"S1_{output}_conf"],
                color="#4C72B0", label="一阶指数 S1")
        ax.set_xlabel(f"Sobol指数（{name}）")
    else:
        ax.barh(y, t[f"mu_star_{output}_pp"], xerr=t[f"mu_star_{output}_conf_pp"],
                color="#4C72B0", label="μ*")
        ax.set_xlabel(f"Morris μ*（{name}，百分点/分位数单位）")
    ax.set_yticks(y, [str(x) for x in t["label"]])
    ax.set_title(f"{result.title}\n全局敏感性（{result.method}，{result.evaluations:,}个样本点"
                 f"×{result.replications}次模拟）", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig
