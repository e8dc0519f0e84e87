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
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from ._format import pct
from ._version import __version__
from .analysis import Probability, expected_shortfall_pp, probability, quantiles
from .engine import Plan
from .fileio import write_text, write_with
from .scenario import Scenario
from .scenario.calendar import month_label

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

#: Variables present only when asked for (``lgsim.run(..., keep=("paths",))``).
_OPTIONAL_DIMS: dict[str, tuple[str, ...]] = {
    "investment_monthly_project": ("replication", "month_index", "project"),
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
        comp_ids = (
            [f"organic:{s.id}" for s in sc.sectors]
            + [f"{kind}:{gid}" for kind, gid in plan.groups]
            + [f"shock:{s.id}" for s in sc.shocks]
        )
        group_names = {("project", p.id): p.name for p in sc.projects}
        group_names.update({("batch", b.id): b.name for b in sc.batches})
        group_names.update({("pipeline", p.id): p.project.name for p in sc.pipelines})
        comp_names = (
            [f"{s.name}（自然增长）" for s in sc.sectors]
            + [group_names[g] for g in plan.groups]
            + [s.name for s in sc.shocks]
        )
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
        data_vars = {}
        optional = {k: v for k, v in _OPTIONAL_DIMS.items() if k in arrays}
        for key, dims in {**_DIMS, **optional}.items():
            attrs = {"units": _UNITS[key]} if key in _UNITS else {}
            data_vars[key] = (dims, arrays[key], attrs)
        target = sc.target
        scenario_toml = sc.to_toml()
        attrs = {
            "run_id": run_id(scenario_toml),
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
        self.ds.attrs.update(
            {f"precision_{k}": (int(v) if isinstance(v, bool) else v) for k, v in record.items()}
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

    def growth(self, year: int | None = None) -> np.ndarray:
        """Growth of ``year`` (default: target year) per replication, fraction."""
        return self.ds["growth"].sel(year=year or self.target_year).values

    def met(self, year: int | None = None) -> np.ndarray:
        """Per-replication flag: target met in ``year`` (default: the target year)."""
        return self.scenario.target.met(self.growth(year))

    def p_target(self, year: int | None = None) -> Probability:
        """P(target met) with its 95% Wilson interval (simulation precision) and n."""
        return probability(self.met(year), self.scenario.target.rule())

    def p_subtargets(self, year: int | None = None) -> dict[str, dict[str, Probability]]:
        """P(met) of each sector and street sub-target (growth of its value added)."""
        year = year or self.target_year
        t = self.scenario.target
        out: dict[str, dict[str, Probability]] = {"sectors": {}, "streets": {}}
        for kind, var, dim, targets in (
            ("sectors", "va", "sector", t.sectors),
            ("streets", "street_va", "street", t.streets),
        ):
            for ident, bar in targets.items():
                da = self.ds[var].sel({dim: ident})
                g = (da.sel(year=year) / da.sel(year=year - 1) - 1.0).values
                flags = t.met(g, bar)
                out[kind][ident] = probability(flags, f"growth >= {100 * bar:.4g}%")
        return out

    def required_growth(self, year: int | None = None) -> dict[str, Any] | None:
        """Growth the rest of the year needs to hit the target (倒逼增速).

        Uses the latest GDP year-to-date actual of ``year`` (default: the target year):
        ``((1 + bar) GDP_{y−1} − YTD_y) / (GDP_{y−1} − YTD_{y−1}) − 1`` with
        ``bar = target − tolerance``, per replication.

        Returns
        -------
        dict or None
            ``through_month``, ``observed_ytd`` (fraction) and the median, P10 and P90 of
            the required growth of the remaining months (fractions); None without an
            actual for that year.
        """
        year = year or self.target_year
        obs = [o for o in self.scenario.actuals if o.sector is None and o.year == year]
        if not obs:
            return None
        last = obs[-1]
        m = last.month
        first = 12 * (year - self.scenario.base_year - 1)
        ytd = self.ds["gdp_monthly"].values[:, first:first + m].sum(axis=1)
        ytd_prev = ytd / (1.0 + self.ds["ytd_growth"].sel(year=year, month=m).values)
        prev = self.ds["gdp"].sel(year=year - 1).values
        t = self.scenario.target
        need = ((1.0 + t.gdp_growth - t.tolerance) * prev - ytd) / (prev - ytd_prev) - 1.0
        q = quantiles(need)
        return {"through_month": m, "observed_ytd": last.growth, "required_rest": q["p50"],
                "p10": q["p10"], "p90": q["p90"]}

    def quantiles(
        self, qs: tuple[float, ...] = (0.1, 0.5, 0.9), year: int | None = None
    ) -> dict[str, float]:
        """Quantiles of growth in ``year`` (fractions), numpy "linear" method."""
        return quantiles(self.growth(year), qs)

    def expected_shortfall(self, year: int | None = None) -> float:
        """Mean of target − growth over missed replications, percentage points."""
        return expected_shortfall_pp(
            self.growth(year), self.scenario.target.gdp_growth, self.met(year)
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
        q = np.quantile(values, [0.1, 0.5, 0.9], axis=0, method="linear")
        name_coord = {"sector": "sector_name", "street": "street_name",
                      "component": "component_name"}[by]
        return pd.DataFrame(
            {
                "name": self.ds[name_coord].values,
                "mean": values.mean(axis=0),
                "p10": q[0],
                "p50": q[1],
                "p90": q[2],
            },
            index=pd.Index(self.ds[dim].values, name=dim),
        )

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
            q = np.quantile(values, [0.1, 0.5, 0.9], method="linear")
            rows[str(gid)] = {"name": gname, "plan": plan, "mean": values.mean(),
                              "p10": q[0], "p50": q[1], "p90": q[2]}
            if not math.isnan(plan):
                planned_total += values
                plan_sum += plan
        if plan_sum > 0:
            q = np.quantile(planned_total, [0.1, 0.5, 0.9], method="linear")
            rows["listed"] = {"name": "有年度计划的项目合计", "plan": plan_sum,
                              "mean": planned_total.mean(), "p10": q[0], "p50": q[1],
                              "p90": q[2]}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "group"
        return frame

    def to_frame(self, var: str = "growth") -> Any:
        """One variable as a tidy pandas DataFrame (one row per replication × coords)."""
        return self.ds[var].to_dataframe().reset_index()

    def summary(self) -> dict[str, Any]:
        """The headline figures as plain data (the content of ``summary.json``)."""
        p = self.p_target()
        q = self.quantiles()
        sub = self.p_subtargets()
        contrib = self.contributions("sector")
        inv = self.investment_vs_plan()
        t = self.scenario.target

        def f(x: float) -> float | None:
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

        return {
            "run_id": self.run_id,
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "target_year": self.target_year,
            "target_growth": t.gdp_growth,
            "target_rule": t.rule(),
            "replications": self.n,
            "seed": self.seed,
            "chunk_size": int(self.ds.attrs["chunk_size"]),
            "p_target_met": p.estimate,
            "p_target_met_ci": [p.low, p.high],
            "p_target_met_ci_note": (
                "95% Wilson interval: simulation precision only, not uncertainty in the "
                "scenario's assumptions"
            ),
            "growth_quantiles": q,
            "growth_mean": float(np.mean(self.growth())),
            "expected_shortfall_pp": f(self.expected_shortfall()),
            "subtargets": {
                kind: {k: {"p_met": v.estimate, "ci": [v.low, v.high], "rule": v.rule}
                       for k, v in items.items()}
                for kind, items in sub.items()
            },
            "contributions_sector_pp": {
                str(k): {"name": r["name"], "mean": r["mean"], "p10": r["p10"],
                         "p50": r["p50"], "p90": r["p90"]}
                for k, r in contrib.iterrows()
            },
            "investment_vs_plan": {
                str(k): {"name": r["name"], "plan": f(r["plan"]), "mean": r["mean"],
                         "p10": r["p10"], "p50": r["p50"], "p90": r["p90"]}
                for k, r in inv.iterrows()
            },
            "required_growth": self.required_growth(),
            "fai_target": (
                None if t.fai is None
                else {"target": t.fai, "note": "district FAI is not modelled (no fai_growth)"}
            ),
            "lgsim_version": self.ds.attrs["lgsim_version"],
            **self._stopping(),
        }

    def _stopping(self) -> dict[str, Any]:
        """``{"stopped_at_precision": {...}}`` for a stop-at-precision run, else empty."""
        record = self.stopping()
        return {} if record is None else {"stopped_at_precision": record}

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


def run_id(scenario_toml: str) -> str:
    """The id of a run: a hash of its resolved scenario (seed and replications included).

    Deterministic, so results stay bit-identical for any worker count or executor; two
    runs share an id exactly when they are the same run (same scenario, seed, size and
    lgsim version). Readers use it to refuse a ``summary.json`` and a ``results.nc`` of
    different runs.
    """
    return hashlib.sha256(scenario_toml.encode("utf-8")).hexdigest()[:16]


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
        "component": len(sc.sectors) + n_groups + len(sc.shocks),
        "pipeline": len(sc.pipelines), "land": len(sc.lands),
    }
    dims = {**_DIMS, **{k: v for k, v in _OPTIONAL_DIMS.items() if "paths" in keep}}
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
