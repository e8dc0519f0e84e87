"""A run killed part-way (SIGKILL) resumes with --resume and ends identical to a clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lgsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base-unconditioned.toml"
N = "6000"
CHUNK = "100"  # 60 chunks
ARGS = ["-n", N, "--chunk-size", CHUNK, "--seed", "77"]


def lgsim_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "lgsim", "run", str(BASE), *ARGS, *args]


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / "chunks").glob("chunk-*.npz"))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_run_resumes_to_identical_results(tmp_path):
    clean = tmp_path / "clean"
    assert main(["run", str(BASE), *ARGS, "--workers", "2", "--out", str(clean)]) == 0

    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(lgsim_cmd("--workers", "1", "--out", str(out)), cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while len(chunk_files(out)) < 5:
            assert proc.poll() is None, f"the run ended early: {proc.stderr.read().decode()}"
            assert time.monotonic() < deadline, "no chunk files appeared"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    done = len(chunk_files(out))
    assert 5 <= done < 60, "killed too late to test anything"
    assert not (out / "summary.json").exists()  # an unfinished run has no summary
    manifest = json.loads((out / "chunks" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["chunk_size"]) == (77, 100)

    assert main(["run", str(BASE), *ARGS, "--workers", "2", "--out", str(out), "--resume"]) == 0
    log = (out / "run.log").read_text(encoding="utf-8")
    assert f"resumed: {done} of 60 chunks already done" in log
    assert f"chunks: {60 - done} computed, {done} loaded" in log
    for name in ("results.nc", "summary.json", "replications.csv", "scenario.resolved.toml"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert not (out / "chunks").exists()  # deleted once summary.json is written


def test_resume_refuses_chunks_of_another_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(BASE), "-n", "400", "--chunk-size", "100", "--seed", "1",
                 "--workers", "1", "--out", str(out), "--keep", "chunks"]) == 0
    assert len(chunk_files(out)) == 4  # kept on request
    capsys.readouterr()
    for change in (["--seed", "2", "--force"], ["--seed", "1", "--chunk-size", "50"]):
        args = ["run", str(BASE), "-n", "400", "--out", str(out), "--resume", "--workers", "1"]
        assert main(args + change) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--resume" in err[0] and "manifest.json" in err[0]
        assert (out / "summary.json").exists()  # a refused resume leaves the run as it was
    # the same run resumes from its four chunks without computing any
    assert main(["run", str(BASE), "-n", "400", "--seed", "1", "--workers", "1",
                 "--out", str(out), "--resume"]) == 0
    log = (out / "run.log").read_text(encoding="utf-8")
    assert "resumed: 4 of 4 chunks already done" in log and "chunks: 0 computed" in log


def test_keep_paths_adds_the_project_monthly_investment(tmp_path):
    import lgsim

    r = lgsim.run(str(BASE), replications=120, workers=1, keep=("paths",))
    paths = r.ds["investment_monthly_project"]
    assert paths.dims == ("replication", "month_index", "project")
    # the project paths add up to the group paths and the annual figures
    by_group = paths.groupby(r.ds["project_group"]).sum("project")
    by_group = by_group.rename(project_group="group").sel(group=r.ds["group"].values)
    assert float(abs(by_group - r.ds["investment_monthly"]).max()) < 1e-9
    plain = lgsim.run(str(BASE), replications=120, workers=1)
    assert "investment_monthly_project" not in plain.ds
    assert plain.ds.identical(r.ds.drop_vars("investment_monthly_project"))
