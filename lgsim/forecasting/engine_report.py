"""The engine backtest as text: one row per origin, the summary and plain verdicts.

Growth in percent, CRPS in percentage points, the log score of growth as a fraction;
coverage as counts with 95 % Wilson intervals. Every sentence says how little a handful
of years can show.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._format import num, pct
from .errors import vantage_label

if TYPE_CHECKING:  # pragma: no cover
    from .engine_backtest import EngineBacktest, Origin, Summary

#: Below this many origins, every sentence says that no ranking is significant.
FEW_ORIGINS = 20
#: Names of the forecasters in text.
NAMES = {"engine": "engine", "random_walk": "random walk",
         "target_as_forecast": "target as forecast"}
FORECASTER_NAMES = {"naive_last": "random walk (last published growth)",
                    "naive_mean": "mean of all earlier published growth"}
SPREAD_NAMES = {"errors": "sized from the past errors before each origin (widened for their "
                          "number)",
                "scenario": "the scenario's own sector sds, as they are"}


def _pp(x: float | None) -> str:
    return num(None if x is None else 100 * x, ".2f") + (" pp" if x is not None
                                                          and math.isfinite(x) else "")


def _row(o: Origin) -> str:
    e = o.engine
    flag = "≥" if o.lower_bound else ("~" if o.estimate else " ")
    figs = ",".join(f"{f.month}月 {pct(f.value)}" for f in o.figures) or "—"
    p = "—" if e.p_target is None else pct(e.p_target)
    return (f"{o.year}  {o.steps:>5}  {pct(o.realised):>7}{flag} {pct(o.forecast):>8}  "
            f"{100 * o.prior_sd:6.2f}  {figs:<14} {pct(e.quantiles['q10']):>6} "
            f"{pct(e.quantiles['q50']):>6} {pct(e.quantiles['q90']):>6}  {e.pit:5.2f} "
            f"{100 * e.crps:6.2f} {e.log_score:6.2f}  {'yes' if e.covered80 else 'no':>3}  "
            f"{'yes' if e.covered95 else 'no':>3}  {p:>6}")


def _coverage(s: Summary, level: int) -> str:
    share, lo, hi = s.coverage(level)
    k = s.covered80 if level == 80 else s.covered95
    if k is None:
        return "—"
    return f"{k} of {s.n} ({pct(share, 0)}; 95% {pct(lo, 0)}–{pct(hi, 0)})"


def _summary_lines(bt: EngineBacktest) -> list[str]:
    sums = bt.summaries()
    width = 34
    head = "".join(f"{NAMES[k]:<{width}}" for k in sums)
    rows = [
        ("origins", [str(s.n) for s in sums.values()]),
        ("mean CRPS", [_pp(s.crps) for s in sums.values()]),
        ("mean log score", ["—" if s.log_score is None else f"{s.log_score:.2f}"
                            for s in sums.values()]),
        ("80% intervals covered", [_coverage(s, 80) for s in sums.values()]),
        ("95% intervals covered", [_coverage(s, 95) for s in sums.values()]),
        ("PIT uniform (KS p)", ["—" if s.uniformity_p() is None else f"{s.uniformity_p():.2f}"
                                for s in sums.values()]),
        ("Brier of P(target)", ["—" if s.brier is None else f"{s.brier:.3f} (n={s.n_targets})"
                                for s in sums.values()]),
    ]
    out = [f"{'':<24}{head}"]
    out += [f"{name:<24}" + "".join(f"{v:<{width}}" for v in values) for name, values in rows]
    return out


def verdict(bt: EngineBacktest) -> list[str]:
    """Plain sentences on calibration, the naive benchmark and the sample size."""
    sums = bt.summaries()
    eng, rw = sums["engine"], sums["random_walk"]
    n = eng.n
    p = eng.uniformity_p()
    out = [
        f"Calibration: the engine's 80% intervals covered {_coverage(eng, 80)} years, "
        f"its 95% intervals {_coverage(eng, 95)}; PIT uniformity (Kolmogorov–Smirnov) "
        f"p = {p:.2f}" + (" — with this few years the test detects only gross "
                           "miscalibration." if n < FEW_ORIGINS else ".")
    ]
    d, lo, hi, k = bt.crps_difference()
    if not hi < 0:
        out.append(
            f"No model beats the naive benchmark: the engine's mean CRPS is {_pp(eng.crps)} "
            f"against {_pp(rw.crps)} for the random walk (difference {num(100 * d, '+.2f')} "
            f"pp, 95% interval {num(100 * lo, '+.2f')} to {num(100 * hi, '+.2f')} pp over "
            f"{k} years).")
    else:
        out.append(
            f"The engine beats the random walk on mean CRPS: {_pp(eng.crps)} against "
            f"{_pp(rw.crps)} (difference {num(100 * d, '+.2f')} pp, 95% interval "
            f"{num(100 * lo, '+.2f')} to {num(100 * hi, '+.2f')} pp over {k} years).")
    out.append(_target_sentence(bt, sums))
    if n < FEW_ORIGINS:
        out.append(f"With {n} origins no ranking is significant: read the intervals, not "
                   "the point shares.")
    return out


def _target_sentence(bt: EngineBacktest, sums: dict[str, Summary]) -> str:
    if "target_as_forecast" not in sums:
        return ("No target is known for these years in the data: no Brier score and no "
                "'target as the forecast' comparator.")
    t, eng, rw = sums["target_as_forecast"], sums["engine"], sums["random_walk"]
    d, lo, hi, _ = bt.crps_difference("target_as_forecast")
    better = "beats" if hi < 0 else "does not beat"
    interval = (f"95% interval {num(100 * lo, '+.2f')} to {num(100 * hi, '+.2f')}"
                if math.isfinite(hi) else "too few years for an interval")
    years = f"{t.n} year{'s' if t.n != 1 else ''}"
    return (f"Where the target is known ({years}): the engine {better} the target as "
            f"the forecast on CRPS ({num(100 * d, '+.2f')} pp, {interval}); Brier score of "
            f"P(target met): engine {num(eng.brier, '.3f')}, random walk "
            f"{num(rw.brier, '.3f')}, target as forecast {num(t.brier, '.3f')}.")


def report(bt: EngineBacktest) -> str:
    """The terminal report of an engine backtest."""
    lines = [
        f"Engine backtest of {bt.scenario_file} ({bt.title}): its organic model replayed "
        f"for {bt.area}, every year it could have been forecast",
        f"Data: {bt.data_label}. Vantage: {vantage_label(bt.vantage)}. Centre: "
        f"{FORECASTER_NAMES[bt.forecaster]}. Spread: {SPREAD_NAMES[bt.spread_mode]}. "
        f"{bt.replications:,} replications per origin, seed {bt.seed}.",
        "Growth in percent (≥ lower bound, ~ estimate); prior sd and CRPS in pp; log score "
        "of growth as a fraction (lower is better; the engine's from the normal with its "
        "sample's mean and sd).",
        "",
        "year  steps  realised  forecast  prior sd  figures         P10    P50    P90    PIT "
        "  CRPS  log S  80%  95%  P(target)",
    ]
    lines += [_row(o) for o in bt.origins]
    lines += ["", *_summary_lines(bt), ""]
    lines += bt.verdict()
    if bt.skipped:
        lines.append("not an origin: " + "; ".join(f"{y} ({why})" for y, why in bt.skipped))
    lines += [f"note: {o.year}: {o.note}" for o in bt.origins if o.note]
    lines += [f"note: {n}" for n in bt.notes]
    return "\n".join(lines)
