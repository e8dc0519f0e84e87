"""Loading: defaults, extends/remove merging, plan_start bookkeeping, changes, resolution."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import lgsim
from lgsim.scenario import Scenario, ScenarioError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_from_the_table(write):
    s = lgsim.load_scenario(ROOT / "scenarios" / "examples" / "minimal.toml")
    assert (s.name, s.title, s.target_year, s.end_year, s.seed, s.replications) == (
        "minimal", "minimal", 2022, 2022, None, 2000
    )
    assert s.target.decimals is None and s.target.tolerance == 0
    assert s.streets[0].id == "all" and s.economy.land_stock_ha == 0
    sec = s.sectors[0]
    assert (sec.persistence, sec.monthly_sd, sec.output_per_investment) == (0, 0, 0)
    assert sec.seasonality == (1 / 12,) * 12


def test_shares_are_normalised(tiny):
    s = lgsim.load_scenario(tiny())
    assert sum(x.share for x in s.sectors) == pytest.approx(1.0, abs=1e-15)


def test_extends_merges_entries_and_removes(write):
    write(
        """
        [scenario]
        base_year = 2021
        end_year = 2023
        title = "parent"
        [target]
        gdp_growth = 0.05
        [economy]
        gdp = 100.0
        [accounting]
        construction_share = 0.5
        construction_va_ratio = 0.3
        local_share = 0.8
        [[sector]]
        id = "construction"
        share = 1.0
        growth = { dist = "normal", mean = 0.05, sd = 0.01, min = 0.0 }
        [[project]]
        id = "a"
        sector = "construction"
        total_investment = 10.0
        first_year_plan = 2.0
        planned_start = 2022-03-01
        duration_months = 24
        [[project]]
        id = "gone"
        sector = "construction"
        total_investment = 1.0
        planned_start = 2022-03-01
        duration_months = 2
        [[shock]]
        id = "s"
        window = [2022-03-01, 2022-04-01]
        duration_months = 1
        impact = { construction = -0.2 }
        [sources]
        "economy.gdp" = "assumption: parent"
        """,
        "parent.toml",
    )
    child = write(
        """
        extends = "parent.toml"
        remove = ["project[gone]"]
        [target]
        decimals = 1
        [[sector]]
        id = "construction"
        growth = { dist = "uniform", low = 0.0, high = 0.1 }
        [[project]]
        id = "a"
        planned_start = 2022-09-01
        [[project]]
        id = "new"
        sector = "construction"
        total_investment = 3.0
        planned_start = 2022-05-01
        duration_months = 6
        [[shock]]
        id = "s"
        impact = { construction = -0.1 }
        """,
        "child.toml",
    )
    s = lgsim.load_scenario(child)
    assert s.name == "child" and s.title == "parent"  # name is not inherited
    assert s.target.gdp_growth == 0.05 and s.target.decimals == 1
    assert [p.id for p in s.projects] == ["a", "new"]
    a = s.projects[0]
    # the distribution table replaced the parent's whole (no stale mean/sd/min)
    assert s.sectors[0].growth.kind == "uniform" and s.sectors[0].growth.lo == float("-inf")
    # the child moved planned_start only: the plan keeps the parent's schedule
    assert a.planned_start == 8.0 and a.plan_start == 2.0
    assert dict((k, v.params[0]) for k, v in s.shocks[0].impact) == {"construction": -0.1}
    assert s.sources == {"economy.gdp": "assumption: parent"}


def test_with_changes_paths(base_scenario):
    s2 = base_scenario.with_changes(
        {
            "batch[sz-2022-batch3].start_delay_months": 3.0,
            "sector[industry].growth.mean": 0.07,
            "target.gdp_growth": 0.055,
        }
    )
    b = next(b for b in s2.batches if b.id == "sz-2022-batch3")
    assert b.template.start_delay_months.params == (3.0,)
    assert next(x for x in s2.sectors if x.id == "industry").growth.params[0] == 0.07
    assert s2.target.gdp_growth == 0.055
    assert base_scenario.target.gdp_growth == 0.06  # the original is untouched
    with pytest.raises(ScenarioError, match=r"target.gdp_growth: expected a fraction"):
        base_scenario.with_changes({"target.gdp_growth": 6})
    with pytest.raises(ScenarioError, match="no such entry"):
        base_scenario.with_changes({"project[nope].total_investment": 1.0})


def test_resolved_toml_reproduces_the_run(base_scenario, tmp_path):
    r = lgsim.run(base_scenario, replications=120, seed=3, workers=1)
    text = r.ds.attrs["scenario_toml"]
    assert text.startswith("# resolved by lgsim")
    doc = tomllib.loads(text)
    assert doc["scenario"]["seed"] == 3 and doc["scenario"]["replications"] == 120
    assert "extends" not in doc
    again = lgsim.run(Scenario.from_document(doc, "resolved.toml"), workers=1)
    for var in ("growth", "investment", "component_pp", "start_month"):
        assert (again.ds[var].values.tobytes() == r.ds[var].values.tobytes()), var


def test_plan_infeasible_is_an_error(tiny):
    with pytest.raises(ScenarioError, match=r"project\[p\]\.first_year_plan"):
        lgsim.load_scenario(
            tiny(
                """
                [[project]]
                id = "p"
                sector = "industry"
                total_investment = 100.0
                first_year_plan = 99.0
                planned_start = 2022-11-01
                duration_months = 24
                """
            )
        )


def test_plan_is_solved_once_for_the_schedule_it_was_made_for(base_scenario, write):
    def shape(s):
        return next(b for b in s.batches if b.id == "sz-2022-batch3").template.drawdown.a

    a0 = shape(base_scenario)
    # a child that changes only the duration stretches the curve, keeping its shape
    child = write(
        f'extends = "{(ROOT / "scenarios" / "base.toml").as_posix()}"\n'
        '[[batch]]\nid = "sz-2022-batch3"\nduration_months = 18.0\n',
        "longer.toml",
    )
    assert shape(lgsim.load_scenario(child)) == a0
    assert shape(base_scenario.with_changes({"batch[sz-2022-batch3].duration_months": 18.0})) == a0
    # a new plan is solved for the schedule in force when it is set
    replanned = base_scenario.with_changes(
        {"batch[sz-2022-batch3].duration_months": 18.0,
         "batch[sz-2022-batch3].first_year_plan": 17.3}
    )
    assert shape(replanned) != a0
    doc = replanned.document["batch"][0]
    assert doc["plan_duration_months"] == 18.0 and doc["plan_start"] == doc["planned_start"]
