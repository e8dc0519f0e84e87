"""lgsim.forecasting.scores: the scoringrules wrappers against closed forms and definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scoringrules as sr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri
from scipy.stats import norm

from lgsim.forecasting.scores import (
    crps_normal,
    crps_sample,
    kde_bandwidth,
    log_score_normal,
    log_score_sample,
    pit_normal,
    pit_sample,
    pit_uniformity,
)


def _closed_form_crps(mu: float, sigma: float, y: float) -> float:
    z = (y - mu) / sigma
    return sigma * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / math.sqrt(math.pi))


@pytest.mark.parametrize(("mu", "sigma", "y"),
                         [(0.0, 1.0, 0.0), (0.05, 0.02, 0.011), (-1.0, 3.0, 2.5)])
def test_crps_normal_is_the_closed_form_and_the_sample_converges(mu, sigma, y) -> None:
    assert float(crps_normal(mu, sigma, y)) == pytest.approx(_closed_form_crps(mu, sigma, y),
                                                             rel=1e-12)
    m = 20_000
    sample = mu + sigma * ndtri((np.arange(m) + 0.5) / m)
    assert float(crps_sample(sample, y)) == pytest.approx(_closed_form_crps(mu, sigma, y),
                                                          rel=2e-3)


def test_weighted_crps_equals_the_repeated_sample_and_the_pairwise_definition() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=7)
    counts = np.array([1, 3, 2, 5, 1, 4, 2])
    y = 0.3
    repeated = np.repeat(x, counts)
    brute = (np.abs(repeated - y).mean()
             - 0.5 * np.abs(repeated[:, None] - repeated[None, :]).mean())
    assert float(crps_sample(repeated, y)) == pytest.approx(brute, rel=1e-12)
    assert float(crps_sample(x, y, counts)) == pytest.approx(brute, rel=1e-12)
    assert float(crps_sample(x, y, 10 * counts)) == pytest.approx(brute, rel=1e-12)


def test_crps_known_answer_and_rows_of_samples() -> None:
    assert float(crps_normal(0.0, 1.0, 0.0)) == pytest.approx(
        (math.sqrt(2) - 1) / math.sqrt(math.pi), rel=1e-12)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 57))
    y = rng.normal(size=3)
    brute = (np.abs(x - y[:, None]).mean(axis=1)
             - 0.5 * np.abs(x[:, :, None] - x[:, None, :]).mean(axis=(1, 2)))
    np.testing.assert_allclose(crps_sample(x, y), brute, rtol=1e-12, atol=1e-15)


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    assert float(crps_sample(np.full(10, 0.06), 0.011)) == pytest.approx(0.049)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=1, max_size=30), st.floats(-1, 1),
       st.floats(-1, 1))
def test_crps_is_non_negative_and_translation_invariant(xs, y, c) -> None:
    x = np.array(xs)
    base = float(crps_sample(x, y))
    assert base >= -1e-12
    assert float(crps_sample(x + c, y + c)) == pytest.approx(base, abs=1e-9)


def test_log_score_normal_is_minus_the_log_density() -> None:
    for mu, sd, y in ((0.0, 1.0, 0.0), (0.05, 0.01, 0.03), (0.05, 0.02, 0.2)):
        assert float(log_score_normal(mu, sd, y)) == pytest.approx(-norm.logpdf(y, mu, sd),
                                                                   rel=1e-12)


def test_log_score_of_a_sample_is_its_kernel_density() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0.05, 0.01, 4000)
    # unweighted: exactly scoringrules' logs_ensemble (Silverman's bandwidth)
    assert log_score_sample(x, 0.04) == pytest.approx(float(sr.logs_ensemble(0.04, x)),
                                                      rel=1e-12)
    # equal weights: the same kernel density up to the quantile convention of the IQR
    assert log_score_sample(x, 0.04, np.ones(x.size)) == pytest.approx(
        log_score_sample(x, 0.04), abs=0.01)
    # a large normal sample (evenly spaced quantiles) scores close to the normal itself
    q = 0.05 + 0.01 * ndtri((np.arange(4000) + 0.5) / 4000)
    assert log_score_sample(q, 0.04) == pytest.approx(float(log_score_normal(0.05, 0.01, 0.04)),
                                                      abs=0.02)
    # the weighted density is a mixture of kernels with those weights (direct sum)
    w = rng.random(x.size)
    h = kde_bandwidth(x, w)
    direct = -math.log(float(np.sum(w * norm.pdf(0.04, x, h)) / w.sum()))
    assert log_score_sample(x, 0.04, w) == pytest.approx(direct, rel=1e-10)


def test_pit_of_a_weighted_sample_and_of_a_normal() -> None:
    x = np.array([0.01, 0.02, 0.03, 0.04])
    assert pit_sample(x, 0.025) == 0.5
    assert pit_sample(x, 0.025, np.array([3.0, 1.0, 1.0, 1.0])) == pytest.approx(4 / 6)
    assert pit_normal(0.05, 0.01, 0.05) == pytest.approx(0.5)
    assert pit_normal(0.05, 0.01, 0.05 + 0.01 * 1.2815515655446004) == pytest.approx(0.9)


def test_uniformity_test_accepts_uniform_and_rejects_piled_up_pits() -> None:
    rng = np.random.default_rng(1)
    assert pit_uniformity(rng.random(200)).p_value > 0.05
    too_narrow = norm.cdf(rng.normal(0, 2.0, 200))  # outcomes twice as spread as forecast
    assert pit_uniformity(too_narrow).p_value < 1e-4
    assert pit_uniformity(np.array([])).n == 0
