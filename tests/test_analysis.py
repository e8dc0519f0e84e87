"""Target rule, Wilson interval, quantiles."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lgsim.analysis import expected_shortfall_pp, probability, quantiles, wilson
from lgsim.scenario import Target


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (247, 2000), (1, 100000)])
def test_wilson_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_target_rules():
    g = np.array([0.0595, 0.05949, 0.06, 0.059999999999999, 0.055, 0.0544])
    assert Target(0.06).met(g).tolist() == [False, False, True, True, False, False]
    assert Target(0.06, decimals=1).met(g).tolist() == [True, False, True, True, False, False]
    assert Target(0.06, decimals=1, tolerance=0.005).met(g).tolist() == [True] * 5 + [False]
    # a sub-target is judged by the same rule
    assert Target(0.09, decimals=1).met(g, 0.06).tolist() == [True, False, True, True, False,
                                                               False]


@pytest.mark.parametrize("decimals", [None, 0, 1, 2])
@pytest.mark.parametrize("tolerance", [0.0, 0.005])
def test_threshold_is_the_lowest_growth_that_meets_the_target(decimals, tolerance):
    t = Target(0.06, decimals=decimals, tolerance=tolerance)
    bar = t.threshold()
    assert t.met(bar + 1e-11) and not t.met(bar - 1e-9)


def test_probability_quantiles_shortfall():
    p = probability(np.array([True, False, False, True]))
    assert (p.estimate, p.n, p.successes) == (0.5, 4, 2)
    assert quantiles(np.arange(11.0)) == {"p10": 1.0, "p50": 5.0, "p90": 9.0}
    g = np.array([0.05, 0.07, 0.03])
    assert expected_shortfall_pp(g, 0.06, g >= 0.06) == pytest.approx(2.0)


def test_scenario_error_pickles():
    import pickle

    from lgsim.scenario import ScenarioError

    err = pickle.loads(pickle.dumps(ScenarioError("f.toml", "target.gdp_growth", "x", "y", "h")))
    assert err.message == "f.toml: target.gdp_growth: expected x, found y (h)"
