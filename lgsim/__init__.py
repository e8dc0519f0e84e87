"""lgsim: how likely is a district to meet this year's GDP growth target, and why.

Scenario (TOML) → :func:`load_scenario` → :func:`run` → :class:`Results`;
:func:`compare` runs several scenarios on common random numbers; :func:`track` follows
P(target met) month by month as published figures come in.

The package follows the data: :mod:`lgsim.scenario` (files → a frozen Scenario),
:mod:`lgsim.engine` (one chunk of replications), :mod:`lgsim.montecarlo` (many chunks),
:mod:`lgsim.results`, :mod:`lgsim.studies` (compare, what-if, solve, sensitivity) and
:mod:`lgsim.forecasting`, :mod:`lgsim.outputs` (headline, files, charts, reports) and
:mod:`lgsim.cli`.
"""

from __future__ import annotations

import os
from typing import Any

from ._version import __version__
from .i18n import set_language
from .montecarlo.runner import run as _run
from .results import Results
from .scenario import Scenario, ScenarioError, load_scenario
from .studies.compare import Comparison
from .studies.compare import compare as _compare
from .studies.track import Track
from .studies.track import track as _track

__all__ = [
    "Comparison", "Results", "Scenario", "ScenarioError", "Track", "__version__", "compare",
    "load_scenario", "run", "set_language", "track",
]


def run(
    scenario: Scenario | str | os.PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    **options: Any,
) -> Results:
    """Run the Monte Carlo for a scenario.

    Parameters
    ----------
    scenario : Scenario, str or path
        A loaded scenario or the path of a scenario file.
    replications : int, optional
        Number of replications (default: the scenario's, else 2000).
    seed : int, optional
        Seed (default: the scenario's, else a random 63-bit seed that is recorded).
    workers : int, optional
        Worker processes (default: all cores; 1 runs in this process).
    **options
        Passed to :func:`lgsim.montecarlo.run` (e.g. ``chunk_size``, ``progress``).

    Returns
    -------
    Results
    """
    if isinstance(scenario, str | os.PathLike):
        scenario = load_scenario(scenario)
    return _run(scenario, replications=replications, seed=seed, workers=workers, **options)


def compare(
    scenarios: list[Scenario | str | os.PathLike[str]],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    **options: Any,
) -> Comparison:
    """Run scenarios on common random numbers and compare them with the first.

    See :func:`lgsim.studies.compare.compare`; differences are paired per replication.
    """
    return _compare(scenarios, replications=replications, seed=seed, workers=workers, **options)


def track(
    scenario: Scenario | str | os.PathLike[str],
    data: str | os.PathLike[str] | None = None,
    start: tuple[int, int] | None = None,
    end: tuple[int, int] | None = None,
    **options: Any,
) -> Track:
    """P(target met) month by month as published figures come in, and each release's news.

    See :func:`lgsim.studies.track.track` and ``docs/tracker.md``: ``data`` is a file in
    the published-indicators format (default: the figures shipped with lgsim); ``start``
    and ``end`` are ``(year, month)`` (default: January to December of the target year).
    """
    if isinstance(scenario, str | os.PathLike):
        scenario = load_scenario(scenario)
    return _track(scenario, None if data is None else str(data), start, end, **options)
