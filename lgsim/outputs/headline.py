"""Plain-text headline of a run for the terminal (Chinese names aligned by display width)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._format import pad, pct
from ..analysis import quantiles

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Probability
    from ..results import Results


def headline(results: Results, out_dir: str | None = None) -> str:
    """The headline of a run: target and rule, P(met), growth quantiles, plan, contributions."""
    r = results
    sc = r.scenario
    y = r.target_year
    p = r.p_target()
    q = r.quantiles()
    lines = [
        f"{sc.title}  [{sc.name}]",
        f"{r.n:,} replications · seed {r.seed} · lgsim {r.ds.attrs['lgsim_version']}",
        "",
        f"Target {y}: GDP growth {pct(sc.target.gdp_growth, 2)} — rule: {sc.target.rule()}",
        f"P(target met) = {pct(p.estimate)}   95% simulation precision "
        f"[{pct(p.low)}, {pct(p.high)}]  (n = {p.n:,}"
        + ("" if p.ess is None else f"; effective {p.ess:,.0f}") + ")",
        "  (the interval is the precision of the simulation, not uncertainty in the "
        "scenario's assumptions)",
        *_estimator_lines(p),
        f"Growth {y}: P10 {pct(q['p10'])}  P50 {pct(q['p50'])}  P90 {pct(q['p90'])}"
        + (
            f"   expected shortfall when missed: {r.expected_shortfall():.2f} pp"
            if not math.isnan(r.expected_shortfall()) else ""
        ),
    ]
    cond = r.conditioning()
    if cond is not None:
        lines += conditioning_lines(r, cond)
    req = r.required_growth()
    if req is not None:
        m = req["through_month"]
        lines.append(
            f"{y} 1–{m}月 GDP growth {pct(req['model_ytd'])} given the figures (published "
            f"{pct(req['observed_ytd'])}): to reach the target, {m + 1}–12月 must grow "
            f"{pct(req['required_rest'])} (倒逼增速; P10–P90 {pct(req['p10'])}–"
            f"{pct(req['p90'])})"
            if m < 12 else
            f"{y} 1–12月 GDP growth {pct(req['model_ytd'])} given the figures (published "
            f"{pct(req['observed_ytd'])})"
        )
    inv = r.investment_vs_plan()
    if "listed" in inv.index:
        row = inv.loc["listed"]
        lines.append(
            f"Listed projects with a {y} plan: investment P50 {row['p50']:.1f}亿 "
            f"(P10–P90 {row['p10']:.1f}–{row['p90']:.1f}) vs plan {row['plan']:.1f}亿"
        )
    lines += listed_lines(r)
    lines += investment_lines(r) + year_lines(r)
    sub = r.p_subtargets()
    names = {s.id: s.name for s in sc.sectors} | {s.id: s.name for s in sc.streets}
    for kind in ("sectors", "streets"):
        for ident, prob in sub[kind].items():
            lines.append(
                f"Sub-target {names[ident]} ({ident}) {prob.rule}: P = {pct(prob.estimate)} "
                f"[{pct(prob.low)}, {pct(prob.high)}]"
            )
    if sc.target.streets and not sc.street_data:
        lines.append(
            f"Street targets ({len(sc.target.streets)}): not judged — street value added is "
            "allocated by population share (street.share), not street data"
        )
    table = r.contributions("sector")
    lines += ["", pad(f"Contributions to {y} growth by sector (pp)", 44) + "   P50    P10    P90"]
    for ident, row in table.iterrows():
        label = f"  {row['name']} {ident}"
        lines.append(
            pad(label, 44) + f"{row['p50']:6.2f} {row['p10']:6.2f} {row['p90']:6.2f}"
        )
    lines.append(pad("  sum of means = mean GDP growth", 44) + f"{table['mean'].sum():6.2f}")
    if out_dir is not None:
        lines += ["", f"Wrote {out_dir}"]
    return "\n".join(lines)


def listed_lines(results: Results) -> list[str]:
    """The listed projects' and the shocks' contributions, and spending's value added."""
    r = results
    sc = r.scenario
    if not len(sc.projects) + len(sc.batches) + len(sc.pipelines):
        return []
    y = r.target_year
    comp = r.ds["component_pp"].sel(year=y)
    listed = comp.where(comp["component_kind"].isin(["project", "batch", "pipeline"]), 0.0)
    shocks = comp.where(comp["component_kind"] == "shock", 0.0)
    lp = quantiles(listed.sum("component").values, weights=r.weights)
    sp = quantiles(shocks.sum("component").values, weights=r.weights)
    return [
        f"Contribution to {y} growth: listed projects {lp['p50']:+.2f} pp (P10 "
        f"{lp['p10']:+.2f} to P90 {lp['p90']:+.2f}); shocks {sp['p50']:+.2f} pp "
        f"(P10 {sp['p10']:+.2f} to P90 {sp['p90']:+.2f})",
        *spending_lines(r),
    ]


