"""The engine's timeline agrees with the whole lifecycle in simpy; hand cases of the queue.

The engine runs only the land queue in simpy and derives starts and finishes with pause
algebra; the oracle (``tests/oracles/lifecycle.py``) runs everything in simpy. Hand cases
check both.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lgsim
from lgsim.engine import pauses as pz
from lgsim.engine.draws import draw_chunk
from lgsim.engine.lifecycle import LifecycleInput, delivery_times, land_grants
from lgsim.engine.plan import compile_plan
from lgsim.engine.timeline import build_timeline

from oracles.lifecycle import month_end_deliveries, reference_timeline, run_lifecycle

PAUSING = """
[[batch]]
id = "b"
count = 6
total_investment = 60.0
planned_start = 2022-02-01
duration_months = { dist = "pert", low = 2, mode = 6, high = 14 }
start_delay_months = { dist = "uniform", low = 0, high = 6 }
sector_mix = { industry = 1.0 }

[[shock]]
id = "s1"
probability = 0.8
window = [2022-01-01, 2022-09-30]
duration_months = { dist = "uniform", low = 0.1, high = 2.5 }
impact = { industry = -0.3 }
pauses_projects = true

[[shock]]
id = "s2"
probability = 0.8
window = [2022-03-01, 2022-08-31]
duration_months = { dist = "uniform", low = 0.1, high = 2.5 }
impact = { industry = -0.1 }
pauses_projects = true
"""


def test_vectorised_path_equals_simpy_path(tiny):
    s = lgsim.load_scenario(tiny(PAUSING))
    plan = compile_plan(s)
    d = draw_chunk(plan, 3, 0, 300)
    fast = build_timeline(d, s, plan.project_ids)
    ref = reference_timeline(d, s, plan.project_ids)
    assert np.isfinite(fast.start).all()
    # overlapping pauses happen in this sample, so the union logic is exercised
    assert (~np.isnan(fast.pauses[:, 0, 0]) & np.isnan(fast.pauses[:, 1, 0])
            & d.shock_occurs.all(axis=1)).any()
    np.testing.assert_allclose(fast.start, ref.start, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.finish, ref.finish, rtol=0, atol=1e-9)


def test_pause_algebra_by_hand():
    p = pz.merge_intervals(np.array([[5.0, 2.0, np.nan, 6.0]]), np.array([[7.0, 3.0, np.nan, 8.0]]))
    np.testing.assert_array_equal(p[0, :2], [[2.0, 3.0], [5.0, 8.0]])
    assert np.isnan(p[0, 2:]).all()
    assert pz.push_out(np.array([[5.5, 2.0, 3.0, 9.0]]), p).tolist() == [[8.0, 3.0, 3.0, 9.0]]
    # 4 months of work from month 1: 1 month, pause [2,3), 2 months, pause [5,8), 1 month
    assert pz.finish_time(np.array([[1.0]]), np.array([[4.0]]), p).item() == 9.0
    # work that ends exactly when a pause begins is not paused
    assert pz.finish_time(np.array([[3.0]]), np.array([[2.0]]), p).item() == 5.0


def engine_timeline(inp: LifecycleInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's way for one replication: the land queue, then the pause algebra."""
    granted = land_grants(inp)
    spans = np.array([list(p) for p in inp.pauses] or np.empty((0, 2)))
    pauses = pz.merge_intervals(spans[None, :, 0], spans[None, :, 1])
    start = pz.push_out(granted[None, :], pauses)
    return granted, start[0], pz.finish_time(start, np.asarray(inp.duration)[None], pauses)[0]


def check_both(inp: LifecycleInput):
    """Run the oracle and the engine's way; they must agree; return the oracle's output."""
    out = run_lifecycle(inp)
    granted, start, finish = engine_timeline(inp)
    np.testing.assert_array_equal(granted, out.granted)
    np.testing.assert_allclose(start, out.start, rtol=0, atol=1e-12)
    np.testing.assert_allclose(finish, out.finish, rtol=0, atol=1e-12)
    return out


@pytest.mark.parametrize(("start", "by"), [(0.0, 4.0), (0.5, 4.0), (1.5, 3.0), (0.0, 3.5),
                                           (2.0, 2.25), (11.999, 12.0)])
def test_delivery_schedule_equals_the_oracle(start, by):
    assert delivery_times(start, by) == month_end_deliveries(start, by)


def test_land_queue_head_of_line_blocking():
    # 8 ha delivered in 4 equal parts at the ends of months 1..4 (t = 1, 2, 3, 4)
    assert delivery_times(0.0, 4.0) == [1.0, 2.0, 3.0, 4.0]
    out = check_both(
        LifecycleInput(
            ready=[0.0, 0.5, 0.0],
            planned=[0.0, 0.5, 1.0],
            ids=["a", "b", "c"],
            duration=[1.0, 1.0, 1.0],
            land_ha=[3.0, 1.0, 0.0],
            pauses=[],
            land_deliveries=[(0.0, 4.0, 8.0)],
        )
    )
    # a (3 ha, first in line) waits for t = 2; b (1 ha) could go at t = 1 but queues
    # behind a; c needs no land
    np.testing.assert_array_equal(out.granted, [2.0, 2.0, 0.0])
    np.testing.assert_array_equal(out.finish, [3.0, 3.0, 1.0])


