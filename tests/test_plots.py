"""Charts (lgsim.outputs.plots): every chart renders with Chinese labels and no missing glyph."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.cli import main
from lgsim.outputs import plots
from lgsim.outputs.plots.growth import _edges_through
from lgsim.outputs.plots.style import BLUE
from lgsim.scenario import Target

#: A small scenario exercising every chart: batch with a plan, single project with
#: land, pipeline entry, pausing shock, sector and street targets, Chinese names.
MINI = """
[scenario]
name = "mini"
title = "测试区 2022 情景（图表）"
base_year = 2021
target_year = 2022
end_year = 2023
seed = 11
replications = 300

[target]
gdp_growth = 0.06
decimals = 1
sectors = { industry = 0.05 }
streets = { east = 0.06 }
fai = 90.0

[economy]
gdp = 200.0
land_stock_ha = 5.0
fai = 80.0
fai_growth = { dist = "normal", mean = 0.06, sd = 0.05 }

[accounting]
construction_share = 0.6
construction_va_ratio = 0.3
local_share = 0.9

[[sector]]
id = "industry"
name = "工业"
share = 0.6
growth = { dist = "normal", mean = 0.05, sd = 0.03 }
monthly_sd = 0.01
va_ratio = 0.25
output_per_investment = 1.0

[[sector]]
id = "construction"
name = "建筑业"
share = 0.1
growth = { dist = "normal", mean = 0.04, sd = 0.03 }

[[sector]]
id = "services"
name = "营利性服务业"
share = 0.3
growth = { dist = "normal", mean = 0.06, sd = 0.02 }

[[street]]
id = "east"
name = "坂田"
share = 0.6

[[street]]
id = "west"
name = "布吉"
share = 0.4

[[batch]]
id = "batch-a"
name = "深圳市2022年第三批新开工项目（测试）"
count = 6
total_investment = 60.0
first_year_plan = 12.0
planned_start = 2022-03-01
start_delay_months = { dist = "lognormal", median = 1.0, sigma = 0.8 }
duration_months = { dist = "pert", low = 12, mode = 18, high = 30 }
sector_mix = { industry = 0.5, construction = 0.5 }
street_mix = { east = 0.7, west = 0.3 }

[[project]]
id = "park"
name = "产业园一期"
sector = "industry"
street = "east"
total_investment = 10.0
first_year_plan = 3.0
planned_start = 2022-05-01
duration_months = 24
land_ha = 3.0

[[pipeline]]
id = "pv"
name = '屋顶分布式光伏 $\\bad{$ 5亿'   # a "$" pair must not be read as mathtext
probability = 0.5
signed = 2022-04-01
land_delay_months = { dist = "lognormal", median = 3.0, sigma = 0.5 }
sector = "industry"
total_investment = 4.0
duration_months = 12

[[shock]]
id = "lockdown"
name = "下半年封控风险"
probability = 0.3
window = [2022-06-01, 2022-12-31]
duration_months = { dist = "uniform", low = 0.25, high = 1.0 }
impact = { industry = -0.3, services = -0.2 }
pauses_projects = true

[sources]
"target.gdp_growth" = "source: 政府工作报告, example.org/report"
"economy.gdp" = "assumption: illustrative"
"""


@pytest.fixture(scope="module")
def mini_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plots") / "mini.toml"
    path.write_text(textwrap.dedent(MINI), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mini(mini_path: Path) -> lgsim.Results:
    return lgsim.run(str(mini_path), replications=300, workers=1)


def _render(fig, fmt: str = "png") -> bytes:
    """Draw a figure with every warning an error (a missing glyph warns at draw time)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return plots.figure_bytes(fig, fmt)


def _all_charts(r: lgsim.Results) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts = {stem: make(r) for stem, make in plots.FIGURES.items()}
        charts["contributions_street"] = plots.contributions_chart(r, "street")
        charts["fan_overlay"] = plots.fan_overlay([r, r])
        charts["distribution_overlay"] = plots.distribution_overlay([r, r])
        charts["growth_difference"] = plots.growth_difference_chart([r, r])
    return charts


@pytest.mark.slow
def test_every_chart_renders_without_missing_glyphs(mini: lgsim.Results) -> None:
    charts = _all_charts(mini)
    assert len(charts) == len(plots.FIGURES) + 4
    for stem, fig in charts.items():
        png = _render(fig, "png")
        assert png[:8] == b"\x89PNG\r\n\x1a\n", stem
        assert 10_000 < len(png) < 400_000, stem
        svg = _render(fig, "svg")
        assert b"<svg" in svg[:2000], stem


