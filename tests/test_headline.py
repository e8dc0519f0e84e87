"""The terminal headline: its sector table."""

from __future__ import annotations

from pathlib import Path

import pytest

import lgsim
from lgsim.outputs.headline import headline


def test_headline_sector_table_shows_means_that_add_up():
    """The sector table leads with means, and they add up to the total line (mean growth)."""
    minimal = Path(__file__).resolve().parents[1] / "scenarios/examples/minimal.toml"
    r = lgsim.run(lgsim.load_scenario(minimal), 200, workers=1)
    lines = headline(r).splitlines()
    head = next(i for i, line in enumerate(lines) if "growth by sector (pp)" in line)
    assert lines[head].split()[-4:] == ["mean", "P50", "P10", "P90"]
    rows = lines[head + 1:]
    total = next(line for line in rows if "sum of means" in line)
    means = [float(line.split()[-4]) for line in rows[:rows.index(total)]]
    table = r.contributions("sector")
    assert means == [round(v, 2) for v in table["mean"]]
    assert means != [round(v, 2) for v in table["p50"]]  # random growth: they differ
    assert float(total.split()[-1]) == pytest.approx(100 * float(r.growth().mean()), abs=0.006)
