"""Target-seeking: known answers, reachability, monotonicity reporting, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

import lgsim
from lgsim.cli import main
from lgsim.montecarlo import Outcome
from lgsim.scenario import ScenarioError
from lgsim.studies import solve as solve_mod
from lgsim.studies.solve import default_bounds, lever_value, solve

TARGET, MEAN, SD = 0.06, 0.05, 0.02

#: One sector, growth normal(MEAN, SD), no projects: growth = the draw, so
#: P(met) = 1 − Φ((TARGET − m) / SD) for growth mean m.
NORMAL = f"""
[scenario]
name = "normal"
base_year = 2021
seed = 5
replications = 2000

[target]
gdp_growth = {TARGET}

[economy]
gdp = 1000.0

[[sector]]
id = "all"
share = 1.0
growth = {{ dist = "normal", mean = {MEAN}, sd = {SD} }}
"""


@pytest.fixture
def normal_path(write):
    return write(NORMAL, "normal.toml")


@pytest.fixture
def normal(normal_path) -> lgsim.Scenario:
    return lgsim.load_scenario(normal_path)


@pytest.mark.parametrize("p", [0.8, 0.3])
def test_known_answer_growth_mean(normal, p):
    exact = TARGET + SD * norm.ppf(p)  # 1 − Φ((T − m)/s) = p
    sol = solve(normal, "sector[all].growth.mean", p, replications=2000, workers=1)
    assert sol.status == "solved" and sol.direction == 1
    assert sol.low is not None and sol.high is not None
    assert sol.low <= exact <= sol.high
    assert sol.low <= sol.value <= sol.high
    # the stated precision is of the size theory gives: sd of P̂ / density at the answer
    theory = 1.96 * np.sqrt(p * (1 - p) / 2000) / (norm.pdf(norm.ppf(p)) / SD)
    assert 0.5 * theory < (sol.high - sol.low) / 2 < 2.0 * theory
    assert sol.at_value is not None and sol.at_value.estimate >= p
    assert not sol.violations


def test_known_answer_falling_lever(normal):
    """P(met) falls as the target rises: the target that is met with P = 0.8."""
    exact = MEAN - SD * norm.ppf(0.8)
    sol = solve(normal, "target.gdp_growth", 0.8, replications=2000, workers=1)
    assert sol.direction == -1
    assert sol.low <= exact <= sol.high
    assert sol.bounds == pytest.approx((TARGET - 0.1, TARGET + 0.1))


def test_not_reachable_and_already_reached(normal):
    sol = solve(normal, "sector[all].growth.mean", 0.8, bounds=(0.0, 0.05), replications=500,
                workers=1)
    assert sol.status == "not reachable" and sol.value is None
    assert "Not reachable within bounds" in sol.to_text()
    sol = solve(normal, "sector[all].growth.mean", 0.8, bounds=(0.12, 0.2), replications=500,
                workers=1)
    assert sol.status == "already reached" and sol.value is None
    sol = solve(normal, "sector[all].growth.sd", 0.8, bounds=(0.001, 0.1), replications=500,
                workers=1)  # mean below target: more spread never gives 80%
    assert sol.status == "not reachable"


def test_monotonicity_violations_are_reported(normal, monkeypatch):
    """A lever whose effect is not monotone (faked evaluator): violations are listed."""

    def fake(base, changes, replications=None, seed=None, workers=None, **_):
        out = []
        for c in changes:
            x = c["sector[all].growth.mean"]
            p = 0.05 + x + (0.2 if 0.4 < x < 0.55 else 0.0)  # a bump
            met = np.arange(1000) < round(1000 * p)
            out.append(Outcome("fake", "fake", met.astype(float), met, 1, "rule"))
        return out

    monkeypatch.setattr(solve_mod, "evaluate_changes", fake)
    sol = solve(normal, "sector[all].growth.mean", 0.72, bounds=(0.0, 0.8), grid=9)
    assert sol.violations and sol.violations[0][0] == pytest.approx(0.5)
    assert "NOT monotone" in sol.to_text()
    assert sol.status == "solved"
    # the first crossing, walking up from low probability: inside the bump
    assert 0.4 < sol.value < 0.55


def test_lever_values_and_errors(base_scenario):
    assert lever_value(base_scenario, "sector[industry].growth.mean") == 0.05
    # a distribution-valued field: the lever replaces it by a fixed value
    assert lever_value(base_scenario, "sector[industry].growth") == pytest.approx(0.05)
    assert lever_value(base_scenario, "batch[sz-2022-batch3].start_delay_months") == (
        pytest.approx(0.5))
    assert solve_mod.lever_replaces(
        base_scenario, "batch[sz-2022-batch3].start_delay_months").startswith("lognormal(")
    assert lever_value(base_scenario, "batch[sz-2022-batch3].p_stall") is None  # default
    with pytest.raises(ScenarioError, match="name one key"):
        lever_value(base_scenario, "batch[sz-2022-batch3].sector_mix")
    with pytest.raises(ScenarioError, match="no such entry"):
        lever_value(base_scenario, "sector[mining].growth.mean")
    with pytest.raises(ScenarioError, match="a number"):
        lever_value(base_scenario, "sector[industry].name")
    with pytest.raises(ScenarioError, match="looks like percent"):
        solve(base_scenario, "sector[industry].growth.mean", 0.8, bounds=(0.0, 5.0))
    with pytest.raises(ValueError):
        solve(base_scenario, "sector[industry].growth.mean", 80)


def test_default_bounds():
    assert default_bounds("sector[x].growth.mean", 0.05) == pytest.approx((-0.05, 0.15))
    assert default_bounds("batch[b].start_delay_months", 0.0) == (0.0, 12.0)
    assert default_bounds("shock[s].probability", 0.3) == (0.0, 1.0)
    assert default_bounds("project[p].total_investment", 10.0) == (0.0, 20.0)
    with pytest.raises(ValueError):
        default_bounds("project[p].total_investment", None)


def test_lever_replacing_a_distribution(base_scenario):
    """"The batch starts N months late": the lever replaces the delay distribution."""
    sol = solve(base_scenario, "batch[sz-2022-batch3].start_delay_months", 0.9,
                replications=50, workers=1, grid=3, max_rounds=1)
    assert sol.bounds == pytest.approx((0.0, 12.5))  # from the median delay, 0.5 months
    assert sol.status == "not reachable"
    assert sol.direction <= 0  # later starts never raise 2022 growth
    assert "replaced by a fixed value" in sol.to_text()


def test_cli_solve(normal_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["solve", str(normal_path), "--lever", "sector[all].growth.mean",
                 "--probability", "0.8", "-n", "1000", "--workers", "1", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "Answer: sector[all].growth.mean = " in text
    data = json.loads((out / "solve.json").read_text(encoding="utf-8"))
    lo, hi = data["precision_95"]
    assert lo <= TARGET + SD * norm.ppf(0.8) <= hi
    assert data["seed"] == 5 and data["replications"] == 1000
    assert data["probability_pct"] == 80.0
    assert 75.0 < data["p_met_at_value_pct"]["estimate"] < 85.0


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--lever", "sector[all].name", "--probability", "0.8"], "a number (a lever)"),
        (["--lever", "sector[al].growth.mean", "--probability", "0.8"], "no such entry"),
        (["--lever", "sector[all].growth.mean", "--probability", "80"], "looks like percent"),
        (["--lever", "sector[all].growth.mean", "--probability", "0.8", "--bounds", "1", "0"],
         "LO < HI"),
        (["--lever", "sector[all].growth.mean", "--probability", "0.8", "--bounds", "0", "6"],
         "looks like percent"),
        (["--lever", "sector[all].share", "--probability", "0.8", "--grid", "2"], "--grid"),
    ],
)
def test_cli_solve_bad_input(normal_path, tmp_path, capsys, argv, words):
    code = main(["solve", str(normal_path), *argv, "-n", "10", "--workers", "1", "--out",
                 str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert words in err and len(err.strip().splitlines()) == 1
