"""What-if API: with_changes paths, add_project, remove, variants, quick CRN outcomes."""

from __future__ import annotations

import html

import numpy as np
import pytest

import lgsim
from lgsim.scenario import ScenarioError
from lgsim.studies import whatif

N = 120  # replications: enough to compare draws, fast on one core

NEW_PROJECT = {
    "id": "new-10yi",
    "name": "新增10亿元产业项目",
    "sector": "industry",
    "street": "bantian",
    "total_investment": 10.0,
    "planned_start": "2022-07-01",
    "duration_months": {"dist": "pert", "low": 12, "mode": 18, "high": 24},
    "start_delay_months": {"dist": "lognormal", "median": 1.0, "sigma": 0.5},
}


@pytest.fixture
def base(base_scenario) -> lgsim.Scenario:
    return base_scenario


# ---------------------------------------------------------------------- with_changes
def test_with_changes_batch_delay(base):
    s2 = base.with_changes({"batch[sz-2022-batch3].start_delay_months": 3.0})
    batch = {b.id: b for b in s2.batches}["sz-2022-batch3"]
    assert batch.template.start_delay_months.is_fixed
    assert batch.template.start_delay_months.params == (3.0,)
    # the other batch keeps its distribution
    other = {b.id: b for b in s2.batches}["q2-2022-starts"]
    assert other.template.start_delay_months.kind == "lognormal"


def test_with_changes_parameter_inside_distribution_table(base):
    s2 = base.with_changes({"sector[industry].growth.mean": 0.07})
    g = s2.sectors[s2.sector_index("industry")].growth
    assert g.kind == "normal"
    assert g.params == (0.07, 0.01977)  # the sd is kept (sized from past errors)
    # the scenario itself is unchanged (frozen, copied document)
    assert base.sectors[base.sector_index("industry")].growth.params == (0.05, 0.01977)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"sector[nope].growth.mean": 0.07}, "no such entry"),
        ({"sector[industry].growth.meen": 0.07}, "normal parameters"),
        ({"target.gdp_growth": 6}, "looks like percent"),
        ({"batch[sz-2022-batch3].start_delay_months": "three"}, "a number"),
        ({"project[new-10yi]": NEW_PROJECT}, "a path must name a field"),
    ],
)
def test_with_changes_validated_like_a_file(base, changes, words):
    with pytest.raises(ScenarioError) as info:
        base.with_changes(changes)
    assert words in info.value.message
    assert "\n" not in info.value.message


# ---------------------------------------------------------------------- add / remove
def test_add_project_validated_and_other_draws_unchanged(base):
    s2 = whatif.add_project(base, NEW_PROJECT, source="assumption: what-if — one more 10亿")
    assert [p.id for p in s2.projects] == ["new-10yi"]
    assert s2.sources["project[new-10yi]"].startswith("assumption:")
    r0 = lgsim.run(base, replications=N, workers=1)
    r1 = lgsim.run(s2, replications=N, workers=1)
    # every entity the two scenarios share keeps its draws (streams keyed by entity id)
    for var in ("start_month", "finish_month"):
        a = r0.ds[var].values
        b = r1.ds[var].sel(project=list(r0.ds["project"].values)).values
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(r0.ds["shock_occurred"].values, r1.ds["shock_occurred"].values)
    # the project only adds value added (works now, output later): growth never falls
    d = r1.growth() - r0.growth()
    assert d.min() >= -1e-12 and d.max() > 0


@pytest.mark.parametrize(
    ("entry", "kind", "words"),
    [
        ({**NEW_PROJECT, "id": "sz-2022-batch3"}, "project", "unique"),
        ({**NEW_PROJECT, "sector": "mining"}, "project", "known sector"),
        ({k: v for k, v in NEW_PROJECT.items() if k != "duration_months"}, "project",
         "duration_months"),
        ({**NEW_PROJECT, "colour": "red"}, "project", "unknown key"),
        (NEW_PROJECT, "street", "one of project, batch, pipeline"),
    ],
)
def test_add_project_errors(base, entry, kind, words):
    with pytest.raises(ScenarioError) as info:
        whatif.add_project(base, entry, kind=kind)
    assert words in info.value.message


def test_add_pipeline_entry(base):
    entry = {"id": "new-pipe", "probability": 0.5, "signed": "2022-05-01",
             "sector": "industry", "total_investment": 8.0, "duration_months": 12}
    s2 = whatif.add_project(base, entry, kind="pipeline")
    assert "new-pipe" in [p.id for p in s2.pipelines]


def test_remove_equals_probability_zero(base):
    gone = whatif.remove(base, "shock[lockdown-risk]")
    assert "lockdown-risk" not in [s.id for s in gone.shocks]
    assert not any(k.startswith("shock[lockdown-risk]") for k in gone.sources)
    zero = base.with_changes({"shock[lockdown-risk].probability": 0.0})
    a, b = whatif.outcomes([gone, zero], replications=N, workers=1)
    np.testing.assert_array_equal(a.growth, b.growth)


