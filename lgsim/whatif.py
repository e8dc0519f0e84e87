"""What-if helpers for notebooks: new projects, removed entries, quick CRN evaluations.

A what-if is a :class:`~lgsim.scenario.Scenario` changed by key paths (DESIGN.md, "one
path syntax everywhere")::

    s = lgsim.load_scenario("scenarios/base.toml")
    late = s.with_changes({"batch[sz-2022-batch3].start_delay_months": 3.0})
    calm = whatif.remove(s, "shock[lockdown-risk]")
    more = whatif.add_project(s, {"id": "new-10yi", "sector": "industry",
                                  "total_investment": 10.0, "planned_start": "2022-07-01",
                                  "duration_months": 18})

Every result is validated like a file. :func:`outcomes` runs several scenarios on the
same seed (common random numbers) and keeps only what the target needs — the target
year's growth per replication — which is what sensitivity analysis and target-seeking
evaluate hundreds of times; :func:`lgsim.run` gives the full :class:`~lgsim.results.Results`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analysis import Probability, probability
from .scenario.build import MAX_REPLICATIONS, build
from .scenario.errors import ScenarioError
from .scenario.model import Scenario
from .scenario.paths import ARRAY_KINDS, parse_path

__all__ = [
    "ENTRY_KINDS",
    "REPLICATIONS_ENV",
    "Outcome",
    "add_project",
    "evaluate_changes",
    "outcomes",
    "pinned_drawdowns",
    "remove",
    "replications_from_env",
    "variant",
]

#: Kinds of entries :func:`add_project` can add (the project-like arrays of tables).
ENTRY_KINDS = ("project", "batch", "pipeline")

#: Environment variable that overrides the replication count of notebooks and examples.
REPLICATIONS_ENV = "LGSIM_REPLICATIONS"


# ---------------------------------------------------------------------- changing scenarios
def add_project(
    scenario: Scenario,
    entry: Mapping[str, Any],
    *,
    kind: str = "project",
    source: str | None = None,
) -> Scenario:
    """Return ``scenario`` with one more project, batch or pipeline entry.

    The entry is written exactly as a ``[[project]]`` (``[[batch]]``, ``[[pipeline]]``)
    table of a scenario file and validated like one: required keys, known sector and
    street ids, an id unique across projects, batches and pipeline entries. Because
    random draws are keyed by entity id, the other entities keep their draws: a run of
    the result on the same seed differs from the original only by the new entry.

    Parameters
    ----------
    scenario : Scenario
        The scenario to extend.
    entry : mapping
        The table, e.g. ``{"id": "new-10yi", "name": "新增10亿元项目", "sector":
        "industry", "total_investment": 10.0, "planned_start": "2022-07-01",
        "duration_months": {"dist": "pert", "low": 12, "mode": 18, "high": 24}}``.
        Money in 亿元, times in months, dates as ISO strings or ``datetime.date``.
    kind : {"project", "batch", "pipeline"}
        The array of tables to append to.
    source : str, optional
        ``"source: <title>, <address>"`` or ``"assumption: <why>"``, recorded in
        ``[sources]`` under ``kind[id]``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the entry is not a valid table of that kind for this scenario.
    """
    file = f"{scenario.file} (add_project)"
    if kind not in ENTRY_KINDS:
        raise ScenarioError(file, kind, "one of " + ", ".join(ENTRY_KINDS), repr(kind))
    if not isinstance(entry, Mapping):
        raise ScenarioError(file, kind, f"a table for a new [[{kind}]]", type(entry).__name__)
    doc = copy.deepcopy(scenario.document)
    entries = doc.setdefault(kind, [])
    entries.append(copy.deepcopy(dict(entry)))
    if source is not None:
        ident = entry.get("id", f"#{len(entries)}")
        doc.setdefault("sources", {})[f"{kind}[{ident}]"] = source
    return build(doc, file)


def variant(
    scenario: Scenario,
    name: str,
    changes: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
) -> Scenario:
    """A named what-if: ``scenario.with_changes(changes)`` under a new name and title.

    Names label the scenario in comparisons, tables and run directories.

    Parameters
    ----------
    scenario : Scenario
    name : str
        Plain name (letters, digits, ``-``, ``_``, ``.``), e.g. ``"batch3-late-3m"``.
    changes : mapping, optional
        Key path -> new value (see :meth:`Scenario.with_changes`).
    title : str, optional
        Human-readable title (default: the name).

    Returns
    -------
    Scenario
    """
    merged = {"scenario.name": name, "scenario.title": title if title is not None else name}
    merged.update(dict(changes or {}))
    return scenario.with_changes(merged)


def remove(scenario: Scenario, *paths: str) -> Scenario:
    """Return ``scenario`` without the named entries (as a file's ``remove = [...]``).

    Parameters
    ----------
    scenario : Scenario
    *paths : str
        Entries as ``kind[id]``, e.g. ``"shock[lockdown-risk]"`` or
        ``"pipeline[huawei-building-park]"``. Their ``[sources]`` lines go with them.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If a path is not ``kind[id]`` or names no entry of the scenario.

    Notes
    -----
    For a shock, ``with_changes({"shock[id].probability": 0.0})`` gives the same growth
    on the same seed (both leave every other draw unchanged); a removed entry also
    disappears from contributions and tables.
    """
    file = f"{scenario.file} (remove)"
    doc = copy.deepcopy(scenario.document)
    for text in paths:
        try:
            path = parse_path(text)
        except ValueError as exc:
            raise ScenarioError(file, text, "an entry as kind[id]", str(exc)) from None
        if path.kind not in ARRAY_KINDS or path.id is None or path.fields:
            raise ScenarioError(file, text, "an entry as kind[id], e.g. shock[lockdown-risk]",
                                repr(text))
        entries = doc.get(path.kind, [])
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("id") == path.id)]
        if len(kept) == len(entries):
            known = [e.get("id") for e in entries if isinstance(e, dict)]
            raise ScenarioError(
                file, text, f"an existing {path.kind} id ({', '.join(map(str, known)) or 'none'})",
                repr(path.id),
            )
        doc[path.kind] = kept
        head = f"{path.kind}[{path.id}]"
        sources = doc.get("sources")
        if isinstance(sources, dict):
            for key in [k for k in sources if k == head or k.startswith(head + ".")]:
                del sources[key]
    return build(doc, file)


def pinned_drawdowns(scenario: Scenario, keep: Sequence[str] = ()) -> dict[str, Any]:
    """Changes that pin every calibrated s-curve at the shape it has in ``scenario``.

    A ``first_year_plan`` fixes the s-curve's shape once, for the schedule the plan was
    made for (DESIGN.md, rule 3; ``plan_start`` and ``plan_duration_months`` pin that
    schedule, so moving the start or the duration keeps the shape). A what-if that
    changes ``total_investment`` through :meth:`Scenario.with_changes` re-solves the
    shape for the new plan share, so the plan is met again and most of the change's
    effect disappears. Adding these changes keeps the shape of the original scenario: the
    plan was made once. On the original scenario they change nothing (same draws, same
    curve, bit-identical growth).

    Parameters
    ----------
    scenario : Scenario
    keep : sequence of str
        Entries left free to re-calibrate, as ``kind[id]`` (e.g. when the what-if is
        the plan itself: ``first_year_plan``, ``plan_start`` or ``drawdown``).

    Returns
    -------
    dict
        ``{"kind[id].drawdown": {"a": a, "b": b}, ...}`` for :meth:`Scenario.with_changes`.
    """
    out: dict[str, Any] = {}
    entries = (
        [("project", p.id, p) for p in scenario.projects]
        + [("batch", b.id, b.template) for b in scenario.batches]
        + [("pipeline", p.id, p.project) for p in scenario.pipelines]
    )
    for kind, ident, spec in entries:
        head = f"{kind}[{ident}]"
        if spec.drawdown.calibrated and head not in keep:
            out[f"{head}.drawdown"] = {"a": float(spec.drawdown.a), "b": float(spec.drawdown.b)}
    return out


def replications_from_env(default: int) -> int:
    """Replications to use: ``$LGSIM_REPLICATIONS`` when set, else ``default``.

    Notebooks call this so the test suite can execute them quickly
    (``LGSIM_REPLICATIONS=200``) while analysts get the full count.

    Raises
    ------
    ValueError
        If the variable is set to something other than a whole number >= 1.
    """
    text = os.environ.get(REPLICATIONS_ENV, "").strip()
    if not text:
        return int(default)
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValueError(f"{REPLICATIONS_ENV}: expected a whole number, found {text!r}") from None
    if value < 1:
        raise ValueError(f"{REPLICATIONS_ENV}: expected a number >= 1, found {value}")
    return value


# ---------------------------------------------------------------------- quick evaluations
@dataclass(frozen=True)
class Outcome:
    """Target-year growth of one scenario over replications (common random numbers).

    Attributes
    ----------
    name : str
        Scenario name.
    title : str
        Scenario title.
    growth : numpy.ndarray
        Real GDP growth of the target year per replication, fraction (0.06 = 6%).
    met : numpy.ndarray
        Per replication: target met under the scenario's rule.
    seed : int
        The seed every scenario of the same call used.
    rule : str
        The rule used to judge the target.
    """

    name: str
    title: str
    growth: np.ndarray = field(repr=False)
    met: np.ndarray = field(repr=False)
    seed: int
    rule: str

    @property
    def n(self) -> int:
        """Number of replications."""
        return int(self.growth.size)

    @property
    def p_met(self) -> Probability:
        """P(target met) with its 95% Wilson interval (simulation precision)."""
        return probability(self.met, self.rule)

    @property
    def median(self) -> float:
        """Median growth of the target year, fraction (numpy "linear" quantile)."""
        return float(np.quantile(self.growth, 0.5, method="linear"))

    def __str__(self) -> str:
        return f"{self.name}: P(target met) = {self.p_met}; median growth {100 * self.median:.2f}%"


@dataclass(frozen=True)
class _Variant:
    """A scenario to evaluate: ``bases[base].with_changes(changes)`` (or the base itself)."""

    base: int
    changes: Mapping[str, Any] | None = None


def _setup(bases: tuple[Scenario, ...], variants: tuple[_Variant, ...],
           jobs: tuple[tuple[int, int, int], ...]) -> dict[str, Any]:
    return {"bases": bases, "variants": variants, "jobs": jobs, "plans": {}}


class _GrowthTask:
    """Picklable: simulate one job (variant, chunk) and keep the target year's growth."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, context: dict[str, Any], job: int, _size: int) -> np.ndarray:
        from .engine.chunk import simulate_chunk
        from .engine.plan import compile_plan

        variant_index, start, size = context["jobs"][job]
        plans = context["plans"]
        if variant_index not in plans:
            plans.clear()  # jobs come variant by variant: keep one compiled plan
            v = context["variants"][variant_index]
            sc = context["bases"][v.base]
            if v.changes:
                sc = sc.with_changes(dict(v.changes))
            plans[variant_index] = compile_plan(sc)
        plan = plans[variant_index]
        sc = plan.scenario
        arrays = simulate_chunk(plan, self.seed, start, size)
        return np.ascontiguousarray(arrays["growth"][:, sc.target_year - sc.base_year])


def _check_run(scenario: Scenario, n: int, seed: int | None) -> None:
    if not 1 <= n <= MAX_REPLICATIONS:
        raise ScenarioError(scenario.file, "scenario.replications",
                            f"1..{MAX_REPLICATIONS:,} replications", f"{n:,}")
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ScenarioError(scenario.file, "scenario.seed", "0 <= seed < 2**63", str(seed))


def evaluate_changes(
    base: Scenario,
    changes: Sequence[Mapping[str, Any] | None],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int | None = None,
) -> list[Outcome]:
    """Evaluate many changed copies of one scenario on common random numbers.

    Like :func:`outcomes` for ``[base.with_changes(c) for c in changes]``, but the
    changed scenarios are built inside the workers, so thousands of variants (a Sobol
    design) cost one pickled scenario, not thousands. ``None`` means the base itself.

    Parameters
    ----------
    base : Scenario
    changes : sequence of mapping or None
        Key path -> value, as for :meth:`Scenario.with_changes`. Validate at least one
        representative change in the caller first: errors raised inside worker
        processes are reported less clearly.
    replications, seed, workers, chunk_size
        As for :func:`outcomes`.

    Returns
    -------
    list of Outcome
        One per change, in order.
    """
    variants = [_Variant(0, None if c is None else dict(c)) for c in changes]
    return _evaluate((base,), variants, replications, seed, workers, chunk_size)


def outcomes(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int | None = None,
) -> list[Outcome]:
    """Target-year growth of several scenarios on the same seed (common random numbers).

    The replications are the same fixed chunks as :func:`lgsim.run` uses, so each
    outcome's ``growth`` equals ``lgsim.run(s, n, seed).growth()`` bit for bit; only the
    target year's growth is kept, which makes this the fast path for sensitivity and
    target-seeking. Work is spread over (scenario, chunk) pairs.

    Parameters
    ----------
    scenarios : sequence of Scenario
    replications : int, optional
        Replications per scenario (default: the first scenario's).
    seed : int, optional
        One seed for all (default: the first scenario's, else random, recorded).
    workers : int, optional
        Processes (default: all cores; 1 runs in this process). Results do not depend
        on it.
    chunk_size : int, optional
        Replications per chunk (default: :data:`lgsim.montecarlo.DEFAULT_CHUNK`).

    Returns
    -------
    list of Outcome
        One per scenario, in order.
    """
    scenarios = list(scenarios)
    variants = [_Variant(i) for i in range(len(scenarios))]
    return _evaluate(tuple(scenarios), variants, replications, seed, workers, chunk_size)


def _evaluate(
    bases: tuple[Scenario, ...],
    variants: Sequence[_Variant],
    replications: int | None,
    seed: int | None,
    workers: int | None,
    chunk_size: int | None,
) -> list[Outcome]:
    from .accounting import target_met
    from .executors import default_workers, map_chunks
    from .montecarlo import DEFAULT_CHUNK, chunks_for, resolve_seed

    if not bases or not variants:
        return []
    first = bases[0]
    n = int(replications if replications is not None else first.replications)
    _check_run(first, n, seed)
    run_seed = resolve_seed(seed, first)
    size = DEFAULT_CHUNK if chunk_size is None else int(chunk_size)
    if size < 1:
        raise ValueError("chunk_size must be >= 1")
    workers = default_workers() if workers is None else max(1, int(workers))
    chunks = chunks_for(n, size)
    jobs = tuple((v, start, m) for v in range(len(variants)) for _, start, m in chunks)
    work = [(j, j, 1) for j in range(len(jobs))]  # map_chunks' (index, start, size)
    parts: dict[int, np.ndarray] = {}
    for index, growth in map_chunks(
        _setup, (bases, tuple(variants), jobs), _GrowthTask(run_seed), work, workers
    ):
        parts[index] = growth
    out = []
    per = len(chunks)
    for v, variant in enumerate(variants):
        growth = np.concatenate([parts[v * per + k] for k in range(per)])
        sc = bases[variant.base]
        if variant.changes:
            # the rule and the name can only change through the target / scenario keys
            target_keys = [k for k in variant.changes if k.startswith(("target.", "scenario."))]
            if target_keys:
                sc = sc.with_changes(dict(variant.changes))
        t = sc.target
        met = target_met(growth, t.gdp_growth, decimals=t.decimals, tolerance=t.tolerance)
        out.append(Outcome(sc.name, sc.title, growth, np.asarray(met, dtype=bool),
                           run_seed, t.rule()))
    return out
