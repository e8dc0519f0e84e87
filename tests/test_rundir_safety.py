"""A run directory loses nothing and never mixes two runs (issue 14, items 1, 2, 3, 5, 14).

* ``--out DIR`` deletes only what lgsim can prove it wrote (its chunk manifest, its own
  file names), at start, at the end and on ``--resume``;
* a run directory is locked by the operating system: a second run refuses with one line,
  and a dead holder's lock is released;
* a full disk leaves no ``summary.json`` (published last, after charts and report) and no
  temporary file, with one line;
* ``summary.json`` and ``results.nc`` carry the run id; ``report`` refuses a mix;
* ``--out /`` and ``--out ''`` are refused.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

import lgsim
from lgsim import fileio
from lgsim.cli import main
from lgsim.outputs.rundir import RunDirectoryError, load_run

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.toml"
TINY = ROOT / "tests" / "corpus" / "valid" / "tiny.toml"


def run(out: Path, *extra: str, scenario: Path = MINIMAL) -> int:
    return main(["run", str(scenario), "-n", "50", "--workers", "1", "--out", str(out), *extra])


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------- 1: nothing lost
@pytest.mark.parametrize("resume", [False, True])
def test_a_chunks_folder_lgsim_did_not_write_survives(tmp_path, capsys, resume):
    # the reproduction: before the fix chunks/ was deleted with the thesis in it
    out = tmp_path / "proj"
    (out / "chunks").mkdir(parents=True)
    (out / "chunks" / "thesis.txt").write_text("x", encoding="utf-8")
    assert run(out, *(["--resume"] if resume else [])) == 0
    assert (out / "chunks" / "thesis.txt").read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in (out / "chunks").iterdir()) == ["thesis.txt"]
    assert (out / "summary.json").exists()
    assert run(out) == 0  # and again: still there
    assert (out / "chunks" / "thesis.txt").exists()


def test_lgsim_removes_its_own_chunk_files(tmp_path):
    out = tmp_path / "run"
    assert run(out, "--keep", "chunks") == 0
    assert (out / "chunks" / "manifest.json").exists()
    assert run(out) == 0  # a new run without --keep: lgsim's own files go, and the folder
    assert not (out / "chunks").exists()


def test_a_summary_json_lgsim_did_not_write_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text("my notes", encoding="utf-8")
    assert run(out) == 2
    assert "--out" in one_line(capsys)
    assert (out / "summary.json").read_text(encoding="utf-8") == "my notes"
    assert run(out, "--force") == 0


# ---------------------------------------------------------------- 14: --out / and ''
@pytest.mark.parametrize("out", ["/", ""])
def test_out_root_or_empty_is_refused(out, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["run", str(MINIMAL), "-n", "20", "--out", out])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert not Path("/summary.json").exists()


# ---------------------------------------------------------------- 2: one run at a time
def test_a_locked_run_directory_is_refused_with_one_line(tmp_path, capsys):
    out = tmp_path / "busy"
    with fileio.DirectoryLock(out):
        assert run(out) == 2
        line = one_line(capsys)
    assert "in use by another lgsim run" in line and str(os.getpid()) in line
    assert not (out / "summary.json").exists()
    assert run(out) == 0  # released


def test_the_lock_of_a_killed_holder_is_released(tmp_path):
    out = tmp_path / "d"
    code = ("import sys, time; from lgsim.fileio import DirectoryLock; "
            f"DirectoryLock({str(out)!r}).acquire(); print('locked', flush=True); "
            "time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(fileio.DirectoryBusy):
            fileio.DirectoryLock(out).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        lock = fileio.DirectoryLock(out)
        lock.acquire()  # the system released the dead holder's lock
        lock.release()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_two_runs_into_one_directory_leave_one_consistent_run(tmp_path):
    out = tmp_path / "both"
    cmd = [sys.executable, "-m", "lgsim", "run", str(TINY), "--seed", "1", "--workers", "1",
           "--out", str(out), "-n"]
    procs = [subprocess.Popen([*cmd, n], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in ("3000", "3250")]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 2], [0, 0])  # refused, or (rarely) one ran after the other
    for code, err in results:
        if code == 2:
            assert "in use by another lgsim run" in err and len(err.splitlines()) == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with h5py.File(out / "results.nc", "r") as f:
        n_nc = f["replication"].shape[0]
    assert summary["replications"] == n_nc


# ---------------------------------------------------------------- 3: disk full
def _no_tmp(out: Path) -> None:
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_disk_full_while_writing_results_nc(monkeypatch, tmp_path, capsys):
    def full(self, path):
        path.write_bytes(b"\x89HDF partial")
        raise OSError(errno.ENOSPC, "Can't close file (file write failed: errno = 28)")

    monkeypatch.setattr(lgsim.Results, "_write_netcdf", full)
    out = tmp_path / "run"
    assert run(out) == 1
    line = one_line(capsys)
    assert f"cannot write {out / 'results.nc'}: no space left" in line
    assert not (out / "summary.json").exists() and not (out / "results.nc").exists()
    _no_tmp(out)


def test_disk_full_while_writing_charts_leaves_no_summary(monkeypatch, tmp_path, capsys):
    real = fileio.write_bytes

    def full(path, data):
        if Path(path).suffix == ".png" and Path(path).stem == "investment":
            with fileio.atomic_path(path) as tmp:
                tmp.write_bytes(data[:100])
                raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(fileio, "write_bytes", full)
    out = tmp_path / "run"
    assert run(out, "--plots", "--report", scenario=TINY) == 1
    assert "cannot write" in one_line(capsys)
    assert not (out / "summary.json").exists()  # before the fix: summary.json, no report
    assert not (out / "investment.png").exists()
    _no_tmp(out)


def test_disk_full_while_writing_the_report_leaves_no_summary(monkeypatch, tmp_path, capsys):
    from lgsim.outputs import report

    def full(path, text, **_):
        raise fileio.WriteError(errno.ENOSPC, "no space left on the device", str(path))

    monkeypatch.setattr(report, "write_text", full)
    out = tmp_path / "run"
    assert run(out, "--report") == 1
    assert "report.html" in one_line(capsys)
    assert not (out / "summary.json").exists()
    _no_tmp(out)


def test_too_little_free_space_is_refused_before_writing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(fileio, "free_space", lambda directory: 1000)
    out = tmp_path / "run"
    assert run(out) == 1
    line = one_line(capsys)
    assert "not enough free space" in line and "needed" in line
    assert not (out / "summary.json").exists() and not (out / "chunks").exists()


def _tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.slow
def test_a_really_full_disk_gives_one_line_and_no_crash(tmp_path):
    # before the fix: exit code 139 (segmentation fault in h5py) and 48 tracebacks
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "20m"):
        pytest.skip("needs root and a tmpfs mount")
    try:
        fileio_free = fileio.SPACE_MARGIN  # make the pre-check pass: the write itself fails
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        code = ("import sys, lgsim.fileio as f; f.SPACE_MARGIN = -10**12; "
                "from lgsim.cli import main; sys.exit(main(sys.argv[1:]))")
        done = subprocess.run(
            [sys.executable, "-c", code, "run", str(ROOT / "scenarios" / "base.toml"), "-n",
             "2000", "--out", str(disk / "run")],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )
        assert fileio_free > 0
        assert done.returncode == 1, done.stderr[-2000:]
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot write" in lines[0], done.stderr[-2000:]
        assert not (disk / "run" / "summary.json").exists()
        _no_tmp(disk / "run")
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# ---------------------------------------------------------------- 5: run ids
def test_run_id_in_both_files_and_the_same_for_any_worker_count(tmp_path):
    s = lgsim.load_scenario(TINY)
    a = lgsim.run(s, replications=600, workers=1)
    b = lgsim.run(s, replications=600, workers=2, executor="process")
    assert a.run_id == b.run_id and len(a.run_id) == 16
    c = lgsim.run(s, replications=600, seed=8, workers=1)
    assert c.run_id != a.run_id
    out = tmp_path / "run"
    assert run(out, scenario=TINY) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with h5py.File(out / "results.nc", "r") as f:
        attr = f.attrs["run_id"]
    assert summary["run_id"] == (attr.decode() if isinstance(attr, bytes) else str(attr))


def test_report_refuses_files_of_two_runs(tmp_path, capsys):
    r1, r2 = tmp_path / "r1", tmp_path / "r2"
    assert run(r1) == 0 and run(r2, "--seed", "9") == 0
    shutil.copy(r2 / "results.nc", r1 / "results.nc")
    capsys.readouterr()
    assert main(["report", str(r1)]) == 2  # before the fix: exit 0 and a mixed report
    assert "come from different runs" in one_line(capsys)
    assert not (r1 / "report.html").exists()
    with pytest.raises(RunDirectoryError):
        load_run(r1)


def test_report_names_a_read_error_as_a_read_error(tmp_path, capsys):
    out = tmp_path / "r"
    assert run(out) == 0
    (out / "results.nc").write_text("garbage", encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    line = one_line(capsys)
    assert "cannot read" in line and "cannot write" not in line


def test_summary_json_is_strict_json(tmp_path):
    out = tmp_path / "run"
    assert run(out) == 0
    text = (out / "summary.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))


def test_a_summary_json_is_published_last(tmp_path, monkeypatch):
    from lgsim.outputs import rundir

    order: list[str] = []
    real = rundir.publish_summary

    def spy(results, out):
        order.append(",".join(sorted(p.name for p in Path(out).iterdir())))
        real(results, out)

    monkeypatch.setattr(rundir, "publish_summary", spy)
    out = tmp_path / "run"
    t0 = time.perf_counter()
    assert run(out, "--report", scenario=TINY) == 0
    assert time.perf_counter() - t0 < 120
    assert "report.html" in order[0] and "summary.json" not in order[0]
