"""A track as plain data (``track.json``, the tables) and as terminal text.

Names carry their unit as in every file lgsim writes (``_pct`` percent, ``_pp``
percentage points); counts (``ess``, ``replications``) are unitless.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .._format import display_width, pad, pct, pp, to_pct
from .._version import __version__
from ..analysis import Probability
from ..results import UNITS_NOTE

if TYPE_CHECKING:  # pragma: no cover
    from .track import MonthState, News, Track

#: The method, in one sentence, for files and the report.
METHOD = ("every month is estimated from one set of replications drawn from a mixture of "
          "Gaussian proposals (the prior and one per distinct set of figures), weighted by "
          "p/q × the likelihood of the figures known at the end of that month; news = the "
          "change when a release is added, on the same replications")
#: The order convention of the news, by name.
ORDER_NOTE = {
    "publication": "publication order: by the date a figure became known, then by its row "
                   "in the data; each release's news is the change when it is added to "
                   "everything known before it",
    "shapley": "Shapley value: each release's change averaged over every order of the "
               "month's releases",
}


def _prob(p: Probability | None) -> dict[str, Any]:
    if p is None:
        return {"p_met_pct": None, "ci_pct": None}
    return {"p_met_pct": to_pct(p.estimate), "ci_pct": [to_pct(p.low), to_pct(p.high)]}


def month_note(t: Track, k: int) -> str:
    """What a month's row says: new releases, no release, low effective sample size."""
    m = t.months[k]
    prev = t.opening if k == 0 else t.months[k - 1]
    notes = []
    if m.repeated:
        notes.append(f"no new release: same as {prev.label}")
    elif m.news:
        notes.append(f"{len(m.news)} new release(s)")
    if m.low_ess:
        notes.append(f"low effective sample size ({m.stats.ess:,.0f} < {t.min_ess:,.0f}): "
                     "use more replications (-n)")
    return "; ".join(notes)


def month_dict(m: MonthState, note: str = "") -> dict[str, Any]:
    """One month as plain data (percent, pp)."""
    s = m.stats
    return {
        "month": m.label, "as_of": m.as_of.isoformat(),
        "p_target_met_pct": to_pct(s.p.estimate),
        "p_target_met_ci_pct": [to_pct(s.p.low), to_pct(s.p.high)],
        "ess": s.ess, "low_ess": m.low_ess,
        "growth_mean_pct": to_pct(s.mean_growth),
        "growth_quantiles_pct": {k: to_pct(v) for k, v in s.quantiles.items()},
        "targets": [{"key": tf.key, "name": tf.label, "rule": tf.rule,
                     "modelled": tf.flags is not None, "reason": tf.reason or None,
                     **_prob(p)} for tf, p in s.targets],
        "figures_known": len(m.known), "new_releases": len(m.news), "repeated": m.repeated,
        "note": note, "news": [news_dict(n) for n in m.news],
    }


def news_dict(n: News) -> dict[str, Any]:
    """One release's news as plain data."""
    r = n.release
    return {
        "order": n.order, "kind": n.kind, "release": r.label, "area": r.figure.area,
        "indicator": r.figure.indicator, "window": r.figure.window, "row": r.figure.row,
        "known": r.known.isoformat(), "published_value_pct": to_pct(r.figure.value),
        "d_p_met_pp": to_pct(n.d_p), "d_growth_mean_pp": to_pct(n.d_growth),
        "p_met_before_pct": to_pct(n.p_before), "p_met_after_pct": to_pct(n.p_after),
        "growth_mean_before_pct": to_pct(n.growth_before),
        "growth_mean_after_pct": to_pct(n.growth_after),
    }


def release_dict(r: Any) -> dict[str, Any]:
    """One figure the track conditions on."""
    f, o = r.figure, r.observation
    return {
        "row": f.row, "area": f.area, "indicator": f.indicator, "name": r.mapping.name,
        "window": f.window, "period": f.period, "vintage": f.vintage,
        "published_value_pct": to_pct(f.value), "observed_value_pct": to_pct(o.value),
        "sd_pp": to_pct(o.sd), "bound": r.bound, "mapping": r.mapping.id,
        "quantity": r.mapping.quantity, "sectors": list(r.mapping.sectors),
        "known": r.known.isoformat(),
        "published": None if f.published is None else f.published.isoformat(),
        "source": f.source,
    }


def to_dict(t: Track) -> dict[str, Any]:
    """The whole track as plain data (the content of ``track.json``)."""
    sc = t.scenario
    big = t.largest_news()
    return {
        "scenario": sc.name, "title": sc.title, "units": UNITS_NOTE,
        "data": t.data, "target_year": sc.target_year,
        "target_growth_pct": to_pct(sc.target.gdp_growth), "target_rule": sc.target.rule(),
        "from": t.months[0].label, "to": t.months[-1].label,
        "replications": t.replications, "seed": t.seed, "components": t.components,
        "pilot_replications": t.pilot_replications, "min_ess": t.min_ess,
        "method": METHOD, "news_order": t.news_order, "news_order_note": ORDER_NOTE[
            t.news_order],
        "opening": month_dict(t.opening, "what was known before the first month"),
        "months": [month_dict(m, month_note(t, k)) for k, m in enumerate(t.months)],
        "largest_news": None if big is None else {
            "month": _month_of(t, big), **news_dict(big)},
        "releases": [release_dict(r) for r in t.releases],
        "ignored": [{"row": g.figure.row, "area": g.figure.area,
                     "indicator": g.figure.indicator, "window": g.figure.window,
                     "reason": g.reason} for g in t.ignored],
        "ignored_rows_of_earlier_years": t.earlier_rows,
        "lgsim_version": __version__,
    }


