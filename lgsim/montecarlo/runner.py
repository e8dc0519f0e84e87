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

import dataclasses
import math
import secrets
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..analysis import Z95, weighted_wilson, wilson
from ..engine import Plan, compile_plan, simulate_chunk
from ..engine.observe import Tilt
from ..i18n import _
from ..results import Results
from ..scenario import Scenario, ScenarioError
from ..scenario.build import MAX_REPLICATIONS
from ..scenario.model import Target
from ._nodask import dask_hidden
from .checkpoint import Checkpoint, Manifest, scenario_hash
from .conditioning import (
    PILOT_REPLICATIONS,
    Conditioning,
    Pilot,
    check_figures,
    fit_tilt,
    informative,
    pilot_seed,
    prior_probability,
)
from .executors import Chunk, available_memory, default_workers, map_chunks, resolve_executor
from .footprint import (
    RESULT_COPIES,
    check_finite,
    check_memory,
    default_chunk_size,
    footprint,
    memory_error,
)

#: Optional outputs a run can keep (``keep``).
KEEP_OPTIONS = ("paths",)
#: Default floor of the effective sample size of a conditioned run.
MIN_ESS = 1000
#: A conditioned run below the floor adds chunks up to this many times its replications.
ESS_EXTENSION = 10
#: Runs of at most this many chunks use one process unless workers are asked for.
SMALL_RUN_CHUNKS = 8


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
                            _("1..{MAX_REPLICATIONS:,} replications")
                            .format(MAX_REPLICATIONS=MAX_REPLICATIONS), f"{n:,}")
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ScenarioError(scenario.file, "scenario.seed", _("0 <= seed < 2**63"), str(seed))
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

    def __init__(self, bases: tuple[Scenario, ...], variants: tuple[Variant, ...],
                 tilts: tuple[Tilt | None, ...]) -> None:
        self.bases = bases
        self.variants = variants
        self.tilts = tilts
        self.current: tuple[int, Plan] | None = None

    def tilt(self, variant: int) -> Tilt | None:
        """The proposal of a variant's base (a conditioned scenario), or None."""
        return self.tilts[self.variants[variant].base] if self.tilts else None

    def plan(self, variant: int) -> Plan:
        if self.current is None or self.current[0] != variant:
            v = self.variants[variant]
            sc = self.bases[v.base]
            if v.changes:
                sc = sc.with_changes(dict(v.changes))
            self.current = (variant, compile_plan(sc))
        return self.current[1]


def _plans(bases: tuple[Scenario, ...], variants: tuple[Variant, ...],
           tilts: tuple[Tilt | None, ...]) -> _Plans:
    return _Plans(bases, variants, tilts)


class ChunkTask:
    """Picklable: simulate one chunk and return its arrays (or a selection of them).

    Parameters
    ----------
    seed : int
        The run's seed.
    keep : tuple of str
        Optional outputs of :func:`lgsim.engine.simulate_chunk`.
    select : tuple of str, optional
        Return only these arrays; ``"target_growth"`` is the target year's growth,
        ``"target_fai"`` / ``"target_industrial_fai"`` ``(R, 2)`` the levels of the year
        before and the target year (亿元; with an FAI model).

    The proposal of a conditioned scenario (its tilt) comes with the worker's plans.
    """

    def __init__(self, seed: int, keep: tuple[str, ...] = (),
                 select: tuple[str, ...] | None = None) -> None:
        self.seed = seed
        self.keep = keep
        self.select = select

    def __call__(self, plans: _Plans, chunk: Chunk) -> dict[str, np.ndarray]:
        """The chunk's arrays (see :func:`lgsim.engine.simulate_chunk`), or the selection."""
        plan = plans.plan(chunk.variant)
        with np.errstate(all="ignore"):  # non-finite results are refused by check_finite
            arrays = simulate_chunk(plan, self.seed, chunk.start, chunk.size, keep=self.keep,
                                    tilt=plans.tilt(chunk.variant))
        if self.select is None:
            return arrays
        sc = plan.scenario
        ty = sc.target_year - sc.base_year
        arrays["target_growth"] = arrays["growth"][:, ty]
        for q in ("fai", "industrial_fai"):
            if q in arrays:
                arrays[f"target_{q}"] = arrays[q][:, ty - 1:ty + 1]
        return {k: np.ascontiguousarray(arrays[k]) for k in self.select if k in arrays}


