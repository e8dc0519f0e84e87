"""Workers die with their parent; SIGTERM and SIGHUP stop like Ctrl-C (issue 14, item 4).

Before the fix, killing only the parent (``kill -9``, the OOM killer) left the pool's
workers computing for ever, about 85 MB each, holding the caller's pipes open.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from lgsim.montecarlo import executors

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"


def test_parent_alive_and_the_watchdog_thread():
    assert executors.parent_alive(os.getppid())
    assert not executors.parent_alive(os.getppid() + 1_000_000)


def test_die_with_parent_in_a_child_whose_parent_is_killed(tmp_path):
    # a grandchild calls die_with_parent(its parent); the parent is SIGKILLed
    flag = tmp_path / "alive"
    code = f"""
import os, sys, time
from lgsim.montecarlo.executors import die_with_parent
pid = os.fork()
if pid == 0:
    die_with_parent(os.getppid())
    for _ in range(600):
        open({str(flag)!r}, "w").write(str(os.getpid()))
        time.sleep(0.1)
    os._exit(0)
print(pid, flush=True)
time.sleep(600)
"""
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    assert _gone([child], 5.0), "the child outlived its parent"


def _gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def _start_run(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """A long run with two workers, in its own session; wait until the workers exist."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lgsim", "run", str(BASE), "-n", "400000", "--workers", "2",
         "--out", str(tmp_path / "run")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)
                   if "resource_tracker" not in " ".join(c.cmdline())]
    assert len(workers) >= 2, "no workers started"
    time.sleep(1.0)  # some chunks are finished
    return proc, workers


@pytest.mark.slow
def test_workers_die_when_the_parent_is_killed(tmp_path):
    proc, workers = _start_run(tmp_path)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert _gone(workers, 5.0), "workers outlived their parent"
    finally:
        for pid in workers:
            if psutil.pid_exists(pid):
                os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_cleanly_and_say_how_to_resume(tmp_path, sig):
    proc, workers = _start_run(tmp_path)
    try:
        proc.send_signal(sig)
        code = proc.wait(60)
        err = proc.stderr.read()
        assert code == 128 + sig, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert f"interrupted ({signal.Signals(sig).name})" in lines[0]
        assert "--resume" in lines[0]
        assert _gone(workers, 5.0)
        assert not (tmp_path / "run" / "summary.json").exists()
        assert any((tmp_path / "run" / "chunks").glob("chunk-*.npz"))
    finally:
        for pid in workers:
            if psutil.pid_exists(pid):
                os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


def test_a_stop_in_a_thread_leaves_signal_handlers_alone():
    from lgsim.cli import clean_stops

    seen = []

    def body():
        with clean_stops():
            seen.append(signal.getsignal(signal.SIGTERM))

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert seen == [signal.getsignal(signal.SIGTERM)]
