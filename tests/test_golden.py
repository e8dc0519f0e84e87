"""Every shipped scenario validates and runs; the base scenario's summary is a golden file.

``tests/golden/base_summary.json`` is the ``summary.json`` of ``python -m lgsim run
scenarios/base.toml``. A change that moves any of its numbers fails here; if the change
is intended, run ``python tools/regenerate_golden.py`` and review ``git diff tests/golden``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lgsim
from lgsim.outputs.rundir import summary_text
from lgsim.scenario.sources import source_prefix

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))
GOLDEN = ROOT / "tests" / "golden" / "base_summary.json"


def test_base_summary_is_the_golden_file(base_scenario):
    r = lgsim.run(base_scenario, workers=2)  # the scenario's own seed and replications
    expected = GOLDEN.read_text(encoding="utf-8")
    assert summary_text(r) == expected, (
        "the base scenario's summary changed; if intended, run "
        "`python tools/regenerate_golden.py` and review `git diff tests/golden`"
    )


def test_there_are_scenarios():
    names = {p.stem for p in SCENARIOS}
    assert {"base", "minimal", "delay-6m", "no-further-lockdown", "land-early"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path):
    s = lgsim.load_scenario(path)
    r = lgsim.run(s, replications=60, workers=1)
    assert np.isfinite(r.growth()).all()
    # every replication's sector contributions add up to its growth (in pp)
    total = r.ds["sector_pp"].sel(year=s.target_year).sum("sector").values
    np.testing.assert_allclose(total, 100 * r.growth(), rtol=0, atol=1e-9)
    if path.parent.name == "scenarios":  # the Longgang files: every number has its source
        assert s.sources and all(source_prefix(v) for v in s.sources.values())


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
