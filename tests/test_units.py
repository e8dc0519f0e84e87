"""One unit convention in every file people read: a number's name ends with its unit."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import lgsim
from lgsim.cli import main
from lgsim.outputs.rundir import iter_tables

#: Suffixes of the convention, and the unit-free numbers (counts, calendar, identifiers).
SUFFIXES = ("_pct", "_pp", "_yi_yuan", "_per_yuan")
UNITLESS = {"replication", "year", "month", "replications", "seed", "chunk_size",
            "target_year", "through_month", "chunks", "max_replications", "ess", "min_ess",
            "pilot_replications", "latents_tilted", "variance_reduction"}


def _numbers(value, path=()):
    """(key path, number) of every float in nested JSON data."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, (*path, k))
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v, path)
    elif isinstance(value, float):
        yield path, value


def _labelled(path) -> bool:
    return any(str(k).endswith(SUFFIXES) for k in path) or path[-1] in UNITLESS


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = lgsim.load_scenario("scenarios/base.toml")
    return lgsim.run(base, replications=300, workers=1)


def test_every_csv_column_with_numbers_names_its_unit(run):
    for name, frame in iter_tables(run):
        for col in frame.columns:
            if pd.api.types.is_float_dtype(frame[col]):
                assert col.endswith(SUFFIXES) or col in UNITLESS, (name, col)


def test_summary_json_numbers_name_their_unit(run):
    summary = run.summary()
    unlabelled = [p for p, _ in _numbers(summary) if not _labelled(p)]
    assert not unlabelled
    assert summary["p_target_met_pct"] == pytest.approx(100 * run.p_target().estimate)
    assert summary["target_growth_pct"] == 6.0  # not 6.000000000000001
    q = run.quantiles()
    assert summary["growth_quantiles_pct"]["p50"] == pytest.approx(100 * q["p50"])


def test_target_met_is_empty_in_years_without_a_target(run, tmp_path):
    frame = dict(iter_tables(run))["replications.csv"]
    with_target = sorted(run.scenario.targets)
    assert with_target == [2022, 2023, 2024]  # base sets a GDP target for every year
    target = frame["year"].isin(with_target)
    assert frame.loc[~target, "target_met"].isna().all()  # the base year, 2021
    assert set(frame.loc[~target, "year"]) == {2021}
    for year in with_target:
        flags = frame.loc[frame["year"] == year, "target_met"].to_numpy(dtype=bool)
        np.testing.assert_array_equal(flags, run.met(year))
        # growth in percent, the year's rule applied to it gives the same flags
        g = frame.loc[frame["year"] == year, "growth_pct"].to_numpy() / 100
        np.testing.assert_array_equal(run.target_of(year).met(g), flags)
    assert frame.loc[frame["year"] == 2023, "target_met"].any()  # 2023 is met at times
    out = tmp_path / "r"
    lgsim.outputs.rundir.write_csv(out / "replications.csv", frame)
    back = pd.read_csv(out / "replications.csv", encoding="utf-8-sig")
    assert back.loc[back["year"] == 2021, "target_met"].isna().all()
    assert set(back.loc[back["year"] == 2023, "target_met"]) <= {True, False}


def test_comparison_csv_matches_the_terminal(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["compare", "scenarios/base.toml", "scenarios/delay-6m.toml", "-n", "250",
                 "--workers", "1", "--out", str(out), "--no-report"]) == 0
    text = capsys.readouterr().out
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    for col in table.columns:
        if pd.api.types.is_float_dtype(table[col]):
            assert col.endswith(SUFFIXES), col
    d = table.loc[1, "d_growth_mean_pp"]
    assert f"Δgrowth mean   {d:+.3f} pp" in text  # the file holds what the terminal prints
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert not [p for p, _ in _numbers(data["scenarios"]) if not _labelled(p)]
    assert not [p for p, _ in _numbers(data["differences"]) if not _labelled(p)]
    assert math.isclose(data["scenarios"][0]["p_target_met_pct"], table.loc[0, "p_met_pct"])


def test_tornado_csv_probabilities_name_their_unit(tmp_path):
    from lgsim.outputs.study_files import write_sensitivity
    from lgsim.studies.sensitivity import tornado

    result = tornado(lgsim.load_scenario("scenarios/base.toml"),
                     params=["economy.fai_growth"], replications=250, workers=1)
    write_sensitivity(result, tmp_path, plot=False)
    table = pd.read_csv(tmp_path / "sensitivity-tornado.csv", encoding="utf-8-sig")
    probabilities = [c for c in table.columns if c.startswith("p_")]
    assert "p_fai_met_low_pct" in probabilities
    assert all(c.endswith(("_pct", "_pp")) for c in probabilities), probabilities
    assert 0.0 <= table.loc[0, "p_fai_met_high_pct"] <= 100.0
