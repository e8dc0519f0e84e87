"""Monte Carlo over fixed chunks of replications, reassembled in replication order."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .executors import default_workers, map_chunks
from .scenario.build import MAX_REPLICATIONS
from .scenario.errors import ScenarioError
from .scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from .results import Results

#: Default chunk size C: replications [k·C, (k+1)·C) form chunk k.
DEFAULT_CHUNK = 250


def _setup(scenario: Scenario) -> Any:
    from .engine.plan import compile_plan

    return compile_plan(scenario)


class _ChunkTask:
    """Picklable callable: simulate one chunk with a fixed seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, plan: Any, start: int, size: int) -> dict[str, np.ndarray]:
        from .engine.chunk import simulate_chunk

        return simulate_chunk(plan, self.seed, start, size)


def chunks_for(n: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """Fixed chunks ``(index, start, size)`` covering ``n`` replications."""
    return [(k, s, min(chunk_size, n - s)) for k, s in enumerate(range(0, n, chunk_size))]


def resolve_seed(seed: int | None, scenario: Scenario) -> int:
    """The run's seed: explicit, else the scenario's, else a random 63-bit seed."""
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return int(scenario.seed)
    return secrets.randbits(63)


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run all replications of a scenario and return :class:`~lgsim.results.Results`.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    replications : int, optional
        Number of replications; default the scenario's.
    seed : int, optional
        Seed; default the scenario's, else random (recorded in the results).
    workers : int, optional
        Processes; default all cores. Results are identical for any value.
    chunk_size : int
        Replications per chunk (fixed per run, never derived from ``workers``).
    progress : callable, optional
        Called with the number of replications finished after each chunk.

    Returns
    -------
    Results
    """
    from .results import Results

    n = int(replications if replications is not None else scenario.replications)
    if not 1 <= n <= MAX_REPLICATIONS:
        raise ScenarioError(
            scenario.file, "scenario.replications",
            f"1..{MAX_REPLICATIONS:,} replications", f"{n:,}",
        )
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ScenarioError(scenario.file, "scenario.seed", "0 <= seed < 2**63", str(seed))
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    run_seed = resolve_seed(seed, scenario)
    workers = default_workers() if workers is None else max(1, int(workers))
    chunks = chunks_for(n, chunk_size)
    parts: dict[int, dict[str, np.ndarray]] = {}
    for index, arrays in map_chunks(_setup, (scenario,), _ChunkTask(run_seed), chunks, workers):
        parts[index] = arrays
        if progress is not None:
            progress(chunks[index][2])
    ordered = [parts[k] for k in range(len(chunks))]
    arrays = {key: np.concatenate([p[key] for p in ordered], axis=0) for key in ordered[0]}
    return Results.from_arrays(scenario, arrays, seed=run_seed, chunk_size=chunk_size)
