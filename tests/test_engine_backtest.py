"""``backtest --engine``: the scenario's organic model replayed and scored out of sample."""

from __future__ import annotations

import json
import math
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.cli import main
from lgsim.data.growth_figures import GrowthFigure, GrowthFigures
from lgsim.forecasting.engine_backtest import RANDOM_WALK, TARGET, backtest_engine
from lgsim.forecasting.scores import pit_uniformity
from lgsim.outputs import plots
from lgsim.outputs.plots.evidence import evidence_figures

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
MU, SIGMA = 0.06, 0.02

#: One sector, no within-year deviations: year-to-date growth is the year's growth.
DISTRICT = """
[scenario]
name = "district"
base_year = 2021
seed = 5
[target]
gdp_growth = 0.06
decimals = 1
[economy]
gdp = 500.0
[[sector]]
id = "all"
share = 1.0
growth = {{ dist = "normal", mean = 0.06, sd = {sd} }}
"""

RECORD_KEYS = {"year", "realised", "pit", "crps", "covered80", "covered95", "p_target",
               "target", "steps"}


def _district(n_years: int, seed: int, *, ytd_sd: float | None = None,
              targets: bool = False, first: int = 1901) -> GrowthFigures:
    """Growth i.i.d. N(MU, SIGMA²); optionally an H1 figure = growth + N(0, ytd_sd²)."""
    rng = np.random.default_rng(seed)
    g = rng.normal(MU, SIGMA, n_years)
    figs = [GrowthFigure("D", first + i, 12, float(v)) for i, v in enumerate(g)]
    if ytd_sd is not None:
        noise = rng.normal(0, ytd_sd, n_years)
        figs += [GrowthFigure("D", first + i, 6, float(v + e))
                 for i, (v, e) in enumerate(zip(g, noise, strict=True))]
    tg = {("D", first + i): 0.06 for i in range(n_years)} if targets else {}
    return GrowthFigures("gdp", tuple(sorted(figs, key=lambda f: (f.year, f.month))), tg)


@pytest.fixture
def district(write):
    def _make(sd: float = SIGMA) -> Path:
        return write(DISTRICT.format(sd=sd), f"district-{sd}.toml")
    return _make


# ------------------------------------------------------------------ calibration


@pytest.mark.slow
def test_engine_pit_is_uniform_on_a_calibrated_district(district) -> None:
    """200 origins of an i.i.d. N(μ, σ²) district, the spread sized from past errors."""
    bt = backtest_engine(district(), _district(204, 1), forecaster="naive_mean",
                         vantage="jan", replications=400, seed=2)
    assert len(bt.origins) == 200
    pits = np.array([o.engine.pit for o in bt.origins])
    assert pit_uniformity(pits).p_value > 0.05
    cover = np.mean([o.engine.covered80 for o in bt.origins])
    assert 0.72 <= cover <= 0.88


def test_a_too_narrow_spread_fails_the_uniformity_test(district) -> None:
    """The same district with the scenario's own sd, a third of the truth: PIT piles up."""
    bt = backtest_engine(district(SIGMA / 3), _district(204, 1), forecaster="naive_mean",
                         vantage="jan", spread="scenario", replications=400, seed=2)
    pits = np.array([o.engine.pit for o in bt.origins])
    assert pit_uniformity(pits).p_value < 1e-6
    assert np.mean([o.engine.covered80 for o in bt.origins]) < 0.5


@pytest.mark.slow
def test_conditioned_origins_are_calibrated_too(district) -> None:
    """A mid-year figure = growth + N(0, 0.3 pp²), the revision sd the run assumes: the
    engine's posterior at the vantage gives uniform PIT values and tight intervals."""
    bt = backtest_engine(district(), _district(124, 4, ytd_sd=0.003), forecaster="naive_mean",
                         vantage="h1", replications=300, seed=3)
    assert len(bt.origins) == 120 and all(len(o.figures) == 1 for o in bt.origins)
    assert pit_uniformity(np.array([o.engine.pit for o in bt.origins])).p_value > 0.05
    assert np.mean([o.engine.sd for o in bt.origins]) < 0.004  # the figure pins the year
    _, _, hi, _ = bt.crps_difference()
    assert hi < 0  # and beats the random walk, which ignores it


# ------------------------------------------------------------------ known answers


def test_january_engine_equals_its_normal_prior(district) -> None:
    """One sector, no deviations, the random walk's centre and spread: the engine's sample
    is the random walk's normal, so the scores agree within simulation error."""
    bt = backtest_engine(district(), _district(12, 7), vantage="jan", replications=4000,
                         seed=1)
    for o in bt.origins:
        rw = o.comparators[RANDOM_WALK]
        assert o.forecast == rw.mean and o.prior_sd == pytest.approx(rw.sd)
        assert o.engine.mean == pytest.approx(rw.mean, abs=4 * rw.sd / math.sqrt(4000))
        assert o.engine.pit == pytest.approx(rw.pit, abs=0.03)
        assert o.engine.crps == pytest.approx(rw.crps, rel=0.05, abs=2e-4)


