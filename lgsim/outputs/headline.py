"""Plain-text headline of a run for the terminal (Chinese names aligned by display width)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._format import pad, pct, rjust
from ..analysis import quantiles
from ..i18n import N_, _, localized

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Probability
    from ..results import Results


#: The names of the district's investment totals.
_INVESTMENT = {"fai": N_("District FAI 固定资产投资"),
               "industrial_fai": N_("Industrial investment 工业投资")}


def headline(results: Results, out_dir: str | None = None) -> str:
    """The headline of a run: target and rule, P(met), growth quantiles, plan, contributions."""
    r = results
    sc = r.scenario
    y = r.target_year
    p = r.p_target()
    q = r.quantiles()
    lines = [
        f"{sc.title}  [{sc.name}]",
        _("{n:,} replications · seed {seed} · lgsim {version}").format(
            n=r.n, seed=r.seed, version=r.ds.attrs["lgsim_version"]),
        "",
        _("Target {year}: GDP growth {target} — rule: {rule}").format(
            year=y, target=pct(sc.target.gdp_growth, 2), rule=sc.target.rule(_)),
        _("P(target met) = {p}   {p95} simulation precision [{low}, {high}]  (n = {n:,}{ess})")
        .format(p95="95%", p=pct(p.estimate), low=pct(p.low), high=pct(p.high), n=p.n,
                ess="" if p.ess is None else _("; effective {ess:,.0f}").format(ess=p.ess)),
        _("  (the interval is the precision of the simulation, not uncertainty in the "
          "scenario's assumptions)"),
        *_estimator_lines(p),
        _("Growth {year}: P10 {p10}  P50 {p50}  P90 {p90}").format(
            year=y, p10=pct(q["p10"]), p50=pct(q["p50"]), p90=pct(q["p90"]))
        + (
            _("   expected shortfall when missed: {shortfall:.2f} pp").format(
                shortfall=r.expected_shortfall())
            if not math.isnan(r.expected_shortfall()) else ""
        ),
    ]
    cond = r.conditioning()
    if cond is not None:
        lines += conditioning_lines(r, cond)
    lines += _required_lines(r)
    inv = r.investment_vs_plan()
    if "listed" in inv.index:
        row = inv.loc["listed"]
        lines.append(
            _("Listed projects with a {year} plan: investment P50 {p50:.1f}亿 (P10–P90 "
              "{p10:.1f}–{p90:.1f}) vs plan {plan:.1f}亿").format(
                year=y, p50=row["p50"], p10=row["p10"], p90=row["p90"], plan=row["plan"])
        )
    lines += listed_lines(r)
    lines += investment_lines(r) + year_lines(r)
    lines += _subtarget_lines(r)
    table = r.contributions("sector")
    # means first: they add up to mean growth (the last line); medians do not add up
    lines += ["", pad(_("Contributions to {year} growth by sector (pp)").format(year=y), 44)
              + rjust(_("mean"), 6) + "    P50    P10    P90"]
    for ident, row in table.iterrows():
        label = f"  {row['name']} {ident}"
        lines.append(pad(label, 44) + f"{row['mean']:6.2f} {row['p50']:6.2f} "
                     f"{row['p10']:6.2f} {row['p90']:6.2f}")
    lines.append(pad(_("  sum of means = mean GDP growth"), 44) + f"{table['mean'].sum():6.2f}")
    if out_dir is not None:
        lines += ["", _("Wrote {path}").format(path=out_dir)]
    return "\n".join(lines)


def _required_lines(r: Results) -> list[str]:
    """The growth the rest of the year needs (倒逼增速), given the published figures."""
    y = r.target_year
    req = r.required_growth()
    if req is None:
        return []
    m = req["through_month"]
    return [
        _("{year} 1–{month}月 GDP growth {model} given the figures (published "
          "{published}): to reach the target, {next}–12月 must grow {rest} (倒逼增速; "
          "P10–P90 {p10}–{p90})").format(
            year=y, month=m, model=pct(req["model_ytd"]),
            published=pct(req["observed_ytd"]), next=m + 1,
            rest=pct(req["required_rest"]), p10=pct(req["p10"]), p90=pct(req["p90"]))
        if m < 12 else
        _("{year} 1–12月 GDP growth {model} given the figures (published {published})")
        .format(year=y, model=pct(req["model_ytd"]), published=pct(req["observed_ytd"]))
    ]


def _subtarget_lines(r: Results) -> list[str]:
    """P(met) of each sector and street sub-target; street targets not judged, and why."""
    sc = r.scenario
    sub = r.p_subtargets()
    names = {s.id: s.name for s in sc.sectors} | {s.id: s.name for s in sc.streets}
    lines = []
    for kind in ("sectors", "streets"):
        for ident, prob in sub[kind].items():
            goal = getattr(sc.target, kind)[ident]
            lines.append(
                _("Sub-target {name} ({id}) {rule}: P = {p} [{low}, {high}]").format(
                    name=names[ident], id=ident,
                    rule=_("growth >= {bar}").format(bar=f"{100 * goal:.4g}%"),
                    p=pct(prob.estimate), low=pct(prob.low), high=pct(prob.high))
            )
    for t, prob in r.p_indicators():
        lines.append(_("Indicator target {name} ({id}) {rule}: not modelled — {reason}").format(
            name=t.label, id=t.key.removeprefix("indicator:"), rule=localized(t.rule),
            reason=localized(t.reason))
            if prob is None else
            _("Indicator target {name} ({id}) {rule}: P = {p} [{low}, {high}]").format(
                name=t.label, id=t.key.removeprefix("indicator:"), rule=localized(t.rule),
                p=pct(prob.estimate), low=pct(prob.low), high=pct(prob.high)))
    if sc.target.streets and not sc.street_data:
        lines.append(
            _("Street targets ({count}): not judged — street value added is allocated by "
              "population share (street.share), not street data").format(
                count=len(sc.target.streets))
        )
    return lines


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
        _("Contribution to {year} growth: listed projects {p50:+.2f} pp (P10 {p10:+.2f} to "
          "P90 {p90:+.2f}); shocks {s50:+.2f} pp (P10 {s10:+.2f} to P90 {s90:+.2f})").format(
            year=y, p50=lp["p50"], p10=lp["p10"], p90=lp["p90"], s50=sp["p50"],
            s10=sp["p10"], s90=sp["p90"]),
        *spending_lines(r),
    ]


def _estimator_lines(p: Probability) -> list[str]:
    """How the probability was estimated, when by conditional Monte Carlo."""
    if p.method != "conditional" or p.variance_reduction is None:
        return []
    return [_("  (conditional Monte Carlo: the same precision by counting replications that "
              "meet the target would need {factor:,.1f}× as many)").format(
                factor=p.variance_reduction)]


def spending_lines(results: Results) -> list[str]:
    """Listed projects' 拉动 split into direct and indirect, and value added per 亿元."""
    sp = results.spending()
    if sp is None:
        return [_("  (spending counts only the works formula's direct value added, the lower "
                  "bound; add [io] for supply-chain spillovers)")]
    comp = results.contributions("component")
    kinds = comp.index.str.split(":").str[0]
    listed = comp[kinds.isin(["project", "batch", "pipeline"])]
    indirect = listed.index.str.endswith(":indirect")
    return [
        _("  of which direct and operating {direct:+.3f} pp, indirect (supply chain) "
          "{indirect:+.3f} pp (means)").format(direct=listed.loc[~indirect, "mean"].sum(),
                                               indirect=listed.loc[indirect, "mean"].sum()),
        _("  per 亿元 of real additional spending ({table}): direct {direct:.3f}, indirect "
          "{indirect:.3f} (P10–P90 {p10:.3f}–{p90:.3f}), leakage {leakage:.3f}").format(
            table=sp["table"], direct=sp["direct"], indirect=sp["indirect"],
            p10=sp["indirect_p10"], p90=sp["indirect_p90"], leakage=sp["leakage"]),
    ]


