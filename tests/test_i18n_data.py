"""Chinese for the data loaders and the forecasting commands; files stay English.

The suite runs in English (``tests/conftest.py``); these tests ask for Chinese and check
that what a user reads has the fixed structure ``<file>：<where>：应为 …，实为 …`` with the
words translated, while file names, columns and values stay as they are, and that the
notes written to files stay English whatever the language.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

from lgsim import i18n
from lgsim.cli import main
from lgsim.i18n import N_, Composed, Message, localized

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "tests" / "corpus" / "published"
#: English words that must not be left in a Chinese line (file names and values aside).
ENGLISH = re.compile(r"\b(expected|found|row|column|file|not used|left out|note)\b")


# ---------------------------------------------------------------- the Message helper


def test_a_message_is_its_english_text_and_shows_translated():
    note = Message(N_("published {date}"), date="2022-03-20")
    assert note == "published 2022-03-20"
    assert json.dumps([note]) == '["published 2022-03-20"]'
    assert localized(note) == note  # English (conftest)
    with i18n.using("zh"):
        assert localized(note) == "公布于 2022-03-20"
        assert localized("published") == "published"  # a plain str is never looked up
    again = pickle.loads(pickle.dumps(note))
    assert again == note and again.fields == {"date": "2022-03-20"}
    with i18n.using("zh"):
        assert localized(again) == "公布于 2022-03-20"


def test_message_fields_are_translated_too_and_lists_joined():
    from lgsim.data.areas import area_name

    note = Message(N_("{file}: {area} {period} {value} not used: {other} has {kept}"),
                   file="a.csv", area=area_name("Longgang"), period="2020-12", value="3.0%",
                   other="b.csv", kept="3.1%")
    assert note == "a.csv: Longgang 2020-12 3.0% not used: b.csv has 3.1%"
    assert area_name("Xixiang") == "Xixiang" and not isinstance(area_name("Xixiang"), Message)
    columns = Message(N_("the columns {columns}"), columns=["area", "kind"])
    assert columns == "the columns area, kind"
    with i18n.using("zh"):
        assert localized(note) == "a.csv：龙岗区 2020-12 的 3.0% 未使用：b.csv 中为 3.1%"
        assert localized(columns) == "列 area、kind"


# ---------------------------------------------------------------- data loaders


@pytest.mark.parametrize("name", sorted(p.name for p in PUBLISHED.glob("*.csv")
                                        if p.name != "valid.csv"))
def test_a_broken_published_file_reads_chinese(name):
    from lgsim.data.published import DataError, load_published

    path = PUBLISHED / name
    with i18n.using("zh"), pytest.raises(DataError) as info:
        load_published(path)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(f"{path}：第 "), line  # the file as it is, then the row
    assert "：应为 " in line and "，实为 " in line, line
    assert not ENGLISH.search(line.split("：应为 ")[0]), line
    assert "expected" not in line and ", found" not in line, line
    with pytest.raises(DataError) as english:
        load_published(path)
    assert f"{path}: row " in str(english.value) and ": expected " in str(english.value)


def test_a_broken_published_file_through_the_tracker_in_chinese(capsys):
    path = PUBLISHED / "unit_contradicts_kind.csv"
    code = main(["--lang", "zh", "track", "scenarios/base.toml", "--data", str(path),
                 "--out", "/nonexistent-never-written"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"{path}：第 2 行，unit 列：应为 增速单位（% 或 fraction；类型 "
                   "ytd_growth_pct 是增速），实为 '亿元'\n")


def test_a_broken_workbook_names_its_sheet_in_chinese(tmp_path):
    from openpyxl import Workbook

    from lgsim.data.published import DataError, load_published

    wb = Workbook()
    ws = wb.active
    ws.title = "published"
    ws.append(["area", "indicator", "period", "value", "unit", "kind"])
    ws.append(["Longgang", "gdp", "2022-03", "about 2", "%", "ytd_growth_pct"])
    path = tmp_path / "figures.xlsx"
    wb.save(path)
    with i18n.using("zh"), pytest.raises(DataError) as info:
        load_published(path)
    assert str(info.value) == (f"{path}，工作表 published：第 2 行，value 列：应为 数字，"
                               "实为 'about 2'")


@pytest.mark.parametrize(("text", "fragment"), [
    ("year,indicator,value,unit,status,source,url\n2020,gdp_real_growth,abc,%,f,s,u\n",
     "：'value' 列，第 1 个数据行：应为 数字，实为 'abc'"),
    ("year,indicator,value\n2020,gdp_real_growth,1\n",
     "：缺少 'unit', 'status', 'source', 'url' 列；应为 列 year, indicator, value, unit, "
     "status, source, url，实为 year, indicator, value"),
])
def test_a_broken_annual_file_reads_chinese_on_the_command_line(text, fragment, tmp_path,
                                                                capsys):
    path = tmp_path / "annual.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["--lang", "zh", "forecast", "--data", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"lgsim：{path}{fragment}\n"


def test_a_broken_io_table_reads_chinese_with_its_key_path(tmp_path):
    from lgsim.data.io_tables import TableError, read_table

    table = ROOT / "tests" / "corpus" / "io" / "unbalanced.csv"
    with i18n.using("zh"), pytest.raises(TableError) as info:
        read_table(table)
    assert str(info.value) == ("industry 列：应为 中间投入 + 增加值 = 总投入（相对误差 1e-06 "
                               "以内），实为 90，而总投入为 100")
    with pytest.raises(TableError) as english:
        read_table(table)
    assert str(english.value) == ("column industry: expected intermediate inputs + value "
                                  "added = total input within 1e-06 (relative), found 90 "
                                  "against 100")


def test_a_composed_message_is_made_in_either_language():
    from functools import partial

    from lgsim.forecasting.errors import vantage_label

    label = Composed(partial(vantage_label, 4))
    assert label == "after Q1, as of the end of month 4"
    with i18n.using("zh"):
        assert localized(label) == "一季度数据公布后，截至 4 月末"
    assert pickle.loads(pickle.dumps(label)) == label


# ---------------------------------------------------------------- forecasting


@pytest.mark.parametrize(("args", "line"), [
    (["backtest", "--engine", "scenarios/base.toml", "--vantage", "13"],
     "lgsim：vantage：应为 1–12 的月份或 jan, q1, h1, q3 之一，实为 '13'"),
    (["backtest", "--engine", "scenarios/base.toml", "--area", "Foo"],
     "lgsim：lgsim/data/longgang_annual.csv + lgsim/data/published_indicators.csv：area：应为 "
     "Longgang, Shenzhen 之一，实为 'Foo'"),
    (["backtest", "--min-train", "2"], "lgsim：min_train：应为 >= 4 的整数，实为 2"),
    (["forecast", "--indicator", "nope"],
     "lgsim：lgsim/data/longgang_annual.csv：没有指标 'nope' 的数据行；可用的增速指标："
     "fai_growth, finance_va_real_growth, gdp_real_growth, industry_above_size_va_real_growth, "
     "industry_va_real_growth, retail_sales_growth"),
])
def test_a_forecasting_argument_error_reads_chinese(args, line, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["--lang", "zh", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err == line + "\n"


def test_the_library_errors_follow_the_language():
    from lgsim.forecasting.errors import fit_spread, parse_vantage

    with i18n.using("zh"):
        with pytest.raises(ValueError, match=r"^errors：拟合离散度应至少有 3 个历史误差"):
            fit_spread([])
        with pytest.raises(ValueError, match=r"^vantage：应为 1–12 的月份"):
            parse_vantage("x")
    with pytest.raises(ValueError, match=r"^vantage: expected a month 1–12"):
        parse_vantage("x")


#: English sentences of the engine backtest's terminal text that must read Chinese.
ENGINE_ENGLISH = ("organic model only", "are not replayed", "no published figure",
                  "past errors before it", "scored at the stated value", "lower bound",
                  "graded D", "share centre and spread", "years before the last gap",
                  "as of the end of month", "after Q1", "Longgang", "Shenzhen")


def test_the_engine_backtest_prints_chinese_and_writes_english(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "bt"
    code = main(["--lang", "zh", "backtest", "--engine", "scenarios/base.toml", "-n", "200",
                 "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    left = [s for s in ENGINE_ENGLISH if s in text]
    assert not left, left
    assert "对龙岗区重演其内生增长模型" in text
    assert "预测时点：一季度数据公布后，截至 4 月末。" in text
    assert "说明：仅内生增长模型：情景中的批次项目、储备项目、土地整备、冲击不参与重演" in text
    assert "说明：按所述数值评分：2016（下限值）、2019（估计值）" in text
    assert "不作为预测起点：2012（此前 2 年内没有公布数据）；2013（此前只有 0 个历史误差" in text
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))  # files: English
    assert data["vantage_label"] == "after Q1, as of the end of month 4"
    assert ("organic model only: the scenario's batches, pipelines, lands, shocks are not "
            "replayed") in data["notes"]
    assert "scored at the stated value: 2016 (lower bound), 2019 (estimate)" in data["notes"]
    assert data["skipped"][0] == {"year": 2012,
                                  "reason": "no published figure in the 2 years before it"}
    assert not any(re.search("[\u4e00-\u9fff]", n) for n in data["notes"])


def test_forecast_and_backtest_tables_read_chinese(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["--lang", "zh", "forecast", "--n-sims", "200"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^\s+均值\s+标准差\s+p10\s+p50\s+p90$", text, re.M), text
    assert re.search(r"^naive_last\s+基准\s", text, re.M), text
    assert "说明：gaps='auto'：按 2012–2020 拟合；舍弃 2005、2010" in text
    assert "fitted on" not in text and "dropped" not in text and "benchmark" not in text


def test_calibrate_prints_chinese_and_writes_english(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "cal.toml"
    code = main(["--lang", "zh", "calibrate", "scenarios/hand-set-spread.toml", "--out",
                 str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "预测时点：一季度数据公布后，截至 4 月末。" in text
    assert ("提前一年预测的误差记录，随机游走（最近一次公布的增速）：13 个提前一年预测误差"
            "（龙岗区") in text
    assert ("说明：按所述数值评分：龙岗区 2016 年、龙岗区 2019 年（下限值“超过 X”或估计值"
            "“约 X”）") in text
    assert "警告：误差记录包含全部年份，最差的是龙岗区 2020 年" in text
    for english in ("year-ahead errors", "root mean square", "random walk", "scored at",
                    "the record includes", "Longgang", "after Q1"):
        assert english not in text, english
    written = out.read_text(encoding="utf-8")  # the file: English
    assert "# WARNING: the record includes every year, the worst Longgang 2020" in written
    assert "year-ahead errors (Longgang 2012–2020 (9), Shenzhen" in written
    assert "vantage after Q1, as of the end of month 4" in written


# ---------------------------------------------------------------- fragments of the other commands


def test_compare_names_the_investment_targets(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = ["compare", "scenarios/base.toml", "scenarios/delay-6m.toml", "-n", "300"]
    assert main(["--lang", "zh", *args, "--out", str(tmp_path / "zh")]) == 0
    zh = capsys.readouterr().out
    assert re.search(r"^    Δ达标概率\(固定资产投资\) .* 个百分点  配对 95% ", zh, re.M), zh
    assert re.search(r"^    Δ达标概率\(工业投资\) ", zh, re.M), zh
    assert not re.search(r"\bfai\b|industrial_fai", zh), zh
    assert main(["--lang", "en", *args, "--out", str(tmp_path / "en")]) == 0
    en = capsys.readouterr().out
    assert "ΔP(district FAI met)" in en and "ΔP(industrial investment met)" in en
    assert not re.search(r"ΔP\((industrial_)?fai", en), en
    # the files keep the ids
    data = json.loads((tmp_path / "zh" / "comparison.json").read_text(encoding="utf-8"))
    assert set(data["differences"][0]["investment_target_met_diff_pp"]) == {"fai",
                                                                            "industrial_fai"}


def test_indicator_targets_read_chinese_and_summary_stays_english(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "it"
    assert main(["--lang", "zh", "run", "scenarios/examples/indicator-targets.toml", "-n",
                 "300", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert ("指标目标 一般公共预算收入（general_budget_revenue）增速 >= 4.95%（左右 5%）：未建模 — "
            "没有 [[indicator]] 映射龙岗区的 general_budget_revenue") in text
    assert "指标目标 固定资产投资（fai）总量 >= 1,400.00亿元（超 1,400亿元）：P = " in text
    assert "growth >=" not in text and "level >=" not in text and " maps " not in text
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert '"growth >= 4.95% (左右 5%)"' in summary
    assert "no [[indicator]] maps general_budget_revenue of Longgang" in summary


def test_track_summarises_unused_rows_and_names_areas_in_chinese(tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["--lang", "zh", "track", "scenarios/base.toml", "-n", "300", "--to",
                 "2022-03", "--no-plots", "--no-report", "--out", str(tmp_path / "t")])
    text = capsys.readouterr().out
    assert code == 0
    assert re.search(r"^未使用：模拟年份中已公布的 \d+ 行 — 没有 \[\[indicator\]\] 映射：\d+；"
                     r"总量数据：\d+", text, re.M), text
    assert "2022年1–2月 龙岗区 规模以上工业增加值" in text
    assert not re.search(r"Longgang|Shenzhen|a level|no \[\[indicator\]\]:", text), text
    assert text.rstrip().endswith(f"已写入 {tmp_path / 't'}/")
    data = json.loads((tmp_path / "t" / "track.json").read_text(encoding="utf-8"))
    assert any(g["reason"].startswith("no [[indicator]] entry maps Longgang ")
               for g in data["ignored"])


def test_a_distribution_below_zero_reads_chinese():
    from lgsim import load_scenario
    from lgsim.scenario import ScenarioError

    path = ROOT / "tests" / "corpus" / "negative_duration_distribution.toml"
    with i18n.using("zh"), pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "：应为 " in message and "，实为 取值范围可达 " in message, message
    assert "（加上 min = 0，或改用非负的分布）" in message, message
    with pytest.raises(ScenarioError, match=r"found support reaching .*add min = 0"):
        load_scenario(path)


def _words(line: str) -> list[str]:
    """English word pairs of a message, leaving out values, key paths and ids."""
    body = line.split("：", 1)[-1]
    body = re.sub(r"'[^']*'|\"[^\"]*\"", "", body)  # values as written
    body = re.sub(r"\S*[\[\]._/=]\S*", "", body)  # key paths, files, numbers
    body = re.sub(r"\b(project|sector) id\b", "", body)  # the ids' kinds
    return re.findall(r"\b[a-z]{3,}(?: [a-z]{2,})+\b", body)


def test_no_broken_scenario_leaves_english_words_in_chinese(capsys):
    """Every broken file of the corpus, in Chinese: no English phrase but values and ids.

    TOML syntax errors quote the parser's own (English) words after 语法错误：.
    """
    from test_corpus import BROKEN

    left = []
    for file in BROKEN:
        main(["--lang", "zh", "validate", str(file)])
        line = capsys.readouterr().err.strip()
        text = line.split("语法错误：")[0]
        if _words(text):
            left.append((file.name, _words(text)))
    assert not left, left
