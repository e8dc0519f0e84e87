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
from lgsim.i18n import N_, Message, localized

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
    from lgsim.data.growth_figures import area_name

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