def test_a_missing_year_makes_a_two_step_origin(district) -> None:
    figs = _district(20, 9)
    gap = GrowthFigures("gdp", tuple(f for f in figs.figures if f.year != 1910))
    bt = backtest_engine(district(), gap, vantage="jan", gaps="nan", replications=300)
    two = [o for o in bt.origins if o.steps == 2]
    assert [o.year for o in two] == [1911]
    one = next(o for o in bt.origins if o.year == 1912)
    assert two[0].record()["steps"] == 2
    # the random walk's two-step spread is √2 times the one-step spread then available
    past = [e for e in bt.origins if e.year < 1911]
    assert two[0].comparators[RANDOM_WALK].sd > past[-1].comparators[RANDOM_WALK].sd
    assert one.steps == 1
    tail = backtest_engine(district(), gap, vantage="jan", gaps="tail", replications=300,
                           min_origins=1)
    assert min(o.year for o in tail.origins) > 1911


def test_targets_give_brier_scores_and_the_target_comparator(district) -> None:
    bt = backtest_engine(district(), _district(10, 2, targets=True), vantage="jan",
                         replications=500)
    for o in bt.origins:
        assert o.target == 0.06 and TARGET in o.comparators
        assert o.met == (round(100 * o.realised, 1) >= 6.0)
        assert 0 <= o.engine.p_target <= 1
        assert o.comparators[TARGET].crps == pytest.approx(abs(o.realised - 0.06))
    s = bt.summaries()
    assert s["engine"].n_targets == len(bt.origins)
    assert s[TARGET].brier == pytest.approx(np.mean([1.0 - o.met for o in bt.origins]))
    assert any("target as the forecast" in v for v in bt.verdict())


def test_fewer_than_five_usable_origins_is_refused(district) -> None:
    with pytest.raises(ValueError, match="expected at least 5 usable origins") as info:
        backtest_engine(district(), _district(8, 3), vantage="jan")
    assert "found 4 (1905, 1906, 1907, 1908)" in str(info.value)


# ------------------------------------------------------------------ Longgang, files, CLI


@pytest.fixture(scope="module")
def longgang_h1():
    return backtest_engine(BASE, vantage="h1", replications=300)


def test_longgang_record_and_verdict(longgang_h1) -> None:
    bt = longgang_h1
    assert [o.year for o in bt.origins] == [2016, 2017, 2018, 2019, 2020]
    assert {o.year: [f.period for f in o.figures] for o in bt.origins} == {
        2016: [], 2017: ["2017-06"], 2018: [], 2019: ["2019-06"], 2020: ["2020-06"]}
    assert bt.origins[0].lower_bound and bt.origins[3].estimate
    text = bt.to_text()
    assert "No model beats the naive benchmark" in text  # 5 years prove nothing either way
    assert "No target is known for these years" in text
    assert "With 5 origins no ranking is significant" in text
    record = bt.to_dict()["records"][0]
    assert RECORD_KEYS <= set(record) and record["p_target"] is None


def test_charts_render_with_chinese_labels(longgang_h1) -> None:
    figs = evidence_figures(longgang_h1)
    assert set(figs) == {"pit_histogram", "reliability", "hedgehog"}
    assert figs["hedgehog"]._suptitle.get_text().startswith("往年预测与实际增速")
    assert "PIT直方图" in figs["pit_histogram"]._suptitle.get_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns at draw time
        png = plots.figure_bytes(figs["reliability"], "png")
    assert png.startswith(b"\x89PNG")


def test_cli_writes_backtest_json_and_charts(tmp_path, capsys) -> None:
    out = tmp_path / "bt"
    assert main(["backtest", "--engine", str(BASE), "-n", "200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Engine backtest of" in text and "80% intervals covered" in text
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    assert [r["year"] for r in data["records"]] == [2016, 2017, 2018, 2019, 2020]
    assert all(RECORD_KEYS <= set(r) for r in data["records"])
    assert data["units"]["growth"].startswith("fraction")
    for name in ("pit_histogram.png", "reliability.png", "hedgehog.png", "backtest.txt"):
        assert (out / name).stat().st_size > 1000
    assert not list(out.glob(".*.tmp"))
    # each year's scenario as run reproduces its forecast exactly
    rec = data["records"][1]
    again = lgsim.run(str(out / "asof" / f"{rec['year']}.toml"), workers=1)
    assert again.seed == rec["seed"]
    assert again.quantiles((0.5,))["p50"] == rec["engine"]["q50"]


def _csv(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("name", "body", "expect"), [
    ("dup.csv", """
     year,indicator,value,unit,status,source,url
     2018,gdp_real_growth,7,%,f,s,u
     2018,gdp_real_growth,7.5,%,f,s,u
     """, "year 2018 indicator 'gdp_real_growth' appears more than once"),
    ("pct.csv", """
     year,indicator,value,unit,status,source,url
     2018,gdp_real_growth,7.1,fraction,f,s,u
     """, "looks like percent"),
    ("short.csv", "year,indicator,value,unit,status,source,url\n" + "".join(
        f"{y},gdp_real_growth,{6 + (y % 3) * 0.5},%,f,s,u\n" for y in range(2010, 2018)),
     "expected at least 5 usable origins"),
])
def test_cli_bad_data_exits_2_with_one_line(tmp_path, capsys, name, body, expect) -> None:
    out = tmp_path / "bt"
    argv = ["backtest", "--engine", str(BASE), "--data", _csv(tmp_path, name, body),
            "--out", str(out)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and name in lines[0], captured.err
    assert "Traceback" not in captured.err and not out.exists()
