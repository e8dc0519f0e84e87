"""Conditioning on published figures: known answers, limits, agreement with rejection sampling.

Each figure is an observation ``y = ŷ + e``, ``e ~ N(0, sd²)``; the run estimates the
posterior with importance weights from a Gaussian proposal of the latent normals
(``lgsim.montecarlo.conditioning``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

import lgsim
from lgsim.cli import main
from lgsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]

ONE_SECTOR = """
[scenario]
base_year = 2021
seed = 4
replications = {n}

[target]
gdp_growth = 0.05

[economy]
gdp = 1000.0

[[sector]]
id = "all"
share = 1.0
growth = {{ dist = "normal", mean = 0.05, sd = 0.02 }}
{extra}
{actuals}
"""

MU, SIGMA, TARGET = 0.05, 0.02, 0.05

TWO_SECTORS = """
[scenario]
base_year = 2021
seed = 9
replications = 600

[target]
gdp_growth = 0.05

[economy]
gdp = 1000.0

[[sector]]
id = "construction"
share = 0.1
growth = { dist = "normal", mean = 0.05, sd = 0.1 }

[[sector]]
id = "industry"
share = 0.9
growth = { dist = "normal", mean = 0.03, sd = 0.1 }
monthly_sd = 0.01
"""


def one_sector(write, actuals: str = "", n: int = 4000, extra: str = "", name="one.toml"):
    return lgsim.load_scenario(write(ONE_SECTOR.format(n=n, extra=extra, actuals=actuals),
                                     name))


def se(p) -> float:
    """Standard error behind a 95% interval (its half-width / 1.96)."""
    return (p.high - p.low) / (2 * 1.96)


def test_one_sector_reproduces_the_normal_posterior(write):
    # monthly_sd = 0: year-to-date growth is the annual growth, an observation of it is
    # an observation of g ~ N(μ, σ²): the posterior is normal in closed form
    y, tau = 0.03, 0.01
    s = one_sector(write, f'[actuals]\nytd = {{ "2022-Q1" = {{ value = {y}, sd = {tau} }} }}')
    r = lgsim.run(s, workers=1)
    post_var = 1.0 / (1.0 / SIGMA**2 + 1.0 / tau**2)
    post_mean = post_var * (MU / SIGMA**2 + y / tau**2)
    expected = 1.0 - norm.cdf((TARGET - post_mean) / math.sqrt(post_var))
    p = r.p_target()
    assert p.ess is not None and r.ess > 0.99 * r.n  # the proposal is the posterior here
    assert abs(p.estimate - expected) < max(4 * se(p), 1e-12), (p, expected)
    w = r.weights / r.weights.sum()
    mean = float(np.sum(w * r.growth()))
    sd = math.sqrt(float(np.sum(w * (r.growth() - mean) ** 2)))
    assert abs(mean - post_mean) < 4 * math.sqrt(post_var / r.ess)
    assert sd == pytest.approx(math.sqrt(post_var), rel=0.05)
    # the prior P(met) comes from the pilot (500 replications from the prior)
    cond = r.conditioning()
    assert abs(cond["prior_p_target_met"] - 0.5) < 4 * math.sqrt(0.25 / 1000)


def test_a_tiny_sd_pins_the_year(write):
    s = one_sector(write, '[actuals]\nytd = { "2022-06" = { value = 0.061, sd = 1e-6 } }', 1000)
    r = lgsim.run(s, workers=1)
    w = r.weights / r.weights.sum()
    assert float(np.sum(w * np.abs(r.growth() - 0.061))) < 1e-5
    assert r.p_target().estimate == pytest.approx(1.0, abs=1e-9)
    low = one_sector(write, '[actuals]\nytd = { "2022-06" = { value = 0.039, sd = 1e-6 } }',
                     1000, name="low.toml")
    assert lgsim.run(low, workers=1).p_target().estimate == pytest.approx(0.0, abs=1e-9)


def test_an_infinite_sd_returns_the_prior_bit_for_bit(write):
    prior = lgsim.run(one_sector(write, n=600), workers=1)
    s = one_sector(write, '[actuals]\nytd = { "2022-Q1" = { value = 0.03, sd = inf } }', 600,
                   name="inf.toml")
    r = lgsim.run(s, workers=1)
    assert r.weights is None and r.n == prior.n
    assert r.growth().tobytes() == prior.growth().tobytes()
    assert r.p_target() == prior.p_target()
    assert r.quantiles() == prior.quantiles()


def test_figures_switched_off_leave_the_draws_untouched_with_other_figures(write):
    # sd = inf on one figure: the run equals the run without that figure
    both = '[actuals]\nytd = { "2022-Q1" = 0.03, "2022-06" = { value = 0.02, sd = inf } }'
    one = '[actuals]\nytd = { "2022-Q1" = 0.03 }'
    r1 = lgsim.run(one_sector(write, both, 500, name="a.toml"), workers=1)
    r2 = lgsim.run(one_sector(write, one, 500, name="b.toml"), workers=1)
    assert r1.growth().tobytes() == r2.growth().tobytes()
    np.testing.assert_array_equal(r1.weights, r2.weights)


def test_sector_figures_condition_that_sector(write):
    free = lgsim.run(lgsim.load_scenario(write(TWO_SECTORS, "free.toml")), workers=1)
    s = lgsim.load_scenario(write(
        TWO_SECTORS + '[actuals]\nsectors = { industry = { "2022-06" = { value = 0.0, '
        'sd = 0.002 } } }', "cond.toml"))
    r = lgsim.run(s, workers=1)
    w = r.weights / r.weights.sum()
    model = r.ds["figure_model"].values[:, 0]
    assert abs(float(np.sum(w * model))) < 0.002  # the figure is matched on average
    va = r.ds["va"].sel(sector="industry")
    g = (va.sel(year=2022) / va.sel(year=2021) - 1).values
    free_va = free.ds["va"].sel(sector="industry")
    free_g = (free_va.sel(year=2022) / free_va.sel(year=2021) - 1).values
    assert float(np.sum(w * g)) < float(np.mean(free_g)) - 0.02  # and pulls the year down
    # the other sector is not observed: its growth keeps its prior mean
    c = r.ds["organic_growth"].sel(year=2022, sector="construction").values
    assert abs(float(np.sum(w * c)) - 0.05) < 4 * 0.1 / math.sqrt(r.ess)


def test_conditioned_runs_are_identical_for_one_and_two_workers(write):
    s = one_sector(write, '[actuals]\nytd = { "2022-Q1" = { value = 0.03, sd = 0.01 } }', 1000)
    a = lgsim.run(s, workers=1)
    b = lgsim.run(s, workers=2, executor="process")
    for var in ("growth", "log_weight", "figure_model"):
        assert a.ds[var].values.tobytes() == b.ds[var].values.tobytes(), var
    assert a.summary() == b.summary()


def test_low_effective_sample_size_adds_replications_then_says_so(write):
    # growth has no spread the latent normals could move (fixed), monthly_sd adds little:
    # the proposal cannot help and a precise figure keeps few replications
    s = lgsim.load_scenario(write(ONE_SECTOR.format(
        n=250, extra="monthly_sd = 0.02",
        actuals='[actuals]\nytd = { "2022-01" = { value = 0.08, sd = 0.001 } }',
    ).replace('growth = { dist = "normal", mean = 0.05, sd = 0.02 }', "growth = 0.05"),
        "poor.toml"))
    r = lgsim.run(s, workers=1, max_replications=1000)
    cond = r.conditioning()
    assert r.n > 250  # replications were added
    if cond["ess"] < 1000:
        assert r.n == 1000 and cond["ess_reached"] is False


def test_required_growth_from_the_published_figure(write):
    s = one_sector(write, '[actuals]\nytd = { "2022-09" = { value = -0.03, sd = 0.002 } }',
                   1000, extra="monthly_sd = 0.01\nmonthly_persistence = 0.8")
    r = lgsim.run(s, workers=1)
    assert r.p_target().estimate < 0.005
    req = r.required_growth()
    assert req["through_month"] == 9 and req["observed_ytd"] == -0.03
    assert req["required_rest"] > 0.2


@pytest.mark.parametrize(
    ("actuals", "path", "words"),
    [
        ('ytd = { "2025-03" = 0.02 }', 'actuals.ytd."2025-03"', "a period within"),
        ('ytd = { "2022-06" = { value = 0.02, sd = 0.0 } }', 'actuals.ytd."2022-06".sd',
         "a value > 0"),
        ('ytd = { "2022-06" = { value = 0.02, sd = -0.01 } }', 'actuals.ytd."2022-06".sd',
         "a value > 0"),
        ('ytd = { "2022-Q2" = 0.02, "2022-06" = 0.09 }', 'actuals.ytd."2022-Q2"',
         "agrees with"),
        ('ytd = { "2022-06" = -1.0 }', 'actuals.ytd."2022-06"', "above -1"),
        ('revision_sd = 3', "actuals.revision_sd", "looks like percent"),
    ],
)
def test_bad_figures_are_refused_with_one_line(write, actuals, path, words):
    with pytest.raises(ScenarioError) as info:
        one_sector(write, "[actuals]\n" + actuals, 100)
    assert info.value.path == path and words in info.value.message


def test_a_figure_the_model_cannot_produce_is_named(write, tmp_path, capsys):
    path = write(ONE_SECTOR.format(n=300, extra="",
                                   actuals='[actuals]\nytd = { "2022-Q1" = 0.9 }'), "far.toml")
    out = tmp_path / "run"
    assert main(["run", str(path), "--workers", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'actuals.ytd."2022-Q1"' in err[0] and "no likelihood" in err[0]
    assert not (out / "summary.json").exists() and not (out / "results.nc").exists()


def test_figures_that_contradict_each_other_are_named(write):
    # GDP +10% and industry (90% of GDP) -10%: each possible alone, not together
    s = lgsim.load_scenario(write(
        TWO_SECTORS + '[actuals]\nytd = { "2022-06" = 0.10 }\n'
        'sectors = { industry = { "2022-06" = -0.10 } }', "contra.toml"))
    with pytest.raises(ScenarioError, match=r"given actuals") as info:
        lgsim.run(s, workers=1, replications=100)
    assert "actuals." in info.value.path


@pytest.mark.slow
def test_base_posterior_agrees_with_rejection_sampling_from_the_prior():
    base = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    y, tau = 0.02, 0.01
    prior = lgsim.run(base, replications=20_000, seed=11)
    q1 = prior.ds["ytd_growth"].sel(year=2022, month=3).values
    # exact rejection sampling with the Gaussian likelihood
    accept = np.random.default_rng(5).random(q1.size) < np.exp(-0.5 * ((y - q1) / tau) ** 2)
    kept = prior.met()[accept]
    p_rej = kept.mean()
    se_rej = math.sqrt(p_rej * (1 - p_rej) / kept.size)
    cond = base.with_changes({"actuals.ytd": {"2022-Q1": {"value": y, "sd": tau}}})
    r = lgsim.run(cond, replications=8000, seed=12)
    p = r.p_target()
    assert kept.size > 2000
    assert abs(p.estimate - p_rej) < 4 * math.hypot(se(p), se_rej), (p, p_rej, kept.size)
