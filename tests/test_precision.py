"""Stop at precision: the stopping point is a property of the chunk prefixes, not of timing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base-unconditioned.toml"  # precision alone
N_MAX = 3000
CHUNK = 100
H = 0.005


@pytest.fixture(scope="module")
def base():
    return lgsim.load_scenario(BASE)


@pytest.fixture(scope="module")
def full(base):
    """Every replication up to the maximum, serially: the reference for the prefixes."""
    return lgsim.run(base, replications=N_MAX, chunk_size=CHUNK, workers=1)


def _half_width(p: np.ndarray) -> float:
    """95% half-width of the mean of conditional probabilities: 1.96 sd / √n."""
    return 1.959963984540054 * float(np.std(p, ddof=1)) / np.sqrt(p.size)


def first_prefix_within(p: np.ndarray, half_width: float) -> int:
    """Index of the first chunk whose prefix 0..k has a half-width <= H (P(met) is
    estimated by conditional Monte Carlo in this scenario)."""
    for k in range(-(-p.size // CHUNK)):
        if _half_width(p[: (k + 1) * CHUNK]) <= half_width:
            return k
    return -1


@pytest.mark.slow
def test_one_and_two_workers_stop_at_the_same_chunk_with_identical_results(base, full):
    k = first_prefix_within(full.ds["p_met_smooth"].values, H)
    assert 0 < k < N_MAX // CHUNK - 1  # stops inside the run, after more than one chunk
    runs = [
        lgsim.run(base, replications=N_MAX, chunk_size=CHUNK, workers=w, precision=H)
        for w in (1, 2)
    ]
    for r in runs:
        stop = r.run_info.stopping
        assert stop.reached and stop.chunks == k + 1
        assert r.n == stop.replications == (k + 1) * CHUNK
        assert stop.half_width <= H < _half_width(full.ds["p_met_smooth"].values[: k * CHUNK])
        # the result is the prefix of the full run, to the last bit
        for name in ("growth", "investment", "component_pp", "start_month"):
            np.testing.assert_array_equal(r.ds[name].values, full.ds[name].values[: r.n])
        assert r.p_target().successes == int(full.met()[: r.n].sum())
    assert runs[0].ds.identical(runs[1].ds)
    assert runs[1].run_info.executor == "process"


def test_not_reached_uses_the_maximum(base):
    r = lgsim.run(base, replications=300, chunk_size=CHUNK, workers=1, precision=0.001)
    stop = r.run_info.stopping
    assert not stop.reached and r.n == 300 and stop.chunks == 3
    assert stop.half_width == pytest.approx(_half_width(r.ds["p_met_smooth"].values))
    summary = r.summary()["stopped_at_precision"]
    assert summary == {
        "reached": False, "chunks": 3, "replications": 300, "max_replications": 300,
        "target_half_width_pp": 0.1, "half_width_pp": pytest.approx(100 * stop.half_width),
    }


def test_cli_reports_where_it_stopped(tmp_path, capsys, full):
    out = tmp_path / "run"
    assert main(["run", str(BASE), "-n", str(N_MAX), "--chunk-size", str(CHUNK),
                 "--precision", str(H), "--workers", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    k = first_prefix_within(full.ds["p_met_smooth"].values, H)
    n = (k + 1) * CHUNK
    assert "stopped at precision" in text and f"{n:,} of at most {N_MAX:,}" in text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == n
    assert summary["stopped_at_precision"]["chunks"] == k + 1
    assert summary["stopped_at_precision"]["reached"] is True
    log = (out / "run.log").read_text(encoding="utf-8")
    assert "stopped at precision" in log
    assert not (out / "chunks").exists()


def test_precision_looking_like_percent_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASE), "--precision", "1"])
    assert exc.value.code == 2
    assert "looks like percentage points" in capsys.readouterr().err
