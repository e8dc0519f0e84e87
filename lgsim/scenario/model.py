"""The parts of a scenario: frozen, validated objects (built by :mod:`lgsim.scenario.build`).

The whole, :class:`~lgsim.scenario.core.Scenario`, is in :mod:`lgsim.scenario.core`.

Units: money in 亿元 (base-year prices unless ``investment_deflator`` is set); growth,
shares, targets and impacts as fractions; times in model months (see
:mod:`lgsim.scenario.calendar`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..i18n import N_
from .distributions import Dist
from .indicators import IndicatorTarget

#: Display names of the investment quantities (files keep the ids ``fai``...).
_INVESTMENT_NAMES = {"fai": N_("district FAI"), "industrial_fai": N_("industrial investment")}


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
    fai, industrial_fai : float or None
        District fixed-asset investment (固定资产投资) and industrial investment (工业投资)
        targets as levels, 亿元 nominal, met when the year's total reaches them ("超").
    fai_growth, industrial_fai_growth : float or None
        The same targets as nominal growth over the previous year, fractions.
    indicators : tuple of IndicatorTarget
        Targets on published indicators (:mod:`.indicators`), judged through the
        ``[[indicator]]`` entries that map them; ``area`` is whose indicators they are.
    """

    gdp_growth: float
    sectors: dict[str, float] = field(default_factory=dict)
    streets: dict[str, float] = field(default_factory=dict)
    decimals: int | None = None
    tolerance: float = 0.0
    fai: float | None = None
    fai_growth: float | None = None
    industrial_fai: float | None = None
    industrial_fai_growth: float | None = None
    #: targets on published indicators ([target] indicators) and the area they are of
    indicators: tuple[IndicatorTarget, ...] = ()
    area: str | None = None

    def investment_goals(self) -> list[tuple[str, str, float]]:
        """The investment targets: ``(quantity, "level" | "growth", value)`` each.

        ``quantity`` is ``"fai"`` or ``"industrial_fai"``; levels in 亿元, growth as a
        fraction.
        """
        out = []
        for quantity in ("fai", "industrial_fai"):
            level = getattr(self, quantity)
            growth = getattr(self, f"{quantity}_growth")
            if level is not None:
                out.append((quantity, "level", level))
            if growth is not None:
                out.append((quantity, "growth", growth))
        return out

    def investment_met(self, levels: dict[str, tuple[np.ndarray, np.ndarray]]
                       ) -> dict[str, np.ndarray]:
        """Per replication, each investment target met.

        Parameters
        ----------
        levels : dict
            ``quantity -> (previous year, this year)`` levels, 亿元 nominal.

        Returns
        -------
        dict of numpy.ndarray of bool
            Keyed ``fai`` / ``industrial_fai`` for level targets (met when the year's
            total reaches the level: "超") and ``fai_growth`` / ``industrial_fai_growth``
            for growth targets; quantities missing from ``levels`` are left out.
        """
        out = {}
        for quantity, kind, value in self.investment_goals():
            if quantity not in levels:
                continue
            before, now = (np.asarray(x, dtype=float) for x in levels[quantity])
            if kind == "level":
                out[quantity] = now >= value - 1e-9
            else:
                out[f"{quantity}_growth"] = now / before - 1.0 >= value - 1e-12
        return out

    @staticmethod
    def investment_rule(key: str, value: float, tr: Callable[[str], str] = str) -> str:
        """Plain-language rule of an investment target (``key`` as :meth:`investment_met`).

        English, as files record it; ``tr`` (:func:`lgsim.i18n._`) translates it for display.
        """
        quantity = key[:-7] if key.endswith("_growth") else key
        name = quantity if tr is str else tr(_INVESTMENT_NAMES.get(quantity, quantity))
        if key.endswith("_growth"):
            return tr(N_("{quantity} growth >= {value}")).format(quantity=name,
                                                                 value=f"{100 * value:.4g}%")
        return f"{name} >= {value:,.2f}亿元"

    @staticmethod
    def investment_name(key: str, tr: Callable[[str], str] = str) -> str:
        """Display name of an investment target (``fai``, ``industrial_fai_growth``...).

        The id itself with the identity ``tr`` (files); ``tr`` translates for display.
        """
        quantity = key[:-7] if key.endswith("_growth") else key
        if tr is str:
            return key
        name = tr(_INVESTMENT_NAMES.get(quantity, quantity))
        return tr(N_("{quantity} growth")).format(quantity=name) if key.endswith("_growth") \
            else name

    def rule(self, tr: Callable[[str], str] = str) -> str:
        """Plain-language statement of the rule used to judge the target.

        English, as files record it; ``tr`` (:func:`lgsim.i18n._`) translates it for display.
        """
        bar = self.gdp_growth - self.tolerance
        if self.decimals is not None:
            d = self.decimals
            text = tr(N_("growth rounded half-up to {d} decimal(s) of a percent >= {bar}")).format(
                d=d, bar=f"{100 * bar:.{d}f}%")
        else:
            text = tr(N_("growth >= {bar}")).format(bar=f"{100 * bar:.4g}%")
        if self.tolerance:
            text += tr(N_(" (target {target} less tolerance {tolerance} pp)")).format(
                target=f"{100 * self.gdp_growth:.4g}%", tolerance=f"{100 * self.tolerance:.4g}")
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
    """District totals of the base year and how district investment grows.

    Attributes
    ----------
    gdp : float
        Base-year GDP, 亿元.
    fai : float or None
        Base-year district fixed-asset investment (固定资产投资), 亿元 nominal.
    land_stock_ha : float
        Ready land at the start, hectares.
    fai_growth : Dist or None
        Annual nominal growth of *organic* FAI, fraction: all district FAI except the
        scenario's listed projects, batches and pipeline entries (and except industrial
        investment when ``industrial_fai`` is given). ``None``: FAI is not modelled.
    fai_persistence : float
        AR(1) coefficient of the organic FAI growth surprises across years.
    fai_seasonality : tuple of float
        Share of a year's organic FAI in each month (sums to 1).
    industrial_fai : float or None
        Base-year industrial investment (工业投资, part of ``fai``), 亿元 nominal.
    industrial_fai_growth : Dist or None
        Annual nominal growth of organic industrial investment, fraction.
    industrial_sectors : tuple of str
        Sectors whose listed project spending counts as industrial investment.
    """

    gdp: float
    fai: float | None = None
    land_stock_ha: float = 0.0
    fai_growth: Dist | None = None
    fai_persistence: float = 0.0
    fai_seasonality: tuple[float, ...] = (1 / 12,) * 12
    industrial_fai: float | None = None
    industrial_fai_growth: Dist | None = None
    industrial_sectors: tuple[str, ...] = ("industry",)

    @property
    def models_fai(self) -> bool:
        """True when district FAI is a modelled quantity (base level and growth given)."""
        return self.fai is not None and self.fai_growth is not None

    @property
    def models_industrial_fai(self) -> bool:
        """True when industrial investment is modelled separately."""
        return self.models_fai and self.industrial_fai is not None


