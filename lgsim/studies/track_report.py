"""A track as plain data (``track.json``, the tables) and as terminal text.

Names carry their unit as in every file lgsim writes (``_pct`` percent, ``_pp``
percentage points); counts (``ess``, ``replications``) are unitless.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._format import display_width, pad, pct, pp, to_pct
from .._version import __version__
from ..analysis import Probability
from ..i18n import LIST_SEPARATOR, N_, _
from ..results import UNITS_NOTE
from ..scenario.bridge import reason_name

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


def month_note(t: Track, k: int, tr: Callable[[str], str] = str) -> str:
    """What a month's row says: new releases, no release, low effective sample size.

    English, as the files record it; ``tr`` (:func:`lgsim.i18n._`) translates it for the
    terminal.
    """
    m = t.months[k]
    prev = t.opening if k == 0 else t.months[k - 1]
    notes = []
    if m.repeated:
        notes.append(tr(N_("no new release: same as {month}")).format(month=prev.label))
    elif m.news:
        notes.append(tr(N_("{n} new release(s)")).format(n=len(m.news)))
    if m.low_ess:
        notes.append(tr(N_("low effective sample size ({ess} < {floor}): use more "
                           "replications (-n)")).format(ess=f"{m.stats.ess:,.0f}",
                                                         floor=f"{t.min_ess:,.0f}"))
    return tr(N_("; ")).join(notes)


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
        "name": r.name, "indicator": r.figure.indicator, "window": r.figure.window,
        "row": r.figure.row,
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
        _("{title}  [{name}] — monthly track {first} to {last}").format(
            title=sc.title, name=sc.name, first=t.months[0].label, last=t.months[-1].label),
        _("{n} replications · seed {seed} · mixture of {k} proposal(s) · data {data}").format(
            n=f"{t.replications:,}", seed=t.seed, k=t.components, data=t.data),
        _("Target {year}: GDP growth {goal} — rule: {rule}").format(
            year=sc.target_year, goal=pct(sc.target.gdp_growth, 2), rule=sc.target.rule(_)),
        "",
        *_month_table(t),
        "",
        (_("News: change in P(target met) and in expected growth by release (in publication "
           "order)") if t.news_order == "publication" else
         _("News: change in P(target met) and in expected growth by release (Shapley "
           "values)")),
        *_news_lines(t),
        *_tail(t),
    ]
    return "\n".join(lines)


def _month_table(t: Track) -> list[str]:
    heads = [tf.short or tf.label for tf, _p in t.opening.stats.targets]
    widths = [max(display_width(h) + 2, 14) for h in heads]
    header = (pad(_("month"), 9) + pad(_("P(met)"), 10)
              + pad(_("{p95} sim. precision").format(p95="95%"), 20)
              + pad(_("ESS"), 9) + pad(_("growth P10"), 11) + pad("P50", 7) + pad("P90", 7)
              + "".join(pad(h, w) for h, w in zip(heads, widths, strict=True))
              + _("what changed"))
    lines = [header]
    for k, m in enumerate([t.opening, *t.months]):
        s = m.stats
        cells = "".join(pad(_("not modelled") if p is None else pct(p.estimate), w)
                        for (_tf, p), w in zip(s.targets, widths, strict=True))
        note = _("before the first month") if k == 0 else month_note(t, k - 1, _)
        lines.append(
            pad(m.label, 9) + pad(pct(s.p.estimate), 10)
            + pad(f"[{pct(s.p.low)}, {pct(s.p.high)}]", 20) + pad(f"{s.ess:,.0f}", 9)
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
        lines.append(_("{month}  P(met) {before} → {after} ({d} pp); expected growth "
                       "{g0} → {g1}").format(
            month=m.label, before=pct(prev.stats.p.estimate), after=pct(m.stats.p.estimate),
            d=pp(dp), g0=pct(prev.stats.mean_growth, 2), g1=pct(m.stats.mean_growth, 2)))
        for n in m.news:
            f = n.release.figure
            revision = _(" [revision]") if n.kind == "revision" else ""
            lines.append(_("   {order}. {label}: published {value} (known {known}){revision}"
                           "   ΔP {dp} pp   Δgrowth {dg} pp").format(
                order=n.order, label=n.release.label_in(_), value=pct(f.value),
                known=n.release.known, revision=revision, dp=pp(n.d_p), dg=pp(n.d_growth)))
        total = sum(n.d_p for n in m.news)
        lines.append(_("   sum of the news {total} pp = change {d} pp").format(
            total=pp(total), d=pp(dp)))
    return lines or [_("   no release in the period")]


def _tail(t: Track) -> list[str]:
    out = []
    big = t.largest_news()
    if big is not None:
        out.append(_("Largest news: {label} (published {value}) in {month}: ΔP(met) {dp} pp, "
                     "Δ expected growth {dg} pp").format(
            label=big.release.label_in(_), value=pct(big.release.figure.value),
            month=_month_of(t, big), dp=pp(big.d_p), dg=pp(big.d_growth)))
    low = [m.label for m in t.months if m.low_ess]
    if low:
        out.append(_("WARNING: effective sample size below {floor} in {months}: those months "
                     "rest on few effective replications (their intervals show it); rerun "
                     "with more replications (-n)").format(
            floor=f"{t.min_ess:,.0f}", months=_(LIST_SEPARATOR).join(low)))
    reasons = Counter(reason_name(g.reason) for g in t.ignored)
    if t.ignored:
        earlier = (_("; and {n} row(s) of earlier years").format(n=t.earlier_rows)
                   if t.earlier_rows else "")
        out.append(_("Not used: {n} published row(s) of the simulated years — {why}").format(
            n=len(t.ignored), why=_("; ").join(
                _("{what}: {n}").format(what=_(why), n=n) for why, n in reasons.most_common()))
            + earlier)
    return out
