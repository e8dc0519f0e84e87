"""The monthly tracker: known answers, news that add up, repeats, vintages, files, bad input.

A track conditions month by month on the figures published by then, all months on one
set of replications (``lgsim.montecarlo.tracking``); the news of each release are
differences of one chain of states on those replications (``lgsim.studies.track``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.analysis import weighted_mean
from lgsim.cli import main
from lgsim.data.published import load_published
from lgsim.engine.observe import FigureSpec, simulated_figures
from lgsim.studies.track import track

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
HEADER = "area,indicator,period,value,unit,kind,source_title,published,reliability,note\n"

SYNTHETIC = """
[scenario]
base_year = 2021
seed = 11
replications = {n}

[target]
gdp_growth = 0.05
sectors = {{ industry = 0.045 }}

[economy]
gdp = 1000.0

[[sector]]
id = "industry"
share = 0.6
growth = {{ dist = "normal", mean = 0.05, sd = 0.03 }}

[[sector]]
id = "services"
share = 0.4
growth = {{ dist = "normal", mean = 0.05, sd = 0.02 }}

[[indicator]]
id = "ind"
area = "Testville"
indicator = "gdp_industry"
quantity = "value_added"
sectors = ["industry"]
sd = {sd}

[[indicator]]
id = "gdp"
area = "Testville"
indicator = "gdp"
quantity = "gdp"
sd = 0.01
"""


def _scenario(write, sd: float = 1e-4, n: int = 1000):
    return lgsim.load_scenario(write(SYNTHETIC.format(sd=sd, n=n)))


def _data(tmp_path: Path, rows: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _sd(x: np.ndarray, w: np.ndarray | None) -> float:
    m = weighted_mean(x, w)
    return float(np.sqrt(weighted_mean((x - m) ** 2, w)))


# ---------------------------------------------------------------------- known answers
def test_an_exact_release_pins_the_industry_year_to_date_growth(write, tmp_path):
    sc = _scenario(write, sd=1e-4)
    data = _data(tmp_path, "Testville,gdp_industry,2022-03,1.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    t = track(sc, str(data), (2022, 3), (2022, 5), workers=1)
    (k,) = [i for i, r in enumerate(t.releases) if r.figure.indicator == "gdp_industry"]
    model = t.values("figure_model")[:, k]
    before, after = t.weights("2022-03"), t.weights("2022-04")
    assert abs(float(weighted_mean(model, before)) - 0.05) < 0.005  # the prior
    assert float(weighted_mean(model, after)) == pytest.approx(0.01, abs=2e-4)
    assert _sd(model, after) < 1e-3  # pinned: the prior sd is 3 pp
    # with monthly_sd = 0 the year grows as its first quarter: the sub-target is missed
    april = t.month("2022-04")
    sub = dict((tf.key, p) for tf, p in april.stats.targets)["sector:industry"]
    assert sub.estimate < 1e-3
    assert april.stats.ess > 200


def test_a_release_at_its_prior_predictive_mean_leaves_expected_growth_unchanged(write,
                                                                                  tmp_path):
    # GDP's year-to-date growth is its annual growth (monthly_sd = 0): prior predictive
    # mean 5.0% (both sectors' growth have mean 5%); the posterior mean given y = 5.0%
    # is the prior mean in this linear-Gaussian model
    sc = _scenario(write, sd=0.02, n=2000)
    data = _data(tmp_path, "Testville,gdp,2022-03,5.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    t = track(sc, str(data), (2022, 3), (2022, 4), workers=1)
    (news,) = t.month("2022-04").news
    g = t.values("growth")[:, 1]
    w = t.weights("2022-04")
    se = _sd(g, w) / math.sqrt(t.month("2022-04").stats.ess)
    assert abs(news.d_growth) < 4 * se
    assert abs(news.growth_after - 0.05) < 4 * se
    assert news.growth_before == pytest.approx(t.month("2022-03").stats.mean_growth)


def test_a_surprising_release_moves_expected_growth_as_the_normal_posterior(write, tmp_path):
    # industry N(5%, 3%²), services N(5%, 2%²), correlation 0: GDP growth N(5%, s²) with
    # s² = 0.6²·0.03² + 0.4²·0.02²; a GDP figure y with sd τ gives the posterior mean
    # 5% + s²/(s² + τ²)·(y − 5%)
    sc = _scenario(write, sd=0.02, n=4000)
    data = _data(tmp_path, "Testville,gdp,2022-03,1.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    t = track(sc, str(data), (2022, 3), (2022, 4), workers=2)
    s2 = 0.6 ** 2 * 0.03 ** 2 + 0.4 ** 2 * 0.02 ** 2
    expected = 0.05 + s2 / (s2 + 0.01 ** 2) * (0.01 - 0.05)
    g = t.values("growth")[:, 1]
    w = t.weights("2022-04")
    se = _sd(g, w) / math.sqrt(t.month("2022-04").stats.ess)
    # the shares of base-year value added weight the sectors' growth exactly (no shocks)
    assert t.month("2022-04").stats.mean_growth == pytest.approx(expected, abs=4 * se)


# ---------------------------------------------------------------------- the base track
@pytest.fixture(scope="module")
def base_track():
    base = lgsim.load_scenario(ROOT / "scenarios" / "base.toml")
    return track(base, None, (2022, 1), (2022, 6), replications=1000, workers=2)


def test_news_add_up_to_each_month_s_change(base_track):
    t = base_track
    prev = t.opening
    moved = 0
    for m in t.months:
        total = sum(n.d_p for n in m.news)
        assert abs(total - (m.stats.p.estimate - prev.stats.p.estimate)) < 1e-12
        growth = sum(n.d_growth for n in m.news)
        assert abs(growth - (m.stats.mean_growth - prev.stats.mean_growth)) < 1e-12
        if m.news:
            moved += 1
            assert m.news[0].p_before == prev.stats.p.estimate
            assert m.news[-1].p_after == m.stats.p.estimate
        prev = m
    assert moved == 2  # March (Longgang's 1–2月 figures) and April (Shenzhen's Q1 GDP)


def test_shapley_news_add_up_too(base_track):
    base = base_track.scenario
    t = track(base, None, (2022, 3), (2022, 4), replications=500, workers=1, news="shapley")
    prev = t.opening
    for m in t.months:
        assert abs(sum(n.d_p for n in m.news)
                   - (m.stats.p.estimate - prev.stats.p.estimate)) < 1e-12
        prev = m


def test_a_month_without_release_repeats_the_last_value(base_track):
    t = base_track
    may, june = t.month("2022-05"), t.month("2022-06")
    assert may.repeated and june.repeated and not may.news
    assert may.stats.p == t.month("2022-04").stats.p == june.stats.p
    data = t.to_dict()
    assert data["months"][4]["note"].startswith("no new release: same as 2022-04")


def test_the_base_track_reads_the_shipped_figures(base_track):
    t = base_track
    labels = {(r.figure.area, r.figure.indicator, r.figure.period) for r in t.releases}
    assert labels == {("Longgang", "industrial_va_above_scale", "2022-02"),
                      ("Longgang", "fai", "2022-02"), ("Longgang", "industrial_investment",
                                                       "2022-02"),
                      ("Longgang", "retail_sales", "2022-02"), ("Shenzhen", "gdp", "2022-03")}
    retail = next(r for r in t.releases if r.figure.indicator == "retail_sales")
    assert retail.observation.value == pytest.approx(1.024 / 1.015 - 1)  # deflated
    assert retail.observation.sector == "wholesale_retail"
    reasons = {g.reason for g in t.ignored}
    assert "no [[indicator]] entry maps Shenzhen industrial_va_above_scale" in reasons
    assert all(m.stats.ess > 500 for m in t.months)
    big = t.largest_news()
    assert big.release.figure.indicator == "industrial_va_above_scale" and big.d_p < 0
    keys = [tf.key for tf, _ in t.opening.stats.targets]
    assert keys == ["sector:industry", "fai", "industrial_fai"]


def test_tracks_are_identical_for_any_worker_count(write, tmp_path):
    sc = _scenario(write, sd=0.01, n=600)
    data = _data(tmp_path, "Testville,gdp,2022-03,2.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    one = track(sc, str(data), (2022, 1), (2022, 6), workers=1, chunk_size=100)
    two = track(sc, str(data), (2022, 1), (2022, 6), workers=2, chunk_size=100)
    assert one.to_dict() == two.to_dict()


# ---------------------------------------------------------------------- vintages, bounds
def test_a_later_vintage_replaces_the_figure_as_a_revision(write, tmp_path):
    sc = _scenario(write, sd=0.01, n=600)
    data = _data(tmp_path, (
        "Testville,gdp,2022-03,1.5,%,prelim_growth_pct,flash,2022-04-10,A,\n"
        "Testville,gdp,2022-03,3.0,%,ytd_growth_pct,bureau,2022-05-15,A,\n"))
    t = track(sc, str(data), (2022, 4), (2022, 5), workers=1)
    (april,) = t.month("2022-04").news
    (may,) = t.month("2022-05").news
    assert april.kind == "release" and may.kind == "revision"
    assert len(t.month("2022-05").known) == 1  # the final figure replaced the flash one
    assert may.d_growth > 0  # 3.0% is better news than 1.5%


def test_a_more_than_figure_is_a_lower_bound(write, tmp_path):
    # "GDP grew more than 8%" observes ŷ + e ≥ 8% (e ~ N(0, 1 pp²)): the posterior of
    # GDP growth g ~ N(5%, s²) is the prior times Φ((g − 8%) / 1 pp)
    from scipy import integrate, stats

    sc = _scenario(write, sd=0.01, n=4000)
    data = _data(tmp_path,
                 "Testville,gdp,2022-03,8.0,%,ytd_growth_pct,t,2022-04-20,A,超过 (more than)\n")
    t = track(sc, str(data), (2022, 3), (2022, 4), workers=2)
    (r,) = t.releases
    assert r.bound
    s = math.sqrt(0.6 ** 2 * 0.03 ** 2 + 0.4 ** 2 * 0.02 ** 2)

    def post(g):
        return stats.norm.pdf(g, 0.05, s) * stats.norm.cdf((g - 0.08) / 0.01)

    mass = integrate.quad(post, -0.2, 0.3)[0]
    mean = integrate.quad(lambda g: g * post(g), -0.2, 0.3)[0] / mass
    april = t.month("2022-04").stats
    se = _sd(t.values("growth")[:, 1], t.weights("2022-04")) / math.sqrt(april.ess)
    assert april.mean_growth == pytest.approx(mean, abs=4 * se)
    assert april.mean_growth > 0.07


def test_rows_nobody_maps_are_reported_and_the_track_runs(write, tmp_path):
    sc = _scenario(write, sd=0.01, n=300)
    data = _data(tmp_path, (
        "Testville,gdp,2022-03,2.0,%,ytd_growth_pct,t,2022-04-20,A,\n"
        "Testville,exports,2022-03,9.0,%,ytd_growth_pct,t,2022-04-20,A,\n"
        "Testville,gdp,2022-03,700.0,亿元,level_yi,t,2022-04-20,A,\n"))
    t = track(sc, str(data), (2022, 4), (2022, 4), workers=1)
    reasons = sorted(g.reason for g in t.ignored)
    assert reasons == ["a level (only growth figures observe the model)",
                       "no [[indicator]] entry maps Testville exports"]
    assert "Not used: 2 published row(s)" in t.to_text()


# ---------------------------------------------------------------------- windows
def test_single_month_windows_of_value_added_and_investment():
    rng = np.random.default_rng(3)
    monthly = rng.uniform(50, 100, size=(4, 2, 24))
    base = rng.uniform(50, 100, size=(2, 12))
    figs = (FigureSpec((0, 1), 2, 5, 0.0, 1.0, "p", "l", "va", 5),
            FigureSpec((1,), 1, 2, 0.0, 1.0, "p", "l", "va", 1),
            FigureSpec((0,), 1, 6, 0.0, 1.0, "p", "l", "fai", 4))
    fai = rng.uniform(10, 20, size=(4, 24))
    fai_base = rng.uniform(10, 20, size=12)
    got = simulated_figures(figs, monthly, base, {"fai": np.zeros((4, 3, 12))},
                            {"fai": (fai, fai_base)})
    may = monthly[:, :, 16].sum(axis=1) / monthly[:, :, 4].sum(axis=1) - 1
    jan_feb = monthly[:, 1, :2].sum(axis=1) / base[1, :2].sum() - 1
    q2 = fai[:, 3:6].sum(axis=1) / fai_base[3:6].sum() - 1
    np.testing.assert_allclose(got, np.column_stack([may, jan_feb, q2]), rtol=1e-14)


# ---------------------------------------------------------------------- command line
def test_track_writes_its_files(tmp_path, capsys):
    out = tmp_path / "t"
    code = main(["track", str(CORPUS / "valid" / "tracked.toml"), "--data",
                 str(CORPUS / "published" / "valid.csv"), "--from", "2022-01", "--to",
                 "2022-06", "-n", "300", "--workers", "1", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "monthly track 2022-01 to 2022-06" in text and "Largest news:" in text
    for name in ("track.csv", "news.csv", "track.json", "track.png", "news.png",
                 "track.html"):
        assert (out / name).is_file(), name
    raw = (out / "track.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    data = json.loads((out / "track.json").read_text(encoding="utf-8"))
    assert [m["month"] for m in data["months"]] == [f"2022-{k:02d}" for k in range(1, 7)]
    html = (out / "track.html").read_text(encoding="utf-8")
    assert "月度跟踪 Monthly tracker" in html
    # the page names the shipped areas in Chinese; track.json keeps their ids
    releases = [n for m in data["months"] for n in m["news"] if n.get("area") == "Longgang"]
    assert releases and all(" Longgang " in n["release"] for n in releases)
    assert "Longgang" not in html and releases[0]["release"].replace(
        "Longgang", "龙岗区") in html


def test_track_files_name_their_units(tmp_path):
    import pandas as pd
    from test_units import SUFFIXES, UNITLESS, _labelled, _numbers

    out = tmp_path / "t"
    assert main(["track", str(CORPUS / "valid" / "tracked.toml"), "--data",
                 str(CORPUS / "published" / "valid.csv"), "-n", "200", "--workers", "1",
                 "--no-plots", "--no-report", "--out", str(out)]) == 0
    data = json.loads((out / "track.json").read_text(encoding="utf-8"))
    assert not [p for p, _ in _numbers(data) if not _labelled(p)]
    for name in ("track.csv", "news.csv"):
        frame = pd.read_csv(out / name, encoding="utf-8-sig")
        for col in frame.columns:
            if pd.api.types.is_float_dtype(frame[col]):
                assert col.endswith(SUFFIXES) or col in UNITLESS, (name, col)


#: Broken published-data files: (file, where, fragment of the message).
BAD_DATA = [
    ("unit_contradicts_kind.csv", "row 2, column unit", "a unit of a growth rate"),
    ("level_in_percent.csv", "row 2, column unit", "a money unit"),
    ("fractions_as_percent.csv", "row 2, column value", "fractions written as percent?"),
    ("percent_as_fraction.csv", "row 2, column value", "percent written as fractions?"),
    ("period_unparseable.csv", "row 2, column period", "found 'Feb 2022'"),
    ("period_month_13.csv", "row 2, column period", "found '2022-13'"),
    ("two_values_one_vintage.csv", "row 3, column value",
     "two different values for one indicator, period and vintage"),
    ("missing_unit_column.csv", "row 1", "no column 'unit'"),
    ("published_not_a_date.csv", "row 2, column published", "a date YYYY-MM-DD"),
    ("unknown_kind.csv", "row 2, column kind", "found 'quarterly_growth'"),
    ("value_not_a_number.csv", "row 2, column value", "found 'about 2'"),
]


@pytest.mark.parametrize(("name", "where", "fragment"), BAD_DATA, ids=[b[0] for b in BAD_DATA])
def test_bad_data_gets_one_line_and_writes_nothing(tmp_path, capsys, name, where, fragment):
    data = CORPUS / "published" / name
    out = tmp_path / "t"
    code = main(["track", str(CORPUS / "valid" / "tracked.toml"), "--data", str(data),
                 "-n", "100", "--workers", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"{data}: {where}: expected "), line
    assert fragment in line
    assert not out.exists()


def test_an_unknown_indicator_in_the_scenario_gets_one_line(tmp_path, capsys):
    out = tmp_path / "t"
    code = main(["track", str(CORPUS / "indicator_unknown_indicator.toml"), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert "indicator[lg-industry].indicator: expected an indicator of the published data" \
        in line
    assert not out.exists()


def test_a_figure_the_model_cannot_produce_names_the_data_row(write, tmp_path, capsys):
    path = write(SYNTHETIC.format(sd=0.001, n=300))
    data = _data(tmp_path, "Testville,gdp,2022-03,60.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    out = tmp_path / "t"
    code = main(["track", str(path), "--data", str(data), "--out", str(out), "-n", "300"])
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2 and line.startswith(f"{data}: indicator[gdp] 2022年1–3月 (row 2): ")
    assert "a figure the model can produce" in line and not out.exists()


def test_indicator_targets_in_the_headline_and_the_track(tmp_path, capsys):
    example = ROOT / "scenarios" / "examples" / "indicator-targets.toml"
    r = lgsim.run(lgsim.load_scenario(example), replications=300, workers=1)
    summary = r.summary()["indicator_targets"]
    assert summary["fai"]["modelled"] and summary["fai"]["p_met_pct"] is not None
    assert summary["general_budget_revenue"] == {
        "name": "一般公共预算收入", "rule": "growth >= 4.95% (左右 5%)", "modelled": False,
        "reason": "no [[indicator]] maps general_budget_revenue of Longgang",
        "p_met_pct": None, "ci_pct": None}
    # the indicator target on FAI is the [target] fai target judged the same way
    assert summary["fai"]["p_met_pct"] == r.summary()["investment_targets"]["fai"]["p_met_pct"]
    t = track(r.scenario, load_published(), (2022, 3), (2022, 3), replications=300,
              workers=1)
    keys = {tf.key: p for tf, p in t.month("2022-03").stats.targets}
    assert keys["indicator:general_budget_revenue"] is None
    assert keys["indicator:industrial_va_above_scale"] is not None


@pytest.mark.slow
def test_the_june_state_agrees_with_a_run_on_the_same_figures(tmp_path):
    # base.toml's [actuals] are the figures its [[indicator]] entries map from the shipped
    # data, except Longgang's 1–2月 retail sales: without that entry, the track's June
    # state and the conditioned run estimate the same posterior
    noretail = tmp_path / "noretail.toml"
    noretail.write_text(f'extends = "{(ROOT / "scenarios" / "base.toml").as_posix()}"\n'
                        'remove = ["indicator[lg-retail]"]\n', encoding="utf-8")
    sc = lgsim.load_scenario(noretail)
    t = track(sc, None, (2022, 6), (2022, 6), replications=6000, workers=2)
    r = lgsim.run(sc, replications=6000, workers=2)
    june = t.month("2022-06").stats
    g_run = float(weighted_mean(r.growth(), r.weights))
    w = t.weights("2022-06")
    g = t.values("growth")[:, 1]
    se = math.hypot(_sd(g, w) / math.sqrt(june.ess),
                    _sd(r.growth(), r.weights) / math.sqrt(r.ess))
    assert june.mean_growth == pytest.approx(g_run, abs=4 * se)
    assert june.p.method == "conditional"
    p_run = r.p_target()
    se_p = math.hypot((june.p.high - june.p.low) / 3.92, (p_run.high - p_run.low) / 3.92)
    assert june.p.estimate == pytest.approx(p_run.estimate, abs=4 * se_p)
    fai_track = dict((tf.key, p) for tf, p in june.targets)["fai"]
    fai_run = r.p_investment()["fai"]
    se_f = math.hypot((fai_track.high - fai_track.low) / 3.92, (fai_run.high - fai_run.low) / 3.92)
    assert fai_track.estimate == pytest.approx(fai_run.estimate, abs=4 * se_f)


def test_a_track_of_another_scenario_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "t"
    out.mkdir()
    (out / "track.json").write_text('{"scenario": "other"}', encoding="utf-8")
    code = main(["track", str(CORPUS / "valid" / "tracked.toml"), "--data",
                 str(CORPUS / "published" / "valid.csv"), "-n", "100", "--workers", "1",
                 "--out", str(out)])
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2 and "a track of scenario 'other'" in line
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["track.json"]


def test_a_period_without_any_release_is_the_prior(write, tmp_path):
    sc = _scenario(write, sd=0.01, n=300)
    data = _data(tmp_path, "Testville,gdp,2022-03,2.0,%,ytd_growth_pct,t,2022-04-20,A,\n")
    t = track(sc, str(data), (2022, 1), (2022, 3), workers=1)
    assert t.releases == [] and t.components == 1 and t.pilot_replications == 0
    prior = lgsim.run(sc, replications=300, workers=1)
    # the same replications, the same conditional estimator: the same number
    assert t.month("2022-03").stats.p == prior.p_target()
    assert all(m.repeated for m in t.months) and t.largest_news() is None


def test_months_outside_the_simulated_years_name_the_flag(capsys):
    code = main(["track", str(ROOT / "scenarios" / "base.toml"), "--from", "2021-05"])
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2
    assert line.endswith("base.toml: --from: expected a month YYYY-MM within the simulated "
                         "years 2022–2024, found 2021-05")
