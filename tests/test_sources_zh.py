"""``[sources]`` in Chinese: the prefixes 来源：/假设： and the shipped scenarios' texts.

Every ``[sources]`` text starts with its kind: ``source:``/``来源：`` or
``assumption:``/``假设：`` (either colon). The shipped scenarios are written for Chinese
readers, so their hand-written texts are Chinese; the texts ``lgsim calibrate`` writes
(sector growth and its sd) stay as calibrate writes them (tests/test_spread.py,
tests/test_calibrate.py).
"""

from __future__ import annotations

import re
import tomllib
from html import escape
from pathlib import Path

import pytest

import lgsim
from lgsim.cli import main
from lgsim.outputs.report import split_sources
from lgsim.scenario.sources import PREFIXES, source_kind, source_prefix

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml")) + sorted(
    (ROOT / "scenarios" / "examples").glob("*.toml"))
CJK = re.compile(r"[\u4e00-\u9fff]")

ZH_SOURCES = """
[sources]
"target.gdp_growth" = "来源：龙岗区2022年政府工作报告，wp.rexun.cn/shehui/2022/0419/041969496.html"
"economy.gdp" = "假设：手头资料中未公布2021年GDP"
"accounting.local_share" = "假设:半角冒号也可以"
"accounting.construction_share" = "来源: 半角冒号的出处"
"scenario.seed" = "assumption: the English prefixes stay valid"
"""


def calibrate_wrote(text: str) -> bool:
    """A text ``lgsim calibrate`` writes (growth fitted, or its sd sized from past errors)."""
    return "by lgsim calibrate" in text or text.startswith("source: calibrated as ")


# ---------------------------------------------------------------- the prefixes


def test_the_prefixes_of_both_languages_and_both_colons() -> None:
    assert set(PREFIXES) == {"source:", "source：", "来源:", "来源：",
                             "assumption:", "assumption：", "假设:", "假设："}
    assert source_prefix("来源：X") == "来源：" and source_prefix("假设:Y") == "假设:"
    assert source_prefix("来源 X") is None and source_prefix("Source: X") is None
    assert source_kind("来源：龙岗区, x.org") == ("source", "龙岗区, x.org")
    assert source_kind(" 假设 ： 因为") == ("assumption", "因为")
    assert source_kind("Assumption: because") == ("assumption", "because")
    assert source_kind("出处：X") is None and source_kind("没有冒号") is None
    # the first colon of either width ends the kind word
    assert source_kind("假设：比例为 1:2") == ("assumption", "比例为 1:2")
    assert source_kind("note: 来源：X") is None


def test_split_sources_reads_chinese_prefixes() -> None:
    parts = split_sources({"a": "来源：政府工作报告, x.org", "b": "假设：因为",
                           "c": "假设:半角", "d": "source: X", "e": "来源不明"})
    assert parts == {"source": [("a", "政府工作报告, x.org"), ("d", "X")],
                     "assumption": [("b", "因为"), ("c", "半角")],
                     "other": [("e", "来源不明")]}


# ------------------------------------------------ (a) valid, and split in the report


def test_a_scenario_with_chinese_prefixes_validates_and_its_report_splits_them(
        tiny, tmp_path, capsys) -> None:
    path = tiny(ZH_SOURCES)
    s = lgsim.load_scenario(path)
    assert s.sources["economy.gdp"] == "假设：手头资料中未公布2021年GDP"
    assert main(["validate", str(path)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(path), "--workers", "1", "--out", str(out), "--report"]) == 0
    capsys.readouterr()
    html = (out / "report.html").read_text(encoding="utf-8")
    sources = html[html.index("数据来源与假设"):]
    sourced = sources[sources.index("<h3>有出处的数据 Sourced（2）</h3>"):
                      sources.index("<h3>假设 Assumptions（3）</h3>")]
    assumed = sources[sources.index("<h3>假设 Assumptions（3）</h3>"):]
    assert "其他说明" not in sources  # every text has a kind
    assert "龙岗区2022年政府工作报告，wp.rexun.cn" in sourced and "半角冒号的出处" in sourced
    for text in ("手头资料中未公布2021年GDP", "半角冒号也可以", "the English prefixes stay valid"):
        assert escape(text) in assumed
    assert "来源：" not in sources and "假设：手头" not in sources  # shown without the prefix


# ---------------------------------------------------------------- (b) an empty 来源： is refused


@pytest.mark.parametrize("text", ["来源：", "来源：   ", "来源:"])
def test_an_empty_chinese_source_is_refused_in_one_line(tiny, capsys, text) -> None:
    path = tiny(f'[sources]\n"target.gdp_growth" = "{text}"\n')
    prefix = text.strip()
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f'{path}: sources."target.gdp_growth": expected text after '
                          f'"{prefix}"')
    assert err.rstrip().endswith("found an empty 来源")
    assert main(["--lang", "zh", "validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert f'应为 "{prefix}" 之后的文字' in err and "空的 来源" in err


def test_a_missing_prefix_names_both_languages(tiny, capsys) -> None:
    path = tiny('[sources]\n"economy.gdp" = "政府工作报告"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert '"source: <title>, <address>" or "assumption: <why>"' in err
    assert '"来源：<title>, <address>" / "假设：<why>"' in err
    assert main(["--lang", "zh", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert '"来源：<标题>，<网址>" 或 "假设：<理由>"' in err
    assert '"source: <标题>, <网址>" 或 "assumption: <理由>"' in err


# ---------------------------------------------------------------- (c) the shipped texts are Chinese


def _own_sources(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        return tomllib.load(f).get("sources", {})


def test_every_hand_written_source_of_base_is_chinese() -> None:
    sources = _own_sources(ROOT / "scenarios" / "base.toml")
    written = {k: v for k, v in sources.items() if not calibrate_wrote(v)}
    assert len(written) == 125 and len(sources) - len(written) == 10
    for key, text in written.items():
        assert text.startswith(("来源：", "假设：")), (key, text[:40])
        assert CJK.search(text[3:]), (key, text)
    # calibrate's own texts stay as calibrate writes them
    for key in set(sources) - set(written):
        assert re.fullmatch(r"sector\[\w+\]\.growth\.sd", key)
        assert sources[key].startswith("source: ")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_writes_its_sources_in_chinese(path: Path) -> None:
    for key, text in _own_sources(path).items():
        if calibrate_wrote(text):
            continue
        assert text.startswith(("来源：", "假设：")) and CJK.search(text[3:]), (key, text)


# ---------------------------------------------------------------- (d) the report of base


def test_the_report_of_base_shows_chinese_source_texts(tmp_path, capsys) -> None:
    out = tmp_path / "base"
    assert main(["run", str(ROOT / "scenarios" / "base.toml"), "-n", "250", "--min-ess",
                 "50", "--workers", "1", "--out", str(out), "--report"]) == 0
    capsys.readouterr()
    html = (out / "report.html").read_text(encoding="utf-8")
    sources = html[html.index("数据来源与假设"):]
    assert "<h3>有出处的数据 Sourced（45）</h3>" in sources
    assert "<h3>假设 Assumptions（90）</h3>" in sources
    assert "其他说明" not in sources
    for text in ("无公布的分项数据；4%", "该报道：项目总投资约113.1亿元",
                 "龙岗区2022年政府工作报告（地区生产总值增长6%左右）"):
        assert escape(text) in sources, text
    assert "no published split" not in sources and "the article:" not in sources
