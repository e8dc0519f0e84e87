"""Past-error records, the fitted spread, and ``calibrate`` sizing the organic spread."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2

import lgsim
from lgsim.cli import main
from lgsim.data.growth_figures import GrowthFigure, GrowthFigures, read_growth_figures
from lgsim.forecasting.errors import (
    ForecastError,
    fit_spread,
    parse_vantage,
    point_forecast,
    vantage_label,
    within_year_errors,
    year_ahead_errors,
)
from lgsim.forecasting.spread import calibrate_spread, scenario_vantage
from lgsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
HAND_SET = ROOT / "scenarios" / "hand-set-spread.toml"

THREE = """
[scenario]
name = "three"
base_year = 2021
seed = 3
[target]
gdp_growth = 0.05
[economy]
gdp = 1000.0
[correlation]
default = 0.4
[[sector]]
id = "industry"
share = 0.5
growth = {{ dist = "normal", mean = 0.06, sd = 0.05 }}
monthly_sd = {monthly}
monthly_persistence = 0.6
[[sector]]
id = "services"
share = 0.3
growth = {{ dist = "normal", mean = 0.05, sd = 0.03 }}
[[sector]]
id = "public"
share = 0.2
growth = 0.04
"""


def _figures(values: dict[int, float], area: str = "X") -> GrowthFigures:
    return GrowthFigures("gdp", tuple(GrowthFigure(area, y, 12, v) for y, v in values.items()))


@pytest.fixture(scope="module")
def shipped() -> GrowthFigures:
    return read_growth_figures()


# ------------------------------------------------------------------ the record


def test_vantages() -> None:
    assert [parse_vantage(v) for v in ("jan", "q1", "h1", "q3", "6", 12)] == [1, 4, 7, 10, 6, 12]
    assert vantage_label(1).startswith("January") and vantage_label(6).startswith("after Q1")
    with pytest.raises(ValueError, match="vantage: expected a month 1–12"):
        parse_vantage("13")


def test_random_walk_errors_across_a_gap_count_per_step() -> None:
    figs = _figures({2010: 0.10, 2012: 0.07, 2013: 0.08})
    errors = year_ahead_errors(figs)
    assert [(e.year, e.steps) for e in errors] == [(2012, 2), (2013, 1)]
    assert errors[0].error == pytest.approx(-0.03)
    assert errors[0].scaled == pytest.approx(-0.03 / math.sqrt(2))
    assert point_forecast(figs.annual("X"), 2016) is None  # three years after the last
    mean = year_ahead_errors(figs, forecaster="naive_mean")
    assert mean[1].forecast == pytest.approx(0.085) and mean[1].scaled == mean[1].error


def test_shipped_year_ahead_record(shipped) -> None:
    errors = year_ahead_errors(shipped, ["Longgang"], exclude=[2020])
    by_year = {e.year: e for e in errors}
    assert 2020 not in by_year and 2005 not in by_year and 2010 not in by_year
    assert by_year[2019].error == pytest.approx(0.077 - 0.110)
    assert by_year[2012].steps == 2  # 2011 is not published
    pp = [-0.3 / math.sqrt(2), -0.3, -1.7, 1.0, -0.9, 0.2, 1.2, -3.3]
    assert fit_spread(errors).rms == pytest.approx(math.sqrt(np.mean(np.square(pp))) / 100)


def test_within_year_record_uses_the_latest_figure_out_by_the_vantage(shipped) -> None:
    errors = {(e.area, e.year): e for e in within_year_errors(shipped, 7)}
    # H1; the Q3 figure is graded D (low reliability) and left out
    assert errors[("Longgang", 2020)].forecast == pytest.approx(0.045)
    assert errors[("Shenzhen", 2019)].forecast == pytest.approx(0.074)
    assert ("Shenzhen", 2019) in {(e.area, e.year) for e in within_year_errors(shipped, 4)}
    assert not within_year_errors(shipped, 3)


def test_fit_spread_known_answers() -> None:
    e = [ForecastError("X", 2000 + i, 0.0, v) for i, v in enumerate([0.01, -0.02, 0.02, 0.01])]
    s = fit_spread(e)
    rms = math.sqrt((1 + 4 + 4 + 1) / 4) / 100
    assert s.rms == pytest.approx(rms)
    assert s.low == pytest.approx(rms * math.sqrt(4 / chi2.ppf(0.975, 4)))
    assert s.high == pytest.approx(rms * math.sqrt(4 / chi2.ppf(0.025, 4)))
    assert s.predictive == pytest.approx(rms * math.sqrt(2))
    assert s.short and "a short record" in s.describe()
    with pytest.raises(ValueError, match="expected at least 3 past errors"):
        fit_spread(e[:2])


def test_calibrated_spread_recovers_sigma_within_its_stated_uncertainty() -> None:
    """A district whose growth really is N(μ, σ²), i.i.d.: the naive-mean record's fitted σ
    has a 95% interval that contains σ — and does so in about 95% of such districts."""
    mu, sigma = 0.07, 0.015
    rng = np.random.default_rng(17)
    figs = _figures({1960 + i: g for i, g in enumerate(rng.normal(mu, sigma, 60))})
    s = fit_spread(year_ahead_errors(figs, forecaster="naive_mean"))
    assert s.n == 59 and s.low < sigma < s.high
    assert s.predictive == pytest.approx(s.rms * math.sqrt(59 / 57))
    hits = 0
    for _ in range(300):
        e = rng.normal(0, sigma, 25)
        fit = fit_spread([ForecastError("X", 2000 + i, 0.0, v) for i, v in enumerate(e)])
        hits += fit.low < sigma < fit.high
    assert 0.91 <= hits / 300 <= 0.99


def test_pooled_areas_are_labelled_with_an_equal_spread_test(shipped) -> None:
    s = fit_spread(year_ahead_errors(shipped, exclude=[2020]))
    assert set(s.by_area) == {"Longgang", "Shenzhen"}
    assert s.by_area["Longgang"].n == 8 and s.by_area["Shenzhen"].n == 4
    assert 0 < s.same_spread_p < 1
    assert "Longgang 2012–2019 (8), Shenzhen 2017–2019, 2021 (4)" in s.describe()


# ------------------------------------------------------------------ calibrate


@pytest.mark.parametrize("monthly", [0.0, 0.02])
def test_calibrate_matches_the_district_total_and_keeps_the_structure(write, monthly) -> None:
    path = write(THREE.format(monthly=monthly))
    cal = calibrate_spread(path, _figures({2010 + i: g for i, g in enumerate(
        [0.08, 0.07, 0.075, 0.06, 0.065, 0.05, 0.055, 0.04])}))
    assert cal.spread.n == 7
    assert cal.implied_sd() == pytest.approx(cal.spread.predictive, rel=2e-3)
    old = np.array([0.05, 0.03, 0.0])
    assert np.allclose(cal.sds, np.round(cal.scale * old, 5))
    assert (cal.within_year.variance > 0) == (monthly > 0)
    doc = cal.document(path.parent / "out.toml")
    assert [s["id"] for s in doc["sector"]] == ["industry", "services"]  # fixed stays fixed
    assert doc["sector"][0]["growth"]["mean"] == 0.06  # means are the scenario's
    assert "7 year-ahead errors" in doc["sources"]["sector[industry].growth.sd"]
    assert doc["sources"]["sector[services].growth.sd"].startswith(
        "source: calibrated as sector[industry].growth.sd")


def test_simulated_organic_growth_has_the_calibrated_spread(write, tmp_path) -> None:
    path = write(THREE.format(monthly=0.02))
    cal = calibrate_spread(path, _figures({2010 + i: g for i, g in enumerate(
        [0.08, 0.07, 0.075, 0.06, 0.065, 0.05, 0.055, 0.04])}))
    out = cal.write(tmp_path / "cal.toml")
    g = lgsim.run(lgsim.load_scenario(out), replications=8000, seed=5, workers=1).growth()
    # the sd of an sd estimate from n normal draws is about sd / sqrt(2n): 4 of them
    assert np.std(g) == pytest.approx(cal.spread.predictive, rel=4 / math.sqrt(2 * 8000))


def test_base_uses_the_calibrated_spread_and_the_hand_set_variant_gives_it_back() -> None:
    cal = calibrate_spread(HAND_SET, exclude=[2020])
    base = lgsim.load_scenario(BASE)
    assert cal.sds == tuple(s.growth.params[1] for s in base.sectors)
    assert cal.vantage == scenario_vantage(base) == 4  # Q1 2022 is its latest figure
    again = calibrate_spread(base, exclude=[2020])
    assert again.scale == pytest.approx(1.0, abs=1e-3)
    assert again.spread.n == 12 and not cal.warnings
    text = base.sources["sector[industry].growth.sd"]
    for part in ("12 year-ahead errors", "Longgang 2012–2019 (8)", "95% interval",
                 "left out of the record: 2020"):
        assert part in text


def test_warnings_double_counted_shocks_and_a_vantage_without_figures(tmp_path) -> None:
    cal = calibrate_spread(HAND_SET)
    assert any("counted twice" in w and "Longgang 2020" in w for w in cal.warnings)
    h1 = calibrate_spread(HAND_SET, vantage="h1", exclude=[2020])
    assert any("conditions on figures through month 3 of 2022 only" in w for w in h1.warnings)
    assert "after H1" in h1.to_string() and "Within-year record" in h1.to_string()


def test_a_sector_whose_growth_is_not_normal_is_refused(write) -> None:
    path = write(THREE.format(monthly=0.0).replace(
        'mean = 0.05, sd = 0.03', 'mean = 0.05, sd = 0.03, min = 0.0'))
    with pytest.raises(ScenarioError, match=r"sector\[services\]\.growth"):
        calibrate_spread(path, _figures({2010 + i: 0.05 + 0.01 * (i % 3) for i in range(6)}))


def test_cli_calibrate_writes_a_scenario_that_runs(tmp_path, capsys) -> None:
    out = tmp_path / "cal.toml"
    assert main(["calibrate", str(HAND_SET), "--out", str(out), "--exclude", "2020"]) == 0
    text = capsys.readouterr().out
    assert "spread of the next error 1.40 pp" in text and f"wrote {out}" in text
    s = lgsim.load_scenario(out)
    base = lgsim.load_scenario(BASE)
    assert [x.growth.params for x in s.sectors] == [x.growth.params for x in base.sectors]
    assert np.isfinite(lgsim.run(s, replications=100, workers=1).p_target().estimate)


@pytest.mark.parametrize(("args", "expect"), [
    (["--data", "{tmp}/missing.csv"], "missing.csv: file not found"),
    (["--areas", "Nowhere"], "areas: expected one of Longgang, Shenzhen, found 'Nowhere'"),
    (["--vantage", "autumn"], "vantage: expected a month 1–12"),
    (["--data", "{short}"], "expected at least 3 past errors to fit a spread, found 1"),
])
def test_cli_calibrate_bad_input_exits_2_with_one_line(tmp_path, capsys, args, expect) -> None:
    short = tmp_path / "short.csv"
    short.write_text("year,indicator,value,unit,status,source,url\n"
                     "2019,gdp_real_growth,6,%,f,s,u\n2020,gdp_real_growth,3,%,f,s,u\n",
                     encoding="utf-8")
    argv = ["calibrate", str(HAND_SET), "--out", str(tmp_path / "c.toml"),
            *(a.format(tmp=tmp_path, short=short) for a in args)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expect in err[0]
    assert not (tmp_path / "c.toml").exists()
