"""Frozen, validated scenario objects (built by :mod:`lgsim.scenario.build`).

Units: money in 亿元 (base-year prices unless ``investment_deflator`` is set); growth,
shares, targets and impacts as fractions; times in model months (see
:mod:`lgsim.calendar`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .actuals import Observation
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
    """One street (街道) with its share of district value added."""

    id: str
    name: str
    share: float


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


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario: the specification a run is made from.

    Build with :func:`lgsim.load_scenario`; change with :meth:`with_changes`.
    """

    name: str
    title: str
    base_year: int
    target_year: int
    end_year: int
    seed: int | None
    replications: int
    target: Target
    economy: Economy
    accounting: Accounting
    sectors: tuple[Sector, ...]
    correlation: tuple[tuple[float, ...], ...]
    streets: tuple[Street, ...]
    projects: tuple[ProjectSpec, ...]
    batches: tuple[Batch, ...]
    lands: tuple[LandTask, ...]
    shocks: tuple[Shock, ...]
    pipelines: tuple[Pipeline, ...]
    sources: dict[str, str]
    file: str
    document: dict[str, Any] = field(repr=False, compare=False)
    actuals: tuple[Observation, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def horizon_months(self) -> int:
        """Number of simulated months (1 Jan base_year+1 .. 31 Dec end_year)."""
        return 12 * (self.end_year - self.base_year)

    @property
    def years(self) -> list[int]:
        """Accounting years, from the base year to the end year."""
        return list(range(self.base_year, self.end_year + 1))

    def sector_index(self, sector_id: str) -> int:
        """Position of a sector id."""
        return [s.id for s in self.sectors].index(sector_id)

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """Return a new scenario with values at key paths replaced, validated like a file.

        Parameters
        ----------
        changes : dict
            Key path -> new value, e.g.
            ``{"batch[sz-2022-batch3].start_delay_months": 3.0}``.

        Returns
        -------
        Scenario
        """
        from .build import apply_changes

        return apply_changes(self, changes)

    def to_toml(self) -> str:
        """The resolved scenario as TOML text (schema keys only, seed included)."""
        from .resolve import resolved_toml

        return resolved_toml(self)
