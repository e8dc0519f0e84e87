"""Drawdown curves, plan calibration, ramp-up."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

from lgsim.engine.accounting import ramp_average
from lgsim.scenario.drawdown import InfeasiblePlan, curve, solve_shape


def test_default_s_curve_is_beta_2_2():
    x = np.linspace(0, 1, 11)
    np.testing.assert_allclose(curve(x, 2.0, 2.0), special.betainc(2, 2, x), atol=1e-15)
    np.testing.assert_array_equal(curve(x, 1.0, 1.0), x)


@pytest.mark.parametrize(("share", "x_end"), [(17.3 / 113.1, 7 / 30), (0.5, 0.5), (0.01, 0.6)])
def test_solve_shape_meets_the_plan(share, x_end):
    a = solve_shape(share, x_end)
    assert special.betainc(a, 4 - a, x_end) == pytest.approx(share, abs=1e-12)


def test_infeasible_plan():
    with pytest.raises(InfeasiblePlan):
        solve_shape(0.99, 0.1)


def test_ramp_average_matches_numerical_integral():
    completion, ramp = 2.3, 4.0
    for m in range(10):
        expected = integrate.quad(
            lambda t: np.clip((t - completion) / ramp, 0, 1), m, m + 1, points=[2.3, 6.3]
        )[0]
        got = ramp_average(np.array(m, float), np.array(m + 1.0), np.array(completion),
                           np.array(ramp))
        assert got == pytest.approx(expected, abs=1e-12)
    step = ramp_average(np.array(2.0), np.array(3.0), np.array(2.25), np.array(0.0))
    assert step == pytest.approx(0.75)
