"""lgsim.data.official and lgsim.forecasting.forecast (fast: small n_sims, shared fixtures)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lgsim.data import official as datasets
from lgsim.forecasting.combine import mix, model_weights
from lgsim.forecasting.forecast import forecast
from lgsim.forecasting.models import MODELS, FittedModel, ets_affine, fit_model, local_level_filter
from lgsim.forecasting.series import prepare
from lgsim.forecasting.streams import keyed_rngs

N_SIMS = 800


@pytest.fixture(scope="module")
def gdp() -> pd.Series:
    return datasets.growth_series()


@pytest.fixture(scope="module")
def fc(gdp: pd.Series):
    return forecast(gdp, horizon=3, n_sims=N_SIMS, seed=1)


@pytest.fixture(scope="module")
def fc_plugin(gdp: pd.Series):
    return forecast(gdp, horizon=3, n_sims=N_SIMS, seed=1, parameter_uncertainty=False)


# ------------------------------------------------------------------ datasets


def test_growth_series_is_fraction_by_year(gdp: pd.Series) -> None:
    annual = datasets.load_annual()
    pct = annual[annual["indicator"] == "gdp_real_growth"].set_index("year")["value"]
    assert list(gdp.index) == [2005, 2010, *range(2012, 2021)]
    np.testing.assert_allclose(gdp.to_numpy(), pct.sort_index().to_numpy() / 100)
    assert gdp[2017] == pytest.approx(0.098)
    assert gdp[2020] == pytest.approx(0.011)


def test_growth_flags_2016_lower_bound_and_2019_estimate(gdp: pd.Series) -> None:
    frame = datasets.growth_frame()
    assert frame.index[frame["lower_bound"]].tolist() == [2016]
    assert frame.index[frame["estimate"]].tolist() == [2019]
    assert gdp.attrs["lower_bound"] == [2016]
    assert gdp.attrs["estimate"] == [2019]
    data = prepare(gdp, gaps="nan")
    assert data.years[data.lower_bound].tolist() == [2016]
    assert data.years[data.estimate].tolist() == [2019]


def _write(tmp_path, text: str):
    path = tmp_path / "annual.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_above_size_is_not_a_lower_bound(tmp_path) -> None:
    path = _write(
        tmp_path,
        "year,indicator,value,unit,status,source,url\n"
        "2019,x_growth,5.0,%,final,规模以上工业统计,u\n"
        '2020,x_growth,6.0,%,final ("6%以上"),report,u\n',
    )
    frame = datasets.growth_frame(datasets.load_annual(path), "x_growth")
    assert frame["lower_bound"].tolist() == [False, True]


def test_missing_column_names_file_and_column(tmp_path) -> None:
    path = _write(tmp_path, "year,indicator,value,unit,source,url\n2020,g,1.1,%,s,u\n")
    with pytest.raises(ValueError, match=r"annual\.csv.*missing column 'status'"):
        datasets.load_annual(path)


def test_non_numeric_value_names_column_and_row(tmp_path) -> None:
    path = _write(
        tmp_path,
        "year,indicator,value,unit,status,source,url\n2020,g,1.1,%,f,s,u\n2021,g,about 5,%,f,s,u\n",
    )
    with pytest.raises(ValueError, match=r"column 'value', data row 2"):
        datasets.load_annual(path)


def test_level_indicator_is_not_read_as_growth() -> None:
    with pytest.raises(ValueError, match="unit"):
        datasets.growth_series(indicator="gdp")
    with pytest.raises(ValueError, match="gdp_real_growth"):
        datasets.growth_series(indicator="no_such_growth")


def test_other_loaders_read_shipped_files() -> None:
    assert datasets.load_targets().query("indicator == 'gdp_real_growth'")["target"].item() == 6.0
    assert len(datasets.load_streets()) == 11
    assert "period" in datasets.load_intra_year().columns


# ------------------------------------------------------------------ prepare


def test_prepare_gaps(gdp: pd.Series) -> None:
    tail = prepare(gdp)
    assert tail.years.tolist() == list(range(2012, 2021))
    assert tail.dropped == (2005, 2010)
    full = prepare(gdp, gaps="nan")
    assert full.years[0] == 2005 and full.years[-1] == 2020
    assert np.isnan(full.y[full.years == 2011]).all() and full.n_obs == 11


def test_prepare_auto_gaps(gdp: pd.Series) -> None:
    assert prepare(gdp, gaps="auto").years.tolist() == list(range(2012, 2021))
    assert prepare(gdp, gaps="auto", min_tail=10).years[0] == 2005  # tail too short: keep all
    ind = datasets.growth_series(indicator="industry_above_size_va_real_growth")
    data = prepare(ind, gaps="auto")
    assert data.years[0] == 2012 and data.missing == (2017, 2019) and data.n_obs == 7
    assert prepare(ind).n_obs == 1  # the 'tail' rule keeps only 2020


def test_prepare_rejects_percent() -> None:
    with pytest.raises(ValueError, match="looks like percent"):
        prepare(pd.Series([9.8, 11.0, 7.7], index=[2017, 2018, 2019]))


# ------------------------------------------------------- model internals


def test_local_level_filter_matches_statsmodels(gdp: pd.Series) -> None:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    for gaps in ("tail", "nan"):
        y = prepare(gdp, gaps=gaps).y
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = UnobservedComponents(y, level="local level").fit(disp=False)
            params = np.array([2e-4, 5e-4])  # away from the boundary, too
            res2 = res.model.filter(params)
        for r, p in ((res, res.params), (res2, params)):
            a, var = local_level_filter(y, np.array([p[0]]), np.array([p[1]]))
            assert a[0] == pytest.approx(r.filtered_state[0, -1], abs=1e-7)
            assert var[0] == pytest.approx(r.filtered_state_cov[0, 0, -1], rel=1e-5, abs=1e-10)


@pytest.mark.parametrize("damped", [False, True])
def test_ets_recursion_matches_etsmodel(damped: bool) -> None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(3)
    y = 0.1 + np.cumsum(rng.normal(0, 0.01, 14)) - 0.002 * np.arange(14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(y, error="add", trend="add" if damped else None, damped_trend=damped).fit(
            disp=False
        )
    p = np.asarray(res.params)
    a, b, phi, x0 = (
        (p[0], p[1], p[2], p[3:5]) if damped else (p[0], 0.0, 0.0, np.array([p[1], 0.0]))
    )
    r, z, c, m = ets_affine(y, np.array([a]), np.array([b]), np.array([phi]))
    e = r[0] - z[0] @ x0
    assert np.sum(e**2) == pytest.approx(res.sse, rel=1e-8)
    xt = c[0] + m[0] @ x0
    assert xt[0] + phi * xt[1] == pytest.approx(res.forecast(1)[0], rel=1e-8)


def test_ar1_plugin_one_step_matches_statsmodels(gdp: pd.Series) -> None:
    data = prepare(gdp)
    fit = fit_model("ar1", data)
    x = fit.simulate(1, 40000, keyed_rngs(0, "t"), parameter_uncertainty=False)[:, 0]
    p = fit.info["params"]
    expected = p["mean"] + p["phi"] * (data.y[-1] - p["mean"])
    assert x.mean() == pytest.approx(expected, abs=4 * np.sqrt(p["sigma2"] / 40000))
    assert x.std() == pytest.approx(np.sqrt(p["sigma2"]), rel=0.02)


def test_fitted_model_shapes(gdp: pd.Series) -> None:
    data = prepare(gdp, gaps="nan")
    for name in MODELS:
        fit = fit_model(name, data)
        assert isinstance(fit, FittedModel)
        paths = fit.simulate(3, 50, keyed_rngs(0, name), True)
        assert paths.shape == (50, 3) and np.all(np.isfinite(paths))


def test_ets_tries_damped_trend_on_longer_spans() -> None:
    rng = np.random.default_rng(0)
    y = 0.16 - 0.006 * np.arange(14) + rng.normal(0, 0.002, 14)  # a clear steady decline
    fit = fit_model("ets", prepare(pd.Series(y, index=range(2007, 2021))))
    assert set(fit.info["aicc"]) == {"A,N,N", "A,Ad,N"}
    assert fit.info["variant"] == "A,Ad,N"
    for pu in (True, False):
        paths = fit.simulate(2, 300, keyed_rngs(0, "ets"), pu)
        assert paths.shape == (300, 2) and np.all(np.isfinite(paths))


# --------------------------------------------------- parameter uncertainty


def test_parameter_uncertainty_widens_intervals(fc, fc_plugin) -> None:
    for name in MODELS:
        for year in fc.years:
            wide = np.subtract(*np.quantile(fc.sample(year, name), [0.9, 0.1]))
            narrow = np.subtract(*np.quantile(fc_plugin.sample(year, name), [0.9, 0.1]))
            assert wide > narrow, (name, year, wide, narrow)


def test_naive_mean_predictive_is_calibrated_only_with_parameter_uncertainty() -> None:
    # With parameter uncertainty the benchmark's interval is the exact Student-t
    # prediction interval: coverage is nominal for any sample size. Plug-in is not.
    rng = np.random.default_rng(11)
    reps, n = 1000, 6
    hits = {True: 0, False: 0}
    for r in range(reps):
        y = 0.08 + 0.02 * rng.standard_normal(n + 1)
        data = prepare(pd.Series(y[:n], index=range(2000, 2000 + n)))
        fit = fit_model("naive_mean", data)
        for pu in (True, False):
            x = fit.simulate(1, 400, keyed_rngs(r, "cal"), pu)[:, 0]
            lo, hi = np.quantile(x, [0.1, 0.9])
            hits[pu] += lo <= y[n] <= hi
    assert abs(hits[True] / reps - 0.8) < 0.04
    assert hits[False] / reps < 0.77


# ------------------------------------------------------------ the result


def test_forecast_years_and_outputs(fc) -> None:
    assert fc.years == (2021, 2022, 2023)
    assert fc.paths.shape == (N_SIMS, 3)
    assert set(fc.model_paths) == set(MODELS)
    assert sum(fc.weights.values()) == pytest.approx(1)
    d = fc.normal(2022)
    assert set(d) == {"mean", "sd"} and -0.2 < d["mean"] < 0.2 and 0 < d["sd"] < 0.2
    assert d["mean"] == pytest.approx(fc.sample(2022).mean())
    line = fc.scenario_growth(2022)
    assert line.startswith('growth = { dist = "normal", mean = 0.') and line.endswith("}")
    emp = fc.empirical(2022, n_values=99)
    assert emp.shape == (99,) and np.all(np.diff(emp) >= 0)
    assert fc.empirical(2022, n_values=None).shape == (N_SIMS,)
    with pytest.raises(ValueError, match="2030"):
        fc.normal(2030)


def test_to_frame_and_summary(fc) -> None:
    frame = fc.to_frame()
    assert len(frame) == (len(MODELS) + 1) * 3
    assert {"model", "year", "weight", "mean", "sd", "q10.0", "q90.0"} <= set(frame.columns)
    row = frame[(frame["model"] == "combined") & (frame["year"] == 2022)].iloc[0]
    assert row["q10.0"] < row["q50.0"] < row["q90.0"]
    long = fc.to_frame(paths=True)
    assert len(long) == (len(MODELS) + 1) * N_SIMS * 3
    summary = fc.summary()
    assert list(summary.index) == list(MODELS)
    assert summary["weight"].sum() == pytest.approx(1)
    assert (summary["n_origins"] > 0).all()
    assert summary.loc["naive_last", "kind"] == "benchmark"


def test_seeded_and_independent_of_model_order(gdp: pd.Series) -> None:
    a = forecast(gdp, models=["ar1", "naive_last"], n_sims=200, seed=5)
    b = forecast(gdp, models=["naive_last", "ar1"], n_sims=200, seed=5)
    c = forecast(gdp, models=["ar1", "naive_mean", "ets"], n_sims=200, seed=5)
    np.testing.assert_array_equal(a.model_paths["ar1"], b.model_paths["ar1"])
    np.testing.assert_array_equal(a.model_paths["ar1"], c.model_paths["ar1"])
    assert a.weights == pytest.approx(b.weights)
    d = forecast(gdp, models=["ar1", "naive_last"], n_sims=200, seed=6)
    assert not np.array_equal(a.model_paths["ar1"], d.model_paths["ar1"])


def test_weights_and_mixture() -> None:
    scores = pd.DataFrame(
        {"mse": [1.0, 3.0], "crps": [0.5, 0.4], "n_scored": [4, 4]}, index=["a", "b"]
    )
    assert model_weights(scores) == pytest.approx({"a": 0.75, "b": 0.25})
    assert model_weights(scores, "best_crps") == {"a": 0.0, "b": 1.0}
    scores.loc["b", "n_scored"] = 0
    assert model_weights(scores) == pytest.approx({"a": 0.5, "b": 0.5})
    samples = {"a": np.zeros((10, 2)), "b": np.ones((10, 2))}
    mixed = mix(samples, {"a": 0.75, "b": 0.25})
    assert mixed.shape == (10, 2) and mixed[:, 0].sum() in (2, 3)
    with pytest.raises(ValueError, match="weighting"):
        model_weights(scores, "best")  # type: ignore[arg-type]


def test_bad_inputs(gdp: pd.Series) -> None:
    with pytest.raises(ValueError, match="models"):
        forecast(gdp, models=["arima"], n_sims=50)
    with pytest.raises(ValueError, match="seed"):
        forecast(gdp, n_sims=50, seed=-1)
    with pytest.raises(ValueError, match="horizon"):
        forecast(gdp, horizon=0, n_sims=50)


def test_short_series_uses_equal_weights() -> None:
    s = pd.Series([0.1, 0.09, 0.095, 0.08, 0.085], index=range(2016, 2021))
    res = forecast(s, horizon=1, n_sims=100, min_train=5)
    assert res.backtest.n_origins == 0
    assert res.weights == pytest.approx({m: 1 / len(MODELS) for m in MODELS})
    assert any("equal weights" in n for n in res.notes)


def test_auto_gaps_fit_a_series_with_late_gaps_without_ets() -> None:
    ind = datasets.growth_series(indicator="industry_above_size_va_real_growth")
    with pytest.raises(ValueError, match="needs at least 4 figures"):
        forecast(ind, horizon=2, n_sims=100)
    res = forecast(ind, horizon=2, n_sims=100, gaps="auto")
    assert set(res.model_paths) == {"ar1", "local_level", "naive_last", "naive_mean"}
    assert res.data.missing == (2017, 2019) and res.backtest.origins == (2016, 2018)
    assert any("ets left out: needs 4 consecutive years" in n for n in res.notes)
    assert any("no figure for 2017, 2019" in n for n in res.notes)
    with pytest.raises(ValueError, match="ets"):  # asked for explicitly: not dropped
        forecast(ind, horizon=2, n_sims=100, gaps="auto", models=["ar1", "ets"])


def test_auto_gaps_equal_tail_when_the_tail_is_long(gdp: pd.Series) -> None:
    a = forecast(gdp, horizon=2, n_sims=200, seed=4, gaps="auto")
    b = forecast(gdp, horizon=2, n_sims=200, seed=4)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.weights == b.weights


def test_caveats_name_bounds_estimates_origins_and_the_lowest_year(fc) -> None:
    text = "\n".join(fc.caveats())
    assert "nothing after 2020" in text
    assert "2021 is not published" in text and "2022, 2023" in text
    assert "lower bound ('over X') fitted at its stated value: 2016" in text
    assert "estimate ('about X') fitted as stated: 2019" in text
    assert "4 backtest origins" in text
    assert "the lowest, 2020 (1.1%)" in text and "twice" in text
