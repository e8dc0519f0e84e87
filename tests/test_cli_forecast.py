"""``python -m lgsim forecast | backtest | calibrate``, called in-process (small n-sims)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lgsim
from lgsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
FAST = ["--n-sims", "200", "--seed", "1"]


def _read_bom_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    return pd.read_csv(io.StringIO(raw.decode("utf-8-sig")))


def test_forecast_prints_percent_and_writes_quantiles(tmp_path, capsys) -> None:
    out = tmp_path / "fc"
    assert main(["forecast", "--horizon", "2", *FAST, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("gdp_real_growth from lgsim/data/longgang_annual.csv")
    assert "Growth in percent" in text and "naive_last" in text and "weight" in text
    assert "caveat: history only" in text and "counts that risk twice" in text
    assert "caveat: lower bound ('over X') fitted at its stated value: 2016" in text
    frame = _read_bom_csv(out / "forecast-gdp_real_growth.csv")
    assert {"indicator", "model", "year", "weight", "mean_pct", "sd_pp", "q10.0_pct",
            "q90.0_pct"} <= set(frame)
    comb = frame[frame["model"] == "combined"].set_index("year")
    assert list(comb.index) == [2021, 2022]
    # the terminal shows the same numbers, in percent: "2022  mean  sd  p10  p50  p90"
    row = next(line for line in text.splitlines() if line.startswith("2022 "))
    mean, sd = (float(v) for v in row.split()[1:3])
    assert mean == pytest.approx(comb.loc[2022, "mean_pct"], abs=0.006)
    assert sd == pytest.approx(comb.loc[2022, "sd_pp"], abs=0.006)
    assert not list(out.glob(".*.tmp"))


def test_forecast_with_gaps_near_the_end(capsys) -> None:
    args = ["forecast", "--indicator", "industry_above_size_va_real_growth", "--horizon", "2"]
    assert main([*args, *FAST]) == 0
    text = capsys.readouterr().out
    assert "no figure for 2017, 2019" in text and "ets left out" in text


def test_backtest_writes_table_records_and_plot(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["backtest", *FAST]) == 0
    text = capsys.readouterr().out
    assert "crps/last" in text and "cover80 [95% CI]" in text
    for name in ("naive_last", "naive_mean", "combined", "ar1"):
        assert f"\n{name} " in text
    out = tmp_path / "runs" / "backtest-gdp_real_growth"
    table = _read_bom_csv(out / "backtest_table.csv").set_index("model")
    assert table.loc["naive_last", "kind"] == "benchmark"
    assert table.loc["naive_last", "crps_rel_last"] == pytest.approx(1.0)
    assert table.loc["ar1", "n_origins"] == 4
    records = _read_bom_csv(out / "backtest_records.csv")
    assert sorted(records["origin"].unique()) == [2016, 2017, 2018, 2019]
    assert records.loc[records["target_year"] == 2017, "observed_pct"].iloc[0] == 9.8
    assert (out / "backtest.png").read_bytes().startswith(b"\x89PNG")
    assert not list(out.glob(".*.tmp"))


def test_calibrate_from_forecast_writes_a_scenario_that_runs(tmp_path, capsys) -> None:
    out = tmp_path / "calibrated.toml"
    assert main(["calibrate", str(BASE), "--out", str(out), "--from-forecast", *FAST]) == 0
    text = capsys.readouterr().out
    warnings = [line for line in text.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "all published years" in warnings[0]
    assert f"wrote {out}" in text
    s = lgsim.load_scenario(out)
    assert "years 2012–2020" in s.sources["sector[construction].growth"]
    r = lgsim.run(s, replications=100, workers=1)
    assert np.isfinite(r.p_target().estimate)


def test_calibrate_without_the_industry_proxy(tmp_path, capsys) -> None:
    out = tmp_path / "gdp-only.toml"
    args = ["calibrate", str(BASE), "--out", str(out), "--from-forecast",
            "--industry-indicator", "none"]
    assert main([*args, *FAST]) == 0
    capsys.readouterr()
    s = lgsim.load_scenario(out)
    sds = {x.growth.spec["sd"] for x in s.sectors}
    assert len(sds) == 1  # one GDP-level spread for every sector
    assert all("industry_above_size" not in v for v in s.sources.values())


def _bad_columns(tmp_path: Path) -> str:
    path = tmp_path / "bad.csv"
    path.write_text("year,indicator,value\n2019,gdp_real_growth,5\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["forecast", "--data", "{tmp}/missing.csv"], "missing.csv: file not found"),
        (["backtest", "--data", "{bad}"], "missing column 'unit'"),
        (["forecast", "--indicator", "gdp_nominal"], "no rows for indicator 'gdp_nominal'"),
        (["backtest", "--indicator", "gdp"], "expected '%'"),
        (["calibrate", str(BASE), "--out", "{tmp}/c.toml", "--data", "{tmp}/missing.csv"],
         "file not found"),
        (["calibrate", str(BASE), "--out", "{tmp}/c.toml", "--from-forecast",
          "--industry-indicator", "ind"], "no rows for indicator 'ind'"),
        (["calibrate", str(BASE), "--out", "{tmp}/c.toml", "--from-forecast", "--year", "2020"],
         "2020 is already published"),
        (["calibrate", "{tmp}/none.toml", "--out", "{tmp}/c.toml"], "no such file"),
        (["calibrate", str(BASE), "--out", str(BASE)], "the scenario being calibrated"),
    ],
)
def test_input_errors_exit_2_with_one_line(tmp_path, capsys, args, expect) -> None:
    argv = [a.format(tmp=tmp_path, bad=_bad_columns(tmp_path)) for a in args]
    assert main([*argv, *FAST]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "c.toml").exists()
