"""Monte Carlo over fixed chunks of replications, reassembled in replication order.

Replications run in fixed chunks ``[k·C, (k+1)·C)`` (DESIGN.md, "Randomness"); an
executor (:mod:`lgsim.executors`) decides where each chunk runs and chunks come back in
any order. Each is copied at once into preallocated arrays at its rows, so memory holds
the results plus a few chunks, whatever the number of replications. Options:

* ``precision=H`` — stop at the first chunk ``k`` whose prefix ``0..k`` gives a 95%
  Wilson interval of P(target met) no wider than ``±H``. Only contiguous prefixes are
  evaluated, in index order, so the stopping point does not depend on timing or on the
  worker count; chunks finished past it are discarded.
* ``checkpoint=DIR`` — each finished chunk is written to ``DIR`` atomically
  (:mod:`lgsim.checkpoint`); with ``resume=True`` chunks already there are loaded
  instead of computed.
* ``keep=("paths",)`` — also keep monthly investment of every project slot.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .executors import default_workers, map_chunks, resolve_executor
from .scenario.build import MAX_REPLICATIONS
from .scenario.errors import ScenarioError
from .scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from .results import Results

#: Default chunk size C: replications [k·C, (k+1)·C) form chunk k.
DEFAULT_CHUNK = 250
#: Optional outputs (``keep``) of a run.
KEEP_OPTIONS = ("paths",)


def _setup(scenario: Scenario) -> Any:
    from .engine.plan import compile_plan

    return compile_plan(scenario)


class _ChunkTask:
    """Picklable callable: simulate one chunk with a fixed seed."""

    def __init__(self, seed: int, keep: tuple[str, ...] = ()) -> None:
        self.seed = seed
        self.keep = keep

    def __call__(self, plan: Any, start: int, size: int) -> dict[str, np.ndarray]:
        from .engine.chunk import simulate_chunk

        return simulate_chunk(plan, self.seed, start, size, keep=self.keep)


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


@dataclass(frozen=True)
class Stopping:
    """Where a stop-at-precision run stopped.

    Attributes
    ----------
    target_half_width : float
        The requested half-width ``H`` of the 95% Wilson interval of P(target met)
        (probability, e.g. 0.005 for ±0.5 percentage points).
    half_width : float
        The half-width reached with the replications used.
    reached : bool
        False if the maximum number of replications came first.
    chunks : int
        Chunks used (0..chunks − 1).
    replications : int
        Replications used.
    max_replications : int
        The maximum allowed (``-n``).
    """

    target_half_width: float
    half_width: float
    reached: bool
    chunks: int
    replications: int
    max_replications: int

    def describe(self) -> str:
        """One line for the terminal and ``run.log``."""
        if self.reached:
            return (
                f"stopped at precision: ±{100 * self.half_width:.2f} pp ≤ "
                f"±{100 * self.target_half_width:.2f} pp after {self.chunks} chunks "
                f"({self.replications:,} of at most {self.max_replications:,} replications)"
            )
        return (
            f"precision ±{100 * self.target_half_width:.2f} pp not reached: "
            f"±{100 * self.half_width:.2f} pp with the maximum {self.replications:,} "
            "replications"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``summary.json``."""
        return {
            "target_half_width": self.target_half_width,
            "half_width": self.half_width,
            "reached": self.reached,
            "chunks": self.chunks,
            "replications": self.replications,
            "max_replications": self.max_replications,
        }


@dataclass
class RunInfo:
    """How a run was executed (for ``run.log``; never in ``results.nc`` or the summary)."""

    executor: str
    workers: int
    chunk_size: int
    chunks_total: int
    chunks_resumed: int = 0
    chunks_computed: int = 0
    chunks_discarded: int = 0
    resumed: bool = False
    stopping: Stopping | None = None

    def log_lines(self) -> list[str]:
        """Lines for ``run.log``."""
        lines = [
            f"executor {self.executor}; workers {self.workers}; chunk size {self.chunk_size}",
            f"chunks: {self.chunks_computed} computed, {self.chunks_resumed} loaded, "
            f"{self.chunks_discarded} discarded (past the stopping point)",
        ]
        if self.resumed:
            lines.append(
                f"resumed: {self.chunks_resumed} of {self.chunks_total} chunks already done"
            )
        if self.stopping is not None:
            lines.append(self.stopping.describe())
        return lines


