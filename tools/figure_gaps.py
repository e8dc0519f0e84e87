"""How far a published figure is from the quantity it stands in for: the sds of [actuals].

    python tools/figure_gaps.py

prints, from ``lgsim/data/published_indicators.csv`` (each row with its source):

* **proxy gap** — Longgang's minus Shenzhen's year-to-date real GDP growth over the same
  window, for every period both were published: how far the city's figure is from the
  district's (the sd of Shenzhen's Q1 2022 figure used as a Longgang observation);
* **within-year gap** — Longgang's year-to-date growth before December minus the same
  year's full-year growth, for GDP and for above-size industry: how far a mid-year figure
  was from the year (the sd of a year-to-date figure the model's within-year deviations
  do not cover);
* **revision gap** — a preliminary full-year figure (government work report) minus the
  bureau's figure for the same year and area: the default ``revision_sd``.

For each (area, indicator, period) the figure used is the bureau's year-to-date one
(``ytd_growth_pct``) where published, else the preliminary one (``prelim_growth_pct``);
among vintages of one kind, the last published. Growth in percent, gaps in pp.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "lgsim" / "data" / "published_indicators.csv"
KINDS = ("ytd_growth_pct", "prelim_growth_pct")


def figures(indicator: str) -> dict[tuple[str, str], float]:
    """``(area, period) -> growth %`` for one indicator (see the module docstring)."""
    best: dict[tuple[str, str], tuple[int, str, float]] = {}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["indicator"] != indicator or row["kind"] not in KINDS:
                continue
            key = (row["area"], row["period"])
            rank = (KINDS.index(row["kind"]) * -1, row["published"], float(row["value"]))
            if key not in best or rank[:2] >= best[key][:2]:
                best[key] = rank
    return {k: v[2] for k, v in best.items()}


def revisions(indicator: str) -> list[tuple[str, float]]:
    """Preliminary minus bureau figure, per area and year where both were published."""
    kinds: dict[tuple[str, str], dict[str, float]] = {}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["indicator"] == indicator and row["kind"] in KINDS:
                kinds.setdefault((row["area"], row["period"]), {})[row["kind"]] = float(
                    row["value"])
    return [(f"{area} {period}", k["prelim_growth_pct"] - k["ytd_growth_pct"])
            for (area, period), k in sorted(kinds.items()) if len(k) == 2]


def summary(name: str, gaps: list[tuple[str, float]]) -> None:
    """Print the pairs, their mean and root mean square (pp)."""
    print(f"{name}: {len(gaps)} pairs")
    for label, gap in gaps:
        print(f"  {label}: {gap:+.1f} pp")
    mean = sum(g for _, g in gaps) / len(gaps)
    rms = math.sqrt(sum(g * g for _, g in gaps) / len(gaps))
    print(f"  mean {mean:+.2f} pp, root mean square {rms:.2f} pp\n")


def main() -> None:
    """Print the proxy gap and the within-year gaps."""
    gdp = figures("gdp")
    periods = sorted(p for a, p in gdp if a == "Longgang" and ("Shenzhen", p) in gdp)
    summary("Longgang minus Shenzhen, same-window GDP growth (proxy gap)",
            [(p, gdp[("Longgang", p)] - gdp[("Shenzhen", p)]) for p in periods])
    for indicator in ("gdp", "industrial_va_above_scale"):
        fig = figures(indicator)
        pairs = []
        for (area, period), value in sorted(fig.items()):
            year_end = (area, period[:4] + "-12")
            if area == "Longgang" and not period.endswith("-12") and year_end in fig:
                pairs.append((f"{period} vs {period[:4]}", value - fig[year_end]))
        summary(f"Longgang {indicator}: year-to-date minus full year (within-year gap)", pairs)
    summary("GDP, preliminary minus bureau figure (revision gap)", revisions("gdp"))


if __name__ == "__main__":
    main()
