"""``results.xlsx``: a run's headline and tables in one workbook, units in the headers.

Sheets: 概要 headline (P(met) with its simulation precision, growth quantiles, the rule,
seed and run size), 增速分位数 quantiles (growth by year and year-to-date growth of the
target year), 分行业拉动 / 分来源拉动 / 分街道拉动 (contributions, percentage points),
投资与计划 (investment against the first-year plan, 亿元). Every sheet has a Chinese
header with the unit and, under it, the column name of the matching CSV file
(:func:`lgsim.outputs.rundir.iter_tables`, which passes them in), so both say the same
thing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import write_with

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results

#: File name inside a run directory.
RESULTS_XLSX = "results.xlsx"

#: CSV file → sheet title.
SHEETS = {
    "growth_summary.csv": "增速分位数 quantiles",
    "ytd_growth.csv": "累计增速 ytd",
    "contributions_sector.csv": "分行业拉动 sector",
    "contributions_component.csv": "分来源拉动 component",
    "contributions_street.csv": "分街道拉动 street",
    "investment_vs_plan.csv": "投资与计划 investment",
}

_WORDS = {
    "year": "年份", "month": "月份", "name": "名称", "sector": "行业编号",
    "street": "街道编号", "component": "来源编号", "group": "项目编号", "basis": "口径",
    "growth_mean": "平均增速", "mean": "均值", "plan": "年度计划",
}
_UNITS = {"_pct": "%", "_pp": "百分点", "_yi_yuan": "亿元"}


def column_label(column: str) -> str:
    """Chinese header of a CSV column with its unit: ``growth_p10_pct`` → ``增速 P10（%）``."""
    unit = next((u for s, u in _UNITS.items() if column.endswith(s)), "")
    stem = column[: -len(next(s for s in _UNITS if column.endswith(s)))] if unit else column
    if stem in _WORDS:
        text = _WORDS[stem]
    else:
        m = re.fullmatch(r"(ytd_growth|growth)_p(\d+)|p(\d+)", stem)
        if m and m.group(1):
            text = f"{'累计增速' if m.group(1) == 'ytd_growth' else '增速'} P{int(m.group(2))}"
        elif m:
            text = f"P{int(m.group(3))}"
        else:
            text = stem
    return f"{text}（{unit}）" if unit else text


def _headline_rows(results: Results) -> list[tuple[str, Any, str]]:
    s = results.summary()
    q = s["growth_quantiles_pct"]
    lo, hi = s["p_target_met_ci_pct"]
    rows: list[tuple[str, Any, str]] = [
        ("情景 scenario", f"{s['title']} ({s['scenario']})", ""),
        ("目标年份 target year", s["target_year"], "年"),
        ("增长目标 target", s["target_growth_pct"], "%"),
        ("判定规则 rule", s["target_rule"], ""),
        ("达标概率 P(target met)", s["p_target_met_pct"], "%"),
        ("模拟精度95%区间下限 (simulation precision, low)", lo, "%"),
        ("模拟精度95%区间上限 (simulation precision, high)", hi, "%"),
        ("增速 P10", q["p10"], "%"),
        ("增速 P50（中位数）", q["p50"], "%"),
        ("增速 P90", q["p90"], "%"),
        ("平均增速 mean growth", s["growth_mean_pct"], "%"),
        ("未达标时平均缺口 expected shortfall", s["expected_shortfall_pp"], "百分点"),
    ]
    listed = (s.get("investment_vs_plan_yi_yuan") or {}).get("listed")
    if listed:
        rows += [("有年度计划项目的投资中位数 listed investment P50", listed["p50"], "亿元"),
                 ("其年度计划 plan", listed["plan"], "亿元")]
    rows += [
        ("模拟次数 replications", s["replications"], "次"),
        ("随机种子 seed", str(s["seed"]), ""),
        ("lgsim 版本", s["lgsim_version"], ""),
        ("说明 note", "区间是模拟精度（模拟次数有限带来的误差），不是情景假设的不确定性。"
         " The interval is simulation precision, not uncertainty in the assumptions.", ""),
    ]
    return rows


def write_results_xlsx(results: Results, path: str | Path, tables: dict[str, Any]) -> Path:
    """Write ``results.xlsx`` (atomically) and return its path.

    Parameters
    ----------
    results : Results
        The run.
    path : str or Path
        The workbook, usually ``<run dir>/results.xlsx``.
    tables : dict
        CSV file name → pandas DataFrame, as :func:`lgsim.outputs.rundir.iter_tables`
        gives them (those named in :data:`SHEETS` become sheets).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "概要 headline"
    ws.append(["项目 item", "数值 value", "单位 unit"])
    for row in _headline_rows(results):
        ws.append(list(row))
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 60
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for name, frame in tables.items():
        if name not in SHEETS:
            continue
        ws = wb.create_sheet(SHEETS[name])
        ws.append([column_label(str(c)) for c in frame.columns])
        ws.append([str(c) for c in frame.columns])
        for record in frame.itertuples(index=False):
            ws.append([_cell(v) for v in record])
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.000"
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for cell in ws[2]:
            cell.font = Font(color="666666", size=9)
        ws.freeze_panes = "A3"
        for k, col in enumerate(frame.columns, start=1):
            ws.cell(row=1, column=k).number_format = "@"
            width = 40 if col in ("name", "basis") else 14
            ws.column_dimensions[ws.cell(row=1, column=k).column_letter].width = width
    path = Path(path)
    write_with(path, lambda tmp: wb.save(tmp))
    return path


def _cell(value: Any) -> Any:
    """A table value for a cell: numpy scalars as Python numbers, NaN as an empty cell."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
