"""A worker process that dies mid-run: the chunk is recomputed and results are unchanged."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import numpy as np
import psutil
import pytest

import lgsim
from lgsim.cli import main
from lgsim.montecarlo import executors

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
N = 3000


@pytest.fixture(scope="module")
def serial():
    return lgsim.run(str(BASE), replications=N, workers=1, executor="serial")


def workers(procs):
    """Pool worker processes: leaves that are not multiprocessing's helpers.

    Workers are forked from this process or, when it runs threads, from the fork server
    (a child of this process that shares the fork server's command line); the server
    itself and the resource tracker are helpers, not workers.
    """
    me = os.getpid()

    def helper(p):
        line = " ".join(p.cmdline())
        return "resource_tracker" in line or ("forkserver" in line and p.ppid() == me)

    return [p for p in procs if not p.children() and not helper(p)]


def killer(predicate):
    """A progress callback that SIGKILLs, once, the child processes ``predicate`` picks."""
    state = {"killed": []}

    def progress(_done: int) -> None:
        if state["killed"]:
            return
        children = psutil.Process(os.getpid()).children(recursive=True)
        for proc in predicate(children):
            os.kill(proc.pid, signal.SIGKILL)
            state["killed"].append(proc.pid)

    return progress, state


def test_process_pool_recomputes_chunks_of_a_killed_worker(serial, caplog):
    progress, state = killer(workers)
    with caplog.at_level(logging.WARNING, logger="lgsim"):
        r = lgsim.run(str(BASE), replications=N, workers=2, executor="process",
                      progress=progress)
    assert state["killed"], "no worker was killed: the test did not exercise anything"
    assert "worker process died" in caplog.text
    for var in ("growth", "investment", "component_pp", "start_month"):
        np.testing.assert_array_equal(r.ds[var].values, serial.ds[var].values, var)


def test_process_pool_gives_up_with_a_clear_message(monkeypatch, tmp_path, capsys):
    # a pool that breaks every time: after the allowed restarts the run stops with a
    # one-line message pointing at --resume, and no summary.json exists
    def broken(*args, **kwargs):
        raise executors.BrokenProcessPool("simulated")
        yield  # pragma: no cover

    monkeypatch.setattr(executors, "_process_once", broken)
    out = tmp_path / "run"
    code = main(["run", str(BASE), "-n", "600", "--workers", "2", "--executor", "process",
                 "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "--resume" in err[0] and "Traceback" not in err[0]
    assert not (out / "summary.json").exists()


def test_dask_reschedules_tasks_of_a_killed_worker(serial):
    pytest.importorskip("distributed")
    # kill one dask worker process (a leaf: its nanny restarts it, the scheduler
    # reschedules its tasks)
    progress, state = killer(lambda procs: workers(procs)[:1])
    r = lgsim.run(str(BASE), replications=N, workers=2, executor="dask", progress=progress)
    assert state["killed"]
    for var in ("growth", "investment", "component_pp", "start_month"):
        np.testing.assert_array_equal(r.ds[var].values, serial.ds[var].values, var)


@pytest.mark.parametrize(("error", "code"), [
    (OSError(28, "No space left on device"), 1),
    (PermissionError(13, "Permission denied"), 2),
])
def test_disk_full_or_permission_denied_leaves_no_finished_run(monkeypatch, tmp_path, capsys,
                                                               error, code):
    from lgsim import fileio

    real = fileio.atomic_path

    def failing(path):
        if Path(path).name == "results.nc":
            error.filename = str(path)
            raise error
        return real(path)

    monkeypatch.setattr(fileio, "atomic_path", failing)
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "examples" / "minimal.toml"), "-n", "50",
                 "--workers", "1", "--out", str(out)]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "results.nc" in err[0] and error.strerror in err[0]
    assert not (out / "summary.json").exists()
    assert not list(out.glob(".*.tmp"))
