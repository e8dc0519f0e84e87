"""Tests of lgsim.forecasting.backtest: scores, coverage, censoring and the shipped-data table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lgsim.data import official as datasets
from lgsim.forecasting import scores
from lgsim.forecasting.backtest import backtest, crps_normal, crps_sample, wilson
from lgsim.forecasting.combine import mix
from lgsim.forecasting.models import MODELS
from lgsim.outputs.plots import backtest_chart

N_SIMS = 500


@pytest.fixture(scope="module")
def gdp() -> pd.Series:
    return datasets.growth_series()


@pytest.fixture(scope="module")
def bt(gdp: pd.Series):
    return backtest(gdp, n_sims=N_SIMS, seed=2)


# ---------------------------------------------------------------- CRPS


def test_crps_comes_from_the_scores_module() -> None:
    """One home: the backtest scores with :mod:`lgsim.forecasting.scores` (scoringrules),
    whose CRPS is checked against the closed form and the definition in test_scores.py."""
    assert crps_sample is scores.crps_sample and crps_normal is scores.crps_normal
    assert float(crps_sample(np.full(10, 0.06), 0.011)) == pytest.approx(0.049)


def test_wilson_interval() -> None:
    lo, hi = wilson(2, 4)
    assert lo == pytest.approx(0.15003898915214947) and hi == pytest.approx(0.8499610108478506)
    assert all(math.isnan(v) for v in wilson(0, 0))


# --------------------------------------------------- shipped GDP growth


def test_table_on_shipped_gdp_growth(bt) -> None:
    table = bt.table()
    assert list(table.index) == [*MODELS, "combined"]
    assert (table["n_origins"] > 0).all()
    assert bt.origins == (2016, 2017, 2018, 2019)
    assert (table["n_origins"] == 4).all()
    assert (table["n_estimate"] == 1).all()  # 2019 "7.7%左右"
    assert (table["n_lower_bound"] == 0).all()
    assert table.loc["naive_last", "kind"] == "benchmark"
    assert table.loc["naive_last", "crps_rel_last"] == pytest.approx(1)
    assert table.loc["naive_mean", "crps_rel_mean"] == pytest.approx(1)
    for level in (80, 95):
        c, lo, hi = (table[f"cover{level}{s}"] for s in ("", "_lo", "_hi"))
        assert ((0 <= lo) & (lo <= c) & (c <= hi) & (hi <= 1)).all()
    assert (table["rmse_pp"] >= table["mae_pp"]).all()
    # Everyone missed 2020 (1.1 %) by several points.
    rec = bt.records[bt.records["target_year"] == 2020]
    assert (rec["error"] > 0.04).all()
    text = bt.to_string()
    assert all(name in text for name in (*MODELS, "combined"))


def test_benchmarks_always_reported(gdp: pd.Series) -> None:
    res = backtest(gdp, models=["ar1"], n_sims=100)
    assert list(res.table().index) == ["ar1", "naive_last", "naive_mean"]


def test_lower_bound_is_censored(gdp: pd.Series) -> None:
    res = backtest(gdp, n_sims=N_SIMS, gaps="nan")
    rec = res.records[res.records["target_year"] == 2016]
    assert len(rec) > 0 and rec["lower_bound"].all()
    assert rec["error"].isna().all() and rec["crps"].isna().all()
    np.testing.assert_array_equal(rec["covered80"], (rec["q90"] >= 0.096).astype(float))
    np.testing.assert_array_equal(rec["covered95"], (rec["q97.5"] >= 0.096).astype(float))
    table = res.table()
    assert (table["n_lower_bound"] == 1).all()
    assert (table["n_scored"] == table["n_origins"] - 1).all()


def test_combination_uses_only_earlier_origins(bt) -> None:
    first = bt.origins[0]
    pool = {m: bt.samples[(m, first)] for m in MODELS}
    equal = mix(pool, {m: 1 / len(MODELS) for m in MODELS})
    np.testing.assert_array_equal(bt.samples[("combined", first)], equal)


def test_model_order_does_not_change_draws(gdp: pd.Series) -> None:
    a = backtest(gdp, models=["ar1", "ets"], n_sims=100, seed=4)
    b = backtest(gdp, models=["ets", "ar1"], n_sims=100, seed=4)
    for key in ("ar1", "ets", "naive_last"):
        ra = a.records[a.records["model"] == key].reset_index(drop=True)
        rb = b.records[b.records["model"] == key].reset_index(drop=True)
        pd.testing.assert_frame_equal(ra, rb)


def test_plot_returns_figure(bt) -> None:
    from matplotlib.figure import Figure

    fig = backtest_chart(bt)
    assert isinstance(fig, Figure)
    assert sum(ax.get_visible() for ax in fig.axes) == len(MODELS) + 1


def test_auto_gaps_leave_out_ets_on_a_series_with_late_gaps() -> None:
    ind = datasets.growth_series(indicator="industry_above_size_va_real_growth")
    res = backtest(ind, n_sims=100, gaps="auto")
    assert res.origins == (2016, 2018)
    assert "ets" not in res.models and "combined" in res.table().index
    assert any("ets left out" in n for n in res.notes)
    assert res.records["mean"].notna().all()


def test_bad_min_train(gdp: pd.Series) -> None:
    with pytest.raises(ValueError, match="min_train"):
        backtest(gdp, min_train=2)


# --------------------------------------------------------- calibration


def _ar1(
    n: int, rng: np.random.Generator, mu: float = 0.08, phi: float = 0.6, sd: float = 0.01
) -> pd.Series:
    y = np.empty(n)
    y[0] = mu + sd / math.sqrt(1 - phi**2) * rng.standard_normal()
    for t in range(1, n):
        y[t] = mu + phi * (y[t - 1] - mu) + sd * rng.standard_normal()
    return pd.Series(y, index=range(1950, 1950 + n))


@pytest.mark.slow
def test_ar1_coverage_close_to_nominal_on_synthetic_ar1() -> None:
    # Four AR(1) series with known parameters, 45 origins each: the pooled coverage's
    # Wilson interval must contain the nominal level.
    rng = np.random.default_rng(2022)
    hits = {80: 0, 95: 0}
    n = 0
    for i in range(4):
        res = backtest(_ar1(60, rng), models=["ar1"], min_train=15, n_sims=400, seed=i)
        rec = res.records[res.records["model"] == "ar1"]
        n += len(rec)
        for level in hits:
            hits[level] += int(rec[f"covered{level}"].sum())
    assert n == 180
    for level, nominal in ((80, 0.80), (95, 0.95)):
        lo, hi = wilson(hits[level], n)
        assert lo <= nominal <= hi, (level, hits[level] / n, lo, hi)
