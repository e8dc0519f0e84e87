"""Monte Carlo over fixed chunks of replications, reassembled in replication order.

Replications run in fixed chunks ``[k·C, (k+1)·C)`` (see ``docs/model.md``,
"Randomness"); an executor (:mod:`.executors`) decides where each chunk runs and chunks
come back in any order. This module is the one driver: :func:`run` (one scenario, every
output) and :mod:`.outcomes` (many variants of a scenario, the target year's growth only)
check their arguments with :func:`run_settings` and simulate through :func:`simulate`.

Options of :func:`run`:

* ``precision=H`` — stop at the first chunk ``k`` whose prefix ``0..k`` gives a 95%
  Wilson interval of P(target met) no wider than ``±H``. Only contiguous prefixes are
  evaluated, in index order, so the stopping point does not depend on timing or on the
  worker count; chunks finished past it are discarded.
* ``checkpoint=DIR`` — each finished chunk is written to ``DIR`` atomically
  (:mod:`.checkpoint`); with ``resume=True`` chunks already there are loaded instead of
  computed.
* ``keep=("paths",)`` — also keep monthly investment of every project slot.

Each chunk is copied at once into preallocated arrays at its rows, so memory holds the
results plus a few chunks, whatever the number of replications.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..analysis import wilson
from ..engine import KEEP_OPTIONS, Plan, compile_plan, simulate_chunk
from ..fileio import size
from ..results import Results, bytes_per_replication
from ..scenario import Scenario, ScenarioError
from ..scenario.build import MAX_REPLICATIONS
from ..scenario.model import Target
from ._nodask import dask_hidden
from .checkpoint import Checkpoint, Manifest, scenario_hash
from .executors import (
    Chunk,
    available_memory,
    default_workers,
    local_workers,
    map_chunks,
    resolve_executor,
)

#: Default chunk size C: replications [k·C, (k+1)·C) form chunk k.
DEFAULT_CHUNK = 250
#: Working memory one chunk may take in a worker (bytes): plans with very many project
#: slots or months get a smaller default chunk (results do not depend on it).
CHUNK_BUDGET = 256 * 1024 * 1024
#: Memory of one worker process before it computes anything (bytes).
WORKER_BYTES = 120 * 1024 * 1024
#: Results held in memory at once, as a multiple of their size (assembly, the dataset,
#: the tables and statistics computed from them).
RESULT_COPIES = 2.0


# ---------------------------------------------------------------------- footprint
@dataclass(frozen=True)
class Footprint:
    """What a run will need, estimated from the compiled plan before it starts.

    Attributes
    ----------
    replications : int
        Replications of the run (the maximum for a stop-at-precision run).
    per_replication : int
        Bytes of results per replication (:func:`lgsim.results.bytes_per_replication`).
    working_per_replication : int
        Bytes a worker uses per replication of the chunk it computes.
    chunk_size, workers : int
        Replications per chunk; worker processes that will compute them.
    """

    replications: int
    per_replication: int
    working_per_replication: int
    chunk_size: int
    workers: int

    @property
    def results(self) -> int:
        """Bytes of the assembled results."""
        return self.replications * self.per_replication

    @property
    def memory(self) -> int:
        """Peak memory of the run, bytes: results, and each worker with its chunk."""
        chunk = min(self.chunk_size, self.replications)
        per_worker = WORKER_BYTES + chunk * (self.working_per_replication + self.per_replication)
        return int(RESULT_COPIES * self.results) + self.workers * per_worker

    def disk(self, checkpoint: bool) -> int:
        """Bytes a run directory needs: chunk files (until the end) and ``results.nc``."""
        return self.results * (2 if checkpoint else 1) + 64 * self.replications

    def fitting_replications(self, available: int) -> int:
        """The most replications whose :attr:`memory` fits in ``available`` bytes."""
        fixed = self.memory - int(RESULT_COPIES * self.results)
        per = RESULT_COPIES * self.per_replication
        return max(0, int((available - fixed) // per)) if per > 0 else self.replications


def working_bytes(plan: Plan) -> int:
    """Bytes the engine uses per replication of a chunk (arrays slot × month, sector × month)."""
    sc = plan.scenario
    cells = 8 * plan.n_months
    return cells * (8 * len(plan.slots) + 10 * len(sc.sectors) + 4 * len(sc.streets)
                    + 4 * len(plan.groups) + 4 * len(sc.shocks) * len(sc.sectors) + 16)


def default_chunk_size(plan: Plan) -> int:
    """:data:`DEFAULT_CHUNK`, smaller when a chunk of it would exceed :data:`CHUNK_BUDGET`."""
    return max(1, min(DEFAULT_CHUNK, CHUNK_BUDGET // max(1, working_bytes(plan))))


def footprint(scenario: Scenario, replications: int | None = None, workers: int | None = None,
              chunk_size: int | None = None, keep: Collection[str] = ()) -> Footprint:
    """Estimate the memory and disk a run needs (:class:`Footprint`) without running it."""
    plan = compile_plan(scenario)
    n = int(replications if replications is not None else scenario.replications)
    c = int(chunk_size) if chunk_size is not None else default_chunk_size(plan)
    w = default_workers() if workers is None else max(1, int(workers))
    n_chunks = -(-n // c)
    w = 1 if w <= 1 or n_chunks <= 1 else local_workers(w, n_chunks)
    return Footprint(n, bytes_per_replication(plan, tuple(keep)), working_bytes(plan), c, w)


def check_memory(scenario: Scenario, fp: Footprint, *, early_stop: bool = False) -> None:
    """Refuse (:class:`ScenarioError`, one line) a run that cannot fit in memory.

    ``early_stop``: a stop-at-precision run is checked for its first chunks only (its
    arrays grow as it goes, and growing past the memory is refused then).
    """
    available = available_memory()
    if available is None:
        return
    need = fp
    if early_stop:
        need = Footprint(min(fp.replications, 16 * fp.chunk_size), fp.per_replication,
                         fp.working_per_replication, fp.chunk_size, fp.workers)
    if need.memory <= available:
        return
    raise memory_error(scenario, need, available)


def preflight(scenario: Scenario, replications: int | None = None,
              workers: int | None = None, chunk_size: int | None = None,
              keep: Collection[str] = ()) -> Footprint:
    """Every check of a run that needs no simulation (``validate`` and ``run`` share it).

    The scenario compiles, its resolved form can be written, and the run fits in memory.

    Raises
    ------
    ScenarioError
        One line, as :func:`run` would raise it.
    """
    scenario.resolved(seed=0 if scenario.seed is None else scenario.seed).to_toml()
    fp = footprint(scenario, replications, workers, chunk_size, keep)
    check_memory(scenario, fp)
    return fp


def memory_error(scenario: Scenario, fp: Footprint, available: int) -> ScenarioError:
    """The one-line refusal of a run needing more memory than ``available`` bytes."""
    fits = fp.fitting_replications(available)
    return ScenarioError(
        scenario.file, "replications",
        f"a run that fits in the memory available ({size(available)})",
        f"about {size(fp.memory)} needed for {fp.replications:,} replications "
        f"({size(fp.per_replication)} of results each, {fp.workers} worker(s))",
        f"memory: use fewer replications (about {fits:,} fit), keep fewer outputs, or "
        "stop early at a precision" if fits >= 1 else
        "memory: this scenario is too large for this machine even for one replication",
    )


# ---------------------------------------------------------------------- finite results
#: Arrays whose every value must be finite (NaN marks "did not happen" in the others).
_ALL_FINITE = ("gdp", "gdp_monthly", "va", "street_va", "investment", "investment_monthly",
               "investment_monthly_project", "land_delivered")
#: Arrays by year that must be finite after the base year (growth has none in it).
_FINITE_AFTER_BASE = ("growth", "ytd_growth", "sector_pp", "street_pp", "component_pp",
                      "organic_growth")


def check_finite(plan: Plan, arrays: Mapping[str, np.ndarray]) -> None:
    """Refuse NaN or infinite results with one line naming the inputs that made them.

    Raises
    ------
    ScenarioError
        Naming the scenario entity whose values are not finite (a sector, a project, a
        batch, a pipeline entry, a shock) or ``economy.gdp`` when every value is.
    """
    bad: dict[str, np.ndarray] = {}
    for key in (*_ALL_FINITE, *_FINITE_AFTER_BASE):
        if key not in arrays:
            continue
        a = arrays[key] if key in _ALL_FINITE else arrays[key][:, 1:]
        ok = np.isfinite(a)
        if not ok.all():
            bad[key] = ~ok.reshape(ok.shape[0], -1).all(axis=1)
    if not bad:
        return
    rows = np.logical_or.reduce(list(bad.values()))
    sc = plan.scenario
    path, what = _culprit(plan, arrays)
    if path != "economy.gdp":
        what += f"; economy.gdp = {sc.economy.gdp:g}"
    raise ScenarioError(
        sc.file, path, "values whose results are finite numbers",
        f"NaN or infinite results ({', '.join(bad)}) in {int(rows.sum()):,} of "
        f"{rows.size:,} replications{what}",
        "the arithmetic fails at such magnitudes: see the bounds in the scenario reference",
    )


def _culprit(plan: Plan, arrays: Mapping[str, np.ndarray]) -> tuple[str, str]:
    """The key path of the inputs most likely behind non-finite results, and a comment."""
    sc = plan.scenario
    base = arrays["gdp"][:, 0]
    if not np.all(np.isfinite(base)) or not np.all(base > 0):
        return "economy.gdp", f"; economy.gdp = {sc.economy.gdp:g}"
    inv = arrays["investment"]
    bad_slots = [i for i in range(inv.shape[2]) if not np.all(np.isfinite(inv[:, :, i]))]
    if bad_slots:
        kind, ident = plan.groups[plan.slots[bad_slots[0]].group]
        return f"{kind}[{ident}]", ""
    kinds = ([("sector", s.id) for s in sc.sectors] + list(plan.groups)
             + [("shock", s.id) for s in sc.shocks])
    comp = arrays["component_pp"][:, 1:]
    bad = [i for i in range(comp.shape[2]) if not np.all(np.isfinite(comp[:, :, i]))]
    if 0 < len(bad) < len(kinds):
        kind, ident = kinds[bad[0]]
        return f"{kind}[{ident}]", ""
    va = arrays["va"][:, 1:]
    bad = [i for i in range(va.shape[2]) if not np.all(np.isfinite(va[:, :, i]))]
    if bad:
        return f"sector[{sc.sectors[bad[0]].id}]", ""
    return "economy.gdp", f"; economy.gdp = {sc.economy.gdp:g}"


# ---------------------------------------------------------------------- settings
def resolve_seed(seed: int | None, scenario: Scenario) -> int:
    """The run's seed: explicit, else the scenario's, else a random 63-bit seed."""
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return int(scenario.seed)
    return secrets.randbits(63)


def chunks_for(n: int, chunk_size: int, variant: int = 0, first_index: int = 0) -> list[Chunk]:
    """Fixed chunks covering ``n`` replications of one variant, indexed from ``first_index``."""
    return [Chunk(first_index + k, s, min(chunk_size, n - s), variant)
            for k, s in enumerate(range(0, n, chunk_size))]


@dataclass(frozen=True)
class RunSettings:
    """The checked arguments of a run: how many replications, which seed, which chunks.

    Attributes
    ----------
    replications : int
        Replications (the maximum for a stop-at-precision run).
    seed : int
        The seed of every replication.
    chunk_size : int
        Replications per chunk (fixed per run, never derived from ``workers``).
    workers : int
        Worker processes.
    chunks : tuple of Chunk
        The chunks of one scenario, in index order.
    """

    replications: int
    seed: int
    chunk_size: int
    workers: int
    chunks: tuple[Chunk, ...]

    def executor(self, requested: str | None, jobs: int | None = None) -> str:
        """The executor for ``jobs`` chunks (default: this run's)."""
        return resolve_executor(requested, self.workers,
                                len(self.chunks) if jobs is None else jobs)


def run_settings(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    *,
    previous: Manifest | None = None,
) -> RunSettings:
    """Check a run's arguments and fill in the defaults.

    Parameters
    ----------
    scenario : Scenario
        Gives the defaults (its ``replications`` and ``seed``) and the file for messages.
    replications, seed, workers, chunk_size
        As for :func:`run`.
    previous : Manifest, optional
        The chunk files being resumed: their seed (when the scenario has none) and chunk
        size are used.

    Raises
    ------
    ScenarioError
        Replications outside 1..MAX_REPLICATIONS or a seed outside 0..2**63 − 1.
    ValueError
        A chunk size below 1.
    """
    n = int(replications if replications is not None else scenario.replications)
    if not 1 <= n <= MAX_REPLICATIONS:
        raise ScenarioError(scenario.file, "scenario.replications",
                            f"1..{MAX_REPLICATIONS:,} replications", f"{n:,}")
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ScenarioError(scenario.file, "scenario.seed", "0 <= seed < 2**63", str(seed))
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    if seed is None and scenario.seed is None and previous is not None:
        run_seed = previous.seed  # a random seed: resume with the one recorded
    else:
        run_seed = resolve_seed(seed, scenario)
    if chunk_size is None:
        chunk_size = (previous.chunk_size if previous is not None
                      else default_chunk_size(compile_plan(scenario)))
    workers = default_workers() if workers is None else max(1, int(workers))
    return RunSettings(n, run_seed, int(chunk_size), workers,
                       tuple(chunks_for(n, int(chunk_size))))


# ---------------------------------------------------------------------- simulating chunks
@dataclass(frozen=True)
class Variant:
    """A scenario to simulate: ``bases[base]``, with ``changes`` applied when given."""

    base: int
    changes: Mapping[str, Any] | None = None


class _Plans:
    """What a worker holds: the scenarios, and the compiled plan of the current variant.

    Chunks come variant by variant, so one compiled plan is kept at a time; a variant's
    changed scenario is built here, in the worker, so thousands of variants (a Sobol
    design) cost one pickled scenario.
    """

    def __init__(self, bases: tuple[Scenario, ...], variants: tuple[Variant, ...]) -> None:
        self.bases = bases
        self.variants = variants
        self.current: tuple[int, Plan] | None = None

    def plan(self, variant: int) -> Plan:
        if self.current is None or self.current[0] != variant:
            v = self.variants[variant]
            sc = self.bases[v.base]
            if v.changes:
                sc = sc.with_changes(dict(v.changes))
            self.current = (variant, compile_plan(sc))
        return self.current[1]


def _plans(bases: tuple[Scenario, ...], variants: tuple[Variant, ...]) -> _Plans:
    return _Plans(bases, variants)


class ChunkTask:
    """Picklable: simulate one chunk; keep every output, or only the target year's growth."""

    def __init__(self, seed: int, keep: tuple[str, ...] = (), growth_only: bool = False) -> None:
        self.seed = seed
        self.keep = keep
        self.growth_only = growth_only

    def __call__(self, plans: _Plans, chunk: Chunk) -> dict[str, np.ndarray] | np.ndarray:
        """The chunk's arrays (see :func:`lgsim.engine.simulate_chunk`) or its growth."""
        plan = plans.plan(chunk.variant)
        with np.errstate(all="ignore"):  # non-finite results are refused by check_finite
            arrays = simulate_chunk(plan, self.seed, chunk.start, chunk.size, keep=self.keep)
        if not self.growth_only:
            return arrays
        sc = plan.scenario
        return np.ascontiguousarray(arrays["growth"][:, sc.target_year - sc.base_year])


def simulate(
    bases: Sequence[Scenario],
    variants: Sequence[Variant],
    chunks: Sequence[Chunk],
    task: ChunkTask,
    settings: RunSettings,
    *,
    executor: str | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[int, Any]]:
    """Simulate ``chunks`` (of ``variants`` of ``bases``); yield ``(chunk index, result)``.

    Results come in completion order; closing the iterator early stops the workers.
    """
    return map_chunks(
        _plans, (tuple(bases), tuple(variants)), task, chunks, settings.workers,
        executor=settings.executor(executor, len(chunks)), scheduler=scheduler,
    )


# ---------------------------------------------------------------------- one run
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
        The maximum allowed (``replications`` of the run).
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
        #: ``on_full(rows, available)`` builds the error raised when growing cannot fit
        self.on_full: Callable[[int, int], Exception] | None = None

    def add(self, start: int, part: dict[str, np.ndarray]) -> None:
        end = start + next(iter(part.values())).shape[0]
        if not self.arrays:
            self.arrays = {
                k: np.empty((self.capacity, *v.shape[1:]), dtype=v.dtype) for k, v in part.items()
            }
        if end > self.capacity:
            new = min(self.n_max, max(end, 2 * self.capacity))
            self._check_room(new)
            for k, v in self.arrays.items():
                bigger = np.empty((new, *v.shape[1:]), dtype=v.dtype)
                bigger[: self.filled] = v[: self.filled]
                self.arrays[k] = bigger
            self.capacity = new
        for k, v in part.items():
            self.arrays[k][start:end] = v
        self.filled = max(self.filled, end)

    def _check_room(self, rows: int) -> None:
        """Refuse to grow past the memory available (a stop-at-precision run)."""
        per_row = sum(v.nbytes // max(1, v.shape[0]) for v in self.arrays.values())
        available = available_memory()
        if self.on_full is not None and available is not None \
                and (rows - self.capacity) * per_row * RESULT_COPIES > available:
            raise self.on_full(rows, available)

    def result(self, n: int) -> dict[str, np.ndarray]:
        return {k: v[:n] for k, v in self.arrays.items()}


class _PrecisionRule:
    """Stop at the first chunk whose prefix 0..k has a narrow enough Wilson interval."""

    def __init__(self, half_width: float, target: Target) -> None:
        self.target_half_width = half_width
        self.target = target
        self.counts: dict[int, tuple[int, int]] = {}
        self.next = 0  # first chunk not yet in the prefix
        self.successes = 0
        self.n = 0
        self.stop: int | None = None

    def add(self, index: int, growth: np.ndarray) -> None:
        met = self.target.met(growth)
        self.counts[index] = (int(np.count_nonzero(met)), int(met.size))
        while self.stop is None and self.next in self.counts:
            k, m = self.counts.pop(self.next)
            self.successes += k
            self.n += m
            if self.half_width() <= self.target_half_width:
                self.stop = self.next
            self.next += 1

    def half_width(self) -> float:
        low, high = wilson(self.successes, self.n)
        return (high - low) / 2.0


class _Collector:
    """Accepts finished chunks: rows of the assembly, the precision rule, progress."""

    def __init__(self, scenario: Scenario, settings: RunSettings, precision: float | None,
                 progress: Callable[[int], None] | None, info: RunInfo) -> None:
        self.settings = settings
        self.assembly = _Assembly(settings.replications, settings.chunk_size,
                                  grow=precision is not None)
        self.assembly.on_full = lambda rows, available: memory_error(
            scenario, footprint(scenario, rows, settings.workers, settings.chunk_size),
            available)
        self.rule = (_PrecisionRule(precision, scenario.target)
                     if precision is not None else None)
        self.year = scenario.target_year - scenario.base_year
        self.progress = progress
        self.info = info
        self.accepted: list[int] = []

    @property
    def stopped(self) -> bool:
        """True once the precision rule has found its stopping chunk."""
        return self.rule is not None and self.rule.stop is not None

    def accept(self, index: int, part: dict[str, np.ndarray]) -> None:
        chunk = self.settings.chunks[index]
        self.accepted.append(index)
        self.assembly.add(chunk.start, part)
        if self.rule is not None:
            self.rule.add(index, part["growth"][:, self.year])
        if self.progress is not None:
            self.progress(chunk.size)

    def arrays(self) -> dict[str, np.ndarray]:
        """The assembled arrays up to the stopping point (all replications without one)."""
        n_used = self.settings.replications
        if self.rule is not None:
            chunks = self.settings.chunks
            last = self.rule.stop if self.rule.stop is not None else len(chunks) - 1
            n_used = chunks[last].start + chunks[last].size
            self.info.stopping = Stopping(
                self.rule.target_half_width, self.rule.half_width(), self.rule.stop is not None,
                last + 1, n_used, self.settings.replications,
            )
            self.info.chunks_discarded = sum(1 for k in self.accepted if k > last)
        return self.assembly.result(n_used)


def _check_options(scenario: Scenario, keep: Collection[str], precision: float | None,
                   checkpoint: str | Path | None, resume: bool) -> tuple[str, ...]:
    keep = tuple(sorted(set(keep)))
    unknown = [k for k in keep if k not in KEEP_OPTIONS]
    if unknown:
        raise ValueError(f"keep: unknown option {unknown[0]!r} (options: {KEEP_OPTIONS})")
    if precision is not None and not 0.0 < precision < 0.5:
        raise ScenarioError(
            scenario.file, "precision",
            "a half-width between 0 and 0.5 (a probability: 0.005 = ±0.5 pp)", str(precision),
        )
    if resume and checkpoint is None:
        raise ValueError("resume needs a checkpoint directory")
    return keep


def _open_checkpoint(scenario: Scenario, settings: RunSettings, keep: tuple[str, ...],
                     checkpoint: str | Path, resume: bool) -> Checkpoint:
    manifest = Manifest(
        scenario.name, scenario_hash(scenario), settings.seed, settings.chunk_size,
        settings.replications, keep, __version__, np.__version__,
    )
    ck = Checkpoint(Path(checkpoint), manifest)
    ck.check(resume=resume)
    return ck


def _load_resumed(ck: Checkpoint, collector: _Collector) -> list[Chunk]:
    """Accept the chunk files already written; return the chunks still to compute."""
    keys: set[str] | None = None
    present = ck.present()
    remaining = []
    for c in collector.settings.chunks:
        part = None
        if c.index in present and not collector.stopped:
            part = ck.load(c.index, c.size, keys or set())
            if part is not None and keys is None:
                keys = set(part)
            elif part is not None and set(part) != keys:
                part = None
        if part is None:
            remaining.append(c)
        else:
            collector.info.chunks_resumed += 1
            collector.accept(c.index, part)
    collector.info.resumed = True
    return remaining


def _compute(scenario: Scenario, settings: RunSettings, keep: tuple[str, ...],
             todo: list[Chunk], ck: Checkpoint | None, collector: _Collector,
             scheduler: str | None) -> None:
    stream = simulate((scenario,), (Variant(0),), todo, ChunkTask(settings.seed, keep),
                      settings, executor=collector.info.executor, scheduler=scheduler)
    try:
        for index, part in stream:
            if ck is not None:
                ck.save(index, part)
            collector.info.chunks_computed += 1
            collector.accept(index, part)
            if collector.stopped:
                break
    finally:
        stream.close()


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
        Where chunks run (:mod:`.executors`); default serial for one worker, else a
        process pool. Results are identical for every executor.
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
    keep = _check_options(scenario, keep, precision, checkpoint, resume)
    previous = Checkpoint.read_manifest(checkpoint) if resume and checkpoint else None
    settings = run_settings(scenario, replications, seed, workers, chunk_size,
                            previous=previous)
    fp = footprint(scenario, settings.replications, settings.workers, settings.chunk_size, keep)
    check_memory(scenario, fp, early_stop=precision is not None)
    info = RunInfo(settings.executor(executor), fp.workers, settings.chunk_size,
                   len(settings.chunks))
    ck = (_open_checkpoint(scenario, settings, keep, checkpoint, resume)
          if checkpoint is not None else None)
    if on_start is not None:
        on_start()
    if ck is not None:
        ck.prepare(resume=resume)
    collector = _Collector(scenario, settings, precision, progress, info)
    todo = _load_resumed(ck, collector) if ck is not None and resume else list(settings.chunks)
    if todo and not collector.stopped:
        _compute(scenario, settings, keep, todo, ck, collector, scheduler)
    arrays = collector.arrays()
    n_used = next(iter(arrays.values())).shape[0]
    plan = compile_plan(scenario.resolved(seed=settings.seed, replications=n_used))
    check_finite(plan, arrays)
    with dask_hidden():
        results = Results.from_arrays(plan, arrays, seed=settings.seed,
                                      chunk_size=settings.chunk_size)
    if info.stopping is not None:
        results.record_stopping(info.stopping.as_dict())
    results.run_info = info
    return results
