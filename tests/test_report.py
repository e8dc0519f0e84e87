"""HTML reports (lgsim.outputs.report, ``lgsim report``, ``run --report``, ``compare``)."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

import lgsim
from lgsim.cli import main
from lgsim.outputs.report import headline_sentences, split_sources, write_report
from lgsim.outputs.study_files import write_comparison
from lgsim.studies.compare import compare

EVIL_TITLE = '测试区 <script>alert("x")</script> & 情景'

SCENARIO = f"""
[scenario]
name = "evil"
title = '{EVIL_TITLE}'
base_year = 2021
seed = 3
replications = 200

[target]
gdp_growth = 0.06
sectors = {{ industry = 0.05 }}

[economy]
gdp = 500.0

[accounting]
construction_share = 0.6
construction_va_ratio = 0.3
local_share = 0.9

[[sector]]
id = "industry"
name = "工业<b>"
share = 0.7
growth = {{ dist = "normal", mean = 0.06, sd = 0.03 }}

[[sector]]
id = "construction"
name = "建筑业"
share = 0.3
growth = {{ dist = "normal", mean = 0.05, sd = 0.03 }}

[[batch]]
id = "b1"
name = "新开工项目 <img src=x onerror=alert(1)>"
count = 4
total_investment = 40.0
first_year_plan = 8.0
planned_start = 2022-04-01
duration_months = {{ dist = "pert", low = 12, mode = 18, high = 30 }}
sector_mix = {{ construction = 1.0 }}

[sources]
"target.gdp_growth" = "source: 政府工作报告 <script>x()</script>, https://example.org/report"
"economy.gdp" = "assumption: illustrative <i>only</i>"
"""


class _Tags(HTMLParser):
    """Collect start tags and their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _assert_self_contained(html: str) -> None:
    tags = _tags(html)
    names = [t for t, _ in tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for _tag, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if value is not None:
                assert value.startswith("data:"), (key, value[:60])
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html
    assert not re.search(r"url\((?!data:)", html)  # the embedded font is a data: URL


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("report")
    path = base / "evil.toml"
    path.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    out = base / "run"
    assert main(["run", str(path), "--workers", "1", "--out", str(out), "--report"]) == 0
    return out


def test_run_report_is_self_contained_with_embedded_charts(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    _assert_self_contained(html)
    images = [a["src"] for t, a in _tags(html) if t == "img"]
    # fan, distribution, 2 × contributions, investment, start dates, sector sub-target
    assert len(images) == 7
    assert all(src.startswith("data:image/png;base64,") and len(src) > 10_000
               for src in images)


def test_scenario_strings_are_escaped(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<b>" not in html and "<i>" not in html and "<img src=x" not in html
    assert "测试区 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 情景" in html
    assert "工业&lt;b&gt;" in html
    assert "政府工作报告 &lt;script&gt;x()&lt;/script&gt;" in html


def test_run_report_content(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    r = lgsim.Results.load(run_dir)
    p = r.p_target()
    assert f"按当前假设，2022年GDP增长达到6%目标的概率约为{100 * p.estimate:.0f}%" in html
    assert "Under the current assumptions, the probability that 2022 GDP growth" in html
    assert "模拟精度" in html and "simulation precision" in html
    assert "not</strong> forecast uncertainty" in html
    assert "20220607" not in html and "seed 3" in html and "lgsim 0.1.0" in html
    assert "模拟 200 次" in html
    # Sources split by prefix, prefix removed.
    assert "有出处的数据 Sourced（1）" in html and "假设 Assumptions（1）" in html
    assert "Other notes" not in html
    assert "illustrative &lt;i&gt;only&lt;/i&gt;" in html
    # Tables: contributions, investment vs plan (with its 8.0亿 plan), sub-targets.
    for heading in ("Contributions to growth", "Investment vs plan", "Sub-targets"):
        assert heading in html
    assert "<td class=\"num\">8.0</td>" in html


def test_report_command_rebuilds_the_same_report(run_dir: Path, tmp_path: Path) -> None:
    before = (run_dir / "report.html").read_text(encoding="utf-8")
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").read_text(encoding="utf-8") == before


def test_report_on_a_directory_without_results_says_so(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "results.nc" in err and "Traceback" not in err
    assert main(["report", str(tmp_path / "missing")]) == 2
    with pytest.raises(FileNotFoundError, match=r"results\.nc"):
        write_report(tmp_path)


def test_comparison_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    path = tmp_path / "evil.toml"
    path.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    s = lgsim.load_scenario(str(path))
    late = s.with_changes({"batch[b1].start_delay_months": 6.0, "scenario.title": "推迟 <u>6</u>"})
    c = compare([s, late], replications=200, workers=1)
    out = write_comparison(c, tmp_path / "cmp")
    html = (out / "comparison.html").read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert "<script" not in html.lower() and "<u>" not in html
    assert "推迟 &lt;u&gt;6&lt;/u&gt;" in html
    assert len([t for t, _ in _tags(html) if t == "img"]) == 3
    assert "batch[b1].start_delay_months" in html  # what differs from A
    assert "paired" in html and "unpaired" in html


def test_headline_sentences() -> None:
    summary = {"target_year": 2022, "target_growth_pct": 6.0, "p_target_met_pct": 25.2,
               "p_target_met_ci_pct": [23.3, 27.1]}
    zh, en = headline_sentences(summary)
    assert zh == "按当前假设，2022年GDP增长达到6%目标的概率约为25%（模拟精度95%区间 23%–27%）"
    assert en == ("Under the current assumptions, the probability that 2022 GDP growth meets "
                  "the 6% target is about 25% (95% simulation precision 23%–27%).")
    zh, _ = headline_sentences({**summary, "target_growth_pct": 5.5, "p_target_met_pct": 0.3,
                                "p_target_met_ci_pct": [0.03, 1.0]})
    assert "达到5.5%目标的概率约为0.3%（模拟精度95%区间 <0.1%–1%）" in zh
    zh, en = headline_sentences({**summary, "p_target_met_pct": 99.5,
                                 "p_target_met_ci_pct": [99.2, 99.97]})
    assert "概率约为99.5%（模拟精度95%区间 99.2%–>99.9%）" in zh
    assert "about 99.5% (95% simulation precision 99.2%–>99.9%)" in en
    zh, _ = headline_sentences({**summary, "p_target_met_pct": 0.0,
                                "p_target_met_ci_pct": [0.0, 0.2]})
    assert "概率约为0%（模拟精度95%区间 0%–0.2%）" in zh


def test_split_sources() -> None:
    parts = split_sources({"a": "source: X, x.org", "b": "Assumption: because",
                           "c": "no prefix", "d": "sources are here"})
    assert parts == {"source": [("a", "X, x.org")], "assumption": [("b", "because")],
                     "other": [("c", "no prefix"), ("d", "sources are here")]}
