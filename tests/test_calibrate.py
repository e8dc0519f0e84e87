"""lgsim.forecasting.calibrate: the written scenario loads, runs and keeps the GDP spread."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.forecasting.calibrate import calibrate, share_weighted_sd

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
N_SIMS = 400

# A synthetic district: GDP growth 2011–2020 and a more volatile industry series (percent).
GDP = [9.0, 8.5, 8.0, 9.5, 7.0, 7.5, 8.0, 6.0, 6.5, 3.0]
IND = [12.0, 10.0, 14.0, 8.0, 13.0, 6.0, 11.0, 4.0, 12.0, 1.0]

THREE = """
[scenario]
name = "three"
base_year = 2021
target_year = 2022
end_year = 2022
seed = 3

[target]
gdp_growth = 0.05

[economy]
gdp = 1000.0

[[sector]]
id = "industry"
share = 0.4
growth = 0.05

[[sector]]
id = "services"
share = 0.3
growth = 0.05

[[sector]]
id = "trade"
share = 0.3
growth = 0.05

[[shock]]
id = "lockdown"
probability = 0.0
window = [2022-06-01, 2022-12-31]
duration_months = 1.0
impact = { trade = -0.3 }
"""


def _csv(path: Path) -> Path:
    rows = ["year,indicator,value,unit,status,source,url"]
    for i, (g, x) in enumerate(zip(GDP, IND, strict=True)):
        year = 2011 + i
        rows.append(f"{year},gdp_real_growth,{g},%,final,公报 {year},example.org/gdp/{year}")
        rows.append(f"{year},ind_growth,{x},%,final,公报 {year},example.org/ind/{year}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base_cal(tmp_path_factory):
    """The base scenario calibrated on the shipped data, written two folders down."""
    out = tmp_path_factory.mktemp("cal") / "a" / "b" / "calibrated.toml"
    cal = calibrate(BASE, n_sims=N_SIMS, seed=2)
    cal.write(out)
    return cal, out


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three")
    scenario = folder / "three.toml"
    scenario.write_text(textwrap.dedent(THREE), encoding="utf-8")
    return scenario, _csv(folder / "annual.csv")


# ------------------------------------------------------------------ pure part


def test_share_weighted_sd_known_answers() -> None:
    w, sd = [0.25, 0.75], [0.04, 0.08]
    assert share_weighted_sd(w, sd, np.eye(2)) == pytest.approx(math.hypot(0.01, 0.06))
    assert share_weighted_sd(w, sd, np.ones((2, 2))) == pytest.approx(0.07)
    rho = [[1.0, 0.5], [0.5, 1.0]]
    expected = math.sqrt(0.01**2 + 0.06**2 + 2 * 0.5 * 0.01 * 0.06)
    assert share_weighted_sd(w, sd, rho) == pytest.approx(expected)
    assert share_weighted_sd([1, 3], sd, np.eye(2)) == pytest.approx(math.hypot(0.01, 0.06))


# ------------------------------------------------------------ the base scenario


def test_output_loads_runs_and_extends_the_scenario(base_cal) -> None:
    _, out = base_cal
    s = lgsim.load_scenario(out)
    base = lgsim.load_scenario(BASE)
    text = out.read_text(encoding="utf-8")
    extends = next(line for line in text.splitlines() if line.startswith("extends"))
    rel = extends.split("=", 1)[1].strip().strip('"')
    assert not Path(rel).is_absolute()
    assert (out.parent / rel).resolve() == BASE.resolve()
    assert [x.id for x in s.sectors] == [x.id for x in base.sectors]
    assert [x.id for x in s.shocks] == [x.id for x in base.shocks]
    assert len(s.batches) == len(base.batches) and s.target == base.target
    assert [x.share for x in s.sectors] == [x.share for x in base.sectors]
    assert [x.persistence for x in s.sectors] == [x.persistence for x in base.sectors]
    assert s.name == "calibrated" and "calibrated" in s.title
    r = lgsim.run(s, replications=100, workers=1, max_replications=100)
    g = r.ds["growth"].sel(year=s.target_year).values
    assert g.shape == (100,) and np.all(np.isfinite(g))


def test_sources_name_the_data_file_years_and_addresses(base_cal) -> None:
    _, out = base_cal
    s = lgsim.load_scenario(out)
    for sector in s.sectors:
        text = s.sources[f"sector[{sector.id}].growth"]
        assert text.startswith("source: fitted by lgsim calibrate on ")
        assert "on lgsim/data/longgang_annual.csv" in text
        assert "indicator gdp_real_growth, years 2012–2020" in text
        assert "2005, 2010 not used" in text
        # the address of the 2020 GDP figure, from the CSV's url column
        assert "www.lg.gov.cn/bmzz/fgj/xxgk/ghjh/fzgh/content/post_8592638.html" in text
        assert "models ar1 " in text and "naive_mean" in text
    industry = s.sources["sector[industry].growth"]
    years = "years 2012–2020 (no figure for 2017, 2019)"
    assert f"indicator industry_above_size_va_real_growth, {years}" in industry
    assert "proxy for sector industry" in industry and "jendow.com.tw" in industry
    assert "industry_above_size" not in s.sources["sector[finance].growth"]
    # the parent's other sources are inherited
    assert s.sources["target.gdp_growth"].startswith("来源：")


def test_written_growth_keeps_the_gdp_forecast_mean_and_sd(base_cal) -> None:
    cal, out = base_cal
    s = lgsim.load_scenario(out)
    fc = cal.gdp.normal(2022)
    means = [x.growth.spec["mean"] for x in s.sectors]
    sds = [x.growth.spec["sd"] for x in s.sectors]
    assert all(x.growth.kind == "normal" for x in s.sectors)
    np.testing.assert_allclose(means, fc["mean"], atol=1e-5)
    implied = share_weighted_sd([x.share for x in s.sectors], sds, s.correlation)
    assert implied == pytest.approx(fc["sd"], abs=2e-5)
    # giving every sector the GDP-level sd would shrink the GDP-level spread a lot
    plain = share_weighted_sd([x.share for x in s.sectors], [fc["sd"]] * len(sds), s.correlation)
    assert plain < 0.8 * fc["sd"]
    # industry's sd relative to the others' comes from the above-size industry forecast
    proxy = cal.forecasts["industry_above_size_va_real_growth"].normal(2022)["sd"]
    ind = s.sectors[s.sector_index("industry")].growth.spec["sd"]
    fin = s.sectors[s.sector_index("finance")].growth.spec["sd"]
    assert ind / fin == pytest.approx(proxy / fc["sd"], rel=1e-3)
    assert cal.implied()["sd"] == pytest.approx(fc["sd"], abs=2e-5)


def test_warns_that_lockdown_risk_is_counted_twice(base_cal) -> None:
    cal, out = base_cal
    assert len(cal.warnings) == 1
    w = cal.warnings[0]
    assert "all published years" in w and "2020 (1.1%)" in w
    assert "lockdown-risk" in w and "counted twice" in w
    text = out.read_text(encoding="utf-8")
    head = text[: text.index("extends")]
    assert all(line.startswith("#") or not line for line in head.splitlines())
    assert "# WARNING: the forecast is fitted on all published years" in head
    assert "counted twice" in head
    report = str(cal)
    assert "warning: the forecast is fitted on all published years" in report
    assert "proxy means not used" in report


# ------------------------------------------------------- a small known scenario


def test_simulated_gdp_growth_has_the_forecast_spread(three) -> None:
    scenario, csv = three
    cal = calibrate(scenario, csv, sector_indicators={}, n_sims=N_SIMS, seed=1)
    fc = cal.gdp.normal(2022)
    assert cal.scale == pytest.approx(1 / math.sqrt(0.4**2 + 0.3**2 + 0.3**2), rel=1e-3)
    out = scenario.parent / "three-cal.toml"
    cal.write(out)
    n = 4000
    g = lgsim.run(str(out), replications=n, workers=1).ds["growth"].sel(year=2022).values
    # without the scaling the sd would be 0.58 × the forecast's
    assert np.std(g, ddof=1) == pytest.approx(fc["sd"], rel=0.05)
    assert abs(np.mean(g) - fc["mean"]) < 4 * fc["sd"] / math.sqrt(n)


def test_own_series_sets_relative_spread_not_mean(three) -> None:
    scenario, csv = three
    cal = calibrate(
        scenario, csv, sector_indicators={"industry": "ind_growth"}, n_sims=N_SIMS, seed=1
    )
    by = {s.id: s for s in cal.sectors}
    gdp, ind = cal.gdp.normal(2022), cal.forecasts["ind_growth"].normal(2022)
    assert by["industry"].indicator == "ind_growth" and by["trade"].indicator == "gdp_real_growth"
    assert by["industry"].mean == by["trade"].mean == round(gdp["mean"], 5)
    assert by["industry"].sd / by["trade"].sd == pytest.approx(ind["sd"] / gdp["sd"], rel=1e-3)
    assert cal.implied()["sd"] == pytest.approx(gdp["sd"], abs=2e-5)
    expected = 0.4 * ind["mean"] + 0.6 * by["trade"].mean
    assert cal.proxy_mean_effect == pytest.approx(expected, abs=1e-9)
    assert "example.org/ind/2020" in by["industry"].source
    assert "example.org/gdp/2011" in by["industry"].source
    assert "example.org/ind/" not in by["trade"].source
    # the scenario's (impossible) shock is still a shock: the warning names it
    assert "lockdown" in cal.warnings[0]


def test_errors_and_skipped_sectors(three) -> None:
    scenario, csv = three
    with pytest.raises(ValueError, match="no rows for indicator 'nope'"):
        calibrate(scenario, csv, indicator="nope", n_sims=N_SIMS)
    with pytest.raises(ValueError, match="no rows for indicator 'ind'"):
        calibrate(scenario, csv, sector_indicators={"industry": "ind"}, n_sims=N_SIMS)
    with pytest.raises(ValueError, match="2020 is already published"):
        calibrate(scenario, csv, year=2020, n_sims=N_SIMS)
    with pytest.raises(ValueError, match="file not found"):
        calibrate(scenario, scenario.parent / "missing.csv", n_sims=N_SIMS)
    cal = calibrate(scenario, csv, sector_indicators={"mining": "ind_growth"}, n_sims=N_SIMS)
    assert any("'mining' is not in the scenario" in n for n in cal.notes)
    assert set(cal.forecasts) == {"gdp_real_growth"}
    with pytest.raises(ValueError, match="the scenario being calibrated"):
        cal.write(scenario)


def test_later_year_uses_a_longer_horizon(three) -> None:
    scenario, csv = three
    cal = calibrate(scenario, csv, sector_indicators={}, year=2023, n_sims=N_SIMS)
    assert cal.year == 2023 and cal.gdp.years == (2021, 2022, 2023)
    assert cal.sectors[0].mean == round(cal.gdp.normal(2023)["mean"], 5)
