"""The three decompositions add up to growth in every replication (property test)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lgsim

TEMPLATE = """
[scenario]
base_year = 2021
end_year = 2023
seed = {seed}

[target]
gdp_growth = 0.05

[economy]
gdp = 800.0

[accounting]
construction_share = 0.6
construction_va_ratio = 0.25
local_share = 0.8
investment_deflator = {deflator}

[[sector]]
id = "construction"
share = 0.2
growth = {{ dist = "normal", mean = {g1}, sd = 0.03 }}
monthly_sd = {msd}
monthly_persistence = 0.5

[[sector]]
id = "industry"
share = 0.8
growth = {{ dist = "normal", mean = {g2}, sd = 0.05 }}
persistence = 0.4
va_ratio = 0.3
output_per_investment = {opi}

[[street]]
id = "a"
share = 0.3

[[street]]
id = "b"
share = 0.7

[[project]]
id = "p"
sector = "industry"
street = "a"
total_investment = {size}
planned_start = 2022-02-01
duration_months = {{ dist = "uniform", low = 3, high = 20 }}
ramp_months = 3
land_ha = 5

[[batch]]
id = "b1"
count = 4
total_investment = {size}
planned_start = 2022-05-01
duration_months = {{ dist = "pert", low = 4, mode = 10, high = 20 }}
start_delay_months = {{ dist = "lognormal", median = 1, sigma = 0.5 }}
sector_mix = {{ industry = 0.5, construction = 0.5 }}
delay_correlation = 0.5

[[land]]
id = "l"
hectares = 6
by = 2022-09-30

[[shock]]
id = "s1"
probability = 0.7
window = [2022-03-01, 2023-06-30]
duration_months = {{ dist = "uniform", low = 0.1, high = 3 }}
impact = {{ industry = {imp1}, construction = -0.2 }}
pauses_projects = true

[[shock]]
id = "s2"
probability = 0.7
window = [2022-03-01, 2022-12-31]
duration_months = 2
impact = {{ industry = {imp2} }}
"""


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32),
    g1=st.floats(-0.2, 0.2),
    g2=st.floats(-0.2, 0.2),
    msd=st.sampled_from([0.0, 0.02]),
    opi=st.floats(0, 3),
    size=st.floats(0, 500),
    deflator=st.floats(0.5, 2),
    imp1=st.floats(-1, 0.5),
    imp2=st.floats(-1, 0),
)
def test_decompositions_add_up(
    tmp_path_factory, seed, g1, g2, msd, opi, size, deflator, imp1, imp2
):
    path = tmp_path_factory.mktemp("c") / "s.toml"
    path.write_text(
        TEMPLATE.format(seed=seed, g1=g1, g2=g2, msd=msd, opi=opi, size=size,
                        deflator=deflator, imp1=imp1, imp2=imp2),
        encoding="utf-8",
    )
    r = lgsim.run(str(path), replications=40, workers=1, chunk_size=16)
    growth = 100 * r.ds["growth"].values[:, 1:]
    for var in ("sector_pp", "street_pp", "component_pp"):
        total = r.ds[var].values[:, 1:, :].sum(axis=2)
        np.testing.assert_allclose(total, growth, rtol=0, atol=1e-9, err_msg=var)
    # value added by street and by sector both add up to GDP
    np.testing.assert_allclose(r.ds["street_va"].sum("street"), r.ds["gdp"], rtol=1e-12)
    np.testing.assert_allclose(r.ds["va"].sum("sector"), r.ds["gdp"], rtol=1e-12)