@dataclass(frozen=True, slots=True)
class IOSpec:
    """``[io]``: project spending through an input–output table (docs/investment.md).

    Attributes
    ----------
    table : str
        As written: a shipped table name (``nbs-2017``...) or a file path.
    path : str
        The file read.
    sectors : tuple of str
        The scenario's sector ids, in the order of the arrays below.
    a : numpy.ndarray
        ``(S, S)`` domestic technical coefficients.
    v : numpy.ndarray
        ``(S,)`` value added per unit of output.
    final_demand : numpy.ndarray
        ``(S,)`` domestic products bought per unit of project spending (the table's GFCF
        composition; the rest is imported).
    local_share : Dist
        Share of each indirect round's domestic purchases made inside the district.
    direct_local_share : float
        Share of the direct domestic purchases made inside the district.
    gfcf_share : float
        Share of project investment that is gross fixed capital formation (FAI also
        counts land purchases, which produce nothing).
    """

    table: str
    path: str
    sectors: tuple[str, ...]
    a: np.ndarray = field(repr=False, compare=False)
    v: np.ndarray = field(repr=False, compare=False)
    final_demand: np.ndarray = field(repr=False, compare=False)
    local_share: Dist = field(default_factory=lambda: Dist("fixed", (1.0,)))
    direct_local_share: float = 1.0
    gfcf_share: float = 1.0


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
