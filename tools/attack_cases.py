"""Re-run the attack cases of issue 14 (second round of hardening) on one lgsim checkout.

    python tools/attack_cases.py --lgsim /path/to/checkout > attacks.md
    python tools/attack_cases.py --lgsim /path/to/checkout --cases 1,5,14 --trials 3

Each case runs in a fresh temporary directory (holding a symlink ``scenarios`` to the
checkout's own ``scenarios/``, so the commands read as typed from a checkout) as
``python -m lgsim ...`` in a subprocess with ``PYTHONPATH=<checkout>``, a time limit per
case and its address space capped with ``RLIMIT_AS`` (``--mem-gb``, default 6), so that an
unfixed memory blow-up cannot hurt the machine. ``--lang en`` is added where the checkout
knows it. The output is markdown: a few lines naming the checkout, then one table row per
case (or sub-case): the command, the exit code (or "timeout", "killed by signal N"), the
first line of stderr, the number of stderr lines, whether a Traceback appeared, and the
check that matters for the case. A case that cannot be reproduced prints "n/a" and why.
Every case ends the processes it started (by their process group) and removes its files.

Cases 3 (a small tmpfs) and 14 (``--out /``, run chrooted onto a tmpfs in a private mount
namespace so nothing is written into the real ``/``) need root; without it they print n/a.

This is a manual tool for the before/after table of the issue's closing note; it is not
part of the test suite (it takes minutes, mounts file systems and starts hostile runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

try:  # the venv of the project has both; the tool still runs without them
    import psutil
except ImportError:  # pragma: no cover
    psutil = None
try:
    import h5py
except ImportError:  # pragma: no cover
    h5py = None

ESC = "\x1b"
MINIMAL = "scenarios/examples/minimal.toml"
BASE = "scenarios/base.toml"
UNCONDITIONED = "scenarios/base-unconditioned.toml"

# A small scenario valid for the code before and after issue 14: three sectors, growth
# fixed (FIXED_BASE: the effect of one pipeline entry is a plain difference of means, case
# 8) or uncertain with within-year deviations (RANDOM_BASE: cases 9 and 13).
_THREE_SECTORS = """\
[scenario]
base_year = 2021
end_year = 2023
seed = 7

[target]
gdp_growth = 0.06

[economy]
gdp = 1000.0

[accounting]
construction_share = 0.6
construction_va_ratio = 0.25
local_share = 0.8

[[sector]]
id = "industry"
share = 0.6
growth = {industry}
va_ratio = 0.22
output_per_investment = 1.0
{monthly}
[[sector]]
id = "construction"
share = 0.1
growth = {construction}

