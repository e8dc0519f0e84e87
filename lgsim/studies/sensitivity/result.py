"""The result of a sensitivity method: a ranked table, as text, CSV, HTML and a chart.

:class:`SensitivityResult` holds the table (one row per input, rank 1 moves P(target met)
most) with the seed, replications and settings that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._format import display_width, pad, pct
from ...i18n import _, localized
from ...montecarlo.outcomes import Outcome
from ...scenario.model import Target
from .inputs import QUANTILE_BOUNDS


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

    def _repr_html_(self) -> str:
        import html

        head = html.escape(_header(self).replace("\n", " "))
        return f"<p>{head}</p>" + self.table.to_html(index=False, float_format="%.4g")


def _rank(table: Any, keys: list[str]) -> Any:
    order = np.lexsort(tuple(-np.nan_to_num(np.abs(table[k].to_numpy()), nan=-1.0)
                             for k in reversed(keys)))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _value(x: float, unit: str) -> str:
    if unit == "fraction":
        return f"{100 * x:.2f}%"
    if unit == "event":
        return _("yes") if x >= 0.5 else _("no")
    if unit == "months":
        return _("{months:.2f} mo").format(months=x)
    if unit == "亿元":
        return f"{x:.2f}亿"
    if unit == "hectares":
        return _("{hectares:.1f} ha").format(hectares=x)
    return f"{x:.4g}"


def _header(r: SensitivityResult) -> str:
    lines = [_("Sensitivity ({method}) — {title}  [{scenario}]").format(
        method=r.method, title=r.title, scenario=r.scenario)]
    if r.method == "tornado":
        lo, hi = r.settings["low"], r.settings["high"]
        lines.append(
            _("Each uncertain input set to its P{low} and P{high} (a fixed value), the rest "
              "random; {runs} runs × {n:,} replications, all on seed {seed} (common random "
              "numbers).").format(low=round(100 * lo), high=round(100 * hi),
                                  runs=r.evaluations, n=r.replications, seed=r.seed)
        )
        if r.base is not None:
            p = r.base.p_met
            target = r.settings.get("target")
            lines.append(
                _("Base: P(target met) {p} [{p95} simulation precision {low}–{high}]; median "
                  "growth {median}; rule: {rule}").format(
                    p95="95%", p=pct(p.estimate), low=pct(p.low), high=pct(p.high),
                    median=pct(r.base.median, 2), rule=p.rule if target is None else target.rule(_))
            )
    else:
        what = (_("Sobol indices (first-order S1, total ST)") if r.method == "sobol"
                else _("Morris elementary effects (mu*, sigma; pp per unit of quantile)"))
        lines.append(
            _("{what} over the inputs' quantiles {low}–{high}; {n:,} sample points × "
              "{replications:,} replications each, all on seed {seed} (common random numbers "
              "average the simulator's noise).").format(
                what=what, low=QUANTILE_BOUNDS[0], high=QUANTILE_BOUNDS[1], n=r.evaluations,
                replications=r.replications, seed=r.seed)
        )
    lines.extend(_("warning: {message}").format(message=localized(w))
                 for w in r.settings.get("warnings", ()))
    return "\n".join(lines)


def _text(r: SensitivityResult, top: int | None) -> str:
    t = r.table if top is None else r.table.head(top)
    w = max([display_width(str(x)) for x in t["label"]] + [20]) + 2
    lines = [_header(r), ""]
    if r.method == "tornado":
        lo, hi = round(100 * r.settings["low"]), round(100 * r.settings["high"])
        extra = [c[2:-len("_met_swing_pp")] for c in t.columns
                 if c.startswith("p_") and c.endswith("_met_swing_pp") and c != "p_met_swing_pp"]
        heads = {k: _("ΔP({name}) pp").format(name=Target.investment_name(k, _)) for k in extra}
        widths = {k: max(12, display_width(h) + 2) for k, h in heads.items()}
        lines.append(
            "  #  " + pad(_("input"), w)
            + pad(_("value P{low} → P{high}").format(low=lo, high=hi), 24)
            + pad(_("P(met) P10 → P90"), 19) + pad(_("Δ pp"), 8)
            + pad(_("median P10 → P90"), 19) + pad(_("Δ pp"), 8)
            + "".join(pad(heads[k], widths[k]) for k in extra)
        )
        for _i, row in t.iterrows():
            vals = f"{_value(row.value_low, row.unit)} → {_value(row.value_high, row.unit)}"
            pm = f"{pct(row.p_met_low)} → {pct(row.p_met_high)}"
            gm = f"{pct(row.growth_p50_low, 2)} → {pct(row.growth_p50_high, 2)}"
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w) + pad(vals, 24) + pad(pm, 19)
                + pad(f"{row.p_met_swing_pp:+.1f}", 8) + pad(gm, 19)
                + pad(f"{row.growth_p50_swing_pp:+.2f}", 8)
                + "".join(pad(f"{row[f'p_{k}_met_swing_pp']:+.1f}", widths[k]) for k in extra)
            )
            lines.append("     " + str(row.path))
    elif r.method == "sobol":
        lines.append(
            "  #  " + pad(_("input"), w) + _("ST P(met) ±95%    S1 P(met) ±95%    "
                                              "ST median  S1 median")
        )
        for _i, row in t.iterrows():
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w)
                + f"{row.ST_p_met:6.3f} ±{row.ST_p_met_conf:5.3f}    "
                + f"{row.S1_p_met:6.3f} ±{row.S1_p_met_conf:5.3f}    "
                + f"{row.ST_growth_p50:6.3f}     {row.S1_growth_p50:6.3f}"
            )
            lines.append("     " + str(row.path))
    else:
        lines.append(
            "  #  " + pad(_("input"), w) + _("mu* P(met) pp ±95%   sigma pp   mu* median pp")
        )
        for _i, row in t.iterrows():
            lines.append(
                f"{row['rank']:3d}  " + pad(str(row.label), w)
                + f"{row.mu_star_p_met_pp:8.2f} ±{row.mu_star_p_met_conf_pp:6.2f}   "
                + f"{row.sigma_p_met_pp:8.2f}   {row.mu_star_growth_p50_pp:10.3f}"
            )
            lines.append("     " + str(row.path))
    if top is not None and len(r.table) > top:
        lines.append(_("  … {count} more inputs in the CSV").format(count=len(r.table) - top))
    return "\n".join(lines)

