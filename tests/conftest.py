"""Shared fixtures: tiny scenarios written to temporary files.

The suite reads lgsim's output in English: ``LGSIM_LANG=en`` is set here for this
process and every process it starts (Chinese, the default, is tested in
``tests/test_i18n.py`` by tests that ask for it).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

os.environ["LGSIM_LANG"] = "en"  # before lgsim is imported; inherited by subprocesses

import pytest

import lgsim
from lgsim import i18n

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Every test starts in English (LGSIM_LANG=en) and leaves no language chosen behind."""
    os.environ["LGSIM_LANG"] = "en"
    i18n.set_language(None)
    yield
    i18n.set_language(None)
    os.environ["LGSIM_LANG"] = "en"


TINY = """
[scenario]
name = "tiny"
base_year = 2021
target_year = 2022
end_year = 2022
seed = 7
replications = 200

[target]
gdp_growth = 0.05

[economy]
gdp = 1000.0

[accounting]
construction_share = 0.5
construction_va_ratio = 0.3
local_share = 0.8

[[sector]]
id = "construction"
share = 0.1
growth = 0.05

[[sector]]
id = "industry"
share = 0.9
growth = 0.03
va_ratio = 0.5
"""


@pytest.fixture
def write(tmp_path: Path):
    """Write scenario text (dedented) to ``tmp_path/name`` and return the path."""

    def _write(text: str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def tiny(write):
    """Path of a deterministic two-sector scenario; extra TOML text may be appended."""

    def _tiny(extra: str = "", name: str = "tiny.toml") -> Path:
        return write(TINY + textwrap.dedent(extra), name)

    return _tiny


ONE_SECTOR = """
[scenario]
base_year = 2021
{scenario}
[target]
gdp_growth = 0.06
[economy]
gdp = 1000.0
[[sector]]
id = "all"
share = 1.0
growth = {growth}
{sector}
"""


@pytest.fixture
def one_sector(write):
    """Path of a one-sector scenario, growth N(6%, 2%) against a 6% target.

    ``scenario`` and ``sector`` are extra TOML lines of the ``[scenario]`` and the
    sector table; ``growth`` replaces the sector's growth.
    """

    def _one_sector(
        scenario: str = "",
        sector: str = "",
        name: str = "s.toml",
        growth: str = '{ dist = "normal", mean = 0.06, sd = 0.02 }',
    ) -> Path:
        return write(ONE_SECTOR.format(scenario=textwrap.dedent(scenario),
                                       sector=textwrap.dedent(sector), growth=growth), name)

    return _one_sector


@pytest.fixture
def base_scenario() -> lgsim.Scenario:
    """The shipped Longgang base scenario."""
    return lgsim.load_scenario(ROOT / "scenarios" / "base.toml")
