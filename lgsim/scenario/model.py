"""The parts of a scenario: frozen, validated objects (built by :mod:`lgsim.scenario.build`).

The whole, :class:`~lgsim.scenario.core.Scenario`, is in :mod:`lgsim.scenario.core`.

Units: money in 亿元 (base-year prices unless ``investment_deflator`` is set); growth,
shares, targets and impacts as fractions; times in model months (see
:mod:`lgsim.scenario.calendar`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .distributions import Dist


@dataclass(frozen=True, slots=True)
class Target:
    """What counts as meeting the target.

    Attributes
    ----------
    gdp_growth : float
        Target real GDP growth of the target year, fraction (0.06 = 6%).
    sectors, streets : dict
        Optional sub-targets: id -> growth fraction.
    decimals : int or None
        Judge as official releases do: ``round(100 G, d) >= round(100 target, d)``.
    tolerance : float
        Lowers the bar for "about X%" targets (fraction).
    fai : float or None
        District fixed-asset investment target, 亿元 (reported only; not modelled).
    """

    gdp_growth: float
    sectors: dict[str, float] = field(default_factory=dict)
    streets: dict[str, float] = field(default_factory=dict)
    decimals: int | None = None
    tolerance: float = 0.0
    fai: float | None = None

    def rule(self) -> str:
        """Plain-language statement of the rule used to judge the target."""
        bar = self.gdp_growth - self.tolerance
        if self.decimals is not None:
            d = self.decimals
            text = (
                f"growth rounded half-up to {d} decimal(s) of a percent "
                f">= {100 * bar:.{d}f}%"
            )
        else:
            text = f"growth >= {100 * bar:.4g}%"
        if self.tolerance:
            text += (
                f" (target {100 * self.gdp_growth:.4g}% less tolerance "
                f"{100 * self.tolerance:.4g} pp)"
            )
        return text

    def met(self, growth: np.ndarray | float, goal: float | None = None) -> np.ndarray:
        """Whether growth meets ``goal`` under this target's rule (docs/model.md, "Target").

        Parameters
        ----------
        growth : array_like
            Real growth, fraction (0.06 = 6%).
        goal : float, optional
            The growth target, fraction (default :attr:`gdp_growth`; a sector or street
            sub-target is judged by the same rounding and tolerance).

        Returns
        -------
        numpy.ndarray of bool
            Without ``decimals``: ``G >= goal − tolerance − 1e-12``. With ``decimals = d``:
            ``round(100 G, d) >= round(100 (goal − tolerance), d)``, rounding half up as
            official releases do.
        """
        bar = (self.gdp_growth if goal is None else goal) - self.tolerance
        growth = np.asarray(growth)
        if self.decimals is None:
            return growth >= bar - 1e-12
        scale = 10.0**self.decimals

        def half_up(x: np.ndarray | float) -> np.ndarray:
            return np.floor(np.asarray(x) * 100.0 * scale + 0.5 + 1e-9) / scale

        return half_up(growth) >= half_up(bar)

    def threshold(self, goal: float | None = None) -> float:
        """The lowest growth (fraction) that meets ``goal`` under this rule.

        With ``decimals = d`` the published figure is rounded half up, so growth from
        ``round(100 × bar, d) − 0.5 × 10^−d`` percent counts as met.
        """
        bar = (self.gdp_growth if goal is None else goal) - self.tolerance
        if self.decimals is None:
            return bar
        scale = 10.0**self.decimals
        return (math.floor(100 * bar * scale + 0.5 + 1e-9) - 0.5) / scale / 100


@dataclass(frozen=True, slots=True)
class Economy:
    """District totals of the base year: GDP in 亿元, land stock in hectares."""

    gdp: float
    fai: float | None = None
    land_stock_ha: float = 0.0


@dataclass(frozen=True, slots=True)
class Accounting:
    """How investment turns into value added (fractions) and its price basis."""

    construction_share: float = 0.0
    construction_va_ratio: float = 0.0
    local_share: float = 0.0
    investment_deflator: float = 1.0

    @property
    def works_ratio(self) -> float:
        """Value added of the works per 亿元 of investment (before additionality)."""
        return self.construction_share * self.construction_va_ratio * self.local_share


@dataclass(frozen=True, slots=True)
class Sector:
    """One accounting industry (share normalised, growth a fraction)."""

    id: str
    name: str
    share: float
    growth: Dist
    persistence: float = 0.0
    monthly_sd: float = 0.0
    monthly_persistence: float = 0.0
    seasonality: tuple[float, ...] = (1 / 12,) * 12
    va_ratio: float | None = None
    output_per_investment: float = 0.0


@dataclass(frozen=True, slots=True)
class Street:
    """One street (街道) with its share of district value added (fraction).

    ``sector_shares`` (street data): the street's share of each sector's value added,
    sector id → fraction (the shares of a sector sum to 1 over the streets). Without it,
    district value added is allocated to streets by ``share`` (a proxy such as
    population), which carries no information about streets.
    """

    id: str
    name: str
    share: float
    sector_shares: tuple[tuple[str, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class Drawdown:
    """A drawdown curve: the Beta(a, b) CDF on [0, 1] (``linear`` is a = b = 1)."""

    kind: str
    a: float
    b: float
    calibrated: bool = False


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """A project, a batch's member defaults, or a pipeline entry's project fields.

    Amounts (``total_investment``, ``first_year_plan``, ``annual_output``) in 亿元;
    ``land_ha`` in hectares; times in months; ``planned_start`` / ``plan_start`` in
    model months (``None`` for pipeline entries, whose start is drawn).
    """

    id: str
    name: str
    sector: str | None
    street: str | None
    total_investment: Dist
    planned_start: float | None
    duration_months: Dist
    first_year_plan: float | None = None
    plan_start: float | None = None
    start_delay_months: Dist = field(default_factory=lambda: Dist("fixed", (0.0,)))
    drawdown: Drawdown = field(default_factory=lambda: Drawdown("s-curve", 2.0, 2.0))
    execution: Dist = field(default_factory=lambda: Dist("fixed", (1.0,)))
    land_ha: Dist = field(default_factory=lambda: Dist("fixed", (0.0,)))
    annual_output: Dist | None = None
    ramp_months: Dist = field(default_factory=lambda: Dist("fixed", (12.0,)))
    p_stall: float = 0.0
    additionality: Dist = field(default_factory=lambda: Dist("fixed", (1.0,)))


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of ``count`` projects sharing defaults; amounts are batch totals."""

    id: str
    name: str
    count: int
    template: ProjectSpec
    sector_mix: tuple[tuple[str, float], ...]
    street_mix: tuple[tuple[str, float], ...] | None = None
    size_concentration: float = 1.0
    delay_correlation: float = 0.0


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A signed project that may land: with ``probability`` at ``signed + land delay``."""

    id: str
    probability: float
    signed: float
    land_delay_months: Dist
    project: ProjectSpec


@dataclass(frozen=True, slots=True)
class LandTask:
    """Land consolidation: ``hectares × delivered`` in equal monthly parts, start..by."""

    id: str
    hectares: Dist
    start: float
    by: float
    delivered: Dist


@dataclass(frozen=True, slots=True)
class Shock:
    """A possible event multiplying named sectors' value added by ``1 + impact × cover``."""

    id: str
    name: str
    probability: float
    window: tuple[float, float]
    duration_months: Dist
    impact: tuple[tuple[str, Dist], ...]
    pauses_projects: bool = False