def simulate(
    bases: Sequence[Scenario],
    variants: Sequence[Variant],
    chunks: Sequence[Chunk],
    task: ChunkTask,
    settings: RunSettings,
    *,
    tilts: Sequence[Tilt | None] = (),
    executor: str | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[int, Any]]:
    """Simulate ``chunks`` (of ``variants`` of ``bases``); yield ``(chunk index, result)``.

    ``tilts`` holds the proposal of each base (conditioned scenarios; empty: none).
    Results come in completion order; closing the iterator early stops the workers.
    """
    return map_chunks(
        _plans, (tuple(bases), tuple(variants), tuple(tilts)), task, chunks, settings.workers,
        executor=settings.executor(executor, len(chunks)), scheduler=scheduler,
    )


# ---------------------------------------------------------------------- one run
@dataclass(frozen=True)
class Stopping:
    """Where a run with a stopping rule stopped (stop at precision, effective sample size).

    Attributes
    ----------
    target_half_width : float or None
        The requested half-width ``H`` of the 95% interval of P(target met)
        (probability, e.g. 0.005 for ±0.5 percentage points); None without one.
    half_width : float
        The half-width reached with the replications used.
    reached : bool
        False if the maximum number of replications came first.
    chunks : int
        Chunks used (0..chunks − 1).
    replications : int
        Replications used.
    max_replications : int
        The maximum allowed.
    ess : float or None
        Effective sample size reached (a conditioned run), else None.
    min_ess : float or None
        The floor asked for (a conditioned run), else None.
    """

    target_half_width: float | None
    half_width: float
    reached: bool
    chunks: int
    replications: int
    max_replications: int
    ess: float | None = None
    min_ess: float | None = None

    def describe(self) -> str:
        """One line for the terminal and ``run.log``."""
        if self.min_ess is None and self.target_half_width is not None:
            return self._describe_precision()
        asked = []
        if self.target_half_width is not None:
            asked.append(_("precision ±{half:.2f} pp").format(half=100 * self.target_half_width))
        if self.min_ess is not None:
            asked.append(_("effective sample size {ess:,.0f}").format(ess=self.min_ess))
        got = _("±{half:.2f} pp").format(half=100 * self.half_width)
        if self.ess is not None:
            got += _(", effective sample size {ess:,.0f}").format(ess=self.ess)
        if self.reached:
            return _("stopped once {asked} were reached ({got}) after {chunks} chunks "
                     "({n:,} of at most {most:,} replications)").format(
                asked=_(" and ").join(asked), got=got, chunks=self.chunks,
                n=self.replications, most=self.max_replications)
        return _("{asked} not reached: {got} with the maximum {n:,} replications").format(
            asked=_(" and ").join(asked), got=got, n=self.replications)

    def _describe_precision(self) -> str:
        if self.reached:
            return _(
                "stopped at precision: ±{half:.2f} pp ≤ ±{target:.2f} pp after {chunks} chunks "
                "({n:,} of at most {most:,} replications)"
            ).format(half=100 * self.half_width, target=100 * self.target_half_width,
                     chunks=self.chunks, n=self.replications, most=self.max_replications)
        return _(
            "precision ±{target:.2f} pp not reached: ±{half:.2f} pp with the maximum {n:,} "
            "replications"
        ).format(target=100 * self.target_half_width, half=100 * self.half_width,
                 n=self.replications)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``summary.json``."""
        out = {
            "target_half_width": self.target_half_width,
            "half_width": self.half_width,
            "reached": self.reached,
            "chunks": self.chunks,
            "replications": self.replications,
            "max_replications": self.max_replications,
        }
        if self.min_ess is not None:
            out.update({"ess": self.ess, "min_ess": self.min_ess})
        return out


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
    pilot_replications: int = 0
    replications_asked: int = 0

    def notice(self) -> str | None:
        """The stopping line worth showing a user, or None.

        Always for a stop-at-precision run; for a conditioned run only when it had to add
        replications to reach its effective-sample-size floor, or could not reach it.
        """
        stop = self.stopping
        if stop is None:
            return None
        if stop.target_half_width is not None or not stop.reached:
            return stop.describe()
        return stop.describe() if stop.replications > self.replications_asked else None

    def log_lines(self) -> list[str]:
        """Lines for ``run.log``."""
        lines = [
            f"executor {self.executor}; workers {self.workers}; chunk size {self.chunk_size}",
            f"chunks: {self.chunks_computed} computed, {self.chunks_resumed} loaded, "
            f"{self.chunks_discarded} discarded (past the stopping point)",
        ]
        if self.pilot_replications:
            lines.append(f"pilot of the conditioning: {self.pilot_replications} replications "
                         "from the prior")
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


class _Sums:
    """Running weighted sums ``Σw, Σw², Σwx, Σw²x, Σw²x²`` kept on a shifting log scale.

    Weights are kept as ``exp(log w − max)`` with the running maximum, so the sums are
    exact whatever the scale of the log weights (``log w = 0`` without weights).
    """

    def __init__(self) -> None:
        self.top = -math.inf
        self.s = np.zeros(5)

    def add(self, x: np.ndarray, log_weight: np.ndarray) -> None:
        top = float(log_weight.max())
        if top > self.top:
            scale = math.exp(self.top - top) if math.isfinite(self.top) else 0.0
            self.s *= np.array([scale, scale * scale, scale, scale * scale, scale * scale])
            self.top = top
        w = np.exp(log_weight - self.top)
        w2 = w * w
        self.s += np.array([w.sum(), w2.sum(), (w * x).sum(), (w2 * x).sum(),
                            (w2 * x * x).sum()])

    @property
    def mean(self) -> float:
        """The weighted mean ``Σwx / Σw``."""
        return float(self.s[2] / self.s[0])

    @property
    def ess(self) -> float:
        """Effective sample size (Kish): ``(Σw)² / Σw²``."""
        return float(self.s[0] * self.s[0] / self.s[1])

    def variance_of_mean(self) -> float:
        """Delta-method variance of the weighted mean: ``Σw²(x − m)² / (Σw)²``."""
        m = self.mean
        return float((self.s[4] - 2 * m * self.s[3] + m * m * self.s[1]) / self.s[0] ** 2)


class _Prefix:
    """Running sums over a contiguous prefix of chunks: P(target met) and its weights.

    Without weights the estimate and its Wilson interval are the plain ones; with
    weights, the weighted share and its interval. With the smoothed estimator (conditional
    Monte Carlo, :mod:`lgsim.engine.smoothing`) the half-width is that of the mean of the
    conditional probabilities (weighted with their own weights in a conditioned run).
    """

    def __init__(self) -> None:
        self.n = 0
        self.met = 0
        self.weighted = False
        self.flags = _Sums()
        self.smooth: _Sums | None = None
        self.smooth_weighted = False

    def add(self, met: np.ndarray, log_weight: np.ndarray | None,
            p_smooth: np.ndarray | None = None,
            log_weight_smooth: np.ndarray | None = None) -> None:
        self.n += int(met.size)
        self.met += int(np.count_nonzero(met))
        if log_weight is not None:
            self.weighted = True
            self.flags.add(met.astype(float), log_weight)
        if p_smooth is not None:
            self.smooth = self.smooth or _Sums()
            self.smooth_weighted = log_weight_smooth is not None
            self.smooth.add(p_smooth, log_weight_smooth if log_weight_smooth is not None
                            else np.zeros(p_smooth.size))

    @property
    def ess(self) -> float:
        """Effective sample size (Kish): ``(Σw)² / Σw²``; ``n`` without weights."""
        return self.flags.ess if self.weighted else float(self.n)

    def half_width(self) -> float:
        """Half-width of the 95% interval of P(target met) over the prefix."""
        if self.smooth is not None:  # as lgsim.analysis.smoothed_probability computes it
            var = self.smooth.variance_of_mean()
            if not self.smooth_weighted:  # the sample variance (ddof = 1)
                var = var * self.n / (self.n - 1) if self.n > 1 else math.nan
            return Z95 * math.sqrt(max(var, 0.0))
        if not self.weighted:
            low, high = wilson(self.met, self.n)
        else:
            p = self.flags.mean
            low, high = weighted_wilson(p, self.flags.variance_of_mean(), self.ess)
        return (high - low) / 2.0


class _StopRule:
    """Where a run stops: the first contiguous prefix of chunks that meets every criterion.

    A prefix qualifies when it holds at least ``n_min`` replications and, as asked, its
    interval of P(target met) is no wider than ``±precision`` and (a conditioned run) its
    effective sample size reaches ``min_ess``. Only contiguous prefixes are evaluated, in
    index order, so the stopping point depends neither on timing nor on the worker count.
    """

    def __init__(self, chunks: Sequence[Chunk], target: Target, n_min: int,
                 precision: float | None, min_ess: float | None) -> None:
        self.chunks = chunks
        self.target = target
        self.n_min = n_min
        self.precision = precision
        self.min_ess = min_ess
        self.prefix = _Prefix()
        self.parts: dict[int, tuple[np.ndarray | None, ...]] = {}
        self.next = 0  # first chunk not yet in the prefix
        self.stop: int | None = None

    def add(self, index: int, growth: np.ndarray, log_weight: np.ndarray | None,
            p_smooth: np.ndarray | None = None,
            log_weight_smooth: np.ndarray | None = None) -> None:
        self.parts[index] = (np.asarray(self.target.met(growth), dtype=bool), log_weight,
                             p_smooth, log_weight_smooth)
        while self.stop is None and self.next in self.parts:
            self.prefix.add(*self.parts.pop(self.next))
            if self._qualifies():
                self.stop = self.next
            self.next += 1

    def _qualifies(self) -> bool:
        if self.prefix.n < self.n_min:
            return False
        if self.precision is not None and self.prefix.half_width() > self.precision:
            return False
        return self.min_ess is None or self.prefix.ess >= self.min_ess

    def stopping(self, max_replications: int) -> Stopping:
        """Where the run stopped (or the cap it reached)."""
        last = self.stop if self.stop is not None else len(self.chunks) - 1
        used = self.chunks[last].start + self.chunks[last].size
        return Stopping(
            self.precision, self.prefix.half_width(), self.stop is not None, last + 1, used,
            max_replications, ess=self.prefix.ess if self.min_ess is not None else None,
            min_ess=self.min_ess,
        )


class _Collector:
    """Accepts finished chunks: rows of the assembly, the stopping rule, progress."""

    def __init__(self, scenario: Scenario, chunks: Sequence[Chunk], n: int,
                 precision: float | None, min_ess: float | None,
                 progress: Callable[[int], None] | None, info: RunInfo) -> None:
        self.chunks = chunks
        self.cap = chunks[-1].start + chunks[-1].size
        dynamic = precision is not None or min_ess is not None
        self.assembly = _Assembly(self.cap, chunks[0].size, grow=dynamic)
        self.assembly.on_full = lambda rows, available: memory_error(
            scenario, footprint(scenario, rows, info.workers, info.chunk_size), available)
        n_min = chunks[0].size if precision is not None else n
        self.rule = (_StopRule(chunks, scenario.target, n_min, precision, min_ess)
                     if dynamic else None)
        self.year = scenario.target_year - scenario.base_year
        self.progress = progress
        self.info = info
        self.accepted: list[int] = []

    @property
    def stopped(self) -> bool:
        """True once the stopping rule has found its stopping chunk."""
        return self.rule is not None and self.rule.stop is not None

    def accept(self, index: int, part: dict[str, np.ndarray]) -> None:
        chunk = self.chunks[index]
        self.accepted.append(index)
        self.assembly.add(chunk.start, part)
        if self.rule is not None:
            self.rule.add(index, part["growth"][:, self.year], part.get("log_weight"),
                          part.get("p_met_smooth"), part.get("log_weight_smooth"))
        if self.progress is not None:
            self.progress(chunk.size)

    def arrays(self) -> dict[str, np.ndarray]:
        """The assembled arrays up to the stopping point (all replications without one)."""
        n_used = self.cap
        if self.rule is not None:
            self.info.stopping = self.rule.stopping(self.cap)
            n_used = self.info.stopping.replications
            last = self.info.stopping.chunks - 1
            self.info.chunks_discarded = sum(1 for k in self.accepted if k > last)
        return self.assembly.result(n_used)


def _check_options(scenario: Scenario, keep: Collection[str], precision: float | None,
                   min_ess: float, checkpoint: str | Path | None,
                   resume: bool) -> tuple[str, ...]:
    keep = tuple(sorted(set(keep)))
    unknown = [k for k in keep if k not in KEEP_OPTIONS]
    if unknown:
        raise ValueError(f"keep: unknown option {unknown[0]!r} (options: {KEEP_OPTIONS})")
    if precision is not None and not 0.0 < precision < 0.5:
        raise ScenarioError(
            scenario.file, "precision",
            _("a half-width between 0 and 0.5 (a probability: 0.005 = ±0.5 pp)"), str(precision),
        )
    if not (isinstance(min_ess, int | float) and 0 < min_ess < 1e9):
        raise ScenarioError(scenario.file, "min_ess",
                            _("an effective sample size between 1 and 1e9"), str(min_ess))
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
    for c in collector.chunks:
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


def _compute(scenario: Scenario, settings: RunSettings, tilt: Tilt | None,
             task: ChunkTask, todo: list[Chunk], ck: Checkpoint | None,
             collector: _Collector, scheduler: str | None) -> None:
    stream = simulate((scenario,), (Variant(0),), todo, task, settings, tilts=(tilt,),
                      executor=collector.info.executor, scheduler=scheduler)
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


def condition(scenario: Scenario, settings: RunSettings, *, executor: str | None = None,
              scheduler: str | None = None) -> Conditioning | None:
    """The pilot, checks and proposal of a scenario with ``[actuals]`` (None without).

    Raises
    ------
    ScenarioError
        A published figure the model gives no likelihood, alone or with the others.
    """
    if not scenario.actuals:
        return None
    plan = compile_plan(scenario)
    if not informative(plan.figures):
        return Conditioning(None, None, 0)
    chunks = chunks_for(PILOT_REPLICATIONS, settings.chunk_size)
    task = ChunkTask(pilot_seed(settings.seed), ("latents",),
                     select=("latent", "figure_model", "target_growth"))
    parts = dict(simulate((scenario,), (Variant(0),), chunks, task, settings,
                          executor=executor, scheduler=scheduler))
    pilot = Pilot(*(np.concatenate([parts[c.index][k] for c in chunks])
                    for k in ("latent", "figure_model", "target_growth")))
    check_figures(plan, pilot)
    return Conditioning(fit_tilt(plan, pilot), prior_probability(scenario, pilot),
                        PILOT_REPLICATIONS)


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
    min_ess: float = MIN_ESS,
    max_replications: int | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    on_start: Callable[[], None] | None = None,
) -> Results:
    """Run the replications of a scenario and return :class:`~lgsim.results.Results`.

    A scenario with ``[actuals]`` is conditioned on its published figures: a pilot fits a
    proposal, every replication carries an importance weight, and every statistic of the
    results is weighted (:mod:`.conditioning`, ``docs/conditioning.md``).

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
        Worker processes; default all cores, or one for a run of at most
        :data:`SMALL_RUN_CHUNKS` chunks (starting workers costs more than it saves).
        Results are identical for any value.
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
        Stop when the 95% interval of P(target met) has half-width ≤ this
        (a probability: 0.005 = ±0.5 percentage points), evaluated on prefixes of
        chunks; ``replications`` is the maximum.
    min_ess : float
        A conditioned run whose effective sample size is below this after
        ``replications`` adds chunks until it reaches it, up to ``max_replications``
        (default :data:`MIN_ESS`).
    max_replications : int, optional
        The most replications a conditioned run may add up to (default
        :data:`ESS_EXTENSION` × ``replications``; ``replications`` with ``precision``).
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
        Bad replications, seed, precision, a checkpoint of another run, or a published
        figure the model gives no likelihood.
    """
    keep = _check_options(scenario, keep, precision, min_ess, checkpoint, resume)
    previous = Checkpoint.read_manifest(checkpoint) if resume and checkpoint else None
    settings = run_settings(scenario, replications, seed, workers, chunk_size,
                            previous=previous)
    if workers is None and len(settings.chunks) <= SMALL_RUN_CHUNKS and precision is None:
        # starting worker processes costs more than they save on a small run (results
        # do not depend on where chunks run)
        settings = dataclasses.replace(settings, workers=1)
    fp = footprint(scenario, settings.replications, settings.workers, settings.chunk_size, keep)
    check_memory(scenario, fp, early_stop=precision is not None)
    ck = (_open_checkpoint(scenario, settings, keep, checkpoint, resume)
          if checkpoint is not None else None)
    cond = condition(scenario, settings, executor=executor, scheduler=scheduler)
    weighted = cond is not None and cond.pilot_replications > 0
    chunks = _run_chunks(settings, weighted and precision is None, max_replications)
    info = RunInfo(settings.executor(executor, len(chunks)), settings.workers,
                   settings.chunk_size, len(chunks), replications_asked=settings.replications)
    if on_start is not None:
        on_start()
    if ck is not None:
        ck.prepare(resume=resume)
    info.pilot_replications = 0 if cond is None else cond.pilot_replications
    collector = _Collector(scenario, chunks, settings.replications, precision,
                           min_ess if weighted else None, progress, info)
    todo = _load_resumed(ck, collector) if ck is not None and resume else list(chunks)
    if todo and not collector.stopped:
        _compute(scenario, settings, None if cond is None else cond.tilt,
                 ChunkTask(settings.seed, keep), todo, ck, collector, scheduler)
    return _results(scenario, settings, collector, cond)


def _run_chunks(settings: RunSettings, extend: bool,
                max_replications: int | None) -> list[Chunk]:
    """The chunks a run may compute: its replications, or more when ``extend``.

    A conditioned run (with informative figures, without a precision goal) may add chunks
    until its effective sample size reaches its floor, up to ``max_replications``.
    """
    n = settings.replications
    if not extend:
        return list(settings.chunks)
    cap = ESS_EXTENSION * n if max_replications is None else int(max_replications)
    return chunks_for(min(max(cap, n), MAX_REPLICATIONS), settings.chunk_size)


def _results(scenario: Scenario, settings: RunSettings, collector: _Collector,
             cond: Conditioning | None) -> Results:
    arrays = collector.arrays()
    n_used = next(iter(arrays.values())).shape[0]
    stop = collector.info.stopping
    # the resolved scenario reruns the run: a stop at precision records the replications
    # used; a run that added replications for its effective sample size, those asked
    asked = n_used if stop is not None and stop.target_half_width is not None else \
        settings.replications
    plan = compile_plan(scenario.resolved(seed=settings.seed, replications=asked))
    check_finite(plan, arrays)
    with dask_hidden():
        results = Results.from_arrays(plan, arrays, seed=settings.seed,
                                      chunk_size=settings.chunk_size)
    if cond is not None:
        record = cond.record()
        record["replications_asked"] = settings.replications
        if stop is not None and stop.min_ess is not None:
            record.update({"min_ess": stop.min_ess, "ess_reached": stop.reached,
                           "max_replications": stop.max_replications})
        results.record_conditioning(record)
    if stop is not None and stop.target_half_width is not None:
        results.record_stopping(stop.as_dict())
    results.run_info = collector.info
    return results
