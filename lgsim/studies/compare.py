"""Compare scenarios on common random numbers: paired differences of P(met) and growth.

All scenarios run with the same seed and number of replications (the first scenario's,
unless given). lgsim's streams are keyed by (seed, replication, entity, field), so
replication ``i`` of every scenario sees the same luck for every entity the scenarios
share; the difference between two scenarios is then measured replication by replication
(*paired*), which is far more precise than comparing two independent estimates.

For scenario B against the first scenario A, with ``n`` replications:

* ``d_i = 1[met_B,i] − 1[met_A,i]``; the paired estimate of ``P_B − P_A`` is
  ``mean(d) ± 1.96 · sd(d) / √n`` (``sd`` with ``ddof = 1``);
* for contrast, the unpaired interval treats the two estimates as independent
  (Newcombe's hybrid score interval, method 10, from the two Wilson intervals);
* growth: ``e_i = G_B,i − G_A,i`` (fractions); the paired mean ``mean(e) ± 1.96 ·
  sd(e)/√n``, the unpaired ``mean(G_B) − mean(G_A) ± 1.96 · √(var_A/n + var_B/n)``,
  and P10/P50/P90 of ``e``.

A scenario compared with itself gives differences of exactly 0 with interval [0, 0].
All intervals are *simulation precision*; none includes uncertainty in the assumptions.

Examples
--------
>>> import lgsim
>>> c = lgsim.compare(["scenarios/base.toml", "scenarios/delay-6m.toml"],
...                   replications=500)                             # doctest: +SKIP
>>> print(c.to_text())                                              # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._format import display_width, pad, pct, pp, rjust, to_pct
from .._version import __version__
from ..analysis import (
    Z95,
    Interval,
    effective_sample_size,
    finite_or_none,
    newcombe_from,
    newcombe_interval,
    paired_interval,
    unpaired_mean_interval,
    weighted_mean,
    weighted_paired_interval,
    weighted_variance_of_mean,
)
from ..i18n import _
from ..montecarlo import run
from ..montecarlo.runner import resolve_seed
from ..results import Results
from ..scenario import Scenario, ScenarioError, load_scenario
from ..scenario.model import Target
from ..scenario.paths import ARRAY_KINDS

__all__ = [
    "Comparison",
    "Difference",
    "compare",
    "default_out_dir",
    "difference",
    "scenario_changes",
]

#: Letters that label the compared scenarios in tables (A is the reference).
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Difference:
    """One scenario against the reference (the first), replication by replication.

    Attributes
    ----------
    p_met_paired, p_met_unpaired : Interval
        ``P(met) − P_ref(met)``, fractions: paired (mean of ``d``) and unpaired
        (Newcombe) 95% intervals.
    growth_paired, growth_unpaired : Interval
        Difference of mean target-year growth, fractions.
    growth_quantiles : dict
        P10/P50/P90 of the per-replication growth difference, fractions.
    investment_paired : dict of Interval
        Paired ``ΔP(met)`` of each investment target both runs judge (``fai``,
        ``industrial_fai``...), fractions.
    fai_paired : Interval or None
        Paired difference of mean district FAI in the target year, 亿元 (None unless
        both runs model FAI).
    """

    p_met_paired: Interval
    p_met_unpaired: Interval
    growth_paired: Interval
    growth_unpaired: Interval
    growth_quantiles: dict[str, float]
    investment_paired: dict[str, Interval] = field(default_factory=dict)
    fai_paired: Interval | None = None
    #: density of the reference's target-year growth at the target's threshold, per pp
    #: (share of replications within ±``DENSITY_WINDOW_PP`` of it, over the window width)
    density_per_pp: float = math.nan

    def expected_dp_pp(self) -> float:
        """ΔP(met) a shift of the whole distribution by the mean Δgrowth would give, pp.

        ``density × Δgrowth``: the first-order effect of moving growth across the
        threshold. When the paired interval of ΔP(met) contains 0, this says how large
        the effect can be expected to be.
        """
        return self.density_per_pp * 100.0 * self.growth_paired.estimate

    def below_precision(self) -> bool:
        """True when the paired 95% interval of ΔP(met) contains 0 (and is not exactly 0)."""
        iv = self.p_met_paired
        return iv.low <= 0.0 <= iv.high and iv.high > iv.low


def difference(results: Results, reference: Results) -> Difference:
    """Paired and unpaired differences of ``results`` against ``reference``.

    Runs conditioned on published figures carry importance weights: their differences
    are differences of weighted means, with delta-method intervals
    (:func:`lgsim.analysis.weighted_paired_interval`); the per-replication growth
    differences are then weighted by the compared scenario's weights. When both runs
    estimate P(met) by conditional Monte Carlo, ΔP(met) is the paired difference of their
    conditional probabilities.
    """
    if results.n != reference.n:
        raise ValueError(_("paired differences need the same number of replications"))
    met1, met0 = results.met(), reference.met()
    g1, g0 = results.growth(), reference.growth()
    e = g1 - g0
    w1, w0 = results.weights, reference.weights
    if w1 is not None or w0 is not None:
        return _with_investment(_weighted_difference(results, reference, e), results,
                                reference)
    q = np.quantile(e, [0.1, 0.5, 0.9], method="linear")
    return _with_investment(Difference(
        p_met_paired=paired_flags(met1, None, met0, None, exact=not e.any()),
        p_met_unpaired=newcombe_interval(int(met1.sum()), met1.size, int(met0.sum()),
                                         met0.size),
        growth_paired=paired_interval(e),
        growth_unpaired=unpaired_mean_interval(g1, g0),
        growth_quantiles={"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])},
    ), results, reference)


def paired_flags(met1: np.ndarray, w1: np.ndarray | None, met0: np.ndarray,
                 w0: np.ndarray | None, *, exact: bool = False) -> Interval:
    """Paired ΔP of two per-replication flags, fractions.

    When no replication changes its flag the paired standard error is 0, which would
    claim a precision the sample does not have: the interval is then ``±3 / n`` (the
    "rule of three" 95% bound on the share of replications that could change, ``n`` the
    effective sample size of a weighted run) — unless ``exact``: the two runs are the same
    in every replication (the same target-year growth), so the difference is exactly 0.
    """
    if np.array_equal(met1, met0) and not exact:
        n = min(effective_sample_size(w1, met1.size), effective_sample_size(w0, met0.size))
        return Interval(0.0, -3.0 / n, 3.0 / n)
    return _paired(np.asarray(met1, dtype=float), w1, np.asarray(met0, dtype=float), w0)


def _same(w1: np.ndarray | None, w0: np.ndarray | None) -> bool:
    """True when two runs weight their replications the same (or neither weights them)."""
    if w1 is None or w0 is None:
        return w1 is None and w0 is None
    return bool(np.array_equal(w1, w0))


def _paired(x1: np.ndarray, w1: np.ndarray | None, x0: np.ndarray,
            w0: np.ndarray | None) -> Interval:
    """Paired difference of two (weighted) means on the same replications."""
    if w1 is None and w0 is None:
        return paired_interval(np.asarray(x1, dtype=float) - np.asarray(x0, dtype=float))
    return weighted_paired_interval(x1, w1, x0, w0)


#: Half-width of the window the growth density at the threshold is measured in, pp.
DENSITY_WINDOW_PP = 0.25


def density_at_threshold(results: Results) -> float:
    """Density of target-year growth at the rule's threshold, per pp of growth.

    The (weighted) share of replications within ±0.25 pp of the threshold, over 0.5 pp.
    """
    h = DENSITY_WINDOW_PP / 100.0
    g = results.growth()
    cut = results.scenario.target.threshold()
    inside = ((g >= cut - h) & (g < cut + h)).astype(float)
    return float(weighted_mean(inside, results.weights)) / (2 * DENSITY_WINDOW_PP)


def _with_investment(d: Difference, results: Results, reference: Results) -> Difference:
    """``d`` with the investment targets' and FAI's paired differences, and the density.

    The density is of the reference's growth at its threshold (:func:`density_at_threshold`).
    """
    f1, f0 = results.investment_flags(), reference.investment_flags()
    w1, w0 = results.weights, reference.weights
    investment = {k: paired_flags(f1[k], w1, f0[k], w0)
                  for k in f1 if k in f0}
    fai = None
    if "fai" in results.ds and "fai" in reference.ds:
        y = results.target_year
        fai = _paired(results.ds["fai"].sel(year=y).values, w1,
                      reference.ds["fai"].sel(year=y).values, w0)
    d = dataclasses.replace(d, investment_paired=investment, fai_paired=fai,
                            density_per_pp=density_at_threshold(reference))
    if results.smoothed and reference.smoothed:  # conditional Monte Carlo on both sides
        p1, p0 = results.ds["p_met_smooth"].values, reference.ds["p_met_smooth"].values
        s1, s0 = results.smooth_weights, reference.smooth_weights
        same = np.array_equal(results.growth(), reference.growth()) and _same(s1, s0)
        paired = (paired_flags(results.met(), w1, reference.met(), w0, exact=same)
                  if np.array_equal(p1, p0) else _paired(p1, s1, p0, s0))
        d = dataclasses.replace(d, p_met_paired=paired, p_met_unpaired=newcombe_from(
            results.p_target(), reference.p_target()))
    return d


def _weighted_difference(results: Results, reference: Results, e: np.ndarray) -> Difference:
    w1, w0 = results.weights, reference.weights
    g1, g0 = results.growth(), reference.growth()
    mean1, mean0 = float(weighted_mean(g1, w1)), float(weighted_mean(g0, w0))
    half = Z95 * math.sqrt(weighted_variance_of_mean(g1, w1)
                           + weighted_variance_of_mean(g0, w0))
    q = results.quantile_array(e, (0.1, 0.5, 0.9))
    return Difference(
        p_met_paired=paired_flags(results.met(), w1, reference.met(), w0,
                                  exact=not e.any() and _same(w1, w0)),
        p_met_unpaired=newcombe_from(results.p_target(), reference.p_target()),
        growth_paired=weighted_paired_interval(g1, w1, g0, w0),
        growth_unpaired=Interval(mean1 - mean0, mean1 - mean0 - half, mean1 - mean0 + half),
        growth_quantiles={"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])},
    )


# ---------------------------------------------------------------------- the comparison
class Comparison:
    """Several runs on common random numbers, the first being the reference.

    Build with :func:`compare`. ``results`` holds each scenario's
    :class:`~lgsim.results.Results`; ``differences`` (one per scenario after the first)
    the paired and unpaired differences against the first.
    """

    def __init__(self, results: Sequence[Results], labels: Sequence[str] | None = None) -> None:
        if len(results) < 2:
            raise ValueError(_("a comparison needs at least two runs"))
        self.results: tuple[Results, ...] = tuple(results)
        self.labels: tuple[str, ...] = tuple(labels or _unique_names(
            [r.scenario.name for r in self.results]))
        ref = self.results[0]
        for r in self.results[1:]:
            if r.n != ref.n or r.seed != ref.seed:
                raise ValueError(_("compared runs must share seed and replications"))
        self.differences: tuple[Difference, ...] = tuple(
            difference(r, ref) for r in self.results[1:]
        )

    @property
    def seed(self) -> int:
        """The common seed."""
        return self.results[0].seed

    @property
    def n(self) -> int:
        """Replications of each scenario."""
        return self.results[0].n

    @property
    def target_year(self) -> int:
        """The common target year."""
        return self.results[0].target_year

    # ------------------------------------------------------------------ tables
    def scenario_rows(self) -> list[dict[str, Any]]:
        """Per scenario: P(met) and interval, growth quantiles, listed investment (plain data).

        Probabilities and growth are fractions; investment in 亿元 (nominal).
        """
        rows = []
        for letter, label, r in zip(LETTERS, self.labels, self.results, strict=False):
            p = r.p_target()
            q = r.quantiles()
            inv = r.investment_vs_plan()
            listed = None
            if "listed" in inv.index:
                row = inv.loc["listed"]
                listed = {k: float(row[k]) for k in ("plan", "mean", "p10", "p50", "p90")}
            rows.append({
                "letter": letter,
                "label": label,
                "scenario": r.scenario.name,
                "title": r.scenario.title,
                "file": r.scenario.file,
                "target_growth": r.scenario.target.gdp_growth,
                "target_rule": r.scenario.target.rule(),
                "p_target_met": p.estimate,
                "p_target_met_ci": [p.low, p.high],
                "growth_quantiles": q,
                "growth_mean": float(weighted_mean(r.growth(), r.weights)),
                "expected_shortfall_pp": finite_or_none(r.expected_shortfall()),
                "listed_investment": listed,
            })
        return rows

    def difference_rows(self) -> list[dict[str, Any]]:
        """Per scenario after the first: its differences to the first (fractions)."""
        out = []
        for letter, label, d in zip(LETTERS[1:], self.labels[1:], self.differences,
                                    strict=False):
            out.append({
                "letter": letter,
                "label": label,
                "reference": self.labels[0],
                "p_target_met_diff": {
                    "estimate": d.p_met_paired.estimate,
                    "paired_ci": [d.p_met_paired.low, d.p_met_paired.high],
                    "unpaired_ci": [d.p_met_unpaired.low, d.p_met_unpaired.high],
                },
                "growth_diff": {
                    "mean": d.growth_paired.estimate,
                    "paired_ci": [d.growth_paired.low, d.growth_paired.high],
                    "unpaired_ci": [d.growth_unpaired.low, d.growth_unpaired.high],
                    "quantiles": d.growth_quantiles,
                },
                "investment_target_met_diff": {
                    k: {"estimate": iv.estimate, "paired_ci": [iv.low, iv.high]}
                    for k, iv in d.investment_paired.items()
                },
                "fai_diff": (None if d.fai_paired is None else {
                    "mean": d.fai_paired.estimate,
                    "paired_ci": [d.fai_paired.low, d.fai_paired.high]}),
            })
        return out

    def table(self) -> Any:
        """One row per scenario (the content of ``comparison.csv``), as a DataFrame.

        Names carry their unit: ``_pct`` percent (probabilities, growth), ``_pp``
        percentage points (``d_*``: differences to the first scenario, empty on its own
        row), ``_yi_yuan`` 亿元 (listed investment, nominal).
        """
        import pandas as pd

        records = []
        diffs = [None, *self.differences]
        for row, d in zip(self.scenario_rows(), diffs, strict=True):
            listed = row["listed_investment"] or {}
            q = row["growth_quantiles"]
            rec = {
                "letter": row["letter"], "scenario": row["scenario"], "title": row["title"],
                "target_growth_pct": to_pct(row["target_growth"]),
                "p_met_pct": to_pct(row["p_target_met"]),
                "p_met_low_pct": to_pct(row["p_target_met_ci"][0]),
                "p_met_high_pct": to_pct(row["p_target_met_ci"][1]),
                **{f"growth_{k}_pct": to_pct(q[k]) for k in ("p10", "p50", "p90")},
                "growth_mean_pct": to_pct(row["growth_mean"]),
                **{f"listed_{k}_yi_yuan": listed.get(k, math.nan)
                   for k in ("plan", "p10", "p50", "p90")},
            }
            ivs = {} if d is None else {
                "d_p_met": (d.p_met_paired.estimate, None),
                "d_p_met_paired": (d.p_met_paired.low, d.p_met_paired.high),
                "d_p_met_unpaired": (d.p_met_unpaired.low, d.p_met_unpaired.high),
                "d_growth_mean": (d.growth_paired.estimate, None),
                "d_growth_paired": (d.growth_paired.low, d.growth_paired.high),
                "d_growth_unpaired": (d.growth_unpaired.low, d.growth_unpaired.high),
            }
            for name in ("d_p_met", "d_p_met_paired", "d_p_met_unpaired", "d_growth_mean",
                         "d_growth_paired", "d_growth_unpaired"):
                lo, hi = ivs.get(name, (math.nan, math.nan))
                if name in ("d_p_met", "d_growth_mean"):
                    rec[f"{name}_pp"] = _pp_or_nan(lo)
                else:
                    rec[f"{name}_low_pp"], rec[f"{name}_high_pp"] = _pp_or_nan(lo), _pp_or_nan(hi)
            for k in ("p10", "p50", "p90"):
                rec[f"d_growth_{k}_pp"] = _pp_or_nan(d.growth_quantiles[k] if d else math.nan)
            rec.update(_investment_columns(d, self.differences))
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data (the content of ``comparison.json``).

        Names carry their unit: ``_pct`` percent, ``_pp`` percentage points, ``_yi_yuan``
        亿元 (a table's name gives the unit of its numbers).
        """
        return {
            "kind": "comparison",
            "seed": self.seed,
            "replications": self.n,
            "target_year": self.target_year,
            "units": ("names end with their unit: _pct percent (6.0 = 6%), _pp percentage "
                      "points, _yi_yuan 亿元 (nominal)"),
            "method": (
                "common random numbers: every scenario runs with the same seed and "
                "replications, so replication i sees the same draws for every shared "
                "entity. Paired: mean of per-replication differences ± 1.96·sd/√n. "
                "Unpaired (for contrast): Newcombe hybrid score interval for P(met), "
                "±1.96·√(var_A/n + var_B/n) for mean growth. All intervals are simulation "
                "precision, not uncertainty in the assumptions."
            ),
            "scenarios": _clean([_labelled(r) for r in self.scenario_rows()]),
            "differences": _clean([_labelled(r) for r in self.difference_rows()]),
            "changes": {
                label: scenario_changes(self.results[0], r)
                for label, r in zip(self.labels[1:], self.results[1:], strict=True)
            },
            "lgsim_version": __version__,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def to_text(self, out_dir: str | None = None) -> str:
        """The comparison as a terminal table (Chinese titles aligned by display width)."""
        rows = self.scenario_rows()
        ref = self.results[0]
        y = self.target_year
        width = max(display_width(r["title"]) for r in rows) + 2
        lines = [
            _("Comparison on common random numbers: {count} scenarios, {n:,} replications "
              "each, seed {seed}").format(count=len(rows), n=self.n, seed=self.seed),
            _("Target {year}: GDP growth {target} — rule (A): {rule}").format(
                year=y, target=pct(ref.scenario.target.gdp_growth, 2),
                rule=ref.scenario.target.rule(_)),
        ]
        for row, r in zip(rows[1:], self.results[1:], strict=True):
            if row["target_rule"] != rows[0]["target_rule"]:
                lines.append(_("  rule ({letter}): {rule}").format(
                    letter=row["letter"], rule=r.scenario.target.rule(_)))
        heads = [_("P(met)"), _("{p95} sim. precision").format(p95="95%"), _("growth P10"),
                 _("listed investment P50 / plan")]
        w_p = max(6, display_width(heads[0]))
        lines += [
            "",
            "   " + pad(_("scenario"), width) + rjust(heads[0], w_p) + "  "
            + pad(heads[1], 20) + rjust(heads[2], 11) + f" {'P50':>6} {'P90':>6}   "
            + heads[3],
        ]
        for row in rows:
            lo, hi = row["p_target_met_ci"]
            q = row["growth_quantiles"]
            listed = row["listed_investment"]
            inv = (f"{listed['p50']:5.1f} / {listed['plan']:.1f}亿" if listed else "    —")
            lines.append(
                f"{row['letter']}  " + pad(row["title"], width)
                + rjust(pct(row["p_target_met"]), w_p) + "  " + f"[{pct(lo)}, {pct(hi)}]".ljust(20)
                + f"{pct(q['p10']):>11} {pct(q['p50']):>6} {pct(q['p90']):>6}   {inv}"
            )
        lines += [
            "",
            _("Difference to A, replication by replication (d = 1[met] − 1[met A]; "
              "percentage points):"),
        ]
        for row, d in zip(rows[1:], self.differences, strict=True):
            lines += _difference_lines(row, d, y)
        lines += [
            "",
            _("  (intervals are simulation precision, not uncertainty in the assumptions; the"),
            _("   paired interval uses the same draws in every scenario, the unpaired one "
              "ignores that)"),
        ]
        if out_dir is not None:
            lines += ["", _("Wrote {path}").format(path=out_dir)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        names = " vs ".join(self.labels)
        return f"<lgsim.Comparison {names}: {self.n:,} replications, seed {self.seed}>"


def _ci(iv: Interval, digits: int = 2) -> str:
    return f"[{pp(iv.low, digits)}, {pp(iv.high, digits)}]"


def _difference_lines(row: dict[str, Any], d: Difference, year: int) -> list[str]:
    """The terminal lines of one scenario's differences to the reference."""
    q = d.growth_quantiles
    lines = [
        f"{row['letter']} − A  {row['title']}",
        _("    ΔP(met)       {d:>7} pp   paired 95% {paired:<18}   unpaired 95% {unpaired}")
        .format(d=pp(d.p_met_paired.estimate), paired=_ci(d.p_met_paired),
                unpaired=_ci(d.p_met_unpaired)),
        _("    Δgrowth mean  {d:>7} pp   paired 95% {paired:<18}   unpaired 95% {unpaired}")
        .format(d=pp(d.growth_paired.estimate, 3), paired=_ci(d.growth_paired, 3),
                unpaired=_ci(d.growth_unpaired, 3)),
        _("    Δgrowth per replication: P10 {p10}  P50 {p50}  P90 {p90} pp").format(
            p10=pp(q["p10"], 3), p50=pp(q["p50"], 3), p90=pp(q["p90"], 3)),
    ]
    if d.below_precision():
        lines.append(
            _("    ΔP(met) is within its simulation precision: the mean Δgrowth of {d} pp "
              "times the density of growth at the threshold, {density:.3f} per pp, suggests "
              "about {expected:+.4f} pp").format(
                d=pp(d.growth_paired.estimate, 4), density=d.density_per_pp,
                expected=d.expected_dp_pp()))
    for key, iv in d.investment_paired.items():
        lines.append(_("    ΔP({key} met) {d:>6} pp   paired 95% {paired}").format(
            key=Target.investment_name(key, _), d=pp(iv.estimate), paired=_ci(iv)))
    if d.fai_paired is not None:
        iv = d.fai_paired
        lines.append(_("    ΔFAI {year} mean {d:+8.1f}亿   paired 95% [{low:+.1f}, {high:+.1f}]亿")
                     .format(year=year, d=iv.estimate, low=iv.low, high=iv.high))
    return lines


# ---------------------------------------------------------------------- entry point
def compare(
    scenarios: Sequence[Scenario | str | os.PathLike[str]],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Run scenarios on common random numbers and compare them with the first.

    Parameters
    ----------
    scenarios : sequence of Scenario or path
        Two or more scenarios (objects from :func:`lgsim.load_scenario` or file paths);
        the first is the reference.
    replications : int, optional
        Replications of every scenario (default: the first scenario's).
    seed : int, optional
        Seed of every scenario (default: the first scenario's, else a random 63-bit
        seed, recorded).
    workers : int, optional
        Worker processes (default: all cores); results do not depend on it.
    progress : callable, optional
        Called with the number of replications finished after each chunk.

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        If a file is invalid or the scenarios have different target years.
    """
    loaded = [
        s if isinstance(s, Scenario) else load_scenario(os.fspath(s)) for s in scenarios
    ]
    if len(loaded) < 2:
        raise ValueError(_("compare needs at least two scenarios"))
    first = loaded[0]
    for s in loaded[1:]:
        if s.target_year != first.target_year:
            raise ScenarioError(
                s.file, "scenario.target_year",
                _("{target_year}, the target year of {name} (scenarios compared must share it)")
                .format(target_year=first.target_year, name=first.name), str(s.target_year),
            )
    n = int(replications if replications is not None else first.replications)
    run_seed = resolve_seed(seed, first)
    results = [
        # every scenario on the same replications (a conditioned one does not add any)
        run(s, replications=n, seed=run_seed, workers=workers, progress=progress,
            max_replications=n)
        for s in loaded
    ]
    return Comparison(results)


def default_out_dir(names: Sequence[str], root: str | Path = "runs") -> Path:
    """``runs/compare-<a>-vs-<b>…``, shortened to ``…-and-<k>-more`` when long."""
    stem = "compare-" + "-vs-".join(names)
    if len(stem) > 60 and len(names) > 2:
        stem = f"compare-{names[0]}-vs-{names[1]}-and-{len(names) - 2}-more"
    return Path(root) / stem[:80]


# ---------------------------------------------------------------------- what changed

_IGNORED = {"scenario.name", "scenario.seed", "scenario.replications"}


def _flatten(doc: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and not ({"dist", "a", "b"} & set(value)):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            out[prefix] = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    for key, value in doc.items():
        if key == "sources":
            continue
        if key in ARRAY_KINDS and isinstance(value, list):
            for entry in value:
                ident = entry.get("id", "?")
                for k, v in entry.items():
                    if k != "id":
                        walk(f"{key}[{ident}].{k}", v)
        else:
            walk(key, value)
    return out


def scenario_changes(reference: Results, results: Results) -> list[dict[str, str | None]]:
    """Key paths whose resolved values differ between two runs' scenarios.

    Returns
    -------
    list of dict
        ``{"path", "reference", "value"}`` with TOML-like JSON text (``None`` when the
        key is absent on that side); ``[sources]``, name, seed and replications ignored.
    """
    a = _flatten(tomllib.loads(reference.ds.attrs["scenario_toml"]))
    b = _flatten(tomllib.loads(results.ds.attrs["scenario_toml"]))
    keys = [k for k in dict.fromkeys([*a, *b]) if k not in _IGNORED and a.get(k) != b.get(k)]
    return [{"path": k, "reference": a.get(k), "value": b.get(k)} for k in keys]


# ---------------------------------------------------------------------- helpers
def _unique_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


#: Fields of :meth:`Comparison.scenario_rows` / ``difference_rows`` and their file names.
_LABELS = {
    "target_growth": "target_growth_pct", "p_target_met": "p_target_met_pct",
    "p_target_met_ci": "p_target_met_ci_pct", "growth_quantiles": "growth_quantiles_pct",
    "growth_mean": "growth_mean_pct", "p_target_met_diff": "p_target_met_diff_pp",
    "growth_diff": "growth_diff_pp", "listed_investment": "listed_investment_yi_yuan",
    "investment_target_met_diff": "investment_target_met_diff_pp", "fai_diff": "fai_diff_yi_yuan",
}


def _percent(value: Any) -> Any:
    """Fractions → percent numbers, recursively (``to_pct``)."""
    if isinstance(value, dict):
        return {k: _percent(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_percent(v) for v in value]
    return to_pct(value) if isinstance(value, float | np.floating) else value


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A row with unit-labelled names and percent values (money stays in 亿元)."""
    out = {}
    for key, value in row.items():
        name = _LABELS.get(key, key)
        converted = key in _LABELS and name.endswith(("_pct", "_pp"))
        out[name] = _percent(value) if converted else value
    return out


def _investment_columns(d: Difference | None,
                        differences: Sequence[Difference]) -> dict[str, float]:
    """``d_p_<key>_met_pp`` (with paired bounds) per investment target, ``d_fai_*_yi_yuan``."""
    keys = sorted({k for x in differences for k in x.investment_paired})
    out: dict[str, float] = {}
    for key in keys:
        iv = None if d is None else d.investment_paired.get(key)
        out[f"d_p_{key}_met_pp"] = _pp_or_nan(iv.estimate if iv else math.nan)
        out[f"d_p_{key}_met_paired_low_pp"] = _pp_or_nan(iv.low if iv else math.nan)
        out[f"d_p_{key}_met_paired_high_pp"] = _pp_or_nan(iv.high if iv else math.nan)
    if any(x.fai_paired is not None for x in differences):
        iv = None if d is None else d.fai_paired
        out["d_fai_mean_yi_yuan"] = iv.estimate if iv else math.nan
        out["d_fai_paired_low_yi_yuan"] = iv.low if iv else math.nan
        out["d_fai_paired_high_yi_yuan"] = iv.high if iv else math.nan
    return out


def _pp_or_nan(x: float) -> float:
    """A difference of fractions in percentage points (NaN stays NaN: an empty cell)."""
    value = to_pct(x)
    return math.nan if value is None else value


def _clean(value: Any) -> Any:
    """NaN → None, numpy scalars → float, recursively (for JSON)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return finite_or_none(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value
