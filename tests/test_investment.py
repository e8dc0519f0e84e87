"""Investment as analysts count it: IO spillovers, district FAI, several years' targets.

Known answers: a two-sector table without imports returns every yuan of additional
spending as value added when all rounds are local; a local share of 0 leaves only the
direct value added; a hand-computed Leontief case gives its sector split; district FAI is
organic FAI plus listed spending in every month.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.engine import compile_plan, simulate_chunk
from lgsim.engine.draws import draw_chunk
from lgsim.engine.spillovers import direct_value_added, indirect_value_added

ROOT = Path(__file__).resolve().parent.parent

#: A 2 × 2 table without imports: Z = [[20, 30], [10, 40]], outputs 100 and 200, value
#: added 70 and 130, GFCF 20 and 80.  A = [[0.2, 0.15], [0.1, 0.2]], v = [0.7, 0.65],
#: y = [0.2, 0.8] per unit of spending.
TOY_TABLE = """\
row_type,row,industry,construction,gfcf,total_output
domestic_product,industry,20,30,20,100
domestic_product,construction,10,40,80,200
value_added,va_total,70,130,,
total,total_input,100,200,,
"""
A = np.array([[0.2, 0.15], [0.1, 0.2]])
V = np.array([0.7, 0.65])
Y = np.array([0.2, 0.8])


def test_hand_computed_leontief_split() -> None:
    # direct: v ⊙ y = [0.14, 0.52]
    np.testing.assert_allclose(direct_value_added(V, Y), [0.14, 0.52], rtol=0, atol=1e-15)
    ind = indirect_value_added(A, V, Y, np.array([1.0, 0.5, 0.0]))
    # λ = 1: (I − A)⁻¹ = [[1.28, 0.24], [0.16, 1.28]], x = [0.448, 1.056],
    # indirect = v ⊙ (x − y) = [0.7 × 0.248, 0.65 × 0.256]
    np.testing.assert_allclose(ind[0], [0.1736, 0.1664], rtol=0, atol=1e-12)
    # λ = 0.5: det(I − A/2) = 0.80625, x = [0.24, 0.73] / 0.80625
    x = np.array([0.24, 0.73]) / 0.80625
    np.testing.assert_allclose(ind[1], V * (x - Y), rtol=0, atol=1e-12)
    # λ = 0: nothing indirect
    assert np.array_equal(ind[2], [0.0, 0.0])
    # without imports and with every round local, all of the spending is value added
    assert abs(direct_value_added(V, Y).sum() + ind[0].sum() - 1.0) < 1e-12


def _toy_scenario(tmp_path: Path, *, local: str = "1.0", project: bool = True,
                  additionality: str = "0.7") -> lgsim.Scenario:
    (tmp_path / "toy.csv").write_text(TOY_TABLE, encoding="utf-8")
    body = f"""\
        [scenario]
        base_year = 2021
        end_year = 2022
        seed = 11
        replications = 64

        [target]
        gdp_growth = 0.06

        [economy]
        gdp = 1000.0

        [io]
        table = "toy.csv"
        local_share = {local}

        [[sector]]
        id = "industry"
        share = 0.6
        growth = {{ dist = "normal", mean = 0.05, sd = 0.03 }}

        [[sector]]
        id = "construction"
        share = 0.4
        growth = {{ dist = "normal", mean = 0.04, sd = 0.03 }}
        """
    if project:
        body += f"""
        [[project]]
        id = "p1"
        sector = "construction"
        total_investment = 100.0
        planned_start = 2022-02-01
        start_delay_months = {{ dist = "uniform", low = 0.0, high = 2.0 }}
        duration_months = {{ dist = "pert", low = 3, mode = 5, high = 8 }}
        additionality = {additionality}
        """
    path = tmp_path / ("with.toml" if project else "without.toml")
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return lgsim.load_scenario(path)


def _project_va(res: lgsim.Results) -> tuple[np.ndarray, np.ndarray]:
    """Direct and indirect value added of project p1 in 2022, 亿元, per replication."""
    pp = res.ds["component_pp"].sel(year=2022)
    gdp0 = res.ds["gdp"].sel(year=2021).values
    direct = pp.sel(component="project:p1").values * gdp0 / 100.0
    indirect = pp.sel(component="project:p1:indirect").values * gdp0 / 100.0
    return direct, indirect


def test_all_local_no_imports_returns_spending_times_additionality(tmp_path: Path) -> None:
    res = lgsim.run(_toy_scenario(tmp_path), workers=1)
    direct, indirect = _project_va(res)
    # 100亿 spent inside 2022 in every replication (start by April, at most 8 months)
    spent = res.ds["investment"].sel(year=2022, project="p1").values
    np.testing.assert_allclose(spent, 100.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(direct + indirect, 100.0 * 0.7, rtol=0, atol=1e-9)
    np.testing.assert_allclose(direct, 100.0 * 0.7 * 0.66, rtol=0, atol=1e-9)


def test_sector_split_against_the_run_without_the_project(tmp_path: Path) -> None:
    with_p = lgsim.run(_toy_scenario(tmp_path), workers=1)
    without = lgsim.run(_toy_scenario(tmp_path, project=False), workers=1)
    extra = (with_p.ds["va"].sel(year=2022) - without.ds["va"].sel(year=2022)).values
    # per sector: 70 × (direct + indirect) = 70 × [0.14 + 0.1736, 0.52 + 0.1664]
    np.testing.assert_allclose(extra, np.broadcast_to([70 * 0.3136, 70 * 0.6864], extra.shape),
                               rtol=0, atol=1e-9)


def test_local_share_zero_leaves_only_direct_value_added(tmp_path: Path) -> None:
    res = lgsim.run(_toy_scenario(tmp_path, local="0.0"), workers=1)
    direct, indirect = _project_va(res)
    np.testing.assert_allclose(direct, 100.0 * 0.7 * 0.66, rtol=0, atol=1e-9)
    assert np.array_equal(indirect, np.zeros_like(indirect))


def test_drawn_local_share_moves_indirect_value_added(tmp_path: Path) -> None:
    res = lgsim.run(_toy_scenario(tmp_path, local='{ dist = "uniform", low = 0.0, high = 1.0 }'),
                    workers=1)
    _, indirect = _project_va(res)
    local = res.ds["io_local_share"].values
    expected = 70.0 * indirect_value_added(A, V, Y, local).sum(axis=1)
    np.testing.assert_allclose(indirect, expected, rtol=1e-12, atol=1e-12)
    assert np.corrcoef(local, indirect)[0, 1] > 0.99
    spending = res.spending()
    assert abs(spending["direct"] - 0.66) < 1e-12
    assert abs(spending["direct"] + spending["indirect"] + spending["leakage"] - 1.0) < 1e-12
    assert res.summary()["spending_value_added"]["direct_per_yuan"] == spending["direct"]


def test_district_fai_is_organic_plus_listed_every_month() -> None:
    sc = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    plan = compile_plan(sc)
    n, seed = 40, 5
    out = simulate_chunk(plan, seed, 0, n, keep=("paths",))
    d = draw_chunk(plan, seed, 0, n)
    ec = sc.economy
    season = np.array(ec.fai_seasonality)
    listed = out["investment_monthly_project"].sum(axis=2)  # (R, M)
    industrial = np.isin(d.sector, [sc.sector_index(s) for s in ec.industrial_sectors])
    listed_ind = (out["investment_monthly_project"] * industrial[:, None, :]).sum(axis=2)
    parts = [ec.fai - ec.industrial_fai, ec.industrial_fai]
    organic = np.zeros((n, 2, plan.n_months))
    for q, base in enumerate(parts):
        level = np.full(n, base)
        for m in range(plan.n_months):
            if m % 12 == 0:
                level = level * (1.0 + d.fai_growth[:, q, m // 12])
            organic[:, q, m] = level * season[m % 12]
    total = organic.sum(axis=1) + listed
    np.testing.assert_allclose(out["fai_monthly"], total, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out["industrial_fai_monthly"], organic[:, 1] + listed_ind,
                               rtol=0, atol=1e-9)
    # annual sums and the listed part
    np.testing.assert_allclose(out["fai"][:, 1:], total.reshape(n, -1, 12).sum(axis=2),
                               rtol=1e-12)
    np.testing.assert_allclose(out["fai_listed"][:, 1:], listed.reshape(n, -1, 12).sum(axis=2),
                               rtol=1e-12, atol=1e-12)
    assert np.all(out["fai"][:, 0] == ec.fai)


def test_listed_spending_is_counted_once_in_fai(tmp_path: Path) -> None:
    """Removing every listed entry removes exactly its spending from district FAI."""
    base = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    doc = {k: v for k, v in base.document.items() if k not in ("batch", "pipeline")}
    doc["sources"] = {k: v for k, v in doc["sources"].items()
                      if not k.startswith(("batch[", "pipeline["))}
    bare = lgsim.Scenario.from_document(doc, "bare (test)")
    a = lgsim.run(base, replications=200, workers=1)
    b = lgsim.run(bare, replications=200, workers=1)
    listed = a.ds["investment"].sel(year=2022).sum("project").values
    gap = a.ds["fai"].sel(year=2022).values - b.ds["fai"].sel(year=2022).values
    np.testing.assert_allclose(gap, listed, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.ds["fai_listed"].sel(year=2022).values, listed, rtol=0,
                               atol=1e-9)


def test_fai_targets_level_and_growth(tmp_path: Path) -> None:
    base = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    res = lgsim.run(base, replications=300, workers=1)
    fai = res.ds["fai"].sel(year=2022).values
    p = res.p_investment()["fai"]
    assert p.estimate == pytest.approx(np.mean(fai >= 1400.0), abs=1e-12)
    grown = base.with_changes({"target.fai_growth": 0.05})
    res_g = lgsim.run(grown, replications=300, workers=1)
    before = res_g.ds["fai"].sel(year=2021).values
    assert res_g.p_investment()["fai_growth"].estimate == pytest.approx(
        np.mean(res_g.ds["fai"].sel(year=2022).values / before - 1.0 >= 0.05), abs=1e-12)


def test_every_year_has_its_target_and_all_met_is_joint() -> None:
    base = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    res = lgsim.run(base, replications=400, workers=1)
    by_year = res.p_by_year()
    assert sorted(by_year) == [2022, 2023, 2024]
    joint = np.logical_and.reduce([res.met(y) for y in (2022, 2023, 2024)])
    assert res.p_all_years().estimate == pytest.approx(joint.mean(), abs=1e-12)
    assert res.p_all_years().estimate <= min(p.estimate for p in by_year.values())
    # a later year's target inherits the rule (decimals) of [target]
    assert res.target_of(2023).decimals == base.target.decimals


def test_completed_projects_produce_in_later_years() -> None:
    base = lgsim.load_scenario(ROOT / "scenarios" / "base-unconditioned.toml")
    idle = base.with_changes({"sector[industry].output_per_investment": 0.0})
    res = lgsim.run(base, replications=200, workers=1)
    res0 = lgsim.run(idle, replications=200, workers=1)
    # nothing listed finishes in 2022 (18 months at least), so no output then ...
    assert np.nanmin(res.ds["finish_month"].values) >= 12
    gain = (res.ds["gdp"] - res0.ds["gdp"]).values
    assert np.all(gain[:, :2] == 0.0)
    # ... and finished industrial projects produce, ramping up, in 2023 and more in 2024
    assert 0.0 < gain[:, 2].mean() < gain[:, 3].mean()
