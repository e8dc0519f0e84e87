"""``python -m lgsim run`` writes the run directory; results round-trip exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import lgsim
from lgsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.toml"


def test_run_writes_the_run_directory(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(MINIMAL), "-n", "300", "--seed", "5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "P(target met) =" in text and "95% simulation precision" in text
    for name in ("summary.json", "results.nc", "scenario.resolved.toml", "run.log",
                 "replications.csv", "contributions_sector.csv", "investment_vs_plan.csv"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("scenario", "target_year", "target_growth_pct", "replications", "seed",
                "p_target_met_pct", "p_target_met_ci_pct", "growth_quantiles_pct",
                "lgsim_version"):
        assert key in summary
    assert summary["seed"] == 5 and summary["replications"] == 300
    assert len(summary["p_target_met_ci_pct"]) == 2
    assert set(summary["growth_quantiles_pct"]) == {"p10", "p50", "p90"}
    assert (out / "contributions_sector.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "seed 5" in (out / "run.log").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind
    r = lgsim.Results.load(out)
    assert 100 * r.p_target().estimate == pytest.approx(summary["p_target_met_pct"], abs=1e-9)
    fresh = lgsim.run(str(MINIMAL), replications=300, seed=5, workers=1)
    assert r.ds.identical(fresh.ds)


def test_run_refuses_to_overwrite_another_seed(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(MINIMAL), "-n", "50", "--seed", "1", "--out", str(out)]) == 0
    assert main(["run", str(MINIMAL), "-n", "50", "--seed", "1", "--out", str(out)]) == 0
    assert main(["run", str(MINIMAL), "-n", "50", "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0]
    assert main(["run", str(MINIMAL), "-n", "50", "--seed", "2", "--out", str(out),
                 "--force"]) == 0


def test_bad_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.read_text(encoding="utf-8").replace("share = 1.0", "shar = 1.0"),
                   encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "lgsim", "run", str(bad)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "sector[all].shar" in lines[0] and "did you mean 'share'?" in lines[0]
    assert str(bad) in lines[0]