class _Assembly:
    """Arrays of the whole run, filled chunk by chunk at their rows.

    With a known total the arrays are allocated once (pages are only touched as rows
    are filled); for stop-at-precision runs they grow by doubling.
    """

    def __init__(self, n_max: int, chunk_size: int, grow: bool) -> None:
        self.n_max = n_max
        self.capacity = min(n_max, 16 * chunk_size) if grow else n_max
        self.filled = 0  # one past the highest row written
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, start: int, part: dict[str, np.ndarray]) -> None:
        end = start + next(iter(part.values())).shape[0]
        if not self.arrays:
            self.arrays = {
                k: np.empty((self.capacity, *v.shape[1:]), dtype=v.dtype) for k, v in part.items()
            }
        if end > self.capacity:
            new = min(self.n_max, max(end, 2 * self.capacity))
            for k, v in self.arrays.items():
                bigger = np.empty((new, *v.shape[1:]), dtype=v.dtype)
                bigger[: self.filled] = v[: self.filled]
                self.arrays[k] = bigger
            self.capacity = new
        for k, v in part.items():
            self.arrays[k][start:end] = v
        self.filled = max(self.filled, end)

    def result(self, n: int) -> dict[str, np.ndarray]:
        return {k: v[:n] for k, v in self.arrays.items()}


