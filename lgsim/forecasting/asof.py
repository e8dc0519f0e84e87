"""A scenario's organic model: its sector structure, and the model replayed "as of" a year.

The **organic model** of a scenario is what it says about the economy without its listed
projects, batches, pipeline, land and shocks: the sectors (shares, growth distributions,
persistence, within-year deviations, seasonality), their correlation and the streets.

* :func:`sector_structure` — the shares, means, sds and correlation of the sectors'
  growth: the structure the spread is scaled within (``sd_s → k · sd_s``, one ``k``);
* :func:`measure_within_year` — how much the within-year deviations (``monthly_sd``) add
  to the variance of the year's organic growth, and how far year-to-date growth strays
  from the year's, measured by running the organic model with every sector's growth
  fixed at its mean;
* :func:`as_of_scenario` — the organic model as of a past year: last published GDP as the
  base, every sector's growth centred on the forecast available then with the spread
  available then, and the year-to-date figures out by the vantage as ``[actuals]``.

Units: growth, means and sds are fractions; GDP in 亿元.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.growth_figures import GrowthFigure
from ..i18n import _
from ..montecarlo.runner import run
from ..scenario import Scenario, ScenarioError
from ..scenario.actuals import DEFAULT_REVISION_SD
from .calibrate import share_weighted_sd

#: Parts of a scenario that are not its organic model (dropped from an "as of" scenario).
NON_ORGANIC: tuple[str, ...] = (
    "project", "batch", "pipeline", "land", "shock", "actuals", "sources", "remove", "extends",
    "io", "indicator",
)


@dataclass(frozen=True)
class SectorStructure:
    """The sectors' growth as the spread is scaled within.

    Attributes
    ----------
    ids : tuple of str
    shares : numpy.ndarray
        Normalised shares of base-year value added.
    means, sds : numpy.ndarray
        Each sector's growth mean and sd (fractions; sd 0 for fixed growth).
    correlation : numpy.ndarray
        The scenario's correlation matrix of the sectors' growth.
    """

    ids: tuple[str, ...]
    shares: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    correlation: np.ndarray

    @property
    def mean(self) -> float:
        """Share-weighted mean growth (fraction)."""
        return float(self.shares @ self.means)

    @property
    def total_sd(self) -> float:
        """Sd of the share-weighted growth draws, ``√(Σ w_i w_j ρ_ij sd_i sd_j)``."""
        return share_weighted_sd(self.shares, self.sds, self.correlation)

    def scale(self, total_sd: float, within_var: float = 0.0) -> float:
        """The factor ``k`` on every sd that gives the organic growth the sd ``total_sd``.

        ``k² · total_sd(structure)² + within_var = total_sd²``; 0 when the within-year
        deviations alone are as wide (the growth draws then stay fixed).
        """
        if not self.total_sd > 0:
            raise ValueError(
                _("sector: every sector's growth is fixed; there is no spread to scale")
            )
        return math.sqrt(max(total_sd * total_sd - within_var, 0.0)) / self.total_sd


def sector_structure(scenario: Scenario) -> SectorStructure:
    """The shares, means, sds and correlation of a scenario's sector growth.

    Raises
    ------
    ScenarioError
        When a sector's growth is neither a normal distribution (untruncated) nor a
        number: its spread cannot be scaled while keeping its shape.
    """
    means, sds = [], []
    for s in scenario.sectors:
        d = s.growth
        if d.kind == "fixed":
            means.append(d.params[0])
            sds.append(0.0)
        elif d.kind == "normal" and d.lo == -math.inf and d.hi == math.inf:
            means.append(d.params[0])
            sds.append(d.params[1])
        else:
            raise ScenarioError(
                scenario.file, f"sector[{s.id}].growth",
                _("a normal distribution or a number (the spread is scaled sector by sector, "
                  "keeping the shape)"),
                (_("a {kind} distribution with min/max") if d.kind == "normal"
                 else _("a {kind} distribution")).format(kind=d.kind),
            )
    shares = np.array([s.share for s in scenario.sectors], dtype=float)
    return SectorStructure(tuple(s.id for s in scenario.sectors), shares / shares.sum(),
                           np.array(means), np.array(sds),
                           np.asarray(scenario.correlation, dtype=float))


def organic_document(scenario: Scenario) -> dict[str, Any]:
    """The scenario's document without projects, batches, pipeline, land, shocks, figures.

    The target keeps only the GDP target and its rule (sub-targets, FAI targets and later
    years' targets go); the economy keeps only GDP (no FAI model); ``[io]`` goes with the
    projects whose spending it routes.
    """
    doc = {k: copy.deepcopy(v) for k, v in scenario.document.items() if k not in NON_ORGANIC}
    target = doc.get("target", {})
    doc["target"] = {k: target[k] for k in ("gdp_growth", "decimals", "tolerance")
                     if k in target}
    doc["economy"] = {"gdp": scenario.economy.gdp}
    return doc


def _sector_growth(doc: dict[str, Any], structure: SectorStructure, means: np.ndarray,
                   scale: float) -> None:
    """Write each sector's growth ``N(mean_s, (scale · sd_s)²)`` (a number when sd is 0)."""
    for entry, mean, sd in zip(doc["sector"], means, structure.sds, strict=True):
        s = float(scale * sd)
        entry["growth"] = ({"dist": "normal", "mean": float(mean), "sd": s} if s > 0
                           else float(mean))


#: Replications of the organic model run that measures the within-year deviations.
WITHIN_REPLICATIONS = 4000


@dataclass(frozen=True)
class WithinYear:
    """The organic model's within-year deviations, measured on a run with fixed growth.

    Attributes
    ----------
    variance : float
        What they add to the variance of the target year's growth (fraction²).
    gap_sd : dict
        Month → sd of the year's growth minus year-to-date growth through that month.
    """

    variance: float
    gap_sd: dict[int, float]


def measure_within_year(scenario: Scenario, seed: int = 0,
                        replications: int = WITHIN_REPLICATIONS) -> WithinYear:
    """Measure the within-year deviations of a scenario's organic model.

    The organic model is run with every sector's growth fixed at its mean, so all the
    variance left comes from the deviations (``monthly_sd``, ``monthly_persistence``):
    the engine's own arithmetic, no second derivation. Without deviations nothing is
    run and everything is 0.

    Returns
    -------
    WithinYear
        Fractions, to ``replications`` replications' precision.
    """
    if all(s.monthly_sd == 0 for s in scenario.sectors):
        return WithinYear(0.0, dict.fromkeys(range(1, 13), 0.0))
    structure = sector_structure(scenario)
    doc = organic_document(scenario)
    _sector_growth(doc, structure, structure.means, 0.0)
    doc["scenario"] = {**doc["scenario"], "end_year": scenario.target_year}
    sc = Scenario.from_document(doc, f"{scenario.file} (organic, growth fixed)")
    res = run(sc, replications=replications, seed=seed, workers=1)
    g = res.growth()
    ytd = res.ds["ytd_growth"].sel(year=scenario.target_year).values
    gaps = {m: float(np.std(g - ytd[:, m - 1], ddof=1)) for m in range(1, 13)}
    return WithinYear(float(np.var(g, ddof=1)), gaps)


@dataclass(frozen=True)
class AsOf:
    """What an "as of" scenario is made of (fractions; GDP in 亿元).

    Attributes
    ----------
    year, steps : int
        The year forecast, and how many years after the last published one it is.
    mean : float
        The growth forecast available at the origin.
    scale : float
        The factor on every sector's sd.
    figures : tuple of GrowthFigure
        Year-to-date figures of ``year`` out by the vantage (conditioned on).
    revision_sd : float
        sd of each figure as an observation of the model's year-to-date growth.
    gdp : float or None
        GDP of the base year (``year − steps``); None keeps the scenario's (growth
        rates of the organic model do not depend on the level).
    target : float or None
        The year's growth target where known (else the scenario's, unused).
    """

    year: int
    steps: int
    mean: float
    scale: float
    figures: tuple[GrowthFigure, ...] = ()
    revision_sd: float = DEFAULT_REVISION_SD
    gdp: float | None = None
    target: float | None = None


def as_of_scenario(
    scenario: Scenario, structure: SectorStructure, spec: AsOf, *, seed: int,
    replications: int, label: str = "",
) -> Scenario:
    """The scenario's organic model as of ``spec.year`` (see :class:`AsOf`).

    Every sector's growth becomes ``N(spec.mean, (spec.scale · sd_s)²)``: the sectors
    keep their shares, correlation and relative spreads, and the share-weighted mean is
    the forecast.
    """
    doc = organic_document(scenario)
    means = np.full(len(structure.ids), spec.mean)
    _sector_growth(doc, structure, means, spec.scale)
    doc["scenario"] = {
        "name": f"{scenario.name}-asof-{spec.year}",
        "title": f"{scenario.title} — organic model as of {spec.year}{label}",
        "base_year": spec.year - spec.steps, "target_year": spec.year,
        "end_year": spec.year, "seed": int(seed), "replications": int(replications),
    }
    if spec.target is not None:
        doc["target"]["gdp_growth"] = float(spec.target)
    if spec.gdp is not None:
        doc["economy"] = {"gdp": float(spec.gdp)}
    if spec.figures:
        doc["actuals"] = {"revision_sd": float(spec.revision_sd), "ytd": _ytd(spec.figures)}
    return Scenario.from_document(doc, f"{scenario.file} (as of {spec.year})")


def _ytd(figures: Sequence[GrowthFigure]) -> dict[str, Any]:
    """``[actuals] ytd`` entries: ``{"2019-06": {"value": .., "note": ..}}``."""
    return {f.period: {"value": float(f.value),
                       "note": f"{f.area}: {f.source}"[:200]} for f in figures}
