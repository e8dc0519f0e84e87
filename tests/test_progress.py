"""Progress of long work, Ctrl-C that says how to resume, and the ``spawn`` start method."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lgsim
from lgsim.cli.progress import ProgressBar
from lgsim.data.official import growth_series, load_annual
from lgsim.forecasting.backtest import backtest
from lgsim.studies.sensitivity import sensitivity
from lgsim.studies.solve import solve

ROOT = Path(__file__).resolve().parents[1]


class Counter:
    """A progress callback that records what it is told."""

    def __init__(self) -> None:
        self.expected = 0
        self.done = 0

    def expect(self, n: int) -> None:
        self.expected += n

    def __call__(self, n: int) -> None:
        self.done += n


def test_sensitivity_reports_every_replication(base_scenario):
    c = Counter()
    sensitivity(base_scenario, "tornado", params=["sector[industry].growth"],
                replications=100, workers=1, progress=c)
    assert c.expected == c.done == 3 * 100  # the base run and the input at P10 and P90


def test_solve_announces_each_round(one_sector):
    c = Counter()
    s = lgsim.load_scenario(one_sector())
    sol = solve(s, "sector[all].growth.mean", 0.7, bounds=(0.0, 0.2), replications=60,
                workers=1, grid=5, progress=c)
    assert c.expected == c.done == sol.evaluations * 60


@pytest.mark.slow
def test_backtest_reports_each_model_and_origin():
    c = Counter()
    bt = backtest(growth_series(load_annual(), "gdp_real_growth"), n_sims=50, progress=c)
    assert c.expected == c.done == len(bt.origins) * len(bt.models)


def test_no_bar_when_stderr_is_not_a_terminal(capsys):
    with ProgressBar(total=10) as bar:
        bar.expect(5)
        bar(15)
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_ctrl_c_says_how_to_resume_and_resume_finishes(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "lgsim", "run", str(ROOT / "scenarios/base.toml"), "-n",
           "20000", "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    deadline = time.monotonic() + 120
    while len(list((out / "chunks").glob("chunk-*.npz"))) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "no chunk files"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "rerun the same command with --resume" in err and str(out / "chunks") in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (out / "summary.json").exists()
    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "resumed" in (out / "run.log").read_text(encoding="utf-8")


@pytest.mark.slow
def test_spawn_start_method_gives_bit_identical_results(base_scenario, monkeypatch):
    """Windows has only ``spawn``: workers start a fresh interpreter and import lgsim."""
    serial = lgsim.run(base_scenario, replications=600, workers=1, chunk_size=100)
    monkeypatch.setenv("LGSIM_START_METHOD", "spawn")
    spawned = lgsim.run(base_scenario, replications=600, workers=2, chunk_size=100,
                        executor="process")
    assert spawned.run_info.executor == "process"
    assert spawned.ds.identical(serial.ds)