def test_land_queue_ties_by_planned_start_then_id():
    out = check_both(
        LifecycleInput(
            ready=[1.0, 1.0, 1.0],
            planned=[1.0, 0.0, 1.0],
            ids=["zeta", "late", "alpha"],
            duration=[1.0, 1.0, 1.0],
            land_ha=[2.0, 2.0, 2.0],
            pauses=[],
            land_deliveries=[(0.0, 3.0, 6.0)],
        )
    )
    # 2 ha arrive at t = 1, 2, 3: 'late' (earliest planned start) first, then by id
    np.testing.assert_array_equal(out.granted, [3.0, 1.0, 2.0])


def test_project_ready_in_a_pause_starts_when_it_ends():
    out = check_both(
        LifecycleInput(
            ready=[2.0, 1.0], planned=[2.0, 1.0], ids=["x", "y"], duration=[1.0, 2.0],
            land_ha=[0.0, 0.0], pauses=[(1.5, 3.0), (2.5, 4.0)], land_deliveries=[],
        )
    )
    np.testing.assert_array_equal(out.start, [4.0, 1.0])
    np.testing.assert_array_equal(out.finish, [5.0, 5.5])


def test_pipeline_lands_with_its_probability(tiny):
    s = lgsim.load_scenario(
        tiny(
            """
            [[pipeline]]
            id = "pl"
            probability = 0.3
            signed = 2021-11-01
            land_delay_months = 3
            sector = "industry"
            total_investment = 10.0
            duration_months = 6
            """
        )
    )
    r = lgsim.run(s, replications=3000, workers=1)
    landed = ~np.isnan(r.ds["pipeline_landing"].sel(pipeline="pl").values)
    assert abs(landed.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 3000)
    # signed 2021-11-01 is month -2 (before the horizon); +3 months lands at month 1
    np.testing.assert_allclose(r.ds["pipeline_landing"].values[landed], 1.0)


PIPELINE_BEFORE = """
[[pipeline]]
id = "pl"
probability = 1.0
signed = 2021-03-01
land_delay_months = {{ dist = "uniform", low = 0, high = {high} }}
sector = "industry"
total_investment = 10.0
duration_months = 6
"""


def test_pipeline_landing_before_the_horizon_adds_no_growth(tiny):
    # rule 9: an entry that lands before the horizon is part of the base-year economy
    s = lgsim.load_scenario(tiny(PIPELINE_BEFORE.format(high=20)))
    r = lgsim.run(s, replications=400, workers=1)
    landing = r.ds["pipeline_landing"].sel(pipeline="pl").values
    when = -10.0 + 20.0 * np.linspace(0, 1, 3)  # signed at month -10, delay 0..20
    assert when.min() < 0 < when.max()
    early = np.isnan(landing)
    assert 0.3 < early.mean() < 0.7  # about half land before 2022-01-01: no effect
    assert np.all(landing[~early] >= 0.0)
    pp = r.ds["component_pp"].sel(component="pipeline:pl", year=2022).values
    assert np.all(pp[early] == 0.0)
    assert np.all(r.ds["investment"].sel(project="pl", year=2022).values[early] == 0.0)


def test_pipeline_that_can_only_land_before_the_horizon_is_refused(tiny):
    # before the fix this added +0.66 pp of phantom growth; now one line naming the field
    with pytest.raises(lgsim.ScenarioError, match=r"pipeline\[pl\]\.signed: .*base-year"):
        lgsim.load_scenario(tiny(PIPELINE_BEFORE.format(high=5)))


def test_stalled_projects_never_start(tiny):
    s = lgsim.load_scenario(
        tiny(
            """
            [[project]]
            id = "p"
            sector = "industry"
            total_investment = 10.0
            planned_start = 2022-01-01
            duration_months = 6
            p_stall = 0.25
            """
        )
    )
    r = lgsim.run(s, replications=2000, workers=1)
    never = np.isnan(r.ds["start_month"].sel(project="p").values)
    assert abs(never.mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 2000)
    inv = r.ds["investment"].sel(year=2022, project="p").values
    assert (inv[never] == 0).all() and np.allclose(inv[~never], 10.0)


@settings(max_examples=300, deadline=None)
@given(ready=st.floats(0.0, 30.0), need=st.floats(0.0, 60.0), stock=st.floats(0.0, 20.0),
       start=st.integers(0, 10), span=st.integers(0, 14), hectares=st.floats(0.0, 80.0),
       on_month=st.booleans())
def test_a_lone_request_is_granted_as_the_simpy_pass_grants_it(
        ready, need, stock, start, span, hectares, on_month):
    """The closed form for one request equals the event pass to the bit: the same
    request, queued ahead of a second one that needs no land, goes through simpy."""
    if on_month:
        ready = float(round(ready))  # deliveries at the ready time itself come first
    lands = [(float(start), float(start + span) + 0.5, hectares)]

    def inp(n: int) -> LifecycleInput:
        return LifecycleInput(
            ready=[ready, 31.0][:n], planned=[0.0, 1.0][:n], ids=["a", "b"][:n],
            duration=[12.0, 12.0][:n], land_ha=[need, 0.0][:n], pauses=[],
            land_deliveries=lands, land_stock=stock)

    lone, queued = land_grants(inp(1))[0], land_grants(inp(2))[0]
    assert (np.isnan(lone) and np.isnan(queued)) or lone == queued
