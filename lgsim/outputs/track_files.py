"""The files of a monthly track: ``track.csv``, ``news.csv``, charts, report, ``track.json``.

Tables are tidy CSV in UTF-8 with a BOM (Excel shows Chinese), every number named with
its unit (``_pct`` percent, ``_pp`` percentage points; ``ess`` and counts unitless).
``track.json`` is written last: a directory holding it holds a finished track.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import write_text
from .plots import save_figures
from .plots.track import track_figures
from .report import track_html
from .rundir import write_csv

if TYPE_CHECKING:  # pragma: no cover
    from ..studies.track import Track

#: Files of a track directory.
TRACK_FILES = ("track.csv", "news.csv", "track.png", "news.png", "track.html", "track.json")


def track_table(data: dict[str, Any]) -> Any:
    """``track.csv``: one row per month × quantity (P(GDP target met) and each target)."""
    import pandas as pd

    rows = []
    for m in [data["opening"], *data["months"]]:
        q = m["growth_quantiles_pct"]
        common = {"month": m["month"], "as_of": m["as_of"], "ess": m["ess"],
                  "figures_known": m["figures_known"], "new_releases": m["new_releases"],
                  "note": m["note"]}
        lo, hi = m["p_target_met_ci_pct"]
        rows.append({**common, "quantity": "gdp", "name": "地区生产总值",
                     "rule": data["target_rule"], "p_met_pct": m["p_target_met_pct"],
                     "p_low_pct": lo, "p_high_pct": hi,
                     "growth_mean_pct": m["growth_mean_pct"], "growth_p10_pct": q["p10"],
                     "growth_p50_pct": q["p50"], "growth_p90_pct": q["p90"]})
        for t in m["targets"]:
            lo, hi = t["ci_pct"] or (None, None)
            rows.append({**common, "quantity": t["key"], "name": t["name"], "rule": t["rule"],
                         "p_met_pct": t["p_met_pct"], "p_low_pct": lo, "p_high_pct": hi,
                         "note": t["reason"] or common["note"]})
    order = ["month", "as_of", "quantity", "name", "rule", "p_met_pct", "p_low_pct",
             "p_high_pct", "growth_mean_pct", "growth_p10_pct", "growth_p50_pct",
             "growth_p90_pct", "ess", "figures_known", "new_releases", "note"]
    return pd.DataFrame(rows, columns=order)


def news_table(data: dict[str, Any]) -> Any:
    """``news.csv``: one row per release and month, in the order the news was computed."""
    import pandas as pd

    cols = ["month", "order", "kind", "release", "area", "indicator", "window", "row",
            "known", "published_value_pct", "d_p_met_pp", "d_growth_mean_pp",
            "p_met_before_pct", "p_met_after_pct", "growth_mean_before_pct",
            "growth_mean_after_pct"]
    rows = [{"month": m["month"], **n} for m in data["months"] for n in m["news"]]
    return pd.DataFrame(rows, columns=cols)


def write_track(track: Track, out: str | Path, *, formats: Sequence[str] = ("png",),
                plots: bool = True, report: bool = True, news_month: str | None = None
                ) -> Path:
    """Write a track's files into ``out`` (created if missing) and return it.

    Parameters
    ----------
    track : Track
    out : str or Path
    formats : sequence of str
        Chart formats (``"png"``, ``"svg"``).
    plots, report : bool
        Write the charts; write ``track.html`` (the report's tracker section).
    news_month : str, optional
        ``YYYY-MM`` of the waterfall (default: the month whose news moved P(met) most).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "track.json").unlink(missing_ok=True)
    data = track.to_dict()
    write_csv(out / "track.csv", track_table(data))
    write_csv(out / "news.csv", news_table(data))
    figures = track_figures(track, news_month) if plots or report else {}
    if plots:
        save_figures(figures, out, formats)
    if report:
        write_text(out / "track.html", track_html(track, data, figures))
    write_text(out / "track.json",
               json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    return out
