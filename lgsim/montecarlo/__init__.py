"""Many chunks: the Monte Carlo runner, what-if outcomes, executors and chunk files.

``runner``
    :func:`run`: fixed chunks of replications through an executor, reassembled in
    replication order into :class:`~lgsim.results.Results` (stop at precision, resume).
``outcomes``
    :func:`outcomes` / :func:`evaluate_changes`: the same chunks for many scenario
    variants, keeping only the target year's growth (what-if, sensitivity, solve).
``executors``
    Where chunks run: in this process, a process pool or dask.distributed.
``checkpoint``
    Chunk files of a run in progress, for ``--resume``.
"""

from .footprint import DEFAULT_CHUNK
from .outcomes import Outcome, evaluate_changes, outcomes
from .runner import RunInfo, Stopping, run

__all__ = [
    "DEFAULT_CHUNK", "Outcome", "RunInfo", "Stopping", "evaluate_changes", "outcomes", "run",
]