def _month_of(t: Track, n: News) -> str:
    return next(m.label for m in t.months if any(x is n for x in m.news))


# ---------------------------------------------------------------------- terminal
def to_text(t: Track) -> str:
    """The track for the terminal: one line per month, the news, what was ignored."""
    sc = t.scenario
    lines = [
        f"{sc.title}  [{sc.name}] — monthly track {t.months[0].label} to {t.months[-1].label}",
        f"{t.replications:,} replications · seed {t.seed} · mixture of {t.components} "
        f"proposal(s) · data {t.data}",
        f"Target {sc.target_year}: GDP growth {pct(sc.target.gdp_growth, 2)} — rule: "
        f"{sc.target.rule()}",
        "",
        *_month_table(t),
        "",
        "News: change in P(target met) and in expected growth by release ("
        + ("in publication order" if t.news_order == "publication" else "Shapley values")
        + ")",
        *_news_lines(t),
        *_tail(t),
    ]
    return "\n".join(lines)


def _month_table(t: Track) -> list[str]:
    heads = [tf.short or tf.label for tf, _ in t.opening.stats.targets]
    widths = [max(display_width(h) + 2, 14) for h in heads]
    header = (pad("month", 9) + pad("P(met)", 8) + pad("95% sim. precision", 20)
              + pad("ESS", 7) + pad("growth P10", 11) + pad("P50", 7) + pad("P90", 7)
              + "".join(pad(h, w) for h, w in zip(heads, widths, strict=True))
              + "what changed")
    lines = [header]
    for k, m in enumerate([t.opening, *t.months]):
        s = m.stats
        cells = "".join(pad("not modelled" if p is None else pct(p.estimate), w)
                        for (_, p), w in zip(s.targets, widths, strict=True))
        note = "before the first month" if k == 0 else month_note(t, k - 1)
        lines.append(
            pad(m.label, 9) + pad(pct(s.p.estimate), 8)
            + pad(f"[{pct(s.p.low)}, {pct(s.p.high)}]", 20) + pad(f"{s.ess:,.0f}", 7)
            + pad(pct(s.quantiles["p10"]), 11) + pad(pct(s.quantiles["p50"]), 7)
            + pad(pct(s.quantiles["p90"]), 7) + cells + note)
    return lines


def _news_lines(t: Track) -> list[str]:
    lines = []
    for k, m in enumerate(t.months):
        if not m.news:
            continue
        prev = t.opening if k == 0 else t.months[k - 1]
        dp = m.stats.p.estimate - prev.stats.p.estimate
        lines.append(f"{m.label}  P(met) {pct(prev.stats.p.estimate)} → "
                     f"{pct(m.stats.p.estimate)} ({pp(dp)} pp); expected growth "
                     f"{pct(prev.stats.mean_growth, 2)} → {pct(m.stats.mean_growth, 2)}")
        for n in m.news:
            f = n.release.figure
            lines.append(f"   {n.order}. {n.release.label}: published {pct(f.value)} "
                         f"(known {n.release.known}){' [revision]' if n.kind == 'revision' else ''}"
                         f"   ΔP {pp(n.d_p)} pp   Δgrowth {pp(n.d_growth)} pp")
        total = sum(n.d_p for n in m.news)
        lines.append(f"   sum of the news {pp(total)} pp = change {pp(dp)} pp")
    return lines or ["   no release in the period"]


def _tail(t: Track) -> list[str]:
    out = []
    big = t.largest_news()
    if big is not None:
        out.append(f"Largest news: {big.release.label} (published "
                   f"{pct(big.release.figure.value)}) in {_month_of(t, big)}: ΔP(met) "
                   f"{pp(big.d_p)} pp, Δ expected growth {pp(big.d_growth)} pp")
    low = [m.label for m in t.months if m.low_ess]
    if low:
        out.append(f"WARNING: effective sample size below {t.min_ess:,.0f} in "
                   f"{', '.join(low)}: those months rest on few effective replications "
                   "(their intervals show it); rerun with more replications (-n)")
    reasons = Counter(g.reason.split(" entry maps")[0].split(" (")[0] for g in t.ignored)
    if t.ignored:
        out.append(f"Not used: {len(t.ignored)} published row(s) of the simulated years — "
                   + "; ".join(f"{why}: {n}" for why, n in reasons.most_common())
                   + (f"; and {t.earlier_rows} row(s) of earlier years" if t.earlier_rows
                      else ""))
    return out
