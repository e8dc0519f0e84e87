"""Many variants of a scenario on common random numbers, keeping the target year's growth.

What-if studies, sensitivity analysis and target-seeking evaluate a scenario hundreds of
times with one value changed. :func:`evaluate_changes` and :func:`outcomes` run those
variants through the same driver as :func:`lgsim.montecarlo.run` (same argument checks,
same fixed chunks, same seed) and keep only what the target needs: the target year's
growth per replication. Each outcome's ``growth`` equals ``lgsim.run(s, n, seed).growth()``
bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis import (
    Probability,
    effective_sample_size,
    normalized_weights,
    probability,
    quantiles,
    smoothed_probability,
    weighted_variance_of_mean,
)
from ..i18n import _
from ..scenario import Scenario, ScenarioError
from .runner import ChunkTask, Variant, chunks_for, condition, run_settings, simulate


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
    #: importance weights of a conditioned scenario (mean 1), None when unweighted
    weights: np.ndarray | None = field(default=None, repr=False)
    #: per replication, each investment target of the target year met (keys as
    #: :meth:`lgsim.Results.p_investment`: ``fai``, ``industrial_fai_growth``...)
    investment_met: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: per replication, P(target met | its other draws) (conditional Monte Carlo), or None
    p_smooth: np.ndarray | None = field(default=None, repr=False)
    #: the importance weights that go with ``p_smooth`` in a conditioned scenario
    smooth_weights: np.ndarray | None = field(default=None, repr=False)

    def p_investment(self, key: str) -> Probability:
        """P(an investment target met), e.g. ``key = "fai"``, weighted when conditioned."""
        return probability(self.investment_met[key], key, self.weights)

    @property
    def n(self) -> int:
        """Number of replications."""
        return int(self.growth.size)

    @property
    def p_met(self) -> Probability:
        """P(target met) with its 95% interval (simulation precision).

        The conditional Monte Carlo estimate when the scenario allows it (mean of
        ``p_smooth``), else the share of replications that meet the target (Wilson).
        """
        indicator = probability(self.met, self.rule, self.weights)
        if self.p_smooth is None:
            return indicator
        return smoothed_probability(
            self.p_smooth, self.rule, self.smooth_weights, indicator,
            weighted_variance_of_mean(self.met.astype(float), self.weights))

    @property
    def ess(self) -> float:
        """Effective sample size of the weights (``n`` when unweighted)."""
        return effective_sample_size(self.weights, self.n)

    @property
    def median(self) -> float:
        """Median growth of the target year, fraction (weighted when conditioned)."""
        return quantiles(self.growth, (0.5,), self.weights)["p50"]

    def __str__(self) -> str:
        return f"{self.name}: P(target met) = {self.p_met}; median growth {100 * self.median:.2f}%"


#: A progress callback: called with the number of replications just finished.
Progress = Callable[[int], None]


def announce(progress: Progress | None, total: int) -> None:
    """Tell ``progress`` how many more units are coming, if it has ``expect(n)``.

    Studies that run in several rounds (target-seeking, backtests) announce each round,
    so a progress bar can grow its total; a plain callable is only called with updates.
    """
    expect = getattr(progress, "expect", None)
    if expect is not None:
        expect(int(total))


def evaluate_changes(
    base: Scenario,
    changes: Sequence[Mapping[str, Any] | None],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int | None = None,
    progress: Progress | None = None,
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
    replications, seed, workers, chunk_size, progress
        As for :func:`outcomes`.

    Returns
    -------
    list of Outcome
        One per change, in order.
    """
    variants = [Variant(0, None if c is None else dict(c)) for c in changes]
    return _evaluate((base,), variants, replications, seed, workers, chunk_size, progress)


def outcomes(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    chunk_size: int | None = None,
    progress: Progress | None = None,
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
    progress : callable, optional
        Called with the replications of each finished chunk (:func:`announce` first).

    Returns
    -------
    list of Outcome
        One per scenario, in order.
    """
    scenarios = list(scenarios)
    variants = [Variant(i) for i in range(len(scenarios))]
    return _evaluate(tuple(scenarios), variants, replications, seed, workers, chunk_size,
                     progress)


def _evaluate(
    bases: tuple[Scenario, ...],
    variants: Sequence[Variant],
    replications: int | None,
    seed: int | None,
    workers: int | None,
    chunk_size: int | None,
    progress: Progress | None = None,
) -> list[Outcome]:
    if not bases or not variants:
        return []
    settings = run_settings(bases[0], replications, seed, workers, chunk_size)
    n, size = settings.replications, settings.chunk_size
    per = len(settings.chunks)
    jobs = [c for v in range(len(variants)) for c in chunks_for(n, size, v, v * per)]
    # a conditioned base: its proposal is fitted once and serves all its variants
    tilts = [None if (c := condition(b, settings)) is None else c.tilt for b in bases]
    task = ChunkTask(settings.seed, select=("target_growth", "log_weight", "target_fai",
                                            "target_industrial_fai", "p_met_smooth",
                                            "log_weight_smooth"))
    announce(progress, n * len(variants))
    parts = {}
    for index, part in simulate(bases, variants, jobs, task, settings, tilts=tilts):
        parts[index] = part
        if progress is not None:
            progress(int(part["target_growth"].shape[0]))
    out = []
    for v, variant in enumerate(variants):
        chunks = [parts[v * per + k] for k in range(per)]
        growth = np.concatenate([c["target_growth"] for c in chunks])
        weights = (normalized_weights(np.concatenate([c["log_weight"] for c in chunks]))
                   if "log_weight" in chunks[0] else None)
        sc = bases[variant.base]
        if not np.all(np.isfinite(growth)):
            bad = sc if not variant.changes else sc.with_changes(dict(variant.changes))
            raise ScenarioError(
                bad.file, ", ".join(variant.changes or ()) or "economy.gdp",
                _("values whose results are finite numbers"),
                _("NaN or infinite growth in {sum:,} of {size:,} replications")
                .format(sum=int((~np.isfinite(growth)).sum()), size=growth.size),
                _("the arithmetic fails at such magnitudes: see the bounds in the scenario "
                  "reference"),
            )
        if variant.changes and any(k.startswith(("target.", "scenario."))
                                   for k in variant.changes):
            # the rule and the name can only change through the target / scenario keys
            sc = sc.with_changes(dict(variant.changes))
        met = np.asarray(sc.target.met(growth), dtype=bool)
        out.append(Outcome(sc.name, sc.title, growth, met, settings.seed, sc.target.rule(),
                           weights, _investment_met(sc, chunks), *_smoothed(chunks)))
    return out


def _smoothed(chunks: list[dict[str, np.ndarray]]) -> tuple[np.ndarray | None, ...]:
    """The conditional probabilities and their weights, when the chunks have them."""
    if "p_met_smooth" not in chunks[0]:
        return None, None
    p = np.concatenate([c["p_met_smooth"] for c in chunks])
    if "log_weight_smooth" not in chunks[0]:
        return p, None
    return p, normalized_weights(np.concatenate([c["log_weight_smooth"] for c in chunks]))


def _investment_met(sc: Scenario, chunks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Per replication, each investment target of the target year met."""
    levels = {}
    for quantity in ("fai", "industrial_fai"):
        if f"target_{quantity}" in chunks[0]:
            both = np.concatenate([c[f"target_{quantity}"] for c in chunks])  # (R, 2)
            levels[quantity] = (both[:, 0], both[:, 1])
    return sc.target.investment_met(levels)
