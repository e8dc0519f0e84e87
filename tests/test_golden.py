"""Every shipped scenario validates and runs; the minimal example is a golden file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lgsim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))


def test_there_are_scenarios():
    names = {p.stem for p in SCENARIOS}
    assert {"base", "minimal", "delay-6m", "no-further-lockdown", "land-early"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path):
    s = lgsim.load_scenario(path)
    r = lgsim.run(s, replications=60, workers=1)
    assert 0 <= r.p_target().estimate <= 1
    assert np.isfinite(r.growth()).all()
    if path.parent.name == "scenarios":  # the Longgang files: every number has its source
        assert s.sources and all(v.startswith(("source:", "assumption:"))
                                 for v in s.sources.values())


def test_minimal_is_the_smallest_valid_scenario():
    text = (ROOT / "scenarios" / "examples" / "minimal.toml").read_text(encoding="utf-8")
    doc_lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    s = lgsim.load_scenario(ROOT / "scenarios" / "examples" / "minimal.toml")
    # the five required sections and their required keys only
    assert len(doc_lines) == 10
    assert (len(s.sectors), len(s.projects), len(s.shocks)) == (1, 0, 0)


def test_base_reflects_the_article(base_scenario):
    b = {x.id: x for x in base_scenario.batches}["sz-2022-batch3"]
    assert (b.count, b.template.total_investment.params[0], b.template.first_year_plan) == (
        15, 113.1, 17.3
    )
    assert {x.id: x for x in base_scenario.lands}["consolidation-2022"].hectares.params == (231.0,)
    assert base_scenario.target.gdp_growth == 0.06
    realised = {x.id: x for x in base_scenario.shocks}["lockdown-2022-03"]
    assert realised.probability == 1.0 and realised.duration_months.is_fixed
