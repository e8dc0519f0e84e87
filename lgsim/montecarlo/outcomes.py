"""Many variants of a scenario on common random numbers, keeping the target year's growth.

What-if studies, sensitivity analysis and target-seeking evaluate a scenario hundreds of
times with one value changed. :func:`evaluate_changes` and :func:`outcomes` run those
variants through the same driver as :func:`lgsim.montecarlo.run` (same argument checks,
same fixed chunks, same seed) and keep only what the target needs: the target year's
growth per replication. Each outcome's ``growth`` equals ``lgsim.run(s, n, seed).growth()``
bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis import Probability, probability
from ..scenario import Scenario, ScenarioError
from .runner import ChunkTask, Variant, chunks_for, run_settings, simulate


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
    variants = [Variant(0, None if c is None else dict(c)) for c in changes]
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
    variants = [Variant(i) for i in range(len(scenarios))]
    return _evaluate(tuple(scenarios), variants, replications, seed, workers, chunk_size)


def _evaluate(
    bases: tuple[Scenario, ...],
    variants: Sequence[Variant],
    replications: int | None,
    seed: int | None,
    workers: int | None,
    chunk_size: int | None,
) -> list[Outcome]:
    if not bases or not variants:
        return []
    settings = run_settings(bases[0], replications, seed, workers, chunk_size)
    n, size = settings.replications, settings.chunk_size
    per = len(settings.chunks)
    jobs = [c for v in range(len(variants)) for c in chunks_for(n, size, v, v * per)]
    parts = dict(simulate(bases, variants, jobs, ChunkTask(settings.seed, growth_only=True),
                          settings))
    out = []
    for v, variant in enumerate(variants):
        growth = np.concatenate([parts[v * per + k] for k in range(per)])
        sc = bases[variant.base]
        if not np.all(np.isfinite(growth)):
            bad = sc if not variant.changes else sc.with_changes(dict(variant.changes))
            raise ScenarioError(
                bad.file, ", ".join(variant.changes or ()) or "economy.gdp",
                "values whose results are finite numbers",
                f"NaN or infinite growth in {int((~np.isfinite(growth)).sum()):,} of "
                f"{growth.size:,} replications",
                "the arithmetic fails at such magnitudes: see the bounds in the scenario "
                "reference",
            )
        if variant.changes and any(k.startswith(("target.", "scenario."))
                                   for k in variant.changes):
            # the rule and the name can only change through the target / scenario keys
            sc = sc.with_changes(dict(variant.changes))
        met = np.asarray(sc.target.met(growth), dtype=bool)
        out.append(Outcome(sc.name, sc.title, growth, met, settings.seed, sc.target.rule()))
    return out
