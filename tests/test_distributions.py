"""Inverse CDFs against scipy.stats; truncation; parameter checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lgsim.scenario import ScenarioError
from lgsim.scenario.distributions import parse_dist

U = np.linspace(0.001, 0.999, 101)


def fail(path, expected, found):
    return ScenarioError("f.toml", path, expected, found)


def d(spec, **kw):
    return parse_dist(spec, "x", fail, **kw)


@pytest.mark.parametrize(
    ("spec", "ref"),
    [
        ({"dist": "normal", "mean": 0.05, "sd": 0.02}, stats.norm(0.05, 0.02)),
        ({"dist": "lognormal", "median": 2.0, "sigma": 0.5}, stats.lognorm(0.5, scale=2.0)),
        ({"dist": "uniform", "low": 1, "high": 4}, stats.uniform(1, 3)),
        ({"dist": "triangular", "low": 1, "mode": 2, "high": 5},
         stats.triang(0.25, loc=1, scale=4)),
        ({"dist": "pert", "low": 10, "mode": 20, "high": 50},
         stats.beta(1 + 4 * 10 / 40, 1 + 4 * 30 / 40, loc=10, scale=40)),
        ({"dist": "beta", "a": 2, "b": 5}, stats.beta(2, 5)),
    ],
)
def test_ppf_matches_scipy(spec, ref):
    np.testing.assert_allclose(d(spec).ppf(U), ref.ppf(U), rtol=1e-10, atol=1e-12)
    assert d(spec).median() == pytest.approx(ref.median(), rel=1e-10)


def test_beta_mean_sd_parameterisation():
    dist = d({"dist": "beta", "mean": 0.85, "sd": 0.1})
    a, b = dist.params
    ref = stats.beta(a, b)
    assert ref.mean() == pytest.approx(0.85) and ref.std() == pytest.approx(0.1)


def test_truncation_maps_uniform_into_the_bounds():
    dist = d({"dist": "normal", "mean": 0.0, "sd": 1.0, "min": 0.0, "max": 1.0})
    ref = stats.truncnorm(0.0, 1.0)
    np.testing.assert_allclose(dist.ppf(U), ref.ppf(U), rtol=1e-9, atol=1e-12)
    assert dist.support() == (0.0, 1.0)


def test_empirical_inverse_cdf():
    dist = d({"dist": "empirical", "values": [3, 1, 2, 4]})
    np.testing.assert_array_equal(dist.ppf(np.array([0.01, 0.25, 0.2501, 0.75, 0.99])),
                                  [1, 1, 2, 3, 4])


def test_degenerate_distributions_are_fixed():
    assert d({"dist": "normal", "mean": 3, "sd": 0}).is_fixed
    assert d({"dist": "uniform", "low": 2, "high": 2}).is_fixed
    assert d(5).ppf(U).tolist() == [5.0] * len(U)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"dist": "uniform", "low": 3, "high": 1}, "low <= high"),
        ({"dist": "normal", "mean": 0, "sd": -1}, "sd >= 0"),
        ({"dist": "beta", "mean": 1.2, "sd": 0.1}, "beta mean in (0, 1)"),
        ({"dist": "beta", "mean": 0.5, "sd": 0.6}, "mean(1 − mean)"),
        ({"dist": "pert", "low": 1, "mode": 9, "high": 5}, "low <= mode <= high"),
        ({"dist": "gamma", "k": 1}, "one of normal"),
        ({"dist": "normal", "mean": 1}, "normal parameters"),
        ({"dist": "normal", "mean": 0, "sd": 1, "min": 2, "max": 1}, "min <= max"),
        ({"mean": 1, "sd": 2}, "a table with 'dist'"),
        ("fast", "a number or a distribution table"),
    ],
)
def test_bad_distributions(spec, fragment):
    with pytest.raises(ScenarioError) as info:
        d(spec)
    assert fragment in str(info.value)


def test_percent_is_rejected_for_fractions():
    with pytest.raises(ScenarioError, match=r"looks like percent: write 0\.06 for 6%"):
        d(6, fraction=True)
    with pytest.raises(ScenarioError, match="looks like percent"):
        d({"dist": "normal", "mean": 5, "sd": 2}, fraction=True)
