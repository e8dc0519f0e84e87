"""Scenario workbooks: TOML → xlsx → TOML is lossless; errors name the cell."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lgsim
from lgsim.cli import main
from lgsim.scenario.resolve import resolved_document
from lgsim.scenario.workbook import (
    flatten,
    inline_toml,
    inline_value,
    join_key,
    put,
    read_workbook,
    split_key,
    title,
    write_workbook,
)

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))


def _same(a: lgsim.Scenario, b: lgsim.Scenario) -> None:
    """Same validated scenario (the file name aside) and same resolved document."""
    assert dataclasses.replace(a, file="", warnings=()) == dataclasses.replace(
        b, file="", warnings=())
    assert resolved_document(a) == resolved_document(b)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_round_trip_toml_xlsx_toml_is_lossless(path, tmp_path, capsys):
    original = lgsim.load_scenario(path)  # extends chains are resolved in the workbook
    xlsx, toml = tmp_path / "s.xlsx", tmp_path / "s.toml"
    assert main(["excel", "export", str(path), "--out", str(xlsx)]) == 0
    from_xlsx = lgsim.load_scenario(xlsx)
    _same(original, from_xlsx)
    assert main(["excel", "import", str(xlsx), "--out", str(toml)]) == 0
    _same(original, lgsim.load_scenario(toml))
    capsys.readouterr()


def test_numbers_survive_exactly(tmp_path):
    doc = resolved_document(lgsim.load_scenario(ROOT / "scenarios/examples/minimal.toml"))
    doc["scenario"]["seed"] = 2**63 - 1  # more digits than Excel's 15 or openpyxl's 16
    doc["economy"]["gdp"] = 1000.0000000000001
    doc["sector"][0]["growth"]["sd"] = 0.1 + 0.2
    doc["sector"][0]["growth"]["mean"] = 6.0e-2
    doc["sector"][0]["persistence"] = 0.0  # a float that looks like an integer stays a float
    write_workbook(doc, tmp_path / "x.xlsx")
    back, _ = read_workbook(tmp_path / "x.xlsx")
    assert back == doc
    assert isinstance(back["sector"][0]["persistence"], float)
    assert back["scenario"]["seed"] == 2**63 - 1


def test_table_keys_keep_their_order(tmp_path):
    """Members draw their sector in sector_mix order: a different order is another scenario."""
    s = lgsim.load_scenario(ROOT / "scenarios/base.toml")
    write_workbook(resolved_document(s), tmp_path / "b.xlsx")
    back = lgsim.load_scenario(tmp_path / "b.xlsx")
    assert [b.sector_mix for b in back.batches] == [b.sector_mix for b in s.batches]
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")[title("batch")]
    keys = [c.value for c in ws[2]]
    # the second batch lists its sectors in another order than the first: one inline cell
    inline = ws.cell(row=4, column=keys.index("sector_mix") + 1).value
    assert inline.startswith("{ industry = 0.4")


def test_sheets_headers_dropdowns_and_sources(tmp_path):
    s = lgsim.load_scenario(ROOT / "scenarios/base.toml")
    write_workbook(resolved_document(s), tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames[0] == "说明"
    assert {"总体 general", "分项目标 targets", "行业 sector", "街道 street", "批次 batch",
            "储备项目 pipeline", "土地整备 land", "冲击 shock",
            "来源 sources"} <= set(wb.sheetnames)
    ws = wb[title("sector")]
    labels, keys = [c.value for c in ws[1]], [c.value for c in ws[2]]
    # Chinese label with its unit over the key; the source right after its number
    assert labels[keys.index("share")] == "基年增加值占比（比例，0.06 = 6%）"
    assert keys[keys.index("share") + 1] == "sources:share"
    assert ws.cell(row=4, column=keys.index("sources:share") + 1).value.startswith(
        "假设：2020年规模以上工业增加值")
    dist_col = keys.index("growth.dist") + 1
    letter = openpyxl.utils.get_column_letter(dist_col)
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation
             if letter in str(dv.sqref)]
    assert lists and "normal" in lists[0] and "pert" in lists[0]
    general = wb[title("general")]
    rows = {r[0]: r for r in general.iter_rows(min_row=3, values_only=True)}
    assert rows["target.gdp_growth"][2] == 0.06
    assert rows["target.gdp_growth"][4].startswith("来源：龙岗区2022年政府工作报告")


def _edit(src: Path, dst: Path, sheet: str, cell: str, value) -> Path:
    wb = openpyxl.load_workbook(src)
    wb[sheet][cell] = value
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def base_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "base.xlsx"
    write_workbook(resolved_document(lgsim.load_scenario(ROOT / "scenarios/base.toml")), path)
    return path


@pytest.mark.parametrize(("sheet", "cell", "value", "where", "path"), [
    ("批次 batch", "C3", "abc", "sheet 批次 batch, row 3, column C",
     "batch[sz-2022-batch3].total_investment: expected a number"),
    ("行业 sector", "E4", "normall", "sheet 行业 sector, row 4, column E",
     "sector[industry].growth.dist: expected one of normal"),
    ("总体 general", "C5", "x", "sheet 总体 general, row 5, column C",
     "scenario.target_year: expected an integer"),
    ("分项目标 targets", "D3", 4.5, "sheet 分项目标 targets, row 3, column D",
     "target.sectors.industry: expected a fraction"),
])
def test_errors_name_file_sheet_row_column_and_key(base_xlsx, tmp_path, capsys, sheet, cell,
                                                   value, where, path):
    bad = _edit(base_xlsx, tmp_path / "bad.xlsx", sheet, cell, value)
    assert main(["run", str(bad), "-n", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"{bad}, {where}: {path}")
    assert not (tmp_path / "runs").exists()


def test_unknown_sheet_and_uncomputed_formula(base_xlsx, tmp_path):
    wb = openpyxl.load_workbook(base_xlsx)
    wb.create_sheet("行业 sectors")
    wb.save(tmp_path / "a.xlsx")
    with pytest.raises(lgsim.ScenarioError, match=r"sheet 行业 sectors.*did you mean 'sector'"):
        lgsim.load_scenario(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(base_xlsx)
    wb.create_sheet("# 草稿 notes")["A1"] = "ignored"
    wb.save(tmp_path / "b.xlsx")
    lgsim.load_scenario(tmp_path / "b.xlsx")
    bad = _edit(base_xlsx, tmp_path / "c.xlsx", "总体 general", "C3", "=1+1")
    with pytest.raises(lgsim.ScenarioError, match=r"row 3, column C.*computed value"):
        lgsim.load_scenario(bad)


def test_not_a_workbook(tmp_path, capsys):
    (tmp_path / "x.xlsx").write_text("not a zip", encoding="utf-8")
    assert main(["validate", str(tmp_path / "x.xlsx")]) == 2
    assert "expected an Excel workbook (.xlsx)" in capsys.readouterr().err


def test_import_refuses_to_overwrite(base_xlsx, tmp_path, capsys):
    out = tmp_path / "s.toml"
    out.write_text("# mine\n", encoding="utf-8")
    assert main(["excel", "import", str(base_xlsx), "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert "exists" in capsys.readouterr().err


@pytest.mark.slow
def test_run_reads_a_workbook_and_matches_the_toml_run(base_xlsx, tmp_path):
    env_cmd = [sys.executable, "-m", "lgsim", "run"]
    a = subprocess.run([*env_cmd, str(base_xlsx), "-n", "250", "--out", str(tmp_path / "a")],
                       capture_output=True, text=True, cwd=tmp_path)
    b = subprocess.run([*env_cmd, str(ROOT / "scenarios/base.toml"), "-n", "250", "--out",
                        str(tmp_path / "b")], capture_output=True, text=True, cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a/summary.json").read_text(encoding="utf-8") == (
        tmp_path / "b/summary.json").read_text(encoding="utf-8")


_keys = st.text(alphabet=st.sampled_from("ab_-1.[]\" 工"), min_size=1, max_size=6)
_leaf = st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False,
                  allow_infinity=False), st.booleans(), st.text(max_size=5).filter(
                      lambda t: t.strip() and not t.strip().startswith(("{", "["))))
_docs = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3),
    st.dictionaries(_keys, inner, min_size=1, max_size=3)), max_leaves=8)


@settings(max_examples=60)
@given(st.dictionaries(_keys, _docs, min_size=1, max_size=3))
def test_flat_keys_rebuild_the_document(doc):
    rebuilt: dict = {}
    for key, value in flatten(doc):
        put(rebuilt, split_key(key), value)
    assert rebuilt == doc


@settings(max_examples=60)
@given(_docs)
def test_inline_cells_round_trip(value):
    if isinstance(value, dict | list):
        assert inline_value(inline_toml(value)) == value


def test_join_key_quotes_what_needs_it():
    assert join_key("actuals.ytd", "2022-Q1") == "actuals.ytd.2022-Q1"
    assert join_key("a", "x.y") == 'a."x.y"'
    assert split_key('a."x.y"[2].b') == ["a", "x.y", 2, "b"]
    with pytest.raises(ValueError):
        split_key("a..b")
