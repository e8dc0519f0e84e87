"""Sensitivity: uncertain inputs, tornado (checked by removing uncertainty), Sobol, Morris."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

import lgsim
from lgsim.cli import main
from lgsim.outputs.plots import sensitivity_chart
from lgsim.outputs.study_files import write_sensitivity
from lgsim.scenario import ScenarioError
from lgsim.studies import sensitivity as sa
from lgsim.studies import whatif

#: Three sectors whose growth uncertainty differs in size (share × sd: 3%, 0.9%, 0.2%)
#: and a small event; the expected ranking is big > mid > small > dip.
SMALL = """
[scenario]
name = "small"
base_year = 2021
seed = 11
replications = 1000

[target]
gdp_growth = 0.06

[economy]
gdp = 1000.0

[[sector]]
id = "big"
name = "工业"
share = 0.6
growth = { dist = "normal", mean = 0.05, sd = 0.05 }

[[sector]]
id = "mid"
name = "服务业"
share = 0.3
growth = { dist = "normal", mean = 0.05, sd = 0.03 }

[[sector]]
id = "small"
share = 0.1
growth = { dist = "normal", mean = 0.05, sd = 0.02 }

[[shock]]
id = "dip"
name = "小冲击"
probability = 0.5
window = [2022-03-01, 2022-03-31]
duration_months = 1.0
impact = { mid = -0.05 }
"""

RANKING = ["sector[big].growth", "sector[mid].growth", "sector[small].growth",
           "shock[dip].probability"]


@pytest.fixture
def small(write) -> lgsim.Scenario:
    return lgsim.load_scenario(write(SMALL, "small.toml"))


@pytest.fixture
def small_tornado(small) -> sa.SensitivityResult:
    return sa.tornado(small, replications=1000, workers=1)


def test_uncertain_inputs_of_base(base_scenario):
    inputs = {i.path: i for i in sa.uncertain_inputs(base_scenario)}
    assert "sector[industry].growth" in inputs
    assert "batch[sz-2022-batch3].start_delay_months" in inputs
    assert inputs["shock[lockdown-risk].probability"].kind == "event"
    assert inputs["pipeline[huawei-building-park].probability"].kind == "event"
    assert "land[consolidation-2022].delivered" in inputs
    # fixed values and certain events are not inputs
    assert not any(p.startswith("shock[lockdown-2022-03]") for p in inputs)
    assert "batch[sz-2022-batch3].total_investment" not in inputs
    # every input can be set at a quantile through with_changes
    for item in inputs.values():
        base_scenario.with_changes({item.path: item.value_at(0.1)})


def test_value_at(small):
    items = {i.path: i for i in sa.uncertain_inputs(small)}
    g = items["sector[big].growth"]
    assert g.value_at(0.9) == pytest.approx(0.05 + 0.05 * norm.ppf(0.9), rel=1e-9)
    ev = items["shock[dip].probability"]
    assert (ev.value_at(0.1), ev.value_at(0.49), ev.value_at(0.51), ev.value_at(0.9)) == (
        0.0, 0.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        g.value_at(1.0)


def test_tornado_known_values_one_sector(one_sector):
    """One normal sector: with growth fixed at its P10 / P90, P(met) is 0 or 1 exactly."""
    path = one_sector("seed = 1")
    r = sa.tornado(lgsim.load_scenario(path), replications=400, workers=1)
    row = r.table.iloc[0]
    assert row.path == "sector[all].growth"
    assert row.value_low == pytest.approx(0.06 + 0.02 * norm.ppf(0.1))
    assert (row.p_met_low, row.p_met_high) == (0.0, 1.0)
    assert row.growth_p50_low == pytest.approx(row.value_low, abs=1e-12)
    assert row.p_met_swing_pp == pytest.approx(100.0)
    assert abs(r.base.p_met.estimate - 0.5) < 0.08


def test_tornado_ranks_drivers(small_tornado):
    t = small_tornado.table
    assert list(t["path"]) == RANKING
    assert list(t["rank"]) == [1, 2, 3, 4]
    # growth inputs raise P(met); the shock lowers it
    assert (t.set_index("path").loc[RANKING[:3], "p_met_swing_pp"] > 0).all()
    assert t.set_index("path").loc["shock[dip].probability", "growth_p50_swing_pp"] < 0
    assert small_tornado.evaluations == 1 + 2 * 4


def test_removing_top_driver_uncertainty_moves_result_most(small, small_tornado):
    """The check a reader can make: fix each input at its median and compare."""
    base = small_tornado.base
    paths = list(small_tornado.table["path"])
    variants = [sa.fixed_at(small, p) for p in paths]
    outs = whatif.outcomes(variants, replications=1000, seed=small_tornado.seed, workers=1)

    def spread(o):
        q = np.quantile(o.growth, [0.1, 0.9])
        return q[1] - q[0]

    spread_cut = [spread(base) - spread(o) for o in outs]
    p_move = [abs(o.p_met.estimate - base.p_met.estimate) for o in outs]
    assert int(np.argmax(spread_cut)) == 0
    assert int(np.argmax(p_move)) == 0
    # and the order of the growth-spread reductions follows the tornado's ranking
    assert spread_cut[0] > spread_cut[1] > spread_cut[2]


def test_select_inputs(small):
    assert [i.path for i in sa.select_inputs(small, ["sector[mid]"])] == ["sector[mid].growth"]
    with pytest.raises(ScenarioError) as info:
        sa.select_inputs(small, ["sector[bigg].growth"])
    assert "did you mean 'sector[big].growth'" in info.value.message
    with pytest.raises(ScenarioError):  # fixed: not an uncertain input
        sa.select_inputs(small, ["shock[dip].duration_months"])


def test_no_uncertain_inputs(one_sector):
    path = one_sector(growth="0.05")
    with pytest.raises(ScenarioError, match="uncertain input"):
        sa.tornado(lgsim.load_scenario(path), replications=10, workers=1)


def test_sobol_ranks_drivers(small):
    r = sa.sobol(small, replications=10, samples=64, workers=1)
    t = r.table
    assert r.evaluations == 64 * (4 + 2)
    assert t["path"].iloc[0] == "sector[big].growth"
    top = t.iloc[0]
    assert top.ST_p_met > 0.5 and top.ST_growth_p50 > 0.5
    others = t.iloc[1:]
    assert (others.ST_growth_p50 < top.ST_growth_p50).all()
    # growth is nearly additive in the inputs: first-order ≈ total for the top driver
    assert abs(top.S1_growth_p50 - top.ST_growth_p50) < 0.15


def test_morris_ranks_drivers(small):
    r = sa.morris(small, replications=10, trajectories=8, workers=1)
    assert r.evaluations == 8 * (4 + 1)
    assert r.table["path"].iloc[0] == "sector[big].growth"
    assert r.table["mu_star_growth_p50_pp"].iloc[0] > r.table["mu_star_growth_p50_pp"].iloc[1]


def test_outputs_csv_text_plot(small_tornado, tmp_path):
    files = write_sensitivity(small_tornado, tmp_path)
    names = sorted(f.name for f in files)
    assert names == ["sensitivity-tornado.csv", "sensitivity-tornado.png",
                     "sensitivity-tornado.txt"]
    raw = (tmp_path / "sensitivity-tornado.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "工业·增长率" in raw.decode("utf-8-sig")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert {"p_met_low_pct", "p_met_high_pct", "p_met_swing_pp"} <= set(header)
    text = small_tornado.to_text()
    assert text.index("sector[big].growth") < text.index("sector[mid].growth")
    fig = sensitivity_chart(small_tornado)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "工业·增长率"  # top of the chart
    assert "龙卷风图" in fig.axes[0].get_title()
    assert "<table" in small_tornado._repr_html_()


def test_cli_sensitivity(write, tmp_path, capsys):
    path = write(SMALL, "small.toml")
    code = main(["sensitivity", str(path), "-n", "300", "--workers", "1", "--out",
                 str(tmp_path / "out"), "--no-plot"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.index("sector[big].growth") < out.index("sector[small].growth")
    assert (tmp_path / "out" / "sensitivity-tornado.csv").exists()
    assert not (tmp_path / "out" / "sensitivity-tornado.png").exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--params", "sector[nope].growth"], "no such uncertain input"),
        (["--samples", "8"], "--samples"),
    ],
)
def test_cli_sensitivity_bad_input(write, tmp_path, capsys, argv, words):
    path = write(SMALL, "small.toml")
    code = main(["sensitivity", str(path), "-n", "10", "--workers", "1", "--out",
                 str(tmp_path), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert words in err and len(err.strip().splitlines()) == 1


def test_no_nan_in_tornado_table(small_tornado):
    numeric = small_tornado.table.select_dtypes("number").to_numpy(dtype=float)
    assert not np.isnan(numeric).any()
    assert math.isfinite(small_tornado.base.median)