def test_charts_carry_chinese_titles_and_target(mini: lgsim.Results) -> None:
    fig = plots.fan_chart(mini)
    title = fig._suptitle.get_text()
    p = mini.p_target().estimate
    assert title.startswith("2022年地区生产总值累计增速")
    assert f"达到6%目标的概率约{100 * p:.0f}%" in title
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "目标 6%" in texts
    ylabel = fig.axes[0].get_ylabel()
    assert "%" in ylabel and "增速" in ylabel
    fig = plots.investment_chart(mini)
    assert "亿元" in fig._suptitle.get_text()
    notes = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "2022年计划 12.0亿元" in notes and "2022年计划 3.0亿元" in notes


def test_distribution_shades_exactly_the_missed_replications(mini: lgsim.Results) -> None:
    from matplotlib.colors import to_rgba

    fig = plots.growth_distribution(mini)
    ax = fig.axes[0]
    p = mini.p_target(method="indicator").estimate  # the bars count replications
    heights = {"miss": 0.0, "met": 0.0}
    for patch in ax.patches:
        colour = patch.get_facecolor()
        if np.allclose(colour, to_rgba("#e3968c")):
            heights["miss"] += patch.get_height()
        elif np.allclose(colour, to_rgba(BLUE)):
            heights["met"] += patch.get_height()
    # Bars are in percent of replications: red bars add up to 1 − P(met), blue to P(met).
    assert heights["miss"] == pytest.approx(100 * (1 - p))
    assert heights["met"] == pytest.approx(100 * p)
    texts = [t.get_text() for t in ax.texts]
    assert f"未达到目标的模拟结果 {100 * (1 - p):.1f}%" in texts
    assert f"达到目标的模拟结果 {100 * p:.1f}%" in texts
    # No bin straddles the threshold of the rule: one bin edge sits on it.
    cut = 100 * mini.scenario.target.threshold()
    edges = _edges_through(100 * mini.growth(), cut)
    assert np.isclose(edges, cut).any()


def test_threshold_and_rule_follow_the_target_rule() -> None:
    assert Target(0.06, decimals=1).threshold() == pytest.approx(0.0595)
    assert Target(0.06).threshold() == 0.06
    assert Target(0.06, tolerance=0.005).threshold() == pytest.approx(0.055)
    assert plots.rule_zh(Target(0.06, decimals=1)) == "增速四舍五入保留1位小数后 ≥ 6.0%"
    assert plots.rule_zh(Target(0.06)) == "增速 ≥ 6%"
    assert "容差0.5个百分点" in plots.rule_zh(Target(0.06, tolerance=0.005))


def test_run_figures_skip_charts_that_do_not_apply(mini: lgsim.Results, one_sector) -> None:
    assert set(plots.run_figures(mini)) == set(plots.FIGURES)
    path = one_sector(sector='name = "全部行业"', name="plain.toml")
    r = lgsim.run(str(path), replications=200, seed=3, workers=1)
    figures = plots.run_figures(r)
    assert set(figures) == {"fan", "growth_distribution", "contributions_sector",
                            "contributions_component"}
    for fig in figures.values():
        _render(fig)


@pytest.mark.slow
def test_cli_run_plots_writes_png_and_svg(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    code = main(["run", str(mini_path), "-n", "200", "--workers", "1", "--out", str(out),
                 "--svg"])
    assert code == 0
    for stem in plots.FIGURES:
        assert (out / f"{stem}.png").stat().st_size > 10_000
        assert (out / f"{stem}.svg").stat().st_size > 10_000
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_import_lgsim_stays_light() -> None:
    code = (
        "import sys, lgsim, lgsim.outputs.plots, lgsim.studies.compare, "
        "lgsim.outputs.report, lgsim.outputs.headline, lgsim.cli; "
        "bad = [m for m in ('matplotlib', 'xarray', 'pandas') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).resolve().parents[1])


def test_indirect_rows_keep_their_suffix_when_shortened() -> None:
    from lgsim.outputs.plots.contributions import _label

    name = "深圳市2022年第三批新开工项目（龙岗，含杨梅岗、格水村城市更新项目四期）"
    direct, spill = _label(name, False), _label(name + "（间接拉动）", True)
    assert direct != spill
    assert spill.endswith("（间接）") and len(spill) <= 16
    assert direct.endswith("…") and len(direct) == 16
    assert _label("华为终端", True) == "华为终端（间接）"
