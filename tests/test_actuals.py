"""Mid-year update: replications reproduce published year-to-date figures."""

from __future__ import annotations

import numpy as np
import pytest

import lgsim
from lgsim.scenario import ScenarioError

ONE_SECTOR = """
[scenario]
base_year = 2021
seed = 4
replications = 3000

[target]
gdp_growth = 0.05

[economy]
gdp = 1000.0

[[sector]]
id = "all"
share = 1.0
growth = {{ dist = "normal", mean = 0.05, sd = 0.02 }}
monthly_sd = 0.01
monthly_persistence = {rho}
{actuals}
"""


def scenario(write, rho=0.8, actuals=""):
    return lgsim.load_scenario(write(ONE_SECTOR.format(rho=rho, actuals=actuals)))


def test_every_replication_reproduces_the_actuals(write):
    s = scenario(write, actuals='[actuals]\nytd = { "2022-Q1" = 0.01, "2022-06" = 0.02 }')
    r = lgsim.run(s, workers=1, replications=500)
    ytd = r.ds["ytd_growth"].sel(year=2022)
    np.testing.assert_allclose(ytd.sel(month=3), 0.01, atol=1e-12)
    np.testing.assert_allclose(ytd.sel(month=6), 0.02, atol=1e-12)
    total = r.ds["component_pp"].sel(year=2022).sum("component").values
    np.testing.assert_allclose(total, 100 * r.growth(), atol=1e-9)


def test_far_below_target_through_september_gives_p_near_zero(write):
    r = lgsim.run(scenario(write, actuals='[actuals]\nytd = { "2022-09" = -0.03 }'), workers=1)
    assert r.p_target().estimate < 0.005
    req = r.required_growth()
    assert req["through_month"] == 9 and req["required_rest"] > 0.2


def test_actuals_on_the_median_leave_p_near_unconditional(write):
    free = lgsim.run(scenario(write), workers=1)
    median_h1 = float(np.median(free.ds["ytd_growth"].sel(year=2022, month=6)))
    cond = lgsim.run(
        scenario(write, actuals=f'[actuals]\nytd = {{ "2022-06" = {median_h1!r} }}'), workers=1
    )
    assert free.p_target().estimate == pytest.approx(0.5, abs=0.03)
    assert cond.p_target().estimate == pytest.approx(free.p_target().estimate, abs=0.04)
    # knowing the first half narrows the distribution of the year
    assert np.std(cond.growth()) < np.std(free.growth())


def test_the_observed_deviation_persists(write):
    low = '[actuals]\nytd = { "2022-06" = 0.0 }'
    h2 = {}
    for rho in (0.0, 0.95):
        r = lgsim.run(scenario(write, rho=rho, actuals=low), workers=1, replications=400)
        gm = r.ds["gdp_monthly"].values
        h2[rho] = np.mean(gm[:, 6:12].sum(axis=1))
    assert h2[0.95] < h2[0.0]  # a weak first half carries into the second with persistence


def test_sector_actuals_and_bad_periods(write, tiny):
    s = lgsim.load_scenario(
        tiny('[actuals]\nytd = { "2022-06" = 0.03 }\nsectors = { industry = { "2022-06" = 0.02 } }')
    )
    r = lgsim.run(s, workers=1, replications=20)
    va = r.ds["gdp_monthly"]
    assert va.shape == (20, 12)
    np.testing.assert_allclose(r.ds["ytd_growth"].sel(year=2022, month=6), 0.03, atol=1e-12)
    with pytest.raises(ScenarioError, match=r'actuals.ytd."2022-13"'):
        lgsim.load_scenario(tiny('[actuals]\nytd = { "2022-13" = 0.03 }', name="b1.toml"))
    with pytest.raises(ScenarioError, match="looks like percent"):
        lgsim.load_scenario(tiny('[actuals]\nytd = { "2022-06" = 3.1 }', name="b2.toml"))
