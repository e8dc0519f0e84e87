"""Known answers computed by hand from docs/model.md's equations."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import lgsim


def test_deterministic_growth_by_hand(tiny):
    # One project: 120亿, linear drawdown over 12 months from 2022-04-01 (month 3.0).
    # A pausing shock halves industry for half of July (month 6.0–6.5).
    path = tiny(
        """
        [[project]]
        id = "p1"
        sector = "industry"
        total_investment = 120.0
        planned_start = 2022-04-01
        duration_months = 12
        drawdown = "linear"

        [[shock]]
        id = "s1"
        window = [2022-07-01, 2022-07-01]
        duration_months = 0.5
        impact = { industry = -0.5 }
        pauses_projects = true
        """
    )
    r = lgsim.run(str(path), replications=3, workers=1)
    works_ratio = 0.5 * 0.3 * 0.8
    invest_2022 = 120.0 * (12 - 3 - 0.5) / 12  # the pause shifts the rest of the curve
    industry_month = 900 * 1.03 / 12
    shock_loss = industry_month * 0.5 * 0.5  # half the month at −50%
    gdp_2022 = 100 * 1.05 + 900 * 1.03 + invest_2022 * works_ratio - shock_loss
    growth = gdp_2022 / 1000 - 1
    np.testing.assert_allclose(r.growth(2022), growth, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        r.ds["investment"].sel(year=2022, project="p1").values, invest_2022, atol=1e-9
    )
    # year-to-date through June: organic first half plus three months of works
    h1 = (100 * 1.05 + 900 * 1.03) / 2 + 3 * (120 / 12) * works_ratio
    np.testing.assert_allclose(
        r.ds["ytd_growth"].sel(year=2022, month=6).values, h1 / 500 - 1, atol=1e-12
    )
    comp = r.ds["component_pp"].sel(year=2022)
    np.testing.assert_allclose(comp.sel(component="organic:construction"), 0.5, atol=1e-9)
    np.testing.assert_allclose(comp.sel(component="organic:industry"), 2.7, atol=1e-9)
    np.testing.assert_allclose(
        comp.sel(component="project:p1"), 100 * invest_2022 * works_ratio / 1000, atol=1e-9
    )
    np.testing.assert_allclose(comp.sel(component="shock:s1"), -100 * shock_loss / 1000, atol=1e-9)
    np.testing.assert_allclose(r.ds["start_month"].sel(project="p1"), 3.0, atol=1e-12)
    np.testing.assert_array_equal(r.ds["shock_start"].sel(shock="s1"), 6.0)  # one-date window
    assert np.isnan(r.ds["finish_month"].sel(project="p1")).all()  # 15.5 > horizon 12


def test_operating_output_ramp_by_hand(tiny):
    # Completes at month 6 (start 0, 6 months); 24亿 a year at full ramp, linear ramp of
    # 4 months: average ramp factors 1/8, 3/8, 5/8, 7/8, 1, 1 over months 6..11.
    path = tiny(
        """
        [[project]]
        id = "plant"
        sector = "industry"
        total_investment = 12.0
        planned_start = 2022-01-01
        duration_months = 6
        drawdown = "linear"
        annual_output = 24.0
        ramp_months = 4
        additionality = 0.5
        """
    )
    r = lgsim.run(str(path), replications=2, workers=1)
    works = 12.0 * 0.5 * 0.3 * 0.8 * 0.5
    output = 24.0 / 12 * (1 / 8 + 3 / 8 + 5 / 8 + 7 / 8 + 1 + 1)
    operating_va = output * 0.5 * 0.5  # va_ratio 0.5, additionality 0.5
    gdp = 100 * 1.05 + 900 * 1.03 + works + operating_va
    np.testing.assert_allclose(r.growth(2022), gdp / 1000 - 1, atol=1e-9)
    np.testing.assert_allclose(r.ds["finish_month"].sel(project="plant"), 6.0, atol=1e-12)


def test_normal_growth_probability_matches_closed_form(write):
    path = write(
        """
        [scenario]
        base_year = 2021
        seed = 11

        [target]
        gdp_growth = 0.06

        [economy]
        gdp = 500.0

        [[sector]]
        id = "all"
        share = 1.0
        growth = { dist = "normal", mean = 0.05, sd = 0.02 }
        """
    )
    n = 4000
    r = lgsim.run(str(path), replications=n, workers=1)
    p = 1 - stats.norm.cdf((0.06 - 0.05) / 0.02)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(r.p_target().estimate - p) <= 4 * se
    # growth is exactly the draw (no projects, no deviations)
    np.testing.assert_allclose(
        r.growth(2022), r.ds["organic_growth"].sel(year=2022, sector="all"), atol=1e-12
    )


def test_batch_draws_first_year_plan(tiny):
    path = tiny(
        """
        [[batch]]
        id = "b"
        count = 5
        total_investment = 100.0
        first_year_plan = 20.0
        planned_start = 2022-03-01
        duration_months = 24
        sector_mix = { industry = 0.5, construction = 0.5 }
        """
    )
    s = lgsim.load_scenario(path)
    assert s.batches[0].template.drawdown.calibrated
    r = lgsim.run(s, replications=20, workers=1)
    total = r.ds["investment"].sel(year=2022).sum("project").values
    np.testing.assert_allclose(total, 20.0, rtol=0, atol=1e-9)
    # members' sizes differ (Dirichlet) but add up to the batch total over the life
    sizes = r.ds["investment"].sel(year=2022).values
    assert np.ptp(sizes[0]) > 0