[[sector]]
id = "services"
share = 0.3
growth = {services}
"""
_MEANS = {"industry": 0.05, "construction": 0.04, "services": 0.06}
FIXED_BASE = _THREE_SECTORS.format(monthly="", **{k: str(m) for k, m in _MEANS.items()})
RANDOM_BASE = _THREE_SECTORS.format(
    monthly="monthly_sd = 0.01\n",
    **{k: f'{{ dist = "normal", mean = {m}, sd = 0.02 }}' for k, m in _MEANS.items()})


# ---------------------------------------------------------------- running lgsim
@dataclass
class Outcome:
    """What one finished (or stopped) process left."""

    code: str
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    procs: int = 0
    total_mb: float = 0.0

    @property
    def output(self) -> str:
        """Stdout and stderr together."""
        return self.stdout + self.stderr


@dataclass
class Row:
    """One line of the output table."""

    case: str
    name: str
    command: str
    outcome: Outcome | None
    check: str


@dataclass
class Lgsim:
    """One checkout, run as ``python -m lgsim`` with ``PYTHONPATH`` pointing at it."""

    root: Path
    mem_bytes: int
    lang: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    mounts: list[Path] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """The environment of every run."""
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.root)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONIOENCODING", None)
        return env

    def argv(self, *args: str) -> list[str]:
        """The argument vector of ``python -m lgsim [--lang en] ARGS``."""
        return [sys.executable, "-m", "lgsim", *self.lang, *args]

    def shown(self, *args: str) -> str:
        """The same command as it would be typed."""
        return "python -m lgsim " + shlex.join([*self.lang, *args])

    def _limit(self) -> None:
        resource.setrlimit(resource.RLIMIT_AS, (self.mem_bytes, self.mem_bytes))

    def start(self, argv: Sequence[str], cwd: Path, *, tag: str = "out",
              env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``argv`` in ``cwd`` in a new process group; output goes to files."""
        with (open(cwd / f".{tag}.stdout", "wb") as out,
              open(cwd / f".{tag}.stderr", "wb") as err):
            proc = subprocess.Popen(
                list(argv), cwd=cwd, env=env or self.env, stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, preexec_fn=self._limit, start_new_session=True,
            )
        self.groups.append(proc.pid)
        proc.tag = tag  # type: ignore[attr-defined]
        proc.started = time.monotonic()  # type: ignore[attr-defined]
        return proc

    def finish(self, proc: subprocess.Popen, cwd: Path, timeout: float, *,
               monitor: bool = False) -> Outcome:
        """Wait for ``proc`` (killing its group at ``timeout`` s) and read its output."""
        deadline = proc.started + timeout  # type: ignore[attr-defined]
        timed_out = False
        procs, total = 0, 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                timed_out = True
                _killpg(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            if monitor:
                n, mb = _tree(proc.pid)
                procs, total = max(procs, n), max(total, mb)
            time.sleep(0.1 if monitor else 0.05)
        seconds = time.monotonic() - proc.started  # type: ignore[attr-defined]
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if timed_out:
            text = f"timeout ({timeout:g} s)"
        elif code < 0:
            text = f"killed by signal {-code} ({signal.Signals(-code).name})"
        else:
            text = str(code)
        tag = proc.tag  # type: ignore[attr-defined]
        return Outcome(
            code=text,
            stdout=_read(cwd / f".{tag}.stdout"),
            stderr=_read(cwd / f".{tag}.stderr"),
            seconds=seconds,
            peak_mb=usage.ru_maxrss / 1024,
            procs=procs,
            total_mb=total,
        )

    def run(self, args: Sequence[str], cwd: Path, timeout: float = 120, *,
            monitor: bool = False, env: dict[str, str] | None = None,
            argv: Sequence[str] | None = None) -> Outcome:
        """Run ``python -m lgsim ARGS`` (or ``argv``) to its end or its time limit."""
        proc = self.start(argv or self.argv(*args), cwd, env=env)
        try:
            return self.finish(proc, cwd, timeout, monitor=monitor)
        finally:
            _killpg(proc.pid)

    def cleanup(self) -> None:
        """End every process group this case started, then unmount its file systems."""
        for pgid in self.groups:
            _killpg(pgid)
        self.groups.clear()
        for mount in reversed(self.mounts):
            for _ in range(10):
                done = subprocess.run(["umount", str(mount)], capture_output=True, check=False)
                if done.returncode == 0:
                    break
                time.sleep(0.5)
            else:
                subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
        self.mounts.clear()


def _killpg(pgid: int) -> None:
    # Linux does not reuse a pid while a process group of that id exists
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tree(pid: int) -> tuple[int, float]:
    """Live descendants of ``pid`` and the resident memory of ``pid`` and them (MB)."""
    if psutil is None:
        return 0, 0.0
    try:
        top = psutil.Process(pid)
        kids = top.children(recursive=True)
        total = top.memory_info().rss
    except psutil.Error:
        return 0, 0.0
    for kid in kids:
        try:
            total += kid.memory_info().rss
        except psutil.Error:
            pass
    return len(kids), total / 1e6


def _alive(pids: Sequence[int]) -> list[int]:
    """Those of ``pids`` that still run (zombies do not count)."""
    if psutil is None:
        return [p for p in pids if Path(f"/proc/{p}").exists()]
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.Error:
            pass
    return out


def _kill_pids(pids: Sequence[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- checks
def _summary(run_dir: Path) -> dict | None:
    try:
        return json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _nc_replications(path: Path) -> str:
    if h5py is None:
        return "? (no h5py)"
    try:
        with h5py.File(path, "r") as f:
            if "replication" in f:
                return str(f["replication"].shape[0])
            return str(int(f.attrs["replications"]))
    except (OSError, KeyError) as e:
        return f"unreadable ({type(e).__name__})"


def _run_log_replications(path: Path) -> str:
    match = re.search(r"^replications (\d+)", _read(path), re.M)
    return match.group(1) if match else "-"


def _csv_replications(path: Path) -> str:
    """Distinct values of the first column (``replication``) of replications.csv."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            next(f)
            return str(len({line.split(",", 1)[0] for line in f if line.strip()}))
    except (OSError, StopIteration):
        return "-"


def _tmp_files(directory: Path) -> int:
    if not directory.exists():
        return 0
    return sum(1 for p in directory.rglob("*") if p.name.endswith(".tmp"))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _du_mb(directory: Path) -> float:
    total = 0
    if directory.exists():
        for p in directory.rglob("*"):
            try:
                if p.is_file() and not p.is_symlink():
                    total += p.stat().st_size
            except OSError:
                pass
    return total / 1e6


def _p_line(text: str) -> str:
    for line in text.splitlines():
        if "P(target met)" in line or "P(达标)" in line:
            return " ".join(line.split())
    return "no P(target met) line"


def _growth_line(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("Growth"):
            return " ".join(line.split())
    return "no Growth line"


def _json_strict(run_dir: Path) -> str:
    path = run_dir / "summary.json"
    if not path.exists():
        return "summary.json: none"
    text = _read(path)

    def refuse(name: str) -> None:
        raise ValueError(name)

    nan = bool(re.search(r"\bNaN\b|-?Infinity\b", text))
    try:
        json.loads(text, parse_constant=refuse)
        strict = "yes"
    except ValueError:
        strict = "no"
    return f"summary.json holds NaN/Infinity: {_yes(nan)}; valid (strict) JSON: {strict}"


# ---------------------------------------------------------------- the cases
CaseFn = Callable[[Lgsim, Path, argparse.Namespace], list[Row]]


def case_1(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """A ``chunks/`` folder lgsim did not write, in the --out directory."""
    rows = []
    for sub, extra in (("1", []), ("1b", ["--resume"])):
        proj = tmp / f"proj{sub}"
        (proj / "chunks").mkdir(parents=True)
        (proj / "chunks" / "thesis.txt").write_text("x\n")
        args = ["run", MINIMAL, "-n", "50", "--out", proj.name, *extra]
        out = lg.run(args, tmp, 120)
        cmd = (f"mkdir -p {proj.name}/chunks && echo x > {proj.name}/chunks/thesis.txt && "
               + lg.shown(*args))
        survives = (proj / "chunks" / "thesis.txt").exists()
        rows.append(Row(sub, "foreign chunks/ folder" + (" (--resume)" if extra else ""), cmd,
                        out, f"thesis.txt survives: {_yes(survives)}; summary.json written: "
                        f"{_yes((proj / 'summary.json').exists())}"))
    return rows


def case_2(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Two runs into one --out directory at once."""
    a = ["run", BASE, "-n", "3000", "--seed", "5", "--out", "r"]
    b = ["run", BASE, "-n", "3250", "--seed", "5", "--out", "r"]
    codes, mixed, first_err, checks = [], 0, None, []
    last = None
    for trial in range(opts.trials):
        here = tmp / f"trial{trial}"
        here.mkdir()
        (here / "scenarios").symlink_to(lg.root / "scenarios")
        pa = lg.start(lg.argv(*a), here, tag="a")
        pb = lg.start(lg.argv(*b), here, tag="b")
        try:
            oa = lg.finish(pa, here, 300)
            ob = lg.finish(pb, here, 300)
        finally:
            _killpg(pa.pid)
            _killpg(pb.pid)
        last = ob
        codes.append(f"{oa.code}/{ob.code}")
        for o in (oa, ob):
            if first_err is None and o.stderr.strip():
                first_err = o
        r = here / "r"
        s = _summary(r)
        found = {
            "summary.json": str(s["replications"]) if s else "none",
            "results.nc": _nc_replications(r / "results.nc") if (r / "results.nc").exists()
            else "none",
            "run.log": _run_log_replications(r / "run.log"),
            "replications.csv": _csv_replications(r / "replications.csv"),
        }
        if len(set(found.values())) > 1:
            mixed += 1
        checks.append("/".join(found.values()))
        shutil.rmtree(here, ignore_errors=True)
    cmd = (lg.shown(*a) + " & " + lg.shown(*b) + " & wait")
    both_zero = sum(1 for c in codes if c == "0/0")
    check = (f"{opts.trials} trials; exit codes (3000/3250): {', '.join(codes)}; both exit 0 "
             f"in {both_zero}; replications summary.json/results.nc/run.log/replications.csv: "
             f"{', '.join(checks)}; directories whose files disagree: {mixed}")
    return [Row("2", "two runs, one --out", cmd, first_err or last, check)]


def _mount(lg: Lgsim, where: Path, size: str) -> str | None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "needs root and mount"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"mount failed: {done.stderr.strip()[:100]}"
    lg.mounts.append(where)
    return None


def _unmount(lg: Lgsim, where: Path) -> None:
    lg.cleanup()  # ends the run's processes, then unmounts
    shutil.rmtree(where, ignore_errors=True)


def _disk_check(run_dir: Path) -> str:
    names = ("summary.json", "results.nc", "report.html")
    have = "; ".join(f"{n}: {_yes((run_dir / n).exists())}" for n in names)
    return (f"leftover *.tmp: {_tmp_files(run_dir)}; {have}; "
            f"chunks/ left: {_yes((run_dir / 'chunks').exists())}")


def case_3(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Disk full while writing results.nc (and, with less data, the charts)."""
    rows = []
    plans = [
        ("3a", "disk full at results.nc", "20m", [BASE, "-n", "2000", "--seed", "5"]),
        ("3b", "disk full at the charts", "4200k",
         [UNCONDITIONED, "-n", "250", "--seed", "5", "--plots", "--report"]),
    ]
    for sub, name, size, rest in plans:
        disk = tmp / f"disk{sub}"
        args = ["run", *rest, "--out", f"{disk.name}/run"]
        cmd = f"mount -t tmpfs -o size={size} tmpfs {disk.name} && " + lg.shown(*args)
        why = _mount(lg, disk, size)
        if why:
            rows.append(Row(sub, name, cmd, None, f"n/a: {why}"))
            continue
        try:
            out = lg.run(args, tmp, 300)
            check = _disk_check(disk / "run")
        finally:
            _unmount(lg, disk)
        rows.append(Row(sub, name, cmd, out, check))
    # the write itself failing, past the free-space check of the fixed code
    sub, size = "3c", "20m"
    disk = tmp / "disk3c"
    code = ("import sys, lgsim.fileio as f; f.SPACE_MARGIN = -10**12; "
            "from lgsim.cli import main; sys.exit(main(sys.argv[1:]))")
    args = [*lg.lang, "run", BASE, "-n", "2000", "--seed", "5", "--out", f"{disk.name}/run"]
    cmd = (f"mount -t tmpfs -o size={size} tmpfs {disk.name} && python -c "
           f"{shlex.quote(code)} " + shlex.join(args))
    fileio = _read(lg.root / "lgsim" / "fileio.py")
    if "SPACE_MARGIN" not in fileio:
        rows.append(Row(sub, "disk full, free-space check off", cmd, None,
                        "n/a: this checkout has no free-space check to switch off (3a is "
                        "already the bare write)"))
        return rows
    why = _mount(lg, disk, size)
    if why:
        rows.append(Row(sub, "disk full, free-space check off", cmd, None, f"n/a: {why}"))
        return rows
    try:
        out = lg.run([], tmp, 300, argv=[sys.executable, "-c", code, *args])
        check = _disk_check(disk / "run")
    finally:
        _unmount(lg, disk)
    rows.append(Row(sub, "disk full, free-space check off", cmd, out, check))
    return rows


def _children(pid: int, wait: float = 30) -> list[int]:
    """The descendants of ``pid`` once it has some (waits up to ``wait`` s)."""
    if psutil is None:
        return []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            kids = psutil.Process(pid).children(recursive=True)
        except psutil.Error:
            return []
        if kids:
            time.sleep(0.5)  # let the pool start all of them
            try:
                return [k.pid for k in psutil.Process(pid).children(recursive=True)]
            except psutil.Error:
                return [k.pid for k in kids]
        time.sleep(0.1)
    return []


def case_4(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Only the parent is killed (kill -9, SIGTERM, SIGHUP)."""
    if psutil is None:
        return [Row("4", "parent killed", "-", None, "n/a: needs psutil")]
    rows = []
    for sub, sig in (("4a", signal.SIGKILL), ("4b", signal.SIGTERM), ("4c", signal.SIGHUP)):
        out_dir = f"r{sub}"
        args = ["run", BASE, "-n", "200000", "--workers", "2", "--out", out_dir]
        proc = lg.start(lg.argv(*args), tmp, tag=sub)
        try:
            workers = _children(proc.pid)
            time.sleep(2)
            workers = sorted(set(workers) | set(_children(proc.pid, 1)))
            os.kill(proc.pid, sig)
            out = lg.finish(proc, tmp, time.monotonic() - proc.started + 60)  # type: ignore
            time.sleep(3)
            alive = _alive(workers)
            _kill_pids(alive)
        finally:
            _killpg(proc.pid)
        cmd = (lg.shown(*args) + f" & sleep 2; kill -{sig.name[3:]} $!  # the parent only")
        check = (f"child processes still alive 3 s after the parent ended: {len(alive)} of "
                 f"{len(workers)}")
        if sig != signal.SIGKILL:
            check += (f"; message names --resume: {_yes('--resume' in out.stderr)}; "
                      f"summary.json: {_yes((tmp / out_dir / 'summary.json').exists())}; "
                      f"chunk files kept: {len(list((tmp / out_dir / 'chunks').glob('*.npz')))}")
        rows.append(Row(sub, f"parent gets {sig.name}", cmd, out, check))
    return rows


def case_5(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """``report`` on a run directory whose summary.json is another run's."""
    a = ["run", MINIMAL, "-n", "50", "--seed", "1", "--out", "A"]
    b = ["run", MINIMAL, "-n", "60", "--seed", "2", "--out", "B"]
    for args in (a, b):
        first = lg.run(args, tmp, 120)
        if first.code != "0":
            return [Row("5", "report on mixed files", lg.shown(*args), first,
                        "n/a: the setup run failed")]
    shutil.copy(tmp / "A" / "summary.json", tmp / "B" / "summary.json")
    out = lg.run(["report", "B"], tmp, 120)
    stdout = out.stdout.strip().splitlines()
    cmd = f"{lg.shown(*a)}; {lg.shown(*b)}; cp A/summary.json B/; {lg.shown('report', 'B')}"
    check = (f"report.html written: {_yes((tmp / 'B' / 'report.html').exists())}; stdout: "
             f"{stdout[0] if stdout else '-'}")
    rows = [Row("5", "report on mixed files", cmd, out, check)]
    # a read error must be named a read error (issue item 15)
    (tmp / "B" / "report.html").unlink(missing_ok=True)
    shutil.copy(tmp / "A" / "summary.json", tmp / "B" / "summary.json")
    (tmp / "B" / "results.nc").write_text("garbage\n")
    out = lg.run(["report", "B"], tmp, 120)
    rows.append(Row("5b", "report, results.nc unreadable",
                    f"echo garbage > B/results.nc; {lg.shown('report', 'B')}", out,
                    f"says 'cannot read': {_yes('cannot read' in out.stderr)}; says 'cannot "
                    f"write': {_yes('cannot write' in out.stderr)}"))
    return rows


def case_6(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """A batch of one member."""
    text = (f'extends = "{UNCONDITIONED}"\n\n[[batch]]\nid = "sz-2022-batch3"\ncount = 1\n')
    _write(tmp, "count1.toml", text)
    show = "count1.toml (extends base-unconditioned.toml; batch sz-2022-batch3 count = 1)"
    v = lg.run(["validate", "count1.toml"], tmp, 120)
    r = lg.run(["run", "count1.toml", "-n", "50", "--out", "r"], tmp, 120)
    return [
        Row("6a", "batch count = 1: validate", lg.shown("validate", "count1.toml"), v, show),
        Row("6b", "batch count = 1: run", lg.shown("run", "count1.toml", "-n", "50", "--out",
                                                   "r"), r,
            f"summary.json written: {_yes((tmp / 'r' / 'summary.json').exists())}; "
            f"{_p_line(r.stdout)}"),
    ]


def case_7(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Denormal GDP and a vanishing Dirichlet concentration."""
    rows = []
    _write(tmp, "gdp.toml", f'extends = "{UNCONDITIONED}"\n\n[economy]\ngdp = 5e-324\n')
    _write(tmp, "gdpmin.toml", f'extends = "{MINIMAL}"\n\n[economy]\ngdp = 5e-324\n')
    conc = (f'extends = "{UNCONDITIONED}"\n\n[[batch]]\nid = "sz-2022-batch3"\n'
            "size_concentration = 1e-300\n")
    _write(tmp, "conc.toml", conc)
    doc = _read(lg.root / "docs" / "scenario-format.md")
    plans = [("7a", "gdp = 5e-324", "gdp.toml", "base-unconditioned.toml with gdp = 5e-324"),
             ("7b", "gdp = 5e-324 (minimal)", "gdpmin.toml",
              "minimal.toml with [economy] gdp = 5e-324"),
             ("7c", "size_concentration = 1e-300", "conc.toml",
              "base-unconditioned.toml, batch sz-2022-batch3 size_concentration = 1e-300")]
    for sub, name, file, what in plans:
        if file == "conc.toml" and "size_concentration" not in doc:
            rows.append(Row(sub, name, "-", None, "n/a: no size_concentration key here"))
            continue
        v = lg.run(["validate", file], tmp, 120)
        args = ["run", file, "-n", "250", "--seed", "1", "--out", f"r{sub}"]
        r = lg.run(args, tmp, 300)
        rows.append(Row(sub, name, f"{lg.shown('validate', file)}; {lg.shown(*args)}", r,
                        f"{what}; validate exit {v.code}; {_json_strict(tmp / f'r{sub}')}; "
                        f"{_p_line(r.stdout)}; {_growth_line(r.stdout)}"))
    return rows


def case_8(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """A pipeline entry signed before the horizon (2022-01-01)."""
    _write(tmp, "p0.toml", FIXED_BASE)
    plans = [
        ("8a", "1900-03-01", "9"),
        ("8b", "2015-06-01", '{ dist = "pert", low = 1, mode = 6, high = 24 }'),
        ("8c", "2019-06-01", "9"),
        ("8d", "2021-03-01", '{ dist = "uniform", low = 1, high = 18 }'),
        ("8e", "2022-03-01", "3"),
    ]
    base = lg.run(["run", "p0.toml", "-n", "200", "--seed", "1", "--out", "r0"], tmp, 120)
    s0 = _summary(tmp / "r0")
    if s0 is None:
        return [Row("8", "pipeline before horizon", lg.shown("run", "p0.toml"), base,
                    "n/a: the run without a pipeline failed")]
    rows = []
    for sub, signed, delay in plans:
        name = f"p{signed[:4]}.toml"
        _write(tmp, name, f'extends = "p0.toml"\n\n[[pipeline]]\nid = "park"\n'
               f"probability = 1.0\nsigned = {signed}\nland_delay_months = {delay}\n"
               'sector = "industry"\ntotal_investment = 30.0\nduration_months = 24\n')
        args = ["run", name, "-n", "200", "--seed", "1", "--out", f"r{sub}"]
        r = lg.run(args, tmp, 120)
        s = _summary(tmp / f"r{sub}")
        if s is not None:
            diff = s["growth_mean_pct"] - s0["growth_mean_pct"]
            check = (f"mean growth {s['growth_mean_pct']:.4g}% vs {s0['growth_mean_pct']:.4g}% "
                     f"without the entry: {diff:+.3f} pp")
        else:
            check = "no summary.json (refused)"
        desc = f"signed {signed}, land_delay_months = {delay}, probability 1"
        rows.append(Row(sub, f"pipeline signed {signed}", lg.shown(*args), r,
                        f"{desc}; {check}"))
    return rows


def case_9(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Contradictory or impossible [actuals]."""
    _write(tmp, "abase.toml", RANDOM_BASE)
    plans = [
        ("9a", "Q2 5% vs June 2%", 'ytd = { "2022-Q2" = 0.05, "2022-06" = 0.02 }'),
        ("9b", "Q2 8% vs June 2%", 'ytd = { "2022-Q2" = 0.08, "2022-06" = 0.02 }'),
        ("9c", "GDP +10%, every sector -10%",
         'ytd = { "2022-06" = 0.10 }\nsectors = { industry = { "2022-06" = -0.10 }, '
         'construction = { "2022-06" = -0.10 }, services = { "2022-06" = -0.10 } }'),
        ("9d", "year-to-date -100%", 'ytd = { "2022-06" = -1.0 }'),
    ]
    rows = []
    for sub, name, actuals in plans:
        file = f"act{sub}.toml"
        _write(tmp, file, f'extends = "abase.toml"\n\n[actuals]\n{actuals}\n')
        what = "[actuals] " + actuals.replace("\n", "; ")
        v = lg.run(["validate", file], tmp, 120)
        rows.append(Row(sub, f"{name}: validate", lg.shown("validate", file), v, what))
        args = ["run", file, "-n", "200", "--seed", "1", "--out", f"r{sub}"]
        r = lg.run(args, tmp, 300)
        rows.append(Row(sub, f"{name}: run", lg.shown(*args), r, _p_line(r.stdout)))
    return rows


def case_10(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """A NUL character in the title."""
    _write(tmp, "nul.toml", f'extends = "{MINIMAL}"\n\n[scenario]\n'
           'title = "Longgang\\u0000 2022"\n')
    what = 'nul.toml: minimal.toml with title = "Longgang\\u0000 2022"'
    v = lg.run(["validate", "nul.toml"], tmp, 120)
    args = ["run", "nul.toml", "-n", "50", "--out", "r"]
    r = lg.run(args, tmp, 120)
    return [Row("10a", "NUL in title: validate", lg.shown("validate", "nul.toml"), v, what),
            Row("10b", "NUL in title: run", lg.shown(*args), r,
                f"summary.json written: {_yes((tmp / 'r' / 'summary.json').exists())}")]


def case_11(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Special files and a deep extends chain."""
    rows = []
    os.mkfifo(tmp / "f.toml")
    out = lg.run(["validate", "f.toml"], tmp, 10)
    rows.append(Row("11a", "validate a FIFO", "mkfifo f.toml && " + lg.shown("validate",
                                                                               "f.toml"),
                    out, f"in {out.seconds:.1f} s"))
    out = lg.run(["validate", "/dev/zero"], tmp, 60)
    rows.append(Row("11b", "validate /dev/zero", lg.shown("validate", "/dev/zero"), out,
                    f"in {out.seconds:.1f} s; peak RSS {out.peak_mb:.0f} MB (cap "
                    f"{lg.mem_bytes / 2**30:g} GiB address space)"))
    depth = 1200
    _write(tmp, "c0000.toml", f'extends = "{MINIMAL}"\n')
    for i in range(1, depth):
        _write(tmp, f"c{i:04d}.toml", f'extends = "c{i - 1:04d}.toml"\n')
    last = f"c{depth - 1:04d}.toml"
    out = lg.run(["validate", last], tmp, 120)
    rows.append(Row("11c", "extends chain 1,200 deep", lg.shown("validate", last), out,
                    f"c0000.toml extends minimal.toml, c{{i}} extends c{{i-1}}; in "
                    f"{out.seconds:.1f} s"))
    return rows


def case_12(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Terminal escape sequences in names and keys."""
    _write(tmp, "esc.toml", f'extends = "{MINIMAL}"\n\n[scenario]\n'
           'title = "\\u001b[31mRED\\u001b[0m"\n')
    _write(tmp, "esckey.toml", f'extends = "{MINIMAL}"\n\n[economy]\n'
           '"gdp\\u001b[31m" = 1.0\n')
    rows = []
    plans = [
        ("12a", "ESC in title: validate", ["validate", "esc.toml"]),
        ("12b", "ESC in title: run", ["run", "esc.toml", "-n", "50", "--out", "r"]),
        ("12c", "ESC in a key: validate", ["validate", "esckey.toml"]),
    ]
    for sub, name, args in plans:
        out = lg.run(args, tmp, 120)
        what = ('title = "\\u001b[31mRED\\u001b[0m"' if "esc.toml" in args
                else '[economy] "gdp\\u001b[31m" = 1.0')
        rows.append(Row(sub, name, lg.shown(*args), out,
                        f"{what}; raw ESC bytes in stdout+stderr: {out.output.count(ESC)}"))
    return rows


def case_13(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Bounds from the machine: replications, dask workers, batch members, sectors."""
    rows = []
    for sub, n, limit in (("13a", "10000000", 120), ("13b", "1000000", 180)):
        args = ["run", BASE, "-n", n, "--out", f"r{sub}"]
        out = lg.run(args, tmp, limit)
        rows.append(Row(sub, f"-n {int(n):,}", lg.shown(*args), out,
                        f"in {out.seconds:.0f} s; peak RSS {out.peak_mb:.0f} MB; written to "
                        f"disk {_du_mb(tmp / f'r{sub}'):.0f} MB; summary.json: "
                        f"{_yes((tmp / f'r{sub}' / 'summary.json').exists())}"))
        shutil.rmtree(tmp / f"r{sub}", ignore_errors=True)
    args = ["run", MINIMAL, "-n", "250", "--executor", "dask", "--workers", "24", "--out", "rd"]
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        rows.append(Row("13c", "dask --workers 24", lg.shown(*args), None,
                        "n/a: dask.distributed is not installed"))
    else:
        out = lg.run(args, tmp, 180, monitor=True)
        rows.append(Row("13c", "dask --workers 24", lg.shown(*args), out,
                        f"in {out.seconds:.1f} s; most processes under lgsim at once: "
                        f"{out.procs}; largest summed RSS {out.total_mb:.0f} MB"))
    batches = "".join(
        f'\n[[batch]]\nid = "b{i}"\ncount = 10000\ntotal_investment = 100.0\n'
        f'planned_start = 2022-06-01\nduration_months = 24\nsector_mix = {{ industry = 1.0 }}\n'
        for i in range(10))
    _write(tmp, "batches.toml", RANDOM_BASE + batches)
    v = lg.run(["validate", "batches.toml"], tmp, 120)
    args = ["run", "batches.toml", "-n", "1000", "--out", "rb"]
    out = lg.run(args, tmp, 120)
    rows.append(Row("13d", "10 batches x 10,000 members",
                    f"{lg.shown('validate', 'batches.toml')}; {lg.shown(*args)}", out,
                    f"validate exit {v.code} in {v.seconds:.1f} s; run in {out.seconds:.0f} s, "
                    f"peak RSS {out.peak_mb:.0f} MB"))
    sectors = ["[scenario]\nbase_year = 2021\n\n[target]\ngdp_growth = 0.06\n\n"
               "[economy]\ngdp = 1000.0\n"]
    sectors += [f'\n[[sector]]\nid = "s{i}"\nshare = 0.0001\n'
                'growth = { dist = "normal", mean = 0.06, sd = 0.02 }\n' for i in range(10000)]
    _write(tmp, "sectors.toml", "".join(sectors))
    out = lg.run(["validate", "sectors.toml"], tmp, 120)
    rows.append(Row("13e", "10,000 sectors: validate", lg.shown("validate", "sectors.toml"), out,
                    f"10,000 [[sector]] of share 0.0001, normal growth; in {out.seconds:.1f} s, "
                    f"peak RSS {out.peak_mb:.0f} MB"))
    return rows


_CHROOT = r"""
set -e
R="$1"; CHK="$2"; shift 2
mount -t tmpfs -o size=256m tmpfs "$R"
for d in usr etc work root dev proc opt; do
  if [ -d "/$d" ]; then mkdir -p "$R/$d"; mount --rbind "/$d" "$R/$d"; fi
done
for l in bin lib lib64 sbin; do
  if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$R/$l"; fi
done
mkdir -p "$R/tmp"
case "$CHK" in
  /work/*|/root/*|/opt/*|/usr/*) ;;
  *) mkdir -p "$R$CHK"; mount --rbind "$CHK" "$R$CHK" ;;
esac
ls -A "$R" > "$R.before"
set +e
chroot "$R" /bin/sh -c 'cd "$0" && exec "$@"' "$CHK" "$@" > "$R.stdout" 2> "$R.stderr"
echo $? > "$R.rc"
ls -A "$R" > "$R.after"
"""


def case_14(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """``--out /`` and ``--out ''``."""
    rows = []
    args = ["run", MINIMAL, "-n", "50", "--out", "/"]
    cmd = lg.shown(*args)
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("chroot"):
        rows.append(Row("14a", "--out /", cmd, None,
                        "n/a: needs root, unshare and chroot (never run against the real /)"))
    else:
        root = tmp / "root"
        root.mkdir()
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _CHROOT,
                "sh", str(root), str(lg.root), *lg.argv(*args)]
        out = lg.run([], tmp, 180, argv=argv)
        rc = _read(Path(f"{root}.rc")).strip()
        if rc:
            code = int(rc)
            out.code = (f"killed by signal {code - 128}" if code > 128 else str(code))
            out.stdout, out.stderr = _read(Path(f"{root}.stdout")), _read(Path(f"{root}.stderr"))
            before = set(_read(Path(f"{root}.before")).split())
            new = sorted(set(_read(Path(f"{root}.after")).split()) - before)
            check = (f"run chrooted onto an empty tmpfs as / (private mount namespace); new "
                     f"entries in /: {len(new)}" + (f" ({', '.join(new[:6])}"
                                                     + (", ..." if len(new) > 6 else "") + ")"
                                                     if new else ""))
        else:
            check = "n/a: the chroot could not be set up: " + out.stderr.strip()[:100]
        rows.append(Row("14a", "--out /", cmd, out, check))
    before = set(os.listdir(tmp))
    args = ["run", MINIMAL, "-n", "50", "--out", ""]
    out = lg.run(args, tmp, 120)
    new = sorted(n for n in set(os.listdir(tmp)) - before if not n.startswith(".out."))
    rows.append(Row("14b", "--out ''", lg.shown(*args), out,
                    f"new entries in the current directory: {len(new)}"
                    + (f" ({', '.join(new[:5])}{', ...' if len(new) > 5 else ''})" if new
                       else "")))
    return rows


def case_15(lg: Lgsim, tmp: Path, opts: argparse.Namespace) -> list[Row]:
    """Every failure named for what it is."""
    rows = []
    args = ["run", MINIMAL, "-n", "50", "--scheduler", "tcp://127.0.0.1:1", "--out", "rs"]
    out = lg.run(args, tmp, 120)
    rows.append(Row("15a", "unreachable --scheduler", lg.shown(*args), out,
                    f"in {out.seconds:.0f} s; says 'cannot write': "
                    f"{_yes('cannot write' in out.stderr)}"))

    existing = _write(tmp, "existing.toml", "# keep me\n")
    args = ["calibrate", BASE, "--out", "existing.toml"]
    out = lg.run(args, tmp, 300)
    kept = existing.read_text(encoding="utf-8") == "# keep me\n"
    rows.append(Row("15b", "calibrate --out over a file", "echo '# keep me' > existing.toml; "
                    + lg.shown(*args), out, f"existing.toml kept: {_yes(kept)}"))

    _write(tmp, "src.toml", f'extends = "{MINIMAL}"\n\n[sources]\n"economy.gdp" = "source:"\n')
    out = lg.run(["validate", "src.toml"], tmp, 120)
    rows.append(Row("15c", 'empty "source:"', lg.shown("validate", "src.toml"), out,
                    'src.toml: minimal.toml with [sources] "economy.gdp" = "source:"'))

    _write(tmp, "badsrc.toml", f'extends = "{MINIMAL}"\n\n[sources]\n'
           '"economy.no_such_field" = "assumption: none"\n')
    out = lg.run(["validate", "badsrc.toml"], tmp, 120)
    rows.append(Row("15d", "[sources] key of no field", lg.shown("validate", "badsrc.toml"), out,
                    '[sources] "economy.no_such_field" = "assumption: none"'))

    args = ["sensitivity", UNCONDITIONED, "--method", "sobol", "--samples", "3", "-n", "20",
            "--no-plot", "--out", "rsens"]
    out = lg.run(args, tmp, 300)
    values = []
    for line in out.stdout.splitlines():
        if re.match(r"^\s*\d+\s+\S", line):
            values += [float(v) for v in re.findall(r"(?<![±\d.])-?\d+\.\d+", line)]
    own = next((" ".join(x.split()) for x in out.stdout.splitlines()
                if x.strip().lower().startswith("warning")), "none")
    salib = "UserWarning" in out.stderr
    rows.append(Row("15e", "Sobol --samples 3", lg.shown(*args), out,
                    (f"largest index printed {max(values):.3f}, smallest {min(values):.3f}; "
                     if values else "no indices printed; ")
                    + f"lgsim's warning: {own}; SALib UserWarning on stderr: {_yes(salib)}"))

    for sub, lever in (("15f", "batch[sz-2022-batch3].count"),
                       ("15g", "batch[sz-2022-batch3].total_investment")):
        args = ["solve", UNCONDITIONED, "--lever", lever, "--probability", "0.3", "-n", "200",
                "--out", f"r{sub}"]
        out = lg.run(args, tmp, 300)
        lever_line = next((" ".join(x.split()) for x in out.stdout.splitlines()
                           if x.startswith("Lever")), "no 'Lever' line")
        rows.append(Row(sub, f"solve on {lever.split('.')[-1]}", lg.shown(*args), out,
                        lever_line))

    env = {**lg.env, "PYTHONIOENCODING": "ascii"}
    args = ["run", BASE, "-n", "250", "--out", "rascii"]
    out = lg.run(args, tmp, 300, env=env)
    rows.append(Row("15h", "non-UTF-8 stdout", "PYTHONIOENCODING=ascii " + lg.shown(*args), out,
                    f"summary.json written: {_yes((tmp / 'rascii' / 'summary.json').exists())}"))
    return rows


CASES: dict[int, CaseFn] = {
    1: case_1, 2: case_2, 3: case_3, 4: case_4, 5: case_5, 6: case_6, 7: case_7, 8: case_8,
    9: case_9, 10: case_10, 11: case_11, 12: case_12, 13: case_13, 14: case_14, 15: case_15,
}


# ---------------------------------------------------------------- output
def _visible(text: str) -> str:
    """Control characters shown as escapes, and ``|`` escaped, for a table cell."""
    out = []
    for ch in text:
        if ch == "|":
            out.append("\\|")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " ":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _short(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(text: str, width: int | None = None) -> str:
    text = _visible(text)
    return _short(text, width) if width else text


def _print_row(row: Row) -> None:
    o = row.outcome
    if o is None:
        cells = [row.case, row.name, f"`{_cell(row.command)}`", "n/a", "", "", "", "",
                 _cell(row.check)]
    else:
        lines = [x for x in o.stderr.splitlines() if x.strip()]
        tb = o.stderr.count("Traceback")
        first = _cell(lines[0].strip(), 120) if lines else ""
        if first.startswith("usage:") and len(lines) > 1:  # argparse: its error is last
            first = "usage: … " + _cell(lines[-1].strip(), 120)
        cells = [row.case, row.name, f"`{_cell(row.command)}`", o.code, first, str(len(lines)),
                 f"yes ({tb})" if tb else "no", f"{o.seconds:.1f}", _cell(row.check)]
    print("| " + " | ".join(cells) + " |", flush=True)


def _lang(root: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "lgsim", "--help"], cwd=tempfile.gettempdir(),
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    return ["--lang", "en"] if "--lang" in done.stdout else []


def _describe(lg: Lgsim) -> list[str]:
    env = lg.env
    where = subprocess.run([sys.executable, "-c", "import lgsim; print(lgsim.__file__)"],
                           cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True,
                           check=False).stdout.strip()
    head = subprocess.run(["git", "-C", str(lg.root), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(lg.root), "status", "--porcelain",
                            "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.split("\n")
    dirty = [d for d in dirty if d.strip()]
    return [
        f"- checkout: `{lg.root}` at {head or '?'}"
        + (f" with {len(dirty)} uncommitted changes to tracked files" if dirty else ""),
        f"- lgsim imported from: `{where}`",
        f"- python {sys.version.split()[0]}; address space capped at "
        f"{lg.mem_bytes / 2**30:g} GiB per process; language flag: "
        f"`{' '.join(lg.lang) or '(none: the checkout has no --lang)'}`",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen cases on one checkout and print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lgsim", required=True, type=Path, help="an lgsim checkout")
    parser.add_argument("--cases", default="", help="comma-separated case numbers (default all)")
    parser.add_argument("--trials", type=int, default=20,
                        help="launches of case 2 (default 20)")
    parser.add_argument("--mem-gb", type=float, default=6.0,
                        help="address-space cap of every run, GiB (default 6)")
    opts = parser.parse_args(argv)
    root = opts.lgsim.resolve()
    if not (root / "lgsim" / "__init__.py").exists():
        parser.error(f"{root}: no lgsim/ package here")
    lg = Lgsim(root=root, mem_bytes=int(opts.mem_gb * 2**30))
    lg.lang = _lang(root, lg.env)
    chosen = [int(c) for c in opts.cases.split(",") if c.strip()] or list(CASES)
    header = _describe(lg)
    if f"`{root}/lgsim/__init__.py`" not in header[1]:
        print(f"attack_cases: PYTHONPATH={root} does not import lgsim from it ({header[1]})",
              file=sys.stderr)
        return 2
    print(f"# Attack cases of issue 14 on `{root}`\n")
    print("\n".join(header) + "\n")
    print("| case | name | command | exit | first line of stderr | stderr lines | Traceback "
          "| s | check |")
    print("|---|---|---|---|---|---|---|---|---|")
    for number in chosen:
        tmp = Path(tempfile.mkdtemp(prefix=f"attack{number}-"))
        (tmp / "scenarios").symlink_to(root / "scenarios")
        try:
            rows = CASES[number](lg, tmp, opts)
        except Exception as e:  # a broken case must not stop the others
            detail = traceback.format_exception_only(type(e), e)[-1].strip()
            rows = [Row(str(number), "-", "-", None, f"n/a: the tool failed: {detail}")]
        finally:
            lg.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
        for row in rows:
            _print_row(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