class _PrecisionRule:
    """Stop at the first chunk whose prefix 0..k has a narrow enough Wilson interval."""

    def __init__(self, half_width: float, scenario: Scenario) -> None:
        self.target = half_width
        self.scenario = scenario
        self.counts: dict[int, tuple[int, int]] = {}
        self.next = 0  # first chunk not yet in the prefix
        self.successes = 0
        self.n = 0
        self.stop: int | None = None

    def add(self, index: int, growth: np.ndarray) -> None:
        from .accounting import target_met

        t = self.scenario.target
        met = target_met(growth, t.gdp_growth, decimals=t.decimals, tolerance=t.tolerance)
        self.counts[index] = (int(np.count_nonzero(met)), int(met.size))
        while self.stop is None and self.next in self.counts:
            k, m = self.counts.pop(self.next)
            self.successes += k
            self.n += m
            if self.half_width() <= self.target:
                self.stop = self.next
            self.next += 1

    def half_width(self) -> float:
        from .analysis import wilson

        low, high = wilson(self.successes, self.n)
        return (high - low) / 2.0


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    keep: Collection[str] = (),
    precision: float | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    on_start: Callable[[], None] | None = None,
) -> Results:
    """Run the replications of a scenario and return :class:`~lgsim.results.Results`.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    replications : int, optional
        Number of replications (the maximum with ``precision``); default the scenario's.
    seed : int, optional
        Seed; default the scenario's, else the checkpoint's when resuming, else random
        (recorded in the results).
    workers : int, optional
        Worker processes; default all cores. Results are identical for any value.
    chunk_size : int, optional
        Replications per chunk (fixed per run, never derived from ``workers``); default
        :data:`DEFAULT_CHUNK`, or the checkpoint's when resuming.
    progress : callable, optional
        Called with the number of replications finished after each chunk.
    executor : {"serial", "process", "dask"}, optional
        Where chunks run (:mod:`lgsim.executors`); default serial for one worker, else
        a process pool. Results are identical for every executor.
    scheduler : str, optional
        Address of an existing dask.distributed scheduler (with ``executor="dask"``);
        without it a local cluster of ``workers`` processes is started and closed.
    keep : collection of str
        Optional outputs: ``"paths"`` adds ``investment_monthly_project``.
    precision : float, optional
        Stop when the 95% Wilson interval of P(target met) has half-width ≤ this
        (a probability: 0.005 = ±0.5 percentage points), evaluated on prefixes of
        chunks; ``replications`` is the maximum.
    checkpoint : str or Path, optional
        Directory for chunk files (written as chunks finish).
    resume : bool
        Load the chunks already in ``checkpoint`` instead of computing them.
    on_start : callable, optional
        Called once the inputs (and the checkpoint) are accepted, before anything is
        written or computed (the CLI removes the old ``summary.json`` there).

    Returns
    -------
    Results
        With ``run_info`` (a :class:`RunInfo`) describing how it ran.

    Raises
    ------
    ScenarioError
        Bad replications, seed, precision, or a checkpoint of another run.
    """
    from .checkpoint import Checkpoint, Manifest, scenario_hash
    from .nodask import dask_hidden
    from .results import Results

    n = int(replications if replications is not None else scenario.replications)
    if not 1 <= n <= MAX_REPLICATIONS:
        raise ScenarioError(
            scenario.file, "scenario.replications",
            f"1..{MAX_REPLICATIONS:,} replications", f"{n:,}",
        )
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ScenarioError(scenario.file, "scenario.seed", "0 <= seed < 2**63", str(seed))
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    if precision is not None and not 0.0 < precision < 0.5:
        raise ScenarioError(
            scenario.file, "--precision",
            "a half-width between 0 and 0.5 (a probability: 0.005 = ±0.5 pp)", str(precision),
        )
    keep = tuple(sorted(set(keep)))
    unknown = [k for k in keep if k not in KEEP_OPTIONS]
    if unknown:
        raise ValueError(f"keep: unknown option {unknown[0]!r} (options: {KEEP_OPTIONS})")
    if resume and checkpoint is None:
        raise ValueError("resume needs a checkpoint directory")

    previous = Checkpoint.read_manifest(checkpoint) if resume and checkpoint else None
    if seed is None and scenario.seed is None and previous is not None:
        run_seed = previous.seed  # a random seed: resume with the one recorded
    else:
        run_seed = resolve_seed(seed, scenario)
    if chunk_size is None:
        chunk_size = previous.chunk_size if previous is not None else DEFAULT_CHUNK
    workers = default_workers() if workers is None else max(1, int(workers))
    chunks = chunks_for(n, chunk_size)
    info = RunInfo(resolve_executor(executor, workers, len(chunks)), workers, chunk_size,
                   len(chunks))

    ck = None
    if checkpoint is not None:
        import numpy

        from . import __version__

        manifest = Manifest(
            scenario.name, scenario_hash(scenario), run_seed, chunk_size, n, keep,
            __version__, numpy.__version__,
        )
        ck = Checkpoint(Path(checkpoint), manifest)
        ck.check(resume=resume)
    if on_start is not None:
        on_start()
    if ck is not None:
        ck.prepare(resume=resume)

    assembly = _Assembly(n, chunk_size, grow=precision is not None)
    rule = _PrecisionRule(precision, scenario) if precision is not None else None
    year = scenario.target_year - scenario.base_year

    accepted: list[int] = []

    def accept(index: int, part: dict[str, np.ndarray]) -> None:
        accepted.append(index)
        assembly.add(chunks[index][1], part)
        if rule is not None:
            rule.add(index, part["growth"][:, year])
        if progress is not None:
            progress(chunks[index][2])

    todo = list(chunks)
    if ck is not None and resume:
        keys: set[str] | None = None
        present = ck.present()
        remaining = []
        for c in chunks:
            part = None
            if c[0] in present and (rule is None or rule.stop is None):
                part = ck.load(c[0], c[2], keys or set())
                if part is not None and keys is None:
                    keys = set(part)
                elif part is not None and set(part) != keys:
                    part = None
            if part is None:
                remaining.append(c)
            else:
                info.chunks_resumed += 1
                accept(c[0], part)
        todo = remaining
        info.resumed = True
    if rule is not None and rule.stop is not None:
        todo = []
    if todo:
        stream = map_chunks(
            _setup, (scenario,), _ChunkTask(run_seed, keep), todo, workers,
            executor=info.executor, scheduler=scheduler,
        )
        try:
            for index, part in stream:
                if ck is not None:
                    ck.save(index, part)
                info.chunks_computed += 1
                accept(index, part)
                if rule is not None and rule.stop is not None:
                    break
        finally:
            stream.close()

    n_used = n
    if rule is not None:
        last = rule.stop if rule.stop is not None else len(chunks) - 1
        n_used = chunks[last][1] + chunks[last][2]
        info.stopping = Stopping(
            precision, rule.half_width(), rule.stop is not None, last + 1, n_used, n,
        )
        info.chunks_discarded = sum(1 for k in accepted if k > last)
    arrays = assembly.result(n_used)
    with dask_hidden():
        results = Results.from_arrays(scenario, arrays, seed=run_seed, chunk_size=chunk_size)
    if info.stopping is not None:
        results.ds.attrs.update(
            {f"precision_{k}": (int(v) if isinstance(v, bool) else v)
             for k, v in info.stopping.as_dict().items()}
        )
    results.run_info = info
    return results


def precision_from_attrs(attrs: dict[str, Any]) -> dict[str, Any] | None:
    """The stop-at-precision record of a dataset's attributes, or None."""
    if "precision_target_half_width" not in attrs:
        return None
    keys = ("target_half_width", "half_width", "reached", "chunks", "replications",
            "max_replications")
    out = {k: attrs[f"precision_{k}"] for k in keys}
    out["reached"] = bool(out["reached"])
    for k in ("chunks", "replications", "max_replications"):
        out[k] = int(out[k])
    for k in ("target_half_width", "half_width"):
        out[k] = float(out[k]) if math.isfinite(float(out[k])) else None
    return out
