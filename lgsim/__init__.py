"""lgsim: how likely is a district to meet this year's GDP growth target, and why.

Scenario (TOML) → :func:`load_scenario` → :func:`run` → :class:`Results`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:  # pragma: no cover
    from .comparison import Comparison
    from .results import Results

__all__ = [
    "Results", "Scenario", "ScenarioError", "__version__", "compare", "load_scenario", "run",
]


def run(
    scenario: Scenario | str,
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
    from .montecarlo import run as _run

    if isinstance(scenario, str | os.PathLike):
        scenario = load_scenario(scenario)
    return _run(scenario, replications=replications, seed=seed, workers=workers, **options)


def compare(
    scenarios: list[Scenario | str | os.PathLike],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    **options: Any,
) -> Comparison:
    """Run scenarios on common random numbers and compare them with the first.

    See :func:`lgsim.comparison.compare`; differences are paired per replication.
    """
    from .comparison import compare as _compare

    return _compare(scenarios, replications=replications, seed=seed, workers=workers, **options)


def __getattr__(name: str) -> Any:
    if name == "Results":
        from .results import Results

        return Results
    raise AttributeError(name)
