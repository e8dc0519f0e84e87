"""Street data: each street's share of each sector; street targets judged only with data."""

from __future__ import annotations

import numpy as np
import pytest

import lgsim
from lgsim.engine import compile_plan, simulate_chunk
from lgsim.outputs.headline import headline
from lgsim.outputs.rundir import contributions_table

from oracles.reference_chunk import simulate_chunk_reference

# east holds all of construction and a third of industry; west the rest of industry
STREET_DATA = """
[target.streets]
east = 0.04
west = 0.03

[[street]]
id = "east"
name = "东街道"
sector_shares = { construction = 1.0, industry = 0.33333333333 }

[[street]]
id = "west"
name = "西街道"
sector_shares = { industry = 0.66666666667 }
"""

SHARES_ONLY = """
[target.streets]
east = 0.04

[[street]]
id = "east"
share = 0.4

[[street]]
id = "west"
share = 0.6
"""


def test_street_value_added_follows_its_sectors(tiny):
    s = lgsim.load_scenario(tiny(STREET_DATA))
    assert s.street_data
    # a street's share of base-year value added comes from the data: 0.1 + 0.9 / 3
    assert [st.share for st in s.streets] == pytest.approx([0.4, 0.6])
    r = lgsim.run(s, replications=50, workers=1)
    va = r.ds["va"].sel(year=2022)
    street = r.ds["street_va"].sel(year=2022)
    # closed form (no projects, no shocks): each street = its shares of each sector
    np.testing.assert_allclose(street.sel(street="east"),
                               va.sel(sector="construction") + va.sel(sector="industry") / 3,
                               rtol=1e-9)
    np.testing.assert_allclose(street.sum("street"), r.ds["gdp"].sel(year=2022), rtol=1e-12)
    # growth differs by street: construction grows 5%, industry 3%
    g = (street / r.ds["street_va"].sel(year=2021) - 1).values
    assert g[0, 0] == pytest.approx((100 * 1.05 + 300 * 1.03) / 400 - 1, rel=1e-9)
    assert g[0, 1] == pytest.approx(0.03, rel=1e-9)


def test_street_targets_are_judged_with_street_data(tiny):
    r = lgsim.run(lgsim.load_scenario(tiny(STREET_DATA)), replications=50, workers=1)
    p = r.p_subtargets()["streets"]
    # east grows 3.5% (< 4%), west 3% (>= 3%): deterministic growth, so 0 and 1
    assert (p["east"].estimate, p["west"].estimate) == (0.0, 1.0)
    assert set(r.summary()["subtargets"]["streets"]) == {"east", "west"}
    assert "street data" in contributions_table(r, "street")["basis"].iloc[0]


def test_without_street_data_street_targets_are_not_judged(tiny):
    with pytest.warns(lgsim.scenario.ScenarioWarning, match="not judged"):
        s = lgsim.load_scenario(tiny(SHARES_ONLY))
    r = lgsim.run(s, replications=50, workers=1)
    assert r.p_subtargets()["streets"] == {}
    assert "Street targets (1): not judged" in headline(r)
    assert contributions_table(r, "street")["basis"].iloc[0].startswith(
        "allocated by population share")


def test_fast_chunk_equals_the_reference_with_street_data(tiny):
    extra = STREET_DATA + """
[[project]]
id = "plant"
sector = "industry"
street = "west"
total_investment = 12.0
planned_start = 2022-02-01
duration_months = { dist = "pert", low = 4, mode = 8, high = 14 }
annual_output = 5.0

[[project]]
id = "spread"
sector = "industry"
total_investment = 6.0
planned_start = 2022-03-01
duration_months = 6

[[shock]]
id = "s"
probability = 0.5
window = [2022-02-01, 2022-10-31]
duration_months = 1.0
impact = { industry = -0.2 }
"""
    plan = compile_plan(lgsim.load_scenario(tiny(extra)))
    fast = simulate_chunk(plan, 3, 0, 200)
    ref = simulate_chunk_reference(plan, 3, 0, 200)
    for key in ref:
        np.testing.assert_allclose(fast[key], ref[key], rtol=1e-12, atol=1e-12,
                                   equal_nan=True, err_msg=key)


@pytest.mark.parametrize(("text", "message"), [
    ("""
[[street]]
id = "east"
sector_shares = { construction = 1.0, industry = 0.5 }
[[street]]
id = "west"
share = 0.5
""", "street[west].sector_shares: expected a value (required)"),
    ("""
[[street]]
id = "east"
sector_shares = { construction = 1.0, industry = 0.5 }
[[street]]
id = "west"
sector_shares = { industry = 0.4 }
""", "street: expected each sector's sector_shares summing to 1 over the streets (within "
     "0.001), found a sum of 0.9 for sector industry"),
    ("""
[[street]]
id = "east"
share = 0.4
sector_shares = { construction = 1.0, industry = 1.0 }
""", "street[east].share: expected no share once streets give sector_shares"),
    ("""
[[street]]
id = "east"
sector_shares = { construction = 1.0, industy = 1.0 }
""", "street[east].sector_shares.industy: expected a known sector id, found 'industy' (did "
     "you mean 'industry'?)"),
])
def test_street_data_errors(tiny, text, message):
    with pytest.raises(lgsim.ScenarioError) as err:
        lgsim.load_scenario(tiny(text))
    assert message in err.value.message
