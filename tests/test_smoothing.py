"""Conditional Monte Carlo of P(target met): exact where the answer is closed-form,
unbiased against the indicator on the base scenario, affine slopes checked by shifting
the integrated normal, a stated fallback where the structure does not allow it."""

from __future__ import annotations

import dataclasses
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import lgsim
from lgsim.engine import compile_plan, simulate_chunk
from lgsim.engine.observe import Tilt
from lgsim.engine.smoothing import SmoothingPlan

ROOT = Path(__file__).resolve().parent.parent

ONE_SECTOR = """\
[scenario]
base_year = 2021
seed = 3
replications = {n}

[target]
gdp_growth = 0.06
{rule}

[economy]
gdp = 1000.0

[[sector]]
id = "all"
share = 1.0
growth = {{ dist = "normal", mean = 0.05, sd = 0.02 }}
"""


def _one_sector(tmp_path: Path, n: int, rule: str = "") -> lgsim.Scenario:
    path = tmp_path / "one.toml"
    path.write_text(ONE_SECTOR.format(n=n, rule=rule), encoding="utf-8")
    return lgsim.load_scenario(path)


@pytest.mark.parametrize("n", [1, 7, 300])
@pytest.mark.parametrize("rule", ["", "decimals = 1", "tolerance = 0.005"])
def test_one_sector_normal_is_exact_for_any_n(tmp_path: Path, n: int, rule: str) -> None:
    sc = _one_sector(tmp_path, n, rule)
    res = lgsim.run(sc, workers=1)
    exact = stats.norm.sf(sc.target.threshold(), loc=0.05, scale=0.02)
    p = res.p_target()
    assert p.method == "conditional"
    assert abs(p.estimate - exact) < 1e-12
    assert np.allclose(res.ds["p_met_smooth"].values, exact, rtol=0, atol=1e-12)


def test_slope_is_the_change_per_unit_of_the_integrated_normal() -> None:
    """Shifting ξ* by δ moves target-year growth by exactly B δ in every replication."""
    sc = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    plan = compile_plan(sc)
    sp = plan.smoothing
    assert isinstance(sp, SmoothingPlan)
    n, delta = 64, 0.37
    base = simulate_chunk(plan, 11, 0, n)
    shift = Tilt((sp.latent,), np.array([delta]), np.eye(1))
    plan_t = dataclasses.replace(plan, latents=(sp.latent,))
    moved = simulate_chunk(plan_t, 11, 0, n, tilt=shift)
    ty = sc.target_year - sc.base_year
    dg = moved["growth"][:, ty] - base["growth"][:, ty]
    # growth is affine in ξ*: twice the shift, twice the change
    moved2 = simulate_chunk(plan_t, 11, 0, n, tilt=Tilt((sp.latent,), np.array([2 * delta]),
                                                      np.eye(1)))
    dg2 = moved2["growth"][:, ty] - base["growth"][:, ty]
    assert np.allclose(dg2, 2 * dg, rtol=1e-9, atol=1e-13)
    # and P(met | rest) does not depend on where ξ* was drawn
    assert np.allclose(moved["p_met_smooth"], base["p_met_smooth"], rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("name", ["base-unconditioned", "base"])
def test_agrees_with_the_indicator_within_their_joint_error(name: str) -> None:
    res = lgsim.run(lgsim.load_scenario(ROOT / "scenarios" / f"{name}.toml"),
                    replications=2000, workers=1)
    smooth, indicator = res.p_target(), res.p_target(method="indicator")
    se_s = (smooth.high - smooth.low) / (2 * 1.96)
    se_i = (indicator.high - indicator.low) / (2 * 1.96)
    assert abs(smooth.estimate - indicator.estimate) < 3 * math.hypot(se_s, se_i)
    assert smooth.variance_reduction is not None and smooth.variance_reduction > 1.0
    sub = res.p_subtargets()["sectors"]["industry"]
    assert sub.method == "conditional"


def test_conditioned_weights_reduce_to_the_plain_ones_without_figures_on_xi() -> None:
    """Figures that do not move ξ* leave the Rao–Blackwellised weights equal to the
    ordinary ones (up to a constant)."""
    sc = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    sc = sc.with_changes({"actuals.fai": {"2022-02": {"value": 0.113, "sd": 0.1}}})
    res = lgsim.run(sc, replications=500, workers=1)
    lw, ls = res.ds["log_weight"].values, res.ds["log_weight_smooth"].values
    assert np.allclose(ls - ls.mean(), lw - lw.mean(), rtol=0, atol=1e-9)


def test_fallback_is_stated_when_no_sector_is_normal(tmp_path: Path) -> None:
    path = tmp_path / "tri.toml"
    path.write_text(textwrap.dedent(ONE_SECTOR.format(n=50, rule="")).replace(
        '{ dist = "normal", mean = 0.05, sd = 0.02 }',
        '{ dist = "triangular", low = 0.0, mode = 0.05, high = 0.1 }'), encoding="utf-8")
    res = lgsim.run(lgsim.load_scenario(path), workers=1)
    assert not res.smoothed
    assert res.p_target().method == "indicator"
    assert "does not apply" in res.estimator_note()
    assert "normal" in res.estimator_note()


def test_smoothed_is_bit_identical_for_any_worker_count() -> None:
    sc = lgsim.load_scenario(ROOT / "scenarios" / "base.toml")
    a = lgsim.run(sc, replications=500, workers=1, chunk_size=100)
    b = lgsim.run(sc, replications=500, workers=2, chunk_size=100)
    assert np.array_equal(a.ds["p_met_smooth"].values, b.ds["p_met_smooth"].values)
    assert np.array_equal(a.ds["log_weight_smooth"].values, b.ds["log_weight_smooth"].values)
