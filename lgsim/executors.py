"""Where chunks of replications run: in this process or in a process pool.

The unit of work is a fixed chunk ``[k·C, (k+1)·C)`` (DESIGN.md); executors only decide
where it runs. Results are keyed by chunk index and reassembled in order, so they never
depend on the executor, the worker count or the finishing order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

Chunk = tuple[int, int, int]  # (index, start, size)

_STATE: dict[str, Any] = {}


def default_workers() -> int:
    """All cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _init_worker(setup: Callable[..., Any], args: tuple) -> None:
    _STATE["context"] = setup(*args)


def _run_in_worker(task: Callable[..., Any], chunk: Chunk) -> tuple[int, Any]:
    return chunk[0], task(_STATE["context"], chunk[1], chunk[2])


def _context() -> mp.context.BaseContext:
    if sys.platform.startswith("linux"):
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["lgsim.engine.chunk"])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover


def map_chunks(
    setup: Callable[..., Any],
    setup_args: tuple,
    task: Callable[[Any, int, int], Any],
    chunks: Sequence[Chunk],
    workers: int,
) -> Iterator[tuple[int, Any]]:
    """Run ``task(context, start, size)`` for each chunk; yield ``(index, result)``.

    Parameters
    ----------
    setup : callable
        ``setup(*setup_args)`` builds the per-worker context once (e.g. the compiled
        plan). Must be importable (picklable) for process workers.
    task : callable
        Module-level function computing one chunk.
    chunks : sequence of (index, start, size)
    workers : int
        1 runs in this process; more use a process pool.

    Yields
    ------
    (int, object)
        Chunk index and result, in completion order.
    """
    if workers <= 1 or len(chunks) <= 1:
        context = setup(*setup_args)
        for index, start, size in chunks:
            yield index, task(context, start, size)
        return
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(setup, setup_args),
    ) as pool:
        pending = {pool.submit(_run_in_worker, task, c) for c in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
