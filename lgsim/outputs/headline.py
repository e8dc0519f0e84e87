"""Plain-text headline of a run for the terminal (Chinese names aligned by display width)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._format import pad, pct
from ..analysis import quantiles

if TYPE_CHECKING:  # pragma: no cover
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
        f"[{pct(p.low)}, {pct(p.high)}]  (n = {p.n:,})",
        "  (the interval is the precision of the simulation, not uncertainty in the "
        "scenario's assumptions)",
        f"Growth {y}: P10 {pct(q['p10'])}  P50 {pct(q['p50'])}  P90 {pct(q['p90'])}"
        + (
            f"   expected shortfall when missed: {r.expected_shortfall():.2f} pp"
            if not math.isnan(r.expected_shortfall()) else ""
        ),
    ]
    req = r.required_growth()
    if req is not None:
        m = req["through_month"]
        lines.append(
            f"Actual {y} 1–{m}月 GDP growth {pct(req['observed_ytd'])}: to reach the target, "
            f"{m + 1}–12月 must grow {pct(req['required_rest'])} (倒逼增速; P10–P90 over "
            f"replications {pct(req['p10'])}–{pct(req['p90'])})"
            if m < 12 else f"Actual {y} 1–12月 GDP growth {pct(req['observed_ytd'])}"
        )
    inv = r.investment_vs_plan()
    if "listed" in inv.index:
        row = inv.loc["listed"]
        lines.append(
            f"Listed projects with a {y} plan: investment P50 {row['p50']:.1f}亿 "
            f"(P10–P90 {row['p10']:.1f}–{row['p90']:.1f}) vs plan {row['plan']:.1f}亿"
        )
    comp = r.ds["component_pp"].sel(year=y)
    listed = comp.where(comp["component_kind"].isin(["project", "batch", "pipeline"]), 0.0)
    shocks = comp.where(comp["component_kind"] == "shock", 0.0)
    if len(sc.projects) + len(sc.batches) + len(sc.pipelines):
        lp = quantiles(listed.sum("component").values)
        sp = quantiles(shocks.sum("component").values)
        lines.append(
            f"Contribution to {y} growth: listed projects {lp['p50']:+.2f} pp (P10 "
            f"{lp['p10']:+.2f} to P90 {lp['p90']:+.2f}); shocks {sp['p50']:+.2f} pp "
            f"(P10 {sp['p10']:+.2f} to P90 {sp['p90']:+.2f})"
        )
    if sc.target.fai is not None:
        lines.append(
            f"District FAI target {sc.target.fai:,.0f}亿: not modelled (no [economy] fai_growth)"
        )
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
