"""Edge sizes, extreme magnitudes and the machine's bounds (issue 14, items 6, 7, 13).

* the engine's identities hold for batches of one member, one replication, chunks of one,
  replications that do not fill the last chunk (property tests);
* a non-finite result is an error naming the inputs, never a probability; summary.json is
  strict JSON;
* a run that cannot fit in memory is refused before it starts, with the figure and the way
  out; workers are capped at the machine's cores.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lgsim
from lgsim.cli import main
from lgsim.engine import compile_plan
from lgsim.montecarlo import executors
from lgsim.montecarlo import footprint as fpmod
from lgsim.outputs.rundir import summary_text

BATCH = """
[[batch]]
id = "b"
count = {count}
total_investment = 40.0
planned_start = 2022-03-01
duration_months = {{ dist = "uniform", low = 6, high = 18 }}
start_delay_months = {{ dist = "uniform", low = 0, high = 4 }}
size_concentration = {alpha}
delay_correlation = {rho}
sector_mix = {{ industry = 0.5, construction = 0.5 }}
"""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(count=st.sampled_from([1, 1, 2, 3, 17]),
       alpha=st.sampled_from([1e-300, 1e-3, 0.5, 1.0, 1e6]),
       rho=st.sampled_from([0.0, 0.7]),
       n=st.sampled_from([1, 2, 7, 250, 251]),
       chunk=st.sampled_from([1, 3, 250]))
def test_engine_identities_hold_at_edge_sizes(tiny, count, alpha, rho, n, chunk):
    # count = 1 crashed before the fix ("could not broadcast (250,) into (250,1)");
    # size_concentration 1e-300 gave NaN shares and P = 0% with NaN growth
    s = lgsim.load_scenario(tiny(BATCH.format(count=count, alpha=alpha, rho=rho)))
    r = lgsim.run(s, replications=n, workers=1, chunk_size=chunk)
    ds = r.ds
    assert r.n == n and ds.sizes["project"] == count
    growth = ds["growth"].values[:, 1:]
    assert np.all(np.isfinite(growth))
    for var in ("sector_pp", "street_pp", "component_pp"):
        total = ds[var].values[:, 1:, :].sum(axis=2)
        np.testing.assert_allclose(total, 100 * growth, atol=1e-9)
    members = ds["investment"].values[:, :, ds["batch"].values == "b"]
    assert np.all(np.isfinite(members)) and np.all(members >= 0)
    assert members.sum(axis=(1, 2)).max() <= 40.0 * (1 + 1e-9)
    json.loads(summary_text(r))


def test_results_do_not_depend_on_the_chunk_size(tiny):
    s = lgsim.load_scenario(tiny(BATCH.format(count=1, alpha=1.0, rho=0.0)))
    a = lgsim.run(s, replications=30, workers=1, chunk_size=1)
    b = lgsim.run(s, replications=30, workers=1, chunk_size=250)
    np.testing.assert_array_equal(a.ds["growth"].values, b.ds["growth"].values)


def test_count_one_runs_from_the_command_line(tiny, tmp_path, capsys):
    path = tiny(BATCH.format(count=1, alpha=1.0, rho=0.0))
    assert main(["validate", str(path)]) == 0
    assert main(["run", str(path), "-n", "300", "--workers", "1", "--out",
                 str(tmp_path / "r")]) == 0


# ---------------------------------------------------------------- 7: finite results
def test_non_finite_results_are_an_error_naming_the_inputs(tiny):
    s = lgsim.load_scenario(tiny(BATCH.format(count=3, alpha=1.0, rho=0.0)))
    plan = compile_plan(s)
    r = lgsim.run(s, replications=5, workers=1)
    arrays = {k: np.array(v.values) for k, v in r.ds.data_vars.items()}
    arrays["investment"][2, 1, 1] = math.nan  # a member of batch "b"
    with pytest.raises(lgsim.ScenarioError) as exc:
        fpmod.check_finite(plan, arrays)
    msg = exc.value.message
    assert "batch[b]" in msg and "1 of 5 replications" in msg and "economy.gdp" in msg
    arrays = {k: np.array(v.values) for k, v in r.ds.data_vars.items()}
    arrays["gdp"][:, 0] = 0.0  # a base year with nothing: growth is infinite
    arrays["growth"][:, 1] = math.inf
    with pytest.raises(lgsim.ScenarioError, match=r"economy\.gdp"):
        fpmod.check_finite(plan, arrays)


def test_summary_json_refuses_nan(tiny):
    r = lgsim.run(lgsim.load_scenario(tiny()), replications=20, workers=1)
    r.ds["growth"].values[:, -1] = math.nan  # as a corrupted run would hold
    with pytest.raises(ValueError, match="JSON"):
        summary_text(r)


def test_tiny_gdp_is_refused_by_validate(tiny, capsys):
    # gdp = 5e-324 used to give P = 100% with NaN quantiles and NaN in summary.json
    path = tiny("")
    text = path.read_text(encoding="utf-8").replace("gdp = 1000.0", "gdp = 5e-324")
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "economy.gdp" in capsys.readouterr().err


def test_a_subtarget_of_a_sector_without_share_is_refused(one_sector, write, capsys):
    path = write("""
        [scenario]
        base_year = 2021
        [target]
        gdp_growth = 0.06
        sectors = { empty = 0.05 }
        [economy]
        gdp = 100.0
        [[sector]]
        id = "all"
        share = 1.0
        growth = 0.05
        [[sector]]
        id = "empty"
        share = 0.0
        growth = 0.05
    """)
    assert main(["validate", str(path)]) == 2
    assert "target.sectors.empty" in capsys.readouterr().err


# ---------------------------------------------------------------- 13: bounds from the machine
def test_workers_are_capped_at_cores_and_chunks():
    cores = executors.default_workers()
    assert executors.local_workers(24, 1) == 1
    assert executors.local_workers(10_000, 10_000) == cores
    assert executors.local_workers(1, 50) == 1


def test_a_run_too_large_for_memory_is_refused_before_it_starts(monkeypatch, tmp_path, capsys,
                                                                base_scenario):
    monkeypatch.setattr(fpmod, "available_memory", lambda: 2 * 1024**3)
    out = tmp_path / "big"
    code = main(["run", "scenarios/base.toml", "-n", "10,000,000", "--out", str(out)])
    assert code == 2
    line = capsys.readouterr().err.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith("scenarios/base.toml: -n: expected a run that fits in the memory")
    assert "GB needed for 10,000,000 replications" in line
    assert "-n N" in line and "--keep" in line and "--precision" in line
    assert not (out / "chunks").exists()
    fp = fpmod.footprint(base_scenario, 10_000_000)
    assert fp.memory > 2 * 1024**3 and fp.fitting_replications(2 * 1024**3) < 10_000_000


def test_validate_shares_the_memory_check(monkeypatch, tiny, capsys):
    monkeypatch.setattr(fpmod, "available_memory", lambda: 1024**3)
    path = tiny(BATCH.format(count=10, alpha=1.0, rho=0.0))
    text = path.read_text(encoding="utf-8").replace("replications = 200",
                                                    "replications = 9000000")
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "scenario.replications: expected a run that fits in the memory" in err
    assert "-n" not in err


def test_a_huge_roster_gets_a_smaller_default_chunk(tiny):
    s = lgsim.load_scenario(tiny(BATCH.format(count=10_000, alpha=1.0, rho=0.0)
                                 .replace("[[batch]]\nid = \"b\"", "[[batch]]\nid = \"huge\"")))
    plan = compile_plan(s)
    assert fpmod.default_chunk_size(plan) < fpmod.DEFAULT_CHUNK
    assert fpmod.working_bytes(plan) * fpmod.default_chunk_size(plan) <= fpmod.CHUNK_BUDGET


def test_an_address_space_limit_counts_as_memory(tmp_path):
    """Under ``ulimit -v`` a run too large for the limit is refused before it starts.

    Before, the check looked only at the machine's free memory: under a 6 GiB limit,
    ``-n 1,000,000`` computed for about a minute and ended in an internal MemoryError.
    """
    import resource
    import subprocess
    import sys
    from pathlib import Path

    limit = 3 * 1024**3

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "big"
    proc = subprocess.run(
        [sys.executable, "-m", "lgsim", "--lang", "en", "run", "scenarios/base.toml",
         "-n", "1000000", "--out", str(out)],
        cwd=root, capture_output=True, text=True, timeout=120, preexec_fn=cap)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "expected a run that fits in the memory available" in line
    assert "needed for 1,000,000 replications" in line
    assert not (out / "chunks").exists() and not (out / "summary.json").exists()
    with_limit = subprocess.run(
        [sys.executable, "-c", "from lgsim.montecarlo.executors import available_memory; "
         "print(available_memory())"],
        cwd=root, capture_output=True, text=True, timeout=60, preexec_fn=cap)
    assert 0 < int(with_limit.stdout) < limit
