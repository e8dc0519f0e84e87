"""One set of assertions, the same expected numbers, every executor (serial, process, dask).

The scenario exercises every path of the engine: a land queue shared by several
projects (simpy), pausing shocks, a batch with a calibrated s-curve (fast Beta CDF),
PERT and Beta draws (fast inverse), a pipeline entry and operating output.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import lgsim

SCENARIO = """
[scenario]
name = "executors"
base_year = 2021
end_year = 2023
seed = 424242

[target]
gdp_growth = 0.05
decimals = 1

[economy]
gdp = 900.0
land_stock_ha = 2.0

[accounting]
construction_share = 0.6
construction_va_ratio = 0.25
local_share = 0.8

[[sector]]
id = "construction"
share = 0.2
growth = { dist = "normal", mean = 0.04, sd = 0.03 }

[[sector]]
id = "industry"
share = 0.8
growth = { dist = "normal", mean = 0.045, sd = 0.02 }
persistence = 0.3
monthly_sd = 0.01
monthly_persistence = 0.6
va_ratio = 0.3
output_per_investment = 0.8

[[street]]
id = "east"
share = 0.4

[[street]]
id = "west"
share = 0.6

[[project]]
id = "plant"
sector = "industry"
street = "east"
total_investment = 12.0
planned_start = 2022-02-01
start_delay_months = { dist = "lognormal", median = 1.0, sigma = 0.6 }
duration_months = { dist = "pert", low = 4, mode = 8, high = 14 }
execution = { dist = "beta", mean = 0.9, sd = 0.08 }
land_ha = 3.0
ramp_months = 4

[[batch]]
id = "b"
count = 6
total_investment = 60.0
first_year_plan = 12.0
planned_start = 2022-03-01
start_delay_months = { dist = "uniform", low = 0, high = 4 }
duration_months = { dist = "pert", low = 10, mode = 18, high = 30 }
execution = { dist = "beta", mean = 0.85, sd = 0.1 }
land_ha = 6.0
sector_mix = { industry = 0.7, construction = 0.3 }

[[pipeline]]
id = "pl"
probability = 0.5
signed = 2022-01-01
land_delay_months = { dist = "lognormal", median = 4, sigma = 0.5 }
sector = "industry"
total_investment = 8.0
duration_months = 10
land_ha = 2.0

[[land]]
id = "task"
hectares = 12.0
by = 2022-12-31
delivered = { dist = "beta", mean = 0.8, sd = 0.1 }

[[shock]]
id = "lockdown"
probability = 0.6
window = [2022-03-01, 2022-10-31]
duration_months = { dist = "uniform", low = 0.3, high = 1.5 }
impact = { industry = -0.3 }
pauses_projects = true

[[shock]]
id = "second"
probability = 0.5
window = [2022-04-01, 2022-09-30]
duration_months = { dist = "uniform", low = 0.2, high = 1.0 }
impact = { industry = -0.1 }
pauses_projects = true
"""

N = 600
CHUNK = 50  # 12 chunks: enough for workers to finish them out of order

# Expected numbers, the same for every executor (computed once by the serial path).
EXPECTED_MET = 115
EXPECTED_GROWTH_SUM = 19.711618307610344
EXPECTED_INVESTMENT_SUM = 30153.54848280539

HAS_DASK = importlib.util.find_spec("distributed") is not None


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("exec") / "executors.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return lgsim.load_scenario(path)


@pytest.fixture(scope="module")
def serial(scenario):
    return lgsim.run(scenario, replications=N, chunk_size=CHUNK, executor="serial")


@pytest.fixture(scope="module")
def dask_cluster():
    if not HAS_DASK:
        pytest.skip("dask.distributed is not installed (pip install 'lgsim[dask]')")
    import dask
    from distributed import LocalCluster

    from lgsim.montecarlo.executors import DASK_WORKER_ENVIRON

    with dask.config.set(DASK_WORKER_ENVIRON):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    yield cluster
    cluster.close()


def _options(kind: str, request: pytest.FixtureRequest) -> dict:
    if kind == "serial":
        return {"executor": "serial", "workers": 1}
    if kind == "process":
        return {"executor": "process", "workers": 2}
    if kind == "process-1":
        return {"executor": "process", "workers": 1}
    if kind == "dask-local":
        if not HAS_DASK:
            pytest.skip("dask.distributed is not installed (pip install 'lgsim[dask]')")
        return {"executor": "dask", "workers": 2}
    cluster = request.getfixturevalue("dask_cluster")
    return {"executor": "dask", "scheduler": cluster.scheduler_address}


@pytest.mark.parametrize(
    "kind", ["serial", "process", "process-1",
             pytest.param("dask-local", marks=pytest.mark.slow),
             pytest.param("dask-address", marks=pytest.mark.slow)]
)
def test_same_numbers_on_every_executor(kind, scenario, serial, request):
    r = lgsim.run(scenario, replications=N, chunk_size=CHUNK, **_options(kind, request))
    # the same expected numbers for every executor ...
    assert r.n == N
    assert r.p_target().successes == EXPECTED_MET
    assert float(np.sum(r.growth())) == pytest.approx(EXPECTED_GROWTH_SUM, rel=1e-12)
    assert float(r.ds["investment"].sum()) == pytest.approx(EXPECTED_INVESTMENT_SUM, rel=1e-12)
    # ... and every array identical to the last bit, attributes included
    assert r.ds.identical(serial.ds)
    for name in r.ds.data_vars:
        np.testing.assert_array_equal(r.ds[name].values, serial.ds[name].values, name)
    assert r.run_info.executor == kind.split("-")[0]
    assert r.run_info.chunks_computed == N // CHUNK


def test_the_scenario_exercises_the_land_queue_and_pauses(serial):
    granted = serial.ds["land_granted_month"].values
    # a grant at a month end means the project waited in the queue for a delivery
    waited = (np.isfinite(granted) & (granted == np.round(granted)) & (granted > 0)).any(axis=1)
    assert waited.mean() > 0.5
    assert serial.ds["shock_occurred"].values.all(axis=1).any()  # overlapping pauses
    assert np.isfinite(serial.ds["finish_month"].values).any()  # operating output


def test_an_unknown_executor_or_a_scheduler_without_dask_is_refused(scenario):
    with pytest.raises(ValueError, match="executor must be one of"):
        lgsim.run(scenario, replications=20, executor="threads")
    with pytest.raises(ValueError, match="scheduler"):
        lgsim.run(scenario, replications=20, executor="process", workers=2,
                  scheduler="tcp://127.0.0.1:1")
