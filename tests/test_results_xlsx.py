"""Every run writes results.xlsx: headline, quantiles, contributions, investment, units."""

from __future__ import annotations

import json

import pytest

from lgsim.cli import main
from lgsim.outputs.results_xlsx import column_label

openpyxl = pytest.importorskip("openpyxl")


def test_run_writes_results_xlsx_with_units_in_the_headers(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "scenarios/base.toml", "-n", "300", "--workers", "1", "--out",
                 str(out)]) == 0
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "results.xlsx")
    assert wb.sheetnames == ["概要 headline", "增速分位数 quantiles", "累计增速 ytd",
                             "分行业拉动 sector", "分街道拉动 street", "分来源拉动 component",
                             "投资与计划 investment"]
    head = {r[0]: r[1:] for r in wb["概要 headline"].iter_rows(min_row=2, values_only=True)}
    assert head["达标概率 P(target met)"] == (summary["p_target_met_pct"], "%")
    assert head["随机种子 seed"][0] == str(summary["seed"])
    for ws in wb.worksheets[1:]:
        labels = [c.value for c in ws[1]]
        keys = [c.value for c in ws[2]]
        for label, key in zip(labels, keys, strict=True):
            if key.endswith(("_pct", "_pp", "_yi_yuan")):
                assert label.endswith(("（%）", "（百分点）", "（亿元）")), (ws.title, label)
    inv = wb["投资与计划 investment"]
    keys = [c.value for c in inv[2]]
    first = [c.value for c in inv[3]]
    assert first[keys.index("plan_yi_yuan")] == 17.3


def test_column_labels():
    assert column_label("growth_p10_pct") == "增速 P10（%）"
    assert column_label("ytd_growth_p05_pct") == "累计增速 P5（%）"
    assert column_label("mean_pp") == "均值（百分点）"
    assert column_label("plan_yi_yuan") == "年度计划（亿元）"
    assert column_label("year") == "年份"