def investment_lines(results: Results) -> list[str]:
    """District FAI and industrial investment: level, P(target met), listed share, YTD."""
    fai = results.fai()
    if fai is None:
        return []
    y = results.target_year
    probs = results.p_investment()
    goals = {(q if k == "level" else f"{q}_growth"): v
             for q, k, v in results.target_of(y).investment_goals()}
    lines = []
    for quantity, block in fai.items():
        lv, g = block["level"], block["growth"]
        lines.append(
            _("{name} {year}: P50 {p50:,.1f}亿 (P10–P90 {p10:,.1f}–{p90:,.1f}), growth P50 "
              "{growth}; listed projects {share} of it").format(
                name=_(_INVESTMENT[quantity]), year=y, p50=lv["p50"], p10=lv["p10"],
                p90=lv["p90"], growth=pct(g["p50"]), share=pct(block["listed_share"]))
        )
        for key in (quantity, f"{quantity}_growth"):
            if key in probs:
                prob = probs[key]
                rule = results.target_of(y).investment_rule(key, goals[key], _)
                lines.append(f"  P({rule}) = {pct(prob.estimate)} [{pct(prob.low)}, "
                             f"{pct(prob.high)}]")
        ytd = block["ytd_growth"]
        lines.append(_("  year-to-date growth P50: ") + "  ".join(
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
    return [_("P(GDP target met) by year: {years}; every year {p} [{low}, {high}]").format(
        years=" · ".join(parts), p=pct(every.estimate), low=pct(every.low),
        high=pct(every.high))]


def conditioning_lines(results: Results, cond: dict) -> list[str]:
    """What the published figures did: prior and posterior P(met), effective sample size."""
    p = results.p_target()
    used = [f for f in cond["figures"] if f["sd"] is not None]
    prior = cond.get("prior_p_target_met")
    before = "n/a" if prior is None else pct(prior)
    lines = [
        _("Conditioned on {count} published figure(s): P(target met) {prior} under the prior "
          "→ {p} given the figures (effective sample size {ess:,.0f} of {n:,} replications)")
        .format(count=len(used), prior=before, p=pct(p.estimate), ess=cond["ess"],
                n=results.n),
    ]
    floor = cond.get("min_ess")
    if floor is not None and cond["ess"] < floor:
        lines.append(
            _("  WARNING: the effective sample size {ess:,.0f} is below {floor:,.0f}: the "
              "figures leave few replications that count; the probability is imprecise (see "
              "its interval) — check the figures and their sd, or run more replications")
            .format(ess=cond["ess"], floor=floor)
        )
    for f in used:
        lines.append(
            _("  {label}: published {value} (sd {sd:.2f} pp); model given all figures {mean} "
              "(P10–P90 {p10}–{p90})").format(
                label=f["label"], value=pct(f["value"]), sd=100 * f["sd"],
                mean=pct(f["model_mean"]), p10=pct(f["model_p10"]), p90=pct(f["model_p90"]))
        )
    return lines