def _estimator_lines(p: Probability) -> list[str]:
    """How the probability was estimated, when by conditional Monte Carlo."""
    if p.method != "conditional" or p.variance_reduction is None:
        return []
    return [f"  (conditional Monte Carlo: the same precision by counting replications that "
            f"meet the target would need {p.variance_reduction:,.1f}× as many)"]


def spending_lines(results: Results) -> list[str]:
    """Listed projects' 拉动 split into direct and indirect, and value added per 亿元."""
    sp = results.spending()
    if sp is None:
        return ["  (spending counts only the works formula's direct value added, the lower "
                "bound; add [io] for supply-chain spillovers)"]
    comp = results.contributions("component")
    kinds = comp.index.str.split(":").str[0]
    listed = comp[kinds.isin(["project", "batch", "pipeline"])]
    indirect = listed.index.str.endswith(":indirect")
    return [
        f"  of which direct and operating {listed.loc[~indirect, 'mean'].sum():+.3f} pp, "
        f"indirect (supply chain) {listed.loc[indirect, 'mean'].sum():+.3f} pp (means)",
        f"  per 亿元 of real additional spending ({sp['table']}): direct {sp['direct']:.3f}, "
        f"indirect {sp['indirect']:.3f} (P10–P90 {sp['indirect_p10']:.3f}–"
        f"{sp['indirect_p90']:.3f}), leakage {sp['leakage']:.3f}",
    ]


def investment_lines(results: Results) -> list[str]:
    """District FAI and industrial investment: level, P(target met), listed share, YTD."""
    fai = results.fai()
    if fai is None:
        return []
    y = results.target_year
    probs = results.p_investment()
    names = {"fai": "District FAI 固定资产投资", "industrial_fai": "Industrial investment 工业投资"}
    lines = []
    for quantity, block in fai.items():
        lv, g = block["level"], block["growth"]
        lines.append(
            f"{names[quantity]} {y}: P50 {lv['p50']:,.1f}亿 (P10–P90 {lv['p10']:,.1f}–"
            f"{lv['p90']:,.1f}), growth P50 {pct(g['p50'])}; listed projects "
            f"{pct(block['listed_share'])} of it"
        )
        for key in (quantity, f"{quantity}_growth"):
            if key in probs:
                prob = probs[key]
                lines.append(f"  P({prob.rule}) = {pct(prob.estimate)} [{pct(prob.low)}, "
                             f"{pct(prob.high)}]")
        ytd = block["ytd_growth"]
        lines.append("  year-to-date growth P50: " + "  ".join(
            f"1–{m}月 {pct(v)}" for m, v in zip(ytd["month"], ytd["p50"], strict=True)
            if m in (2, 3, 6, 9, 12)))
    return lines


def year_lines(results: Results) -> list[str]:
    """P(GDP target met) for every year with a target, and P(all of them met)."""
    by_year = results.p_by_year()
    if len(by_year) < 2:
        return []
    parts = [f"{y} ({pct(results.target_of(y).gdp_growth, 2)}) {pct(p.estimate)}"
             for y, p in by_year.items()]
    every = results.p_all_years()
    return [f"P(GDP target met) by year: {' · '.join(parts)}; every year "
            f"{pct(every.estimate)} [{pct(every.low)}, {pct(every.high)}]"]


def conditioning_lines(results: Results, cond: dict) -> list[str]:
    """What the published figures did: prior and posterior P(met), effective sample size."""
    p = results.p_target()
    used = [f for f in cond["figures"] if f["sd"] is not None]
    prior = cond.get("prior_p_target_met")
    before = "n/a" if prior is None else pct(prior)
    lines = [
        f"Conditioned on {len(used)} published figure(s): P(target met) {before} under the "
        f"prior → {pct(p.estimate)} given the figures (effective sample size "
        f"{cond['ess']:,.0f} of {results.n:,} replications)",
    ]
    floor = cond.get("min_ess")
    if floor is not None and cond["ess"] < floor:
        lines.append(
            f"  WARNING: the effective sample size {cond['ess']:,.0f} is below {floor:,.0f}: "
            "the figures leave few replications that count; the probability is imprecise "
            "(see its interval) — check the figures and their sd, or run more replications"
        )
    for f in used:
        lines.append(
            f"  {f['label']}: published {pct(f['value'])} (sd {100 * f['sd']:.2f} pp); "
            f"model given all figures {pct(f['model_mean'])} (P10–P90 "
            f"{pct(f['model_p10'])}–{pct(f['model_p90'])})"
        )
    return lines
