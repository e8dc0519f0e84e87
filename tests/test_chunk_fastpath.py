"""The fast chunk path computes what the straightforward formulation computes (to 1e-12).

``tests/oracles/reference_chunk.py`` computes a chunk from the model's equations the
plainest way (dense arrays, scipy's betainc / betaincinv, the whole lifecycle in simpy)
and shares no code with the engine beyond the draws; :func:`lgsim.engine.simulate_chunk`
must agree with it on every output, and each of its shortcuts is checked on its own
below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import special

import lgsim
from lgsim.engine._beta import BetaCDF, beta_cdf, drawdown_curve
from lgsim.engine.chunk import simulate_chunk
from lgsim.engine.draws import draw_chunk, exact_ppf, fast_ppf
from lgsim.engine.lifecycle import LifecycleInput, land_grants
from lgsim.engine.plan import compile_plan
from lgsim.engine.timeline import build_timeline
from lgsim.scenario.distributions import Dist

from oracles.lifecycle import reference_timeline, run_lifecycle
from oracles.reference_chunk import simulate_chunk_reference

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))

STREETS_AND_LAND = """
[[street]]
id = "east"
share = 0.4

[[street]]
id = "west"
share = 0.6

[[project]]
id = "plant"
sector = "industry"
street = "east"
total_investment = 12.0
planned_start = 2022-02-01
start_delay_months = { dist = "lognormal", median = 1.0, sigma = 0.6 }
duration_months = { dist = "pert", low = 4, mode = 8, high = 14 }
execution = { dist = "beta", mean = 0.9, sd = 0.08 }
land_ha = 3.0
ramp_months = 3

[[batch]]
id = "b"
count = 5
total_investment = 50.0
first_year_plan = 9.0
planned_start = 2022-03-01
start_delay_months = { dist = "uniform", low = 0, high = 4 }
duration_months = { dist = "pert", low = 6, mode = 10, high = 20 }
land_ha = 6.0
sector_mix = { industry = 0.7, construction = 0.3 }
street_mix = { east = 0.5, west = 0.5 }

[[land]]
id = "first"
hectares = 6.0
by = 2022-06-30

[[land]]
id = "second"
hectares = 6.0
start = 2022-03-01
by = 2022-12-31

