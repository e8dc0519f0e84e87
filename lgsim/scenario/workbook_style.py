"""The look of a scenario workbook: header styles, column widths, drop-down lists, the guide.

Only presentation: what a cell means is decided by :mod:`.workbook`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .distributions import PARAMS

#: Drop-down lists (data validation) by column key.
_DIST_LIST = ",".join(PARAMS)
_DRAWDOWN_LIST = "s-curve,linear"
_ROWS_VALIDATED = 500

README_LINES = (
    "lgsim 情景工作簿",
    "",
    "每张工作表对应情景文件的一节。第1行是中文名称（括号内为单位），第2行是情景文件中的键名，"
    "数据从第3行开始。导入时只看第2行的键名：可以改中文名称，不要改键名。",
    "单位：金额为亿元；增长率、比例、目标、冲击影响一律写成小数（0.06 表示 6%，"
    "也可以把单元格设为百分比格式后输入 6%）；时间为月；面积为公顷；日期写成日期（2022-06-07）。",
    "随机量：在“…·分布类型”（键名 xxx.dist）一列从下拉列表选择分布（normal 正态、"
    "lognormal 对数正态、uniform 均匀、triangular 三角、pert、beta、empirical 经验分布），"
    "并在同名的参数列填写参数"
    "（normal: mean, sd；lognormal: median, sigma；uniform: low, high；triangular/pert: low, mode, "
    "high；beta: mean, sd 或 a, b）。固定值直接写在键名本身那一列（如 start_delay_months），"
    "同一行不要同时填固定值和分布。",
    "缺少的参数列可以自己加：在第2行写键名（如 growth.min），第1行写说明。",
    "“来源”列（键名 sources:xxx）是情景文件 [sources] 中对旁边那个数字的说明，必须以 "
    "“来源：出处” 或 “假设：理由” 开头（英文写法 “source: 出处” 或 “assumption: 理由” 同样有效）。"
    "没有对应单元格的说明在“来源 sources”表中。",
    "“总体 general”表每行一个键（如 target.gdp_growth）；"
    "“分项目标 targets”表是行业和街道的增长目标。",
    "“指标映射 indicator”表每行一个公布指标（area + indicator）对应的模型量和观测误差，"
    "供 python -m lgsim track 逐月跟踪使用。",
    "名称以 # 开头的工作表在导入时被忽略，可用来做草稿。",
    "",
    "运行：python -m lgsim run 本文件.xlsx",
    "检查：python -m lgsim validate 本文件.xlsx",
    "转回 TOML：python -m lgsim excel import 本文件.xlsx --out 情景.toml",
    "出错时，提示会指出工作表、行、列和键路径。",
)


def readme_sheet(ws: Any, name: str) -> None:
    """Fill the guide sheet (ignored when the workbook is read)."""
    from openpyxl.styles import Alignment, Font

    ws.title = name
    for line in README_LINES:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def style_sheet(ws: Any, columns: Sequence[str], *, sector_ids: Sequence[str] = (),
                street_ids: Sequence[str] = ()) -> None:
    """Header styles, frozen headers, widths and drop-down lists of a data sheet.

    Parameters
    ----------
    ws : openpyxl worksheet
    columns : sequence of str
        The keys of row 2, in column order.
    sector_ids, street_ids : sequence of str
        Ids offered in the drop-downs of ``sector`` / ``street`` columns.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[2]:
        cell.font = Font(color="666666", name="Consolas", size=9)
    ws.freeze_panes = "B3" if columns and columns[0] == "id" else "A3"
    ws.row_dimensions[1].height = 45
    for i, key in enumerate(columns, start=1):
        letter = get_column_letter(i)
        wide = key.startswith("sources:") or key in ("source", "text", "label")
        ws.column_dimensions[letter].width = 60 if wide else max(12, min(30, len(key) + 4))
        if wide:
            for cell in ws[letter][2:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        options = _options(key, sector_ids, street_ids)
        if options:
            _dropdown(ws, letter, options)


def _options(key: str, sector_ids: Sequence[str], street_ids: Sequence[str]) -> str:
    if key == "dist" or key.endswith(".dist"):
        return _DIST_LIST
    if key == "drawdown":
        return _DRAWDOWN_LIST
    if key == "kind":
        return "sector,street"
    if key == "sector" and sector_ids:
        return ",".join(sector_ids)
    if key == "street" and street_ids:
        return ",".join(street_ids)
    return ""


def _dropdown(ws: Any, letter: str, options: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if len(options) > 250:  # Excel's limit for an inline list
        return
    dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                        showErrorMessage=True, errorTitle="lgsim",
                        error="请从下拉列表中选择 / choose a value from the list")
    dv.add(f"{letter}3:{letter}{_ROWS_VALIDATED}")
    ws.add_data_validation(dv)
