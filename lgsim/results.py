"""Results of a run: an xarray Dataset keyed by replication, with read-only helpers.

Variables (dimensions; units):

* ``gdp`` (replication, year): GDP, 亿元 (base-year prices); year from the base year
* ``gdp_monthly`` (replication, month_index): GDP by simulated month, 亿元
* ``growth`` (replication, year): real growth, fraction; NaN in the base year
* ``ytd_growth`` (replication, year, month): year-to-date growth through month 1–12
* ``va`` (replication, year, sector), ``street_va`` (replication, year, street): 亿元
* ``investment`` (replication, year, project): 亿元 nominal; coordinate ``batch``
* ``investment_monthly`` (replication, month_index, group): 亿元 nominal
* ``investment_monthly_project`` (replication, month_index, project): 亿元 nominal;
  only when asked for (``keep=("paths",)``, ``--keep paths``)
* ``start_month`` / ``finish_month`` / ``land_granted_month`` (replication, project):
  months since 1 January of base_year + 1; NaN = not within the horizon
* ``project_sector`` / ``project_street`` (replication, project): index into the
  ``sector`` / ``street`` coordinate (−1 = spread by street shares)
* ``sector_pp``, ``street_pp``, ``component_pp`` (replication, year, ·): contributions
  to growth in percentage points; each sums to ``100 × growth``
* ``organic_growth`` (replication, year, sector): the organic growth draws, fraction
* ``shock_occurred`` / ``shock_start`` / ``shock_duration`` (replication, shock)
* ``pipeline_landing`` (replication, pipeline), ``land_delivered`` (replication, land)
* with an FAI model (``[economy] fai_growth``): ``fai`` and ``fai_listed`` (replication,
  year), district FAI and its listed projects' part, 亿元 nominal; ``fai_monthly``
  (replication, month_index), 亿元 nominal; ``fai_ytd_growth`` (replication, year,
  month), nominal; with industrial investment the same four for ``industrial_fai``
* with ``[io]``: ``io_local_share`` (replication,) and ``io_indirect_ratio``
  (replication,), indirect value added per 亿元 of real additional spending
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from ._format import pct, to_pct
from ._version import __version__
from .analysis import (
    Probability,
    effective_sample_size,
    expected_shortfall_pp,
    normalized_weights,
    probability,
    quantiles,
    smoothed_probability,
    weighted_mean,
    weighted_quantile,
    weighted_variance_of_mean,
)
from .engine import Plan
from .engine.spillovers import spending_for
from .fileio import write_text, write_with
from .scenario import Scenario, Target
from .scenario.calendar import month_label
from .scenario.indicators import TargetFlags, target_flags

_DIMS: dict[str, tuple[str, ...]] = {
    "gdp": ("replication", "year"),
    "gdp_monthly": ("replication", "month_index"),
    "growth": ("replication", "year"),
    "ytd_growth": ("replication", "year", "month"),
    "va": ("replication", "year", "sector"),
    "street_va": ("replication", "year", "street"),
    "investment": ("replication", "year", "project"),
    "investment_monthly": ("replication", "month_index", "group"),
    "start_month": ("replication", "project"),
    "finish_month": ("replication", "project"),
    "land_granted_month": ("replication", "project"),
    "project_sector": ("replication", "project"),
    "project_street": ("replication", "project"),
    "sector_pp": ("replication", "year", "sector"),
    "street_pp": ("replication", "year", "street"),
    "component_pp": ("replication", "year", "component"),
    "organic_growth": ("replication", "year", "sector"),
    "shock_occurred": ("replication", "shock"),
    "shock_start": ("replication", "shock"),
    "shock_duration": ("replication", "shock"),
    "pipeline_landing": ("replication", "pipeline"),
    "land_delivered": ("replication", "land"),
}

#: Variables present only when asked for (``lgsim.run(..., keep=("paths",))``) or, for
#: the last two, in a run conditioned on published figures (``[actuals]``).
_OPTIONAL_DIMS: dict[str, tuple[str, ...]] = {
    "investment_monthly_project": ("replication", "month_index", "project"),
    "figure_model": ("replication", "figure"),
    "log_weight": ("replication",),
    "fai": ("replication", "year"),
    "fai_listed": ("replication", "year"),
    "fai_ytd_growth": ("replication", "year", "month"),
    "fai_monthly": ("replication", "month_index"),
    "industrial_fai_monthly": ("replication", "month_index"),
    "industrial_fai": ("replication", "year"),
    "industrial_fai_listed": ("replication", "year"),
    "industrial_fai_ytd_growth": ("replication", "year", "month"),
    "io_local_share": ("replication",),
    "io_indirect_ratio": ("replication",),
    "p_met_smooth": ("replication",),
    "sector_p_met_smooth": ("replication", "sector"),
    "log_weight_smooth": ("replication",),
}

_MODEL_TIME = "month of model time (0 = 1 January of base_year + 1)"

_UNITS = {
    "gdp": "亿元 (base-year prices)",
    "gdp_monthly": "亿元 (base-year prices)",
    "growth": "fraction",
    "ytd_growth": "fraction",
    "va": "亿元 (base-year prices)",
    "street_va": "亿元 (base-year prices)",
    "investment": "亿元 (nominal)",
    "investment_monthly": "亿元 (nominal)",
    "investment_monthly_project": "亿元 (nominal)",
    "start_month": _MODEL_TIME,
    "finish_month": _MODEL_TIME,
    "land_granted_month": _MODEL_TIME,
    "sector_pp": "percentage points",
    "street_pp": "percentage points",
    "component_pp": "percentage points",
    "organic_growth": "fraction",
    "shock_start": _MODEL_TIME,
    "shock_duration": "months",
    "pipeline_landing": _MODEL_TIME,
    "land_delivered": "hectares",
    "figure_model": "fraction",
    "log_weight": "log of the unnormalised importance weight",
    "weight": "importance weight, mean 1",
    "fai": "亿元 (nominal)",
    "fai_listed": "亿元 (nominal)",
    "fai_ytd_growth": "fraction (nominal)",
    "fai_monthly": "亿元 (nominal)",
    "industrial_fai_monthly": "亿元 (nominal)",
    "industrial_fai": "亿元 (nominal)",
    "industrial_fai_listed": "亿元 (nominal)",
    "industrial_fai_ytd_growth": "fraction (nominal)",
    "io_local_share": "fraction",
    "io_indirect_ratio": "亿元 of value added per 亿元 of real additional spending",
    "p_met_smooth": "probability: target met given the replication's other draws",
    "sector_p_met_smooth": "probability: sub-target met given the replication's other draws",
    "log_weight_smooth": "log of the unnormalised Rao-Blackwellised importance weight",
}


class Results:
    """The results of one run (wraps an :class:`xarray.Dataset`).

    Build with :func:`lgsim.run`; reopen with :meth:`load`. ``ds`` holds every
    per-replication path; the methods compute statistics on them.
    """

    def __init__(self, ds: Any, scenario: Scenario) -> None:
        self.ds = ds
        self.scenario = scenario
        #: How the run was executed (:class:`lgsim.montecarlo.RunInfo`; not saved).
        self.run_info: Any = None
        self._weights: tuple[np.ndarray | None] | None = None

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(
        cls, plan: Plan, arrays: dict[str, np.ndarray], *, seed: int, chunk_size: int
    ) -> Results:
        """Wrap assembled chunk arrays (see :func:`lgsim.engine.simulate_chunk`).

        Parameters
        ----------
        plan : Plan
            The compiled scenario the arrays were simulated from; its scenario should be
            the resolved one (:meth:`Scenario.resolved`: seed and run size written in).
        arrays : dict of numpy.ndarray
            The run's arrays, replication first.
        seed, chunk_size : int
            Recorded in the attributes.
        """
        import xarray as xr

        n = arrays["gdp"].shape[0]
        sc = plan.scenario
        group_names, comp_ids, comp_names = _components(plan)
        coords = {
            "replication": np.arange(n),
            "year": np.arange(sc.base_year, sc.end_year + 1),
            "month": np.arange(1, 13),
            "sector": [s.id for s in sc.sectors],
            "sector_name": ("sector", [s.name for s in sc.sectors]),
            "street": [s.id for s in sc.streets],
            "street_name": ("street", [s.name for s in sc.streets]),
            "project": plan.project_ids,
            "batch": ("project", [s.spec.id if s.kind == "batch" else "" for s in plan.slots]),
            "project_group": ("project", [plan.groups[s.group][1] for s in plan.slots]),
            "group": plan.group_ids,
            "group_kind": ("group", [g[0] for g in plan.groups]),
            "group_name": ("group", [group_names[g] for g in plan.groups]),
            "month_index": np.arange(plan.n_months),
            "month_label": (
                "month_index", [month_label(m, sc.base_year) for m in range(plan.n_months)]
            ),
            "component": comp_ids,
            "component_kind": ("component", [c.split(":", 1)[0] for c in comp_ids]),
            "component_name": ("component", comp_names),
            "shock": [s.id for s in sc.shocks],
            "pipeline": [p.id for p in sc.pipelines],
            "land": [t.id for t in sc.lands],
        }
        if "figure_model" in arrays:
            coords.update({
                "figure": [o.path for o in sc.actuals],
                "figure_label": ("figure", [o.label for o in sc.actuals]),
                "figure_value": ("figure", [o.value for o in sc.actuals]),
                "figure_sd": ("figure", [o.sd for o in sc.actuals]),
            })
        data_vars = {}
        optional = {k: v for k, v in _OPTIONAL_DIMS.items() if k in arrays}
        for key, dims in {**_DIMS, **optional}.items():
            attrs = {"units": _UNITS[key]} if key in _UNITS else {}
            data_vars[key] = (dims, arrays[key], attrs)
        target = sc.target
        scenario_toml = sc.to_toml()
        attrs = {
            "run_id": run_id(scenario_toml),
            "p_target_method": _smoothing_note(plan),
            "scenario": sc.name,
            "title": sc.title,
            "seed": int(seed),
            "replications": int(n),
            "chunk_size": int(chunk_size),
            "base_year": sc.base_year,
            "target_year": sc.target_year,
            "target_growth": target.gdp_growth,
            "target_decimals": -1 if target.decimals is None else int(target.decimals),
            "target_tolerance": target.tolerance,
            "target_rule": target.rule(),
            "lgsim_version": __version__,
            "scenario_toml": scenario_toml,
        }
        ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
        return cls(ds, sc)

    def record_stopping(self, record: dict[str, Any]) -> None:
        """Record where a stop-at-precision run stopped (``precision_*`` attributes)."""
        keys = ("target_half_width", "half_width", "reached", "chunks", "replications",
                "max_replications")
        self.ds.attrs.update(
            {f"precision_{k}": (int(v) if isinstance(v, bool) else v)
             for k, v in record.items() if k in keys}
        )

    def stopping(self) -> dict[str, Any] | None:
        """The stop-at-precision record (see :meth:`record_stopping`), or None."""
        attrs = self.ds.attrs
        if "precision_target_half_width" not in attrs:
            return None
        keys = ("target_half_width", "half_width", "reached", "chunks", "replications",
                "max_replications")
        out = {k: attrs[f"precision_{k}"] for k in keys}
        out["reached"] = bool(out["reached"])
        for k in ("chunks", "replications", "max_replications"):
            out[k] = int(out[k])
        for k in ("target_half_width", "half_width"):
            out[k] = float(out[k]) if math.isfinite(float(out[k])) else None
        return out

    # ------------------------------------------------------------------ stats
    @property
    def n(self) -> int:
        """Number of replications."""
        return int(self.ds.sizes["replication"])

    @property
    def run_id(self) -> str:
        """The run's id (:func:`run_id`), written into ``results.nc`` and ``summary.json``."""
        return str(self.ds.attrs.get("run_id", ""))

    @property
    def seed(self) -> int:
        """The run's seed."""
        return int(self.ds.attrs["seed"])

    @property
    def target_year(self) -> int:
        """The target year."""
        return int(self.ds.attrs["target_year"])

    @property
    def weights(self) -> np.ndarray | None:
        """Importance weights of the replications (mean 1), None when they are all equal.

        A run conditioned on published figures (``[actuals]``) weights every replication
        by its posterior importance weight; every statistic of these results (P(met),
        quantiles, contributions, ...) uses the weights. Unconditioned runs have none.
        """
        if "log_weight" not in self.ds:
            return None
        if self._weights is None:
            self._weights = (normalized_weights(self.ds["log_weight"].values),)
        return self._weights[0]

    @property
    def ess(self) -> float:
        """Effective sample size of the weights (``n`` when unweighted)."""
        return effective_sample_size(self.weights, self.n)

    def growth(self, year: int | None = None) -> np.ndarray:
        """Growth of ``year`` (default: target year) per replication, fraction."""
        return self.ds["growth"].sel(year=year or self.target_year).values

    def target_of(self, year: int | None = None) -> Target:
        """The targets of ``year`` (default: the target year).

        Raises
        ------
        KeyError
            The scenario sets no target for that year.
        """
        year = year or self.target_year
        targets = self.scenario.targets or {self.target_year: self.scenario.target}
        if year not in targets:
            raise KeyError(f"the scenario sets no target for {year} (years with targets: "
                           f"{', '.join(map(str, targets))})")
        return targets[year]

    def met(self, year: int | None = None) -> np.ndarray:
        """Per-replication flag: the GDP target of ``year`` met (default: the target year)."""
        return self.target_of(year).met(self.growth(year))

    @property
    def smooth_weights(self) -> np.ndarray | None:
        """Importance weights of the conditional (smoothed) estimator, mean 1, or None.

        In a conditioned run the conditional probabilities carry Rao–Blackwellised
        weights (:mod:`lgsim.engine.smoothing`); unconditioned runs have none.
        """
        if "log_weight_smooth" not in self.ds:
            return None
        return normalized_weights(self.ds["log_weight_smooth"].values)

    def estimator_note(self) -> str:
        """How P(target met) is estimated (a sentence for files and logs)."""
        note = self.ds.attrs.get("p_target_method", "")
        if self.smoothed:
            return ("conditional Monte Carlo: the mean of P(met | each replication's other "
                    f"draws), {note}")
        return ("the share of replications that meet the target (Wilson interval)"
                + (f"; conditional Monte Carlo does not apply: {note}" if note else ""))

    @property
    def smoothed(self) -> bool:
        """True when P(target met) is estimated by conditional Monte Carlo."""
        return "p_met_smooth" in self.ds

    def p_target(self, year: int | None = None, *, method: str = "best") -> Probability:
        """P(target met) with its 95% interval (simulation precision) and n.

        Parameters
        ----------
        year : int, optional
            Default: the target year.
        method : str
            ``"best"``: the conditional Monte Carlo estimate where the run has it (the
            target year), else the indicator; ``"indicator"``: the share of replications
            that meet the target (Wilson interval).
        """
        year = year or self.target_year
        rule = self.target_of(year).rule()
        flags = self.met(year)
        indicator = probability(flags, rule, self.weights)
        if method == "indicator" or not self.smoothed or year != self.target_year:
            return indicator
        return smoothed_probability(
            self.ds["p_met_smooth"].values, rule, self.smooth_weights, indicator,
            weighted_variance_of_mean(flags.astype(float), self.weights))

    def p_by_year(self) -> dict[int, Probability]:
        """P(GDP target met) of every year that has a target."""
        years = sorted(self.scenario.targets or {self.target_year: None})
        return {y: self.p_target(y) for y in years}

    def p_all_years(self) -> Probability:
        """P(the GDP targets of every year with a target are all met), same replications."""
        years = sorted(self.scenario.targets or {self.target_year: None})
        flags = np.logical_and.reduce([self.met(y) for y in years])
        return probability(flags, "every year's target met: " + ", ".join(map(str, years)),
                           self.weights)

    def investment_flags(self, year: int | None = None) -> dict[str, np.ndarray]:
        """Per replication, each FAI and industrial-investment target of ``year`` met.

        Keys ``fai`` / ``industrial_fai`` (level targets, 亿元) and ``fai_growth`` /
        ``industrial_fai_growth`` (growth targets); see :meth:`Target.investment_met`.
        """
        year = year or self.target_year
        levels = {q: (self.ds[q].sel(year=year - 1).values, self.ds[q].sel(year=year).values)
                  for q in ("fai", "industrial_fai") if q in self.ds}
        return self.target_of(year).investment_met(levels)

    def p_investment(self, year: int | None = None) -> dict[str, Probability]:
        """P(met) of each investment target of ``year`` (keys as :meth:`investment_flags`)."""
        target = self.target_of(year)
        values = {(q if k == "level" else f"{q}_growth"): v
                  for q, k, v in target.investment_goals()}
        return {key: probability(flags, target.investment_rule(key, values[key]),
                                 self.weights)
                for key, flags in self.investment_flags(year).items()}

    def p_indicators(self, year: int | None = None
                     ) -> list[tuple[TargetFlags, Probability | None]]:
        """P(met) of each indicator target of ``year`` (``[target] indicators``).

        Each is judged on the model's quantity of the ``[[indicator]]`` entry that maps
        it (:func:`lgsim.scenario.indicators.target_flags`); one the model does not cover
        comes with None and the reason in its ``reason``.
        """
        year = year or self.target_year
        if not self.target_of(year).indicators:
            return []
        q = {k: self.ds[k].values for k in ("growth", "va", "street_va", "fai",
                                           "industrial_fai") if k in self.ds}
        flags = [t for t in target_flags(self.scenario, year, q)
                 if t.key.startswith("indicator:")]
        return [(t, None if t.flags is None else probability(t.flags, t.rule, self.weights))
                for t in flags]

    def fai(self, year: int | None = None) -> dict[str, Any] | None:
        """District FAI of ``year``: levels, growth, listed share, year-to-date growth.

        Returns
        -------
        dict or None
            For ``fai`` and (when modelled) ``industrial_fai``: ``mean``, ``p10``,
            ``p50``, ``p90`` of the level (亿元 nominal) and of growth (fractions),
            ``listed_share`` (mean share of the year's total from listed projects,
            fraction) and ``ytd_growth`` (P10/P50/P90 of year-to-date growth by month
            1–12, fractions). None without an FAI model.
        """
        if "fai" not in self.ds:
            return None
        year = year or self.target_year
        out: dict[str, Any] = {}
        for quantity in ("fai", "industrial_fai"):
            if quantity not in self.ds:
                continue
            level = self.ds[quantity].sel(year=year).values
            growth = level / self.ds[quantity].sel(year=year - 1).values - 1.0
            listed = self.ds[f"{quantity}_listed"].sel(year=year).values
            ytd = self.ds[f"{quantity}_ytd_growth"].sel(year=year).values  # (R, 12)
            q_ytd = self.quantile_array(ytd, (0.1, 0.5, 0.9))
            out[quantity] = {
                "level": {"mean": float(weighted_mean(level, self.weights)),
                          **quantiles(level, weights=self.weights)},
                "growth": {"mean": float(weighted_mean(growth, self.weights)),
                           **quantiles(growth, weights=self.weights)},
                "listed_share": float(weighted_mean(listed / level, self.weights)),
                "ytd_growth": {"month": list(range(1, 13)),
                               "p10": q_ytd[0].tolist(), "p50": q_ytd[1].tolist(),
                               "p90": q_ytd[2].tolist()},
            }
        return out

    def spending(self) -> dict[str, Any] | None:
        """Value added per 亿元 of real additional project spending (``[io]`` runs).

        Returns
        -------
        dict or None
            ``direct``, ``indirect`` (weighted mean; P10/P90 over the drawn local
            shares) and ``leakage`` (the remainder) per 亿元, the table used; None
            without ``[io]``.
        """
        io = self.scenario.io
        if io is None or "io_indirect_ratio" not in self.ds:
            return None
        direct = spending_for(self.scenario).direct_ratio
        indirect = self.ds["io_indirect_ratio"].values
        mean = float(weighted_mean(indirect, self.weights))
        q = quantiles(indirect, weights=self.weights)
        return {"table": io.table, "direct": direct, "indirect": mean,
                "indirect_p10": q["p10"], "indirect_p90": q["p90"],
                "leakage": 1.0 - direct - mean,
                "note": "亿元 of district value added per 亿元 of real additional spending"}

    def p_subtargets(self, year: int | None = None) -> dict[str, dict[str, Probability]]:
        """P(met) of each sector and street sub-target (growth of its value added).

        Street targets are judged only when the scenario gives street data
        (``[[street]] sector_shares``): value added allocated by fixed shares would only
        repeat the district's growth.
        """
        year = year or self.target_year
        t = self.scenario.target
        out: dict[str, dict[str, Probability]] = {"sectors": {}, "streets": {}}
        streets = t.streets if self.scenario.street_data else {}
        for kind, var, dim, targets in (
            ("sectors", "va", "sector", t.sectors),
            ("streets", "street_va", "street", streets),
        ):
            for ident, bar in targets.items():
                da = self.ds[var].sel({dim: ident})
                g = (da.sel(year=year) / da.sel(year=year - 1) - 1.0).values
                flags = t.met(g, bar)
                rule = f"growth >= {100 * bar:.4g}%"
                out[kind][ident] = probability(flags, rule, self.weights)
                if kind == "sectors" and self.smoothed and year == self.target_year:
                    out[kind][ident] = smoothed_probability(
                        self.ds["sector_p_met_smooth"].sel(sector=ident).values, rule,
                        self.smooth_weights, out[kind][ident],
                        weighted_variance_of_mean(flags.astype(float), self.weights))
        return out

    def required_growth(self, year: int | None = None) -> dict[str, Any] | None:
        """Growth the rest of the year needs to hit the target (倒逼增速).

        Uses the latest published GDP year-to-date figure of ``year`` (default: the target
        year): ``((1 + bar) GDP_{y−1} − YTD_y) / (GDP_{y−1} − YTD_{y−1}) − 1`` with
        ``bar = target − tolerance``, per replication, with each replication's own
        year-to-date level (a conditioned run: close to the figure, within its sd).

        Returns
        -------
        dict or None
            ``through_month``, ``observed_ytd`` (the published figure, fraction),
            ``model_ytd`` (the model's year-to-date growth given every figure, weighted
            mean) and the median, P10 and P90 of the required growth of the remaining
            months (fractions); None without a published GDP figure for that year.
        """
        year = year or self.target_year
        obs = [o for o in self.scenario.actuals
               if o.is_gdp and o.year == year and o.informative]
        if not obs:
            return None
        last = obs[-1]
        m = last.month
        first = 12 * (year - self.scenario.base_year - 1)
        ytd = self.ds["gdp_monthly"].values[:, first:first + m].sum(axis=1)
        ytd_growth = self.ds["ytd_growth"].sel(year=year, month=m).values
        ytd_prev = ytd / (1.0 + ytd_growth)
        prev = self.ds["gdp"].sel(year=year - 1).values
        t = self.scenario.target
        need = ((1.0 + t.gdp_growth - t.tolerance) * prev - ytd) / (prev - ytd_prev) - 1.0
        q = quantiles(need, weights=self.weights)
        return {"through_month": m, "observed_ytd": last.value,
                "model_ytd": float(weighted_mean(ytd_growth, self.weights)),
                "required_rest": q["p50"], "p10": q["p10"], "p90": q["p90"]}

    def quantiles(
        self, qs: tuple[float, ...] = (0.1, 0.5, 0.9), year: int | None = None
    ) -> dict[str, float]:
        """Quantiles of growth in ``year`` (fractions): numpy "linear", weighted if conditioned."""
        return quantiles(self.growth(year), qs, self.weights)

    def expected_shortfall(self, year: int | None = None) -> float:
        """Mean of target − growth over missed replications, percentage points."""
        return expected_shortfall_pp(
            self.growth(year), self.scenario.target.gdp_growth, self.met(year), self.weights
        )

    def contributions(self, by: str = "sector", year: int | None = None) -> Any:
        """Contributions to growth in ``year`` by sector, street or component (pp).

        Returns
        -------
        pandas.DataFrame
            One row per part: name, mean, p10, p50, p90 (percentage points).
        """
        import pandas as pd

        var, dim = {
            "sector": ("sector_pp", "sector"),
            "street": ("street_pp", "street"),
            "component": ("component_pp", "component"),
        }[by]
        da = self.ds[var].sel(year=year or self.target_year)
        values = da.values
        q = self.quantile_array(values, (0.1, 0.5, 0.9))
        name_coord = {"sector": "sector_name", "street": "street_name",
                      "component": "component_name"}[by]
        return pd.DataFrame(
            {
                "name": self.ds[name_coord].values,
                "mean": weighted_mean(values, self.weights),
                "p10": q[0],
                "p50": q[1],
                "p90": q[2],
            },
            index=pd.Index(self.ds[dim].values, name=dim),
        )

    def quantile_array(self, values: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
        """Quantiles over replications (axis 0): numpy "linear", weighted if conditioned."""
        if self.weights is None:
            return np.quantile(values, list(qs), axis=0, method="linear")
        return weighted_quantile(values, np.asarray(qs), self.weights)

    def investment_vs_plan(self, year: int | None = None) -> Any:
        """Investment of each group in ``year`` against its first-year plan, 亿元.

        Returns
        -------
        pandas.DataFrame
            Per group (batch / project / pipeline): plan (NaN if none), mean, p10, p50,
            p90 of the year's investment; a final row ``listed`` sums the groups that
            have a plan.
        """
        import pandas as pd

        year = year or self.target_year
        inv = self.ds["investment"].sel(year=year)
        groups = self.ds["project_group"].values
        plans = _plans(self.scenario)
        rows = {}
        planned_total = np.zeros(self.n)
        plan_sum = 0.0
        for gid, gname in zip(self.ds["group"].values, self.ds["group_name"].values, strict=True):
            values = inv.values[:, groups == gid].sum(axis=1)
            plan = plans.get(str(gid), math.nan)
            q = self.quantile_array(values, (0.1, 0.5, 0.9))
            rows[str(gid)] = {"name": gname, "plan": plan,
                              "mean": float(weighted_mean(values, self.weights)),
                              "p10": q[0], "p50": q[1], "p90": q[2]}
            if not math.isnan(plan):
                planned_total += values
                plan_sum += plan
        if plan_sum > 0:
            q = self.quantile_array(planned_total, (0.1, 0.5, 0.9))
            rows["listed"] = {"name": "有年度计划的项目合计", "plan": plan_sum,
                              "mean": float(weighted_mean(planned_total, self.weights)),
                              "p10": q[0], "p50": q[1], "p90": q[2]}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "group"
        return frame

    def to_frame(self, var: str = "growth") -> Any:
        """One variable as a tidy pandas DataFrame (one row per replication × coords)."""
        return self.ds[var].to_dataframe().reset_index()

    def summary(self) -> dict[str, Any]:
        """The headline figures as plain data (the content of ``summary.json``).

        Names carry their unit, as in every file lgsim writes: ``_pct`` percent (6.0 =
        6%), ``_pp`` percentage points, ``_yi_yuan`` 亿元; a table's name carries the unit
        of its numbers (``growth_quantiles_pct``: ``{"p10": -0.92, ...}``).
        """
        p = self.p_target()
        q = self.quantiles()
        t = self.scenario.target
        return {
            "run_id": self.run_id,
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "units": UNITS_NOTE,
            "target_year": self.target_year,
            "target_growth_pct": to_pct(t.gdp_growth),
            "target_rule": t.rule(),
            "replications": self.n,
            "seed": self.seed,
            "chunk_size": int(self.ds.attrs["chunk_size"]),
            "p_target_met_pct": to_pct(p.estimate),
            "p_target_met_ci_pct": [to_pct(p.low), to_pct(p.high)],
            "p_target_met_ci_note": (
                "95% interval: simulation precision only, not uncertainty in the "
                "scenario's assumptions"
            ),
            "p_target_met_method": self.estimator_note(),
            **({} if p.variance_reduction is None
               else {"variance_reduction": p.variance_reduction}),
            "growth_quantiles_pct": {k: _finite_pct(v, "growth_quantiles") for k, v in q.items()},
            "growth_mean_pct": to_pct(float(weighted_mean(self.growth(), self.weights))),
            "expected_shortfall_pp": _finite(self.expected_shortfall()),
            "subtargets": self._subtargets_summary(),
            "contributions_sector_pp": _rows(self.contributions("sector"),
                                             ("name", "mean", "p10", "p50", "p90")),
            "investment_vs_plan_yi_yuan": _rows(self.investment_vs_plan(),
                                                ("name", "plan", "mean", "p10", "p50", "p90")),
            "required_growth": self._required_summary(),
            **self._years_and_investment(),
            "lgsim_version": self.ds.attrs["lgsim_version"],
            **self._stopping(),
            **self._conditioning(),
        }

    def _years_and_investment(self) -> dict[str, Any]:
        """Summary parts: P(met) by year, investment targets, FAI, spending's value added."""
        def prob(p: Probability) -> dict[str, Any]:
            return {"p_met_pct": to_pct(p.estimate), "ci_pct": [to_pct(p.low), to_pct(p.high)],
                    "rule": p.rule}

        out: dict[str, Any] = {}
        by_year = self.p_by_year()
        if len(by_year) > 1:
            out["targets_by_year"] = {str(y): prob(p) for y, p in by_year.items()}
            out["all_years_met"] = prob(self.p_all_years())
        investment = self.p_investment()
        if investment:
            out["investment_targets"] = {k: prob(p) for k, p in investment.items()}
        indicators = self.p_indicators()
        if indicators:
            out["indicator_targets"] = {
                t.key.removeprefix("indicator:"): {
                    "name": t.label, "rule": t.rule, "modelled": p is not None,
                    "reason": t.reason or None,
                    **({"p_met_pct": None, "ci_pct": None} if p is None else
                       {k: v for k, v in prob(p).items() if k != "rule"})}
                for t, p in indicators}
        fai = self.fai()
        if fai is not None:
            out["fai"] = {q: _fai_summary(block) for q, block in fai.items()}
        spending = self.spending()
        if spending is not None:
            out["spending_value_added"] = {
                "table": spending["table"], "note": spending["note"],
                **{f"{k}_per_yuan": spending[k]
                   for k in ("direct", "indirect", "indirect_p10", "indirect_p90", "leakage")}}
        return out

    def conditioning(self) -> dict[str, Any] | None:
        """How the run was conditioned on published figures, or None (no ``[actuals]``).

        Returns
        -------
        dict or None
            ``figures`` (each figure's path, label, value and sd, and the posterior mean
            and P10–P90 of the model's value), ``ess`` (effective sample size of the
            weights), ``replications``, the prior P(target met) from the pilot and how
            the weights were made (fractions throughout).
        """
        if "figure_model" not in self.ds:
            return None
        record = json.loads(self.ds.attrs.get("conditioning", "{}"))
        model = self.ds["figure_model"].values
        q = self.quantile_array(model, (0.1, 0.5, 0.9))
        mean = weighted_mean(model, self.weights)
        figures = []
        for k, o in enumerate(self.scenario.actuals):
            figures.append({
                "path": o.path, "label": self._figure_label(o), "value": o.value,
                "sd": o.sd if o.informative else None, "note": o.note,
                "model_mean": float(mean[k]), "model_p10": float(q[0, k]),
                "model_p90": float(q[2, k]),
            })
        return {**record, "figures": figures, "ess": self.ess, "replications": self.n}

    def _figure_label(self, o: Any) -> str:
        """A figure's label with the sector's name (``2022年1–2月 工业``), not its id."""
        names = {s.id: s.name for s in self.scenario.sectors}
        if o.quantity == "va" and o.sector in names:
            return o.label.replace(f" {o.sector}", f" {names[o.sector]}", 1)
        return o.label

    def _conditioning(self) -> dict[str, Any]:
        """The conditioning record for ``summary.json``: growth in percent, sd in pp."""
        record = self.conditioning()
        if record is None:
            return {}
        prior = ("prior_p_target_met", "prior_p_target_met_ci")
        out = {k: v for k, v in record.items() if k != "figures" and k not in prior}
        if record.get("prior_p_target_met") is not None:
            out["prior_p_target_met_pct"] = to_pct(record["prior_p_target_met"])
            out["prior_p_target_met_ci_pct"] = [to_pct(x) for x in record["prior_p_target_met_ci"]]
        out["figures"] = [
            {"path": f["path"], "label": f["label"], "note": f["note"],
             "value_pct": to_pct(f["value"]), "sd_pp": to_pct(f["sd"]),
             **{f"{k}_pct": to_pct(f[k]) for k in ("model_mean", "model_p10", "model_p90")}}
            for f in record["figures"]]
        return {"conditioning": out}

    def record_conditioning(self, record: dict[str, Any]) -> None:
        """Record how the run was conditioned (the ``conditioning`` attribute, JSON)."""
        self.ds.attrs["conditioning"] = json.dumps(record, ensure_ascii=False,
                                                   sort_keys=True)
    def _subtargets_summary(self) -> dict[str, Any]:
        t = self.scenario.target
        goals = {"sectors": t.sectors, "streets": t.streets}
        return {
            kind: {k: {"target_pct": to_pct(goals[kind][k]), "p_met_pct": to_pct(v.estimate),
                       "ci_pct": [to_pct(v.low), to_pct(v.high)], "rule": v.rule}
                   for k, v in items.items()}
            for kind, items in self.p_subtargets().items()
        }

    def _required_summary(self) -> dict[str, Any] | None:
        req = self.required_growth()
        if req is None:
            return None
        return {"through_month": req["through_month"],
                **{f"{k}_pct": to_pct(req[k]) for k in ("observed_ytd", "model_ytd",
                                                        "required_rest", "p10", "p90")}}

    def _stopping(self) -> dict[str, Any]:
        """``{"stopped_at_precision": {...}}`` for a stop-at-precision run, else empty."""
        record = self.stopping()
        if record is None:
            return {}
        for k in ("target_half_width", "half_width"):  # probabilities: in pp
            record[f"{k}_pp"] = to_pct(record.pop(k))
        return {"stopped_at_precision": record}

    # ------------------------------------------------------------------ files
    def save(self, directory: str | Path) -> Path:
        """Write ``results.nc`` and ``scenario.resolved.toml`` into ``directory``.

        The run directory's other files (summary, CSVs, log) are written by
        :func:`lgsim.outputs.rundir.write_run`.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_text(directory / "scenario.resolved.toml", self.ds.attrs["scenario_toml"])
        write_with(directory / "results.nc", self._write_netcdf)
        return directory

    def _write_netcdf(self, path: Path) -> None:
        try:
            self.ds.to_netcdf(path, engine="h5netcdf", invalid_netcdf=False)
        except BaseException:
            _abandon_open_files()
            raise

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Reopen results saved by :meth:`save` (identical arrays and attributes)."""
        import xarray as xr

        directory = Path(directory)
        ds = xr.load_dataset(
            directory / "results.nc", engine="h5netcdf", decode_times=False,
            decode_timedelta=False,
        )
        doc = tomllib.loads(ds.attrs["scenario_toml"])
        scenario = Scenario.from_document(doc, str(directory / "scenario.resolved.toml"))
        return cls(ds, scenario)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        p = self.p_target()
        return (
            f"<lgsim.Results {self.scenario.name!r}: P(target met) = {p}; "
            f"seed {self.seed}>"
        )

    def to_json(self) -> str:
        """``summary()`` as JSON text (strict JSON: a non-finite number is an error)."""
        return json.dumps(self.summary(), ensure_ascii=False, indent=2, default=float,
                          allow_nan=False)

    def _repr_html_(self) -> str:
        """Short summary for Jupyter: P(met) with interval, growth quantiles, rule, seed.

        Every text from the scenario (title, name, rule) is HTML-escaped.
        """
        import html

        esc = html.escape
        p = self.p_target()
        q = self.quantiles()
        sc = self.scenario
        y = self.target_year
        rows = [
            ("P(target met)",
             f"<b>{pct(p.estimate)}</b> &nbsp;[95% simulation precision "
             f"{pct(p.low)}–{pct(p.high)}], n = {p.n:,}"),
            (f"Growth {y} (P10 / P50 / P90)",
             f"{pct(q['p10'], 2)} / {pct(q['p50'], 2)} / {pct(q['p90'], 2)}"),
            ("Target", f"{pct(sc.target.gdp_growth, 2)} — rule: {esc(sc.target.rule())}"),
            ("Seed · replications", f"{self.seed} · {self.n:,}"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>{v}"
            "</td></tr>" for k, v in rows
        )
        return (
            f"<div class='lgsim-results'><p><b>{esc(sc.title)}</b> "
            f"<code>[{esc(sc.name)}]</code></p><table>{body}</table>"
            "<p style='font-size:smaller'>The interval is the precision of the simulation, "
            "not uncertainty in the scenario's assumptions.</p></div>"
        )


#: The end of an entry's indirect (supply-chain) component's name: ``<entry>（间接拉动）``.
INDIRECT_SUFFIX = "（间接拉动）"

#: What the suffixes of the names in ``summary.json`` (and every table) mean.
UNITS_NOTE = ("names end with their unit: _pct percent (6.0 = 6%), _pp percentage points, "
              "_yi_yuan 亿元 (100 million yuan), _per_yuan 亿元 of value added per 亿元 spent; "
              "scenario files and the Python API use fractions (0.06 = 6%)")


def _smoothing_note(plan: Plan) -> str:
    """Which normal the conditional estimator integrates out, or why it cannot."""
    sp = plan.smoothing
    if isinstance(sp, str):
        return sp
    sc = plan.scenario
    return (f"integrating out the normal of sector:{sc.sectors[sp.sector].id} "
            f"growth@{sc.base_year + 1 + sp.year}")


def _components(plan: Plan) -> tuple[dict[tuple[str, str], str], list[str], list[str]]:
    """Group names by (kind, id), and the ids and names of the contribution components.

    Components: organic value added by sector, each group (direct and operating), with
    ``[io]`` each group's indirect value added, and each shock.
    """
    sc = plan.scenario
    group_names = {("project", p.id): p.name for p in sc.projects}
    group_names.update({("batch", b.id): b.name for b in sc.batches})
    group_names.update({("pipeline", p.id): p.project.name for p in sc.pipelines})
    indirect = list(plan.groups) if sc.io is not None else []
    comp_ids = (
        [f"organic:{s.id}" for s in sc.sectors]
        + [f"{kind}:{gid}" for kind, gid in plan.groups]
        + [f"{kind}:{gid}:indirect" for kind, gid in indirect]
        + [f"shock:{s.id}" for s in sc.shocks]
    )
    comp_names = (
        [f"{s.name}（自然增长）" for s in sc.sectors]
        + [group_names[g] for g in plan.groups]
        + [group_names[g] + INDIRECT_SUFFIX for g in indirect]
        + [s.name for s in sc.shocks]
    )
    return group_names, comp_ids, comp_names


def _finite_pct(x: float, name: str) -> float | None:
    """A fraction that must be a number, as percent (``ValueError`` when it is not)."""
    if not math.isfinite(float(x)):
        raise ValueError(f"{name}: {x} is not a number and cannot be written as JSON")
    return to_pct(x)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _fai_summary(block: dict[str, Any]) -> dict[str, Any]:
    """One quantity of :meth:`Results.fai` with its units in the names."""
    return {
        "level_yi_yuan": block["level"],
        "growth_pct": {k: to_pct(v) for k, v in block["growth"].items()},
        "listed_share_pct": to_pct(block["listed_share"]),
        "ytd_growth_pct": {"month": block["ytd_growth"]["month"],
                           **{k: [to_pct(x) for x in block["ytd_growth"][k]]
                              for k in ("p10", "p50", "p90")}},
    }


def _rows(frame: Any, columns: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """A table as ``{index: {column: value}}`` (NaN → None)."""
    return {str(k): {c: (r[c] if c == "name" else _finite(r[c])) for c in columns}
            for k, r in frame.iterrows()}


def run_id(scenario_toml: str) -> str:
    """The id of a run: a hash of its resolved scenario (seed and replications included).

    Deterministic, so results stay bit-identical for any worker count or executor; two
    runs share an id exactly when they are the same run (same scenario, seed, size and
    lgsim version), however the scenario was written (a TOML file or a workbook: the
    order of keys does not count, except in the tables whose order the draws follow).
    Readers use it to refuse a ``summary.json`` and a ``results.nc`` of different runs.
    """
    canonical = json.dumps([__version__, _canonical(tomllib.loads(scenario_toml))],
                           sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


#: Tables whose key order the draws follow (kept as ordered pairs in the run id).
_ORDERED_TABLES = ("sector_mix", "street_mix", "sector_shares", "impact")


def _canonical(value: Any, key: str = "") -> Any:
    """A document with key order removed where it does not matter (see :func:`run_id`)."""
    if isinstance(value, dict):
        if key in _ORDERED_TABLES:
            return [[k, _canonical(v)] for k, v in value.items()]
        return {k: _canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def bytes_per_replication(plan: Plan, keep: tuple[str, ...] = ()) -> int:
    """Bytes of results one replication adds (every variable as 8-byte numbers).

    Known from the compiled plan before anything is simulated: the memory and disk
    estimates of a run multiply it by the number of replications.
    """
    sc = plan.scenario
    n_groups = len(plan.groups)
    sizes = {
        "year": plan.n_years + 1, "month": 12, "sector": len(sc.sectors),
        "street": len(sc.streets), "project": len(plan.slots), "group": n_groups,
        "month_index": plan.n_months, "shock": len(sc.shocks),
        "component": (len(sc.sectors) + n_groups * (2 if sc.io is not None else 1)
                      + len(sc.shocks)),
        "pipeline": len(sc.pipelines), "land": len(sc.lands), "figure": len(plan.figures),
    }
    present = {"investment_monthly_project": "paths" in keep,
               "figure_model": bool(plan.figures), "log_weight": bool(plan.figures),
               "io_local_share": sc.io is not None, "io_indirect_ratio": sc.io is not None}
    for name in _OPTIONAL_DIMS:
        if name.startswith(("fai", "industrial_fai")):
            industrial = plan.fai is not None and plan.fai.parts > 1
            present[name] = plan.fai is not None and (industrial or name.startswith("fai"))
    dims = {**_DIMS, **{k: v for k, v in _OPTIONAL_DIMS.items() if present.get(k)}}
    return 8 * sum(math.prod(sizes[d] for d in shape[1:]) for shape in dims.values())


def _abandon_open_files() -> None:
    """After a failed netCDF write: mark h5netcdf files left open as closed.

    A file whose close failed (disk full) stays open; closing it again when it is
    garbage-collected makes HDF5 touch a dead file and crash the interpreter.
    """
    import gc

    import h5netcdf

    for obj in gc.get_objects():
        if isinstance(obj, h5netcdf.File) and not getattr(obj, "_closed", True):
            obj._closed = True


def _plans(scenario: Scenario) -> dict[str, float]:
    out = {p.id: p.first_year_plan for p in scenario.projects if p.first_year_plan is not None}
    out.update(
        {b.id: b.template.first_year_plan for b in scenario.batches
         if b.template.first_year_plan is not None}
    )
    out.update(
        {p.id: p.project.first_year_plan for p in scenario.pipelines
         if p.project.first_year_plan is not None}
    )
    return out
