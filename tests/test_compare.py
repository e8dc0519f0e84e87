"""Scenario comparison on common random numbers (lgsim.compare, ``lgsim compare``)."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim._format import display_width
from lgsim.analysis import newcombe_interval, paired_interval, unpaired_mean_interval
from lgsim.cli import main
from lgsim.studies.compare import Comparison, compare, default_out_dir

ROOT = Path(__file__).resolve().parents[1]

#: Projects are a large share of GDP (batch of 150亿 against a GDP of 300亿), so a
#: six-month delay visibly moves growth and P(met).
BIG_PROJECTS = """
[scenario]
name = "big"
title = "项目占比较大的测试区"
base_year = 2021
target_year = 2022
end_year = 2023
seed = 5
replications = 400

[target]
gdp_growth = 0.08

[economy]
gdp = 300.0

[accounting]
construction_share = 0.6
construction_va_ratio = 0.3
local_share = 0.9

[[sector]]
id = "industry"
name = "工业"
share = 0.8
growth = { dist = "normal", mean = 0.05, sd = 0.03 }

[[sector]]
id = "construction"
name = "建筑业"
share = 0.2
growth = { dist = "normal", mean = 0.04, sd = 0.03 }

[[batch]]
id = "big-batch"
name = "大型项目批次"
count = 8
total_investment = 150.0
planned_start = 2022-02-01
start_delay_months = { dist = "lognormal", median = 1.0, sigma = 0.6 }
duration_months = { dist = "pert", low = 12, mode = 18, high = 30 }
sector_mix = { construction = 1.0 }
"""


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> lgsim.Scenario:
    path = tmp_path_factory.mktemp("compare") / "big.toml"
    path.write_text(textwrap.dedent(BIG_PROJECTS), encoding="utf-8")
    return lgsim.load_scenario(str(path))


@pytest.fixture(scope="module")
def delayed(big: lgsim.Scenario) -> Comparison:
    """The batch planned two months later: same delay draws, every start shifted."""
    late = big.with_changes({"batch[big-batch].planned_start": "2022-04-01"})
    return compare([big, late], replications=400, workers=1)


# ---------------------------------------------------------------------- statistics
def test_paired_interval_of_zeros_is_exactly_zero() -> None:
    iv = paired_interval(np.zeros(300))
    assert (iv.estimate, iv.low, iv.high) == (0.0, 0.0, 0.0)


def test_paired_interval_formula() -> None:
    d = np.array([1.0, 0.0, 0.0, -1.0, 1.0, 0.0])
    iv = paired_interval(d)
    half = 1.959963984540054 * d.std(ddof=1) / math.sqrt(d.size)
    assert iv.estimate == pytest.approx(1 / 6)
    assert (iv.low, iv.high) == pytest.approx((1 / 6 - half, 1 / 6 + half))


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 − 48/80, method 10.
    iv = newcombe_interval(56, 70, 48, 80)
    assert iv.estimate == pytest.approx(0.2)
    assert iv.low == pytest.approx(0.0524, abs=5e-4)
    assert iv.high == pytest.approx(0.3339, abs=5e-4)


def test_unpaired_mean_interval() -> None:
    rng = np.random.default_rng(0)
    x1, x0 = rng.normal(1, 2, 500), rng.normal(0, 1, 400)
    iv = unpaired_mean_interval(x1, x0)
    se = math.sqrt(x1.var(ddof=1) / 500 + x0.var(ddof=1) / 400)
    assert iv.estimate == pytest.approx(x1.mean() - x0.mean())
    assert iv.high - iv.low == pytest.approx(2 * 1.959963984540054 * se)


# ---------------------------------------------------------------------- comparisons
def test_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path: Path) -> None:
    base = ROOT / "scenarios" / "base.toml"
    out = tmp_path / "self"
    code = main(["compare", str(base), str(base), "-n", "200", "--workers", "1", "--out",
                 str(out)])
    assert code == 0
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert data["replications"] == 200 and data["seed"] == 20220607
    a, b = data["scenarios"]
    assert a["p_target_met_pct"] == b["p_target_met_pct"]
    (d,) = data["differences"]
    assert d["p_target_met_diff_pp"]["estimate"] == 0.0
    assert d["p_target_met_diff_pp"]["paired_ci"] == [0.0, 0.0]
    assert d["growth_diff_pp"]["mean"] == 0.0
    assert d["growth_diff_pp"]["paired_ci"] == [0.0, 0.0]
    assert d["growth_diff_pp"]["quantiles"] == {"p10": 0.0, "p50": 0.0, "p90": 0.0}
    # The unpaired interval, shown for contrast, is not degenerate.
    lo, hi = d["p_target_met_diff_pp"]["unpaired_ci"]
    assert lo < 0 < hi
    assert data["changes"] == {"base-2": []}
    csv = (out / "comparison.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    assert "龙岗区" in csv.decode("utf-8-sig")
    for name in ("comparison.html", "compare_fan.png", "compare_distribution.png",
                 "compare_growth_difference.png"):
        assert (out / name).stat().st_size > 1000, name
    assert not list(out.glob(".*.tmp"))


def test_paired_interval_is_narrower_than_unpaired(delayed: Comparison) -> None:
    (d,) = delayed.differences
    # The delay visibly lowers growth and P(met) ...
    assert d.growth_paired.high < 0
    assert d.p_met_paired.high < 0
    # ... and the paired intervals are much narrower than the unpaired ones
    # (ratios 0.60 and 0.03 with these numbers).
    assert d.p_met_paired.half_width < 0.75 * d.p_met_unpaired.half_width
    assert d.growth_paired.half_width < 0.2 * d.growth_unpaired.half_width
    # Same luck, later projects: every replication loses growth, none newly meets it.
    e = delayed.results[1].growth() - delayed.results[0].growth()
    assert (e < 0).all()
    met_a, met_b = delayed.results[0].met(), delayed.results[1].met()
    assert not (met_b & ~met_a).any()


def test_compare_runs_on_common_random_numbers(big: lgsim.Scenario) -> None:
    other = big.with_changes({"scenario.seed": 99, "scenario.replications": 1000})
    c = compare([big, other], workers=1)
    assert (c.seed, c.n) == (5, 400)  # the first scenario's seed and replications
    alone = lgsim.run(big, replications=400, seed=5, workers=1)
    np.testing.assert_array_equal(c.results[0].growth(), alone.growth())
    np.testing.assert_array_equal(c.results[1].growth(), alone.growth())
    c = compare([big, other], replications=250, seed=8, workers=1)
    assert (c.seed, c.n) == (8, 250)


def test_compare_accepts_paths_and_rejects_other_target_years(
    big: lgsim.Scenario, tmp_path: Path
) -> None:
    later = tmp_path / "later.toml"
    later.write_text(textwrap.dedent(BIG_PROJECTS).replace(
        "target_year = 2022", "target_year = 2023"), encoding="utf-8")
    with pytest.raises(lgsim.ScenarioError, match="target_year"):
        compare([big.file, later], replications=50, workers=1)
    code = main(["compare", big.file, str(later), "-n", "50", "--workers", "1", "--out",
                 str(tmp_path / "x")])
    assert code == 2


def test_compare_needs_two_scenarios(big: lgsim.Scenario, capsys) -> None:
    assert main(["compare", big.file, "-n", "50"]) == 2
    assert "at least two" in capsys.readouterr().err


def test_terminal_table_aligns_chinese_titles(delayed: Comparison) -> None:
    text = delayed.to_text()
    rows = [line for line in text.splitlines() if line[:3] in ("A  ", "B  ")]
    assert len(rows) == 2
    # P(met) starts in the same terminal column on every row.
    cols = [display_width(row[: row.index("%") - 4]) for row in rows]
    assert cols[0] == cols[1]
    assert "paired 95%" in text and "unpaired 95%" in text
    assert "项目占比较大的测试区" in text


def test_table_and_json_agree(delayed: Comparison) -> None:
    table = delayed.table()
    assert list(table["letter"]) == ["A", "B"]
    assert math.isnan(table.loc[0, "d_p_met_pp"])
    (d,) = delayed.differences
    # percent and percentage points, as the terminal prints them
    assert table.loc[1, "d_p_met_pp"] == pytest.approx(100 * d.p_met_paired.estimate, abs=1e-9)
    assert table.loc[1, "d_growth_paired_low_pp"] == pytest.approx(100 * d.growth_paired.low,
                                                                   abs=1e-9)
    assert table.loc[0, "p_met_pct"] == pytest.approx(100 * delayed.results[0].p_target()
                                                      .estimate, abs=1e-9)
    data = json.loads(delayed.to_json())
    assert data["differences"][0]["p_target_met_diff_pp"]["estimate"] == pytest.approx(
        table.loc[1, "d_p_met_pp"])
    changes = data["changes"]["big-2"]
    assert [c["path"] for c in changes] == ["batch[big-batch].planned_start"]
    assert "2022-04-01" in changes[0]["value"]


def test_default_out_dir_is_short() -> None:
    assert default_out_dir(["base", "delay-6m"]) == Path("runs/compare-base-vs-delay-6m")
    long = default_out_dir(["base", "delay-6m", "no-further-lockdown", "land-early"])
    assert long == Path("runs/compare-base-vs-delay-6m-and-2-more")
