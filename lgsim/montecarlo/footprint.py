"""What a run needs before it starts, and whether what it made is a number.

:func:`footprint` estimates memory and disk from the compiled plan (no simulation);
:func:`check_memory` and :func:`preflight` refuse a run that cannot fit, with one line
naming how many replications would; :func:`check_finite` refuses NaN or infinite results,
naming the scenario entity behind them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from ..engine import Plan, compile_plan
from ..fileio import size
from ..i18n import _
from ..results import bytes_per_replication
from ..scenario import Scenario, ScenarioError
from .executors import available_memory, default_workers, local_workers

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
        _("a run that fits in the memory available ({size})").format(size=size(available)),
        _("about {size} needed for {replications:,} replications ({size2} of results each, "
          "{workers} worker(s))")
        .format(size=size(fp.memory), replications=fp.replications, size2=size(fp.per_replication),
                workers=fp.workers),
        # TRANSLATORS: must start with the translations of "memory: " and "use fewer
        # replications" and hold those of "keep fewer outputs" and "stop early at a precision"
        # (the command line names its flags in their place)
        _("memory: use fewer replications (about {fits:,} fit), keep fewer outputs, or stop early "
          "at a precision").format(fits=fits) if fits >= 1 else
        _("memory: this scenario is too large for this machine even for one replication"),
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
        sc.file, path, _("values whose results are finite numbers"),
        _("NaN or infinite results ({join}) in {sum:,} of {size:,} replications{what}")
        .format(join=', '.join(bad), sum=int(rows.sum()), size=rows.size, what=what),
        _("the arithmetic fails at such magnitudes: see the bounds in the scenario reference"),
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
