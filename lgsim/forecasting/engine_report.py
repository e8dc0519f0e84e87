"""The engine backtest as text: one row per origin, the summary and plain verdicts.

Growth in percent, CRPS in percentage points, the log score of growth as a fraction;
coverage as counts with 95 % Wilson intervals. Every sentence says how little a handful
of years can show.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._format import num, pad, pct
from ..data.areas import area_text
from ..i18n import N_, _, localized, ngettext
from .errors import vantage_label

if TYPE_CHECKING:  # pragma: no cover
    from .engine_backtest import EngineBacktest, Origin, Summary

#: Below this many origins, every sentence says that no ranking is significant.
FEW_ORIGINS = 20
#: Names of the forecasters in text.
NAMES = {"engine": N_("engine"), "random_walk": N_("random walk"),
         "target_as_forecast": N_("target as forecast")}
FORECASTER_NAMES = {"naive_last": N_("random walk (last published growth)"),
                    "naive_mean": N_("mean of all earlier published growth")}
SPREAD_NAMES = {"errors": N_("sized from the past errors before each origin (widened for "
                             "their number)"),
                "scenario": N_("the scenario's own sector sds, as they are")}


def _pp(x: float | None) -> str:
    return num(None if x is None else 100 * x, ".2f") + (_(" pp") if x is not None
                                                          and math.isfinite(x) else "")


def _row(o: Origin) -> str:
    e = o.engine
    flag = "≥" if o.lower_bound else ("~" if o.estimate else " ")
    figs = ",".join(f"{f.month}月 {pct(f.value)}" for f in o.figures) or "—"
    p = "—" if e.p_target is None else pct(e.p_target)
    return (f"{o.year}  {o.steps:>5}  {pct(o.realised):>7}{flag} {pct(o.forecast):>8}  "
            f"{100 * o.prior_sd:6.2f}  {figs:<14} {pct(e.quantiles['q10']):>6} "
            f"{pct(e.quantiles['q50']):>6} {pct(e.quantiles['q90']):>6}  {e.pit:5.2f} "
            f"{100 * e.crps:6.2f} {e.log_score:6.2f}  {_yes(e.covered80):>3}  "
            f"{_yes(e.covered95):>3}  {p:>6}")


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _coverage(s: Summary, level: int) -> str:
    share, lo, hi = s.coverage(level)
    k = s.covered80 if level == 80 else s.covered95
    if k is None:
        return "—"
    return _("{k} of {n} ({share}; 95% {low}–{high})").format(
        k=k, n=s.n, share=pct(share, 0), low=pct(lo, 0), high=pct(hi, 0))


def _summary_lines(bt: EngineBacktest) -> list[str]:
    sums = bt.summaries()
    width = 34
    head = "".join(pad(_(NAMES[k]), width) for k in sums)
    rows = [
        (_("origins"), [str(s.n) for s in sums.values()]),
        (_("mean CRPS"), [_pp(s.crps) for s in sums.values()]),
        (_("mean log score"), ["—" if s.log_score is None else f"{s.log_score:.2f}"
                               for s in sums.values()]),
        (_("{p80} intervals covered").format(p80="80%"), [_coverage(s, 80) for s in sums.values()]),
        (_("{p95} intervals covered").format(p95="95%"), [_coverage(s, 95) for s in sums.values()]),
        (_("PIT uniform (KS p)"), ["—" if s.uniformity_p() is None
                                   else f"{s.uniformity_p():.2f}" for s in sums.values()]),
        (_("Brier of P(target)"), ["—" if s.brier is None
                                   else f"{s.brier:.3f} (n={s.n_targets})"
                                   for s in sums.values()]),
    ]
    out = [f"{'':<24}{head}"]
    out += [pad(name, 24) + "".join(pad(v, width) for v in values) for name, values in rows]
    return out


def verdict(bt: EngineBacktest) -> list[str]:
    """Plain sentences on calibration, the naive benchmark and the sample size."""
    sums = bt.summaries()
    eng, rw = sums["engine"], sums["random_walk"]
    n = eng.n
    p = eng.uniformity_p()
    out = [
        _("Calibration: the engine's {p80} intervals covered {c80} years, its {p95} intervals "
          "{c95}; PIT uniformity (Kolmogorov–Smirnov) p = {p:.2f}").format(
            p80="80%", p95="95%", c80=_coverage(eng, 80), c95=_coverage(eng, 95), p=p)
        + (_(" — with this few years the test detects only gross miscalibration.")
           if n < FEW_ORIGINS else _("."))
    ]
    d, lo, hi, k = bt.crps_difference()
    if not hi < 0:
        out.append(_(
            "No model beats the naive benchmark: the engine's mean CRPS is {engine} against "
            "{rw} for the random walk (difference {d} pp, {p95} interval {low} to {high} pp "
            "over {k} years).").format(p95="95%", engine=_pp(eng.crps), rw=_pp(rw.crps),
                                       d=num(100 * d, "+.2f"), low=num(100 * lo, "+.2f"),
                                       high=num(100 * hi, "+.2f"), k=k))
    else:
        out.append(_(
            "The engine beats the random walk on mean CRPS: {engine} against {rw} "
            "(difference {d} pp, {p95} interval {low} to {high} pp over {k} years).").format(
                p95="95%", engine=_pp(eng.crps), rw=_pp(rw.crps), d=num(100 * d, "+.2f"),
                low=num(100 * lo, "+.2f"), high=num(100 * hi, "+.2f"), k=k))
    out.append(_target_sentence(bt, sums))
    if n < FEW_ORIGINS:
        out.append(_("With {n} origins no ranking is significant: read the intervals, not "
                     "the point shares.").format(n=n))
    return out


def _target_sentence(bt: EngineBacktest, sums: dict[str, Summary]) -> str:
    if "target_as_forecast" not in sums:
        return _("No target is known for these years in the data: no Brier score and no "
                 "'target as the forecast' comparator.")
    t, eng, rw = sums["target_as_forecast"], sums["engine"], sums["random_walk"]
    d, lo, hi, _k = bt.crps_difference("target_as_forecast")
    better = _("beats") if hi < 0 else _("does not beat")
    interval = (_("{p95} interval {low} to {high}").format(p95="95%", low=num(100 * lo, "+.2f"),
                                                          high=num(100 * hi, "+.2f"))
                if math.isfinite(hi) else _("too few years for an interval"))
    years = ngettext("{n} year", "{n} years", t.n).format(n=t.n)
    return _("Where the target is known ({years}): the engine {better} the target as the "
             "forecast on CRPS ({d} pp, {interval}); Brier score of P(target met): engine "
             "{engine}, random walk {rw}, target as forecast {target}.").format(
        years=years, better=better, d=num(100 * d, "+.2f"), interval=interval,
        engine=num(eng.brier, ".3f"), rw=num(rw.brier, ".3f"), target=num(t.brier, ".3f"))


def report(bt: EngineBacktest) -> str:
    """The terminal report of an engine backtest."""
    lines = [
        _("Engine backtest of {file} ({title}): its organic model replayed for {area}, every "
          "year it could have been forecast").format(file=bt.scenario_file, title=bt.title,
                                                     area=area_text(bt.area, _)),
        _("Data: {data}. Vantage: {vantage}. Centre: {centre}. Spread: {spread}. {n:,} "
          "replications per origin, seed {seed}.").format(
            data=bt.data_label, vantage=vantage_label(bt.vantage, _),
            centre=_(FORECASTER_NAMES[bt.forecaster]), spread=_(SPREAD_NAMES[bt.spread_mode]),
            n=bt.replications, seed=bt.seed),
        _("Growth in percent (≥ lower bound, ~ estimate); prior sd and CRPS in pp; log score "
          "of growth as a fraction (lower is better; the engine's from the normal with its "
          "sample's mean and sd)."),
        "",
        _("year  steps  realised  forecast  prior sd  figures         P10    P50    P90    PIT "
          "  CRPS  log S  80%  95%  P(target)"),
    ]
    lines += [_row(o) for o in bt.origins]
    lines += ["", *_summary_lines(bt), ""]
    lines += bt.verdict()
    if bt.skipped:
        lines.append(_("not an origin: ") + _("; ").join(
            _("{year} ({reason})").format(year=y, reason=localized(why))
            for y, why in bt.skipped))
    lines += [_("note: {message}").format(message=_("{year}: {note}").format(
                  year=o.year, note=localized(o.note)))
              for o in bt.origins if o.note]
    lines += [_("note: {message}").format(message=localized(n)) for n in bt.notes]
    return "\n".join(lines)