@pytest.mark.parametrize("path", ["shock[nope]", "shock", "shock[lockdown-risk].probability",
                                  "not a path"])
def test_remove_errors(base, path):
    with pytest.raises(ScenarioError):
        whatif.remove(base, path)


def test_variant_names_and_changes(base):
    v = whatif.variant(base, "batch3-late-3m", {"batch[sz-2022-batch3].start_delay_months": 3.0},
                       title="第三批推迟3个月")
    assert (v.name, v.title) == ("batch3-late-3m", "第三批推迟3个月")
    with pytest.raises(ScenarioError):
        whatif.variant(base, "bad name/..")


def test_replications_from_env(monkeypatch):
    monkeypatch.delenv(whatif.REPLICATIONS_ENV, raising=False)
    assert whatif.replications_from_env(2000) == 2000
    monkeypatch.setenv(whatif.REPLICATIONS_ENV, "200")
    assert whatif.replications_from_env(2000) == 200
    monkeypatch.setenv(whatif.REPLICATIONS_ENV, "lots")
    with pytest.raises(ValueError, match="LGSIM_REPLICATIONS"):
        whatif.replications_from_env(2000)


# ---------------------------------------------------------------------- outcomes
def test_outcomes_equal_run_and_do_not_depend_on_workers(base):
    late = base.with_changes({"batch[sz-2022-batch3].start_delay_months": 6.0})
    # base is conditioned on published figures: outcomes carry the same weights as a run
    # that adds no replications
    r = lgsim.run(late, replications=300, workers=1, max_replications=300)
    o1 = whatif.outcomes([base, late], replications=300, workers=1)
    o2 = whatif.outcomes([base, late], replications=300, workers=2)
    np.testing.assert_array_equal(o1[1].growth, r.growth())
    np.testing.assert_array_equal(o1[1].met, r.met())
    assert o1[1].p_met == r.p_target()
    np.testing.assert_array_equal(o1[1].weights, r.weights)
    for a, b in zip(o1, o2, strict=True):
        np.testing.assert_array_equal(a.growth, b.growth)
        np.testing.assert_array_equal(a.weights, b.weights)
    assert o1[0].seed == o1[1].seed == base.seed


def test_outcomes_rule_follows_target_changes(base):
    out = whatif.evaluate_changes(base, [None, {"target.tolerance": 0.005}], replications=N,
                                  workers=1)
    np.testing.assert_array_equal(out[0].growth, out[1].growth)
    assert out[1].p_met.estimate >= out[0].p_met.estimate
    assert "tolerance" in out[1].rule


def test_outcomes_bad_replications(base):
    with pytest.raises(ScenarioError):
        whatif.outcomes([base], replications=0)


# ---------------------------------------------------------------------- pinned s-curves
def test_pinned_drawdowns_change_nothing_on_the_scenario(base):
    pins = whatif.pinned_drawdowns(base)
    assert "batch[sz-2022-batch3].drawdown" in pins  # the batch with a first-year plan
    assert "batch[q2-2022-starts].drawdown" not in pins  # no plan: nothing calibrated
    a, b = whatif.evaluate_changes(base, [None, pins], replications=N, workers=1)
    np.testing.assert_array_equal(a.growth, b.growth)


def test_pinned_drawdowns_keep_the_plan_shape_when_the_total_changes(base):
    change = {"batch[sz-2022-batch3].total_investment": 150.0}
    free = base.with_changes(change)
    pinned = base.with_changes({**whatif.pinned_drawdowns(base), **change})
    shape = {b.id: b.template.drawdown for b in base.batches}["sz-2022-batch3"]
    assert {b.id: b.template.drawdown for b in pinned.batches}["sz-2022-batch3"].a == shape.a
    # with_changes alone re-solves the s-curve: the same plan is a smaller share of the total
    assert {b.id: b.template.drawdown for b in free.batches}["sz-2022-batch3"].a != shape.a
    # a duration change keeps the shape by itself (plan_duration_months pins the schedule)
    longer = base.with_changes({"batch[sz-2022-batch3].duration_months": 18.0})
    assert {b.id: b.template.drawdown for b in longer.batches}["sz-2022-batch3"].a == shape.a


# ---------------------------------------------------------------------- notebook display
def test_results_repr_html_escaped(one_sector):
    path = one_sector("""
        name = "html"
        title = "<script>alert('x')</script> & 龙岗"
        seed = 3
    """)
    r = lgsim.run(lgsim.load_scenario(path), replications=200, workers=1)
    text = r._repr_html_()
    assert "<script>" not in text
    assert html.escape("<script>alert('x')</script> & 龙岗") in text
    p = r.p_target()
    assert f"{100 * p.estimate:.1f}%" in text and f"{100 * p.low:.1f}%" in text
    q = r.quantiles()
    assert f"{100 * q['p50']:.2f}%" in text
    assert "seed" in text.lower() and "3 · 200" in text
    assert "growth &gt;= 6%" in text  # the rule, escaped