[[shock]]
id = "pause"
probability = 0.7
window = [2022-02-01, 2022-10-31]
duration_months = { dist = "uniform", low = 0.3, high = 1.5 }
impact = { industry = -0.2 }
pauses_projects = true
"""


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_fast_chunk_equals_the_reference_formulation(path):
    plan = compile_plan(lgsim.load_scenario(path))
    fast = simulate_chunk(plan, 5, 100, 300)
    ref = simulate_chunk_reference(plan, 5, 100, 300)
    # the conditional probabilities are checked on their own (tests/test_smoothing.py)
    smoothing = {"p_met_smooth", "sector_p_met_smooth", "log_weight_smooth"}
    assert fast.keys() - smoothing == ref.keys()
    for key in ref:
        np.testing.assert_allclose(fast[key], ref[key], rtol=1e-12, atol=1e-12,
                                   equal_nan=True, err_msg=key)


def test_fast_chunk_equals_the_reference_with_streets_and_two_land_tasks(tiny):
    plan = compile_plan(lgsim.load_scenario(tiny(STREETS_AND_LAND)))
    fast = simulate_chunk(plan, 9, 0, 400)
    ref = simulate_chunk_reference(plan, 9, 0, 400)
    for key in ref:
        np.testing.assert_allclose(fast[key], ref[key], rtol=1e-12, atol=1e-12,
                                   equal_nan=True, err_msg=key)
    # the queue mattered: some grants come at a delivery (a month end), after readiness
    granted = fast["land_granted_month"]
    assert ((granted == np.round(granted)) & (granted > 0)).any()


def test_land_queue_pass_grants_as_the_full_simpy_pass(tiny):
    s = lgsim.load_scenario(tiny(STREETS_AND_LAND))
    plan = compile_plan(s)
    d = draw_chunk(plan, 3, 0, 300)
    fast = build_timeline(d, s, plan.project_ids)
    full = reference_timeline(d, s, plan.project_ids)
    np.testing.assert_array_equal(fast.granted, full.granted)  # the same event order
    np.testing.assert_allclose(fast.start, full.start, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.finish, full.finish, rtol=1e-12, atol=1e-12)


def test_land_queue_pass_by_hand_and_with_ties():
    inp = LifecycleInput(
        ready=[0.0, 0.5, 0.0, np.nan, 1.0, 1.0], planned=[0.0, 0.5, 1.0, 0.0, 1.0, 1.0],
        ids=["a", "b", "c", "never", "zeta", "alpha"], duration=[1.0] * 6,
        land_ha=[3.0, 1.0, 0.0, 1.0, 2.0, 2.0], pauses=[(0.2, 0.6)],
        land_deliveries=[(0.0, 4.0, 8.0), (1.5, 3.0, 3.0)], land_stock=0.5,
    )
    out = run_lifecycle(inp)
    np.testing.assert_array_equal(land_grants(inp), out.granted)
    assert np.isnan(land_grants(inp)[3])


def test_one_land_task_fast_forward_keeps_the_level_to_the_bit():
    # many small deliveries before the first request: the pre-summed pool must hold the
    # same float as simpy's puts one by one, so a request of exactly that much is served
    parts = 0.0
    for _ in range(15):
        parts += 0.1
    assert parts > 15 * 0.1  # one by one is not k times the part
    inp = LifecycleInput(ready=[15.5], planned=[15.5], ids=["p"], duration=[1.0],
                         land_ha=[parts], pauses=[], land_deliveries=[(0.0, 20.0, 2.0)])
    assert land_grants(inp)[0] == run_lifecycle(inp).granted[0] == 15.5


SHAPES = [(2.0, 2.0), (1.0, 1.0), (0.3, 3.7), (1.5, 2.5), (2.37, 1.63), (3.6, 0.4),
          (2.6, 3.4), (2.333333333333333, 3.6666666666666665), (11.75625, 1.30625),
          (1.30625, 11.75625), (5.0, 5.0)]


@pytest.mark.parametrize("shape", SHAPES)
def test_beta_cdf_and_inverse_agree_with_scipy(shape):
    a, b = shape
    bc = BetaCDF(a, b)
    x = np.concatenate([np.linspace(0.0, 1.0, 20001), np.logspace(-12, -1, 50),
                        1 - np.logspace(-12, -1, 50)])
    np.testing.assert_allclose(bc.cdf(x), special.betainc(a, b, x), rtol=0, atol=2e-14)
    np.testing.assert_allclose(drawdown_curve(x, a, b), special.betainc(a, b, x),
                               rtol=0, atol=2e-14)
    u = np.concatenate([np.random.default_rng(0).random(20000), np.logspace(-15, -1, 60),
                        1 - np.logspace(-15, -1, 60)])
    np.testing.assert_allclose(bc.ppf(u.reshape(-1, 4)).ravel(), special.betaincinv(a, b, u),
                               rtol=1e-12, atol=1e-300)


def test_unsupported_shapes_fall_back_to_scipy_exactly():
    bc = beta_cdf(40.0, 0.7)
    assert not bc.fast
    u = np.linspace(0.01, 0.99, 99)
    np.testing.assert_array_equal(bc.ppf(u), special.betaincinv(40.0, 0.7, u))
    np.testing.assert_array_equal(bc.cdf(u), special.betainc(40.0, 0.7, u))


@pytest.mark.parametrize(
    "dist",
    [Dist("pert", (18.0, 30.0, 48.0)), Dist("beta", (11.75625, 1.30625)),
     Dist("pert", (4.0, 8.0, 14.0), lo=5.0, hi=12.0), Dist("normal", (0.05, 0.02)),
     Dist("lognormal", (1.0, 0.8)), Dist("triangular", (0.0, 1.0, 3.0))],
    ids=lambda d: f"{d.kind}{'-truncated' if d.lo > -np.inf else ''}",
)
def test_fast_draws_equal_the_scenario_inverse_cdfs(dist):
    u = np.random.default_rng(1).random((500, 3))
    np.testing.assert_allclose(fast_ppf(dist, u), exact_ppf(dist, u), rtol=1e-12, atol=0)
