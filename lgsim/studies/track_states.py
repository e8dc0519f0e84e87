"""The states of a track: their weights, statistics and news on one set of replications.

Month ``t``'s weights are ``w_t ∝ p/q × Π_{k known at t} L_k`` on the replications of
:mod:`lgsim.montecarlo.tracking`. P(target met) is estimated by conditional Monte Carlo
where the scenario allows it (the target year's normal ``ξ*`` integrated out given the
figures known at ``t``, with Rao–Blackwellised weights: :mod:`lgsim.engine.smoothing`),
else as the weighted share of replications that meet the target; quantiles and the other
targets use the weights ``w_t``. Each release's news is the change of these estimates when
it is added (:class:`Evaluator`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.special import log_ndtr

from ..analysis import (
    Probability,
    effective_sample_size,
    normalized_weights,
    probability,
    smoothed_probability,
    weighted_mean,
    weighted_quantile,
    weighted_variance_of_mean,
)
from ..engine.observe import FigureSpec
from ..engine.smoothing import conditional_probability, posterior
from ..montecarlo.tracking import TrackDraws
from ..scenario import Scenario
from ..scenario.bridge import Release
from ..scenario.indicators import TargetFlags, target_flags

#: Most releases in one month for an exact Shapley split (2^n subsets).
MAX_SHAPLEY = 12


@dataclass(frozen=True)
class StateStats:
    """Statistics of one as-of state (fractions; probabilities with their intervals)."""

    p: Probability
    ess: float
    mean_growth: float
    quantiles: dict[str, float]
    targets: tuple[tuple[TargetFlags, Probability | None], ...]


@dataclass(frozen=True)
class News:
    """What one release changed: P(target met) and expected growth (fractions)."""

    release: Release
    kind: str  # "release" | "revision"
    order: int
    d_p: float
    d_growth: float
    p_before: float
    p_after: float
    growth_before: float
    growth_after: float


@dataclass(frozen=True)
class MonthState:
    """One month of the track: what was known at its end and what it implies."""

    year: int
    month: int
    as_of: dt.date
    known: tuple[int, ...]
    stats: StateStats
    news: tuple[News, ...] = ()
    repeated: bool = False
    low_ess: bool = False

    @property
    def label(self) -> str:
        """``2022-03``."""
        return f"{self.year}-{self.month:02d}"


# ---------------------------------------------------------------------- weights and stats
class Evaluator:
    """States' weights and statistics on the track's replications (cached by state).

    ``figures`` are the compiled figures of the releases (in release order).
    """

    def __init__(self, scenario: Scenario, releases: Sequence[Release], draws: TrackDraws,
                 figures: tuple[FigureSpec, ...]) -> None:
        self.scenario = scenario
        self.draws = draws
        self.loglik = _log_likelihoods(releases, draws.arrays["figure_model"])
        a = draws.arrays
        y = scenario.target_year - scenario.base_year
        self.growth = a["growth"][:, y]
        self.targets = target_flags(scenario, scenario.target_year, a)
        self.met = self.targets[0].flags
        self.releases = releases
        self.figures = figures
        self._weights: dict[tuple[int, ...], np.ndarray | None] = {}
        self._estimates: dict[tuple[int, ...], tuple[Probability, float]] = {}

    def weights(self, state: tuple[int, ...]) -> np.ndarray | None:
        """Normalised weights ``w_t`` of a state (mean 1; None when all are equal)."""
        if state not in self._weights:
            log_w = self.draws.log_base.copy()
            for k in state:  # in index order: the same sum for the same state
                log_w += self.loglik[:, k]
            self._weights[state] = normalized_weights(log_w)
        return self._weights[state]

    def estimate(self, state: tuple[int, ...]) -> tuple[Probability, float]:
        """P(target met) of a state and its expected growth (fraction).

        By conditional Monte Carlo when the scenario allows it (:meth:`_smoothed`), else
        the weighted share of replications that meet the target and the weighted mean.
        """
        if state not in self._estimates:
            hit = self._smoothed(state)
            if hit is None:
                w = self.weights(state)
                hit = (probability(self.met, self.targets[0].rule, w),
                       float(weighted_mean(self.growth, w)))
            self._estimates[state] = hit
        return self._estimates[state]

    def _smoothed(self, state: tuple[int, ...]) -> tuple[Probability, float] | None:
        """The conditional Monte Carlo estimate given the figures of ``state``, or None.

        ``ξ*`` given the rest and the figures is normal (the figures are affine in it);
        each replication's weight is ``p/q`` of the other latents times the evidence
        ``∫ p(ξ*) Π L_k dξ*`` (:func:`lgsim.engine.smoothing.posterior`), its P(met)
        the normal probability of ``A + B ξ* ≥ threshold``. A "more than" figure that
        moves with ``ξ*`` has no closed form: the state falls back to the indicator.
        """
        a, rest = self.draws.arrays, self.draws.log_base_rest
        if rest is None or "smooth_xi" not in a:
            return None
        slopes = a["figure_slope"]
        bounds = [k for k in state if self.releases[k].bound]
        if any(np.any(slopes[:, k] != 0.0) for k in bounds):
            return None
        known = set(state) - set(bounds)
        figs = tuple(f if k in known else f._replace(sd=math.inf)
                     for k, f in enumerate(self.figures))
        xi, b = a["smooth_xi"], a["smooth_slope"]
        post = posterior(figs, a["figure_model"], slopes, xi)
        log_w = rest + post.log_evidence
        for k in bounds:  # constant in ξ*: its likelihood as it is
            log_w = log_w + self.loglik[:, k]
        w = normalized_weights(log_w)
        target = self.scenario.target
        level = self.growth - b * xi
        p = conditional_probability(level, b, post, target.threshold(), self.met)
        w_ind = self.weights(state)
        indicator = probability(self.met, target.rule(), w_ind)
        variance = weighted_variance_of_mean(self.met.astype(float), w_ind)
        return (smoothed_probability(p, target.rule(), w, indicator, variance),
                float(weighted_mean(level + b * post.mean, w)))

    def stats(self, state: tuple[int, ...]) -> StateStats:
        """P(met) and expected growth (:meth:`estimate`); quantiles and targets on ``w_t``."""
        w = self.weights(state)
        p, mean = self.estimate(state)
        q = weighted_quantile(self.growth, np.array([0.1, 0.5, 0.9]), w) if w is not None \
            else np.quantile(self.growth, [0.1, 0.5, 0.9], method="linear")
        targets = tuple((t, None if t.flags is None else probability(t.flags, t.rule, w))
                        for t in self.targets[1:])
        ess = p.ess if p.ess is not None else effective_sample_size(w, self.growth.size)
        return StateStats(p, ess, mean,
                          dict(zip(("p10", "p50", "p90"), map(float, q), strict=True)),
                          targets)

    def month(self, year: int, month: int, as_of: dt.date, state: tuple[int, ...],
              prev: MonthState | None, order: str, min_ess: float) -> MonthState:
        """One month's state, with its news against ``prev``."""
        stats = self.stats(state)
        news: tuple[News, ...] = ()
        repeated = prev is not None and prev.known == state
        if prev is not None and not repeated:
            events = _events(prev.known, state, self.releases)
            news = (tuple(self._shapley(prev.known, events)) if order == "shapley"
                    and len(events) <= MAX_SHAPLEY else tuple(self._chain(prev.known, events)))
        return MonthState(year, month, as_of, state, stats, news, repeated,
                          stats.ess < min_ess)

    def _point(self, state: tuple[int, ...]) -> tuple[float, float]:
        p, mean = self.estimate(state)
        return p.estimate, mean

    def _chain(self, start: tuple[int, ...], events: list[tuple[int, int | None]]
               ) -> list[News]:
        """Each event's news, adding the events one by one in publication order."""
        out = []
        state = start
        for order, (k, old) in enumerate(events, start=1):
            p0, g0 = self._point(state)
            state = _apply(state, k, old)
            p1, g1 = self._point(state)
            out.append(News(self.releases[k], "revision" if old is not None else "release",
                            order, p1 - p0, g1 - g0, p0, p1, g0, g1))
        return out

    def _shapley(self, start: tuple[int, ...], events: list[tuple[int, int | None]]
                 ) -> list[News]:
        """Each event's Shapley value over the orders of the month's events."""
        n = len(events)
        value: dict[frozenset[int], tuple[float, float]] = {}
        for size in range(n + 1):
            for subset in combinations(range(n), size):
                state = start
                for i in subset:
                    state = _apply(state, *events[i])
                value[frozenset(subset)] = self._point(state)
        out = []
        for i, (k, old) in enumerate(events):
            dp = dg = 0.0
            others = [j for j in range(n) if j != i]
            for size in range(n):
                coef = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                for subset in combinations(others, size):
                    s = frozenset(subset)
                    dp += coef * (value[s | {i}][0] - value[s][0])
                    dg += coef * (value[s | {i}][1] - value[s][1])
            p0, g0 = value[frozenset()]
            out.append(News(self.releases[k], "revision" if old is not None else "release",
                            i + 1, dp, dg, p0, p0 + dp, g0, g0 + dg))
        return out


def _log_likelihoods(releases: Sequence[Release], model: np.ndarray) -> np.ndarray:
    """``(R, K)`` log-likelihood of each figure in each replication (constants dropped).

    A figure is ``y = ŷ + e``, ``e ~ N(0, sd²)``: ``−½((y − ŷ)/sd)²``; a "more than" /
    "at least" figure observes ``ŷ + e ≥ y``: ``log Φ((ŷ − y)/sd)``.
    """
    out = np.zeros(model.shape)
    for k, r in enumerate(releases):
        o = r.observation
        if not math.isfinite(o.sd):
            continue
        z = (model[:, k] - o.value) / o.sd
        out[:, k] = log_ndtr(z) if r.bound else -0.5 * z * z
    return out


def _events(before: tuple[int, ...], after: tuple[int, ...], releases: Sequence[Release]
            ) -> list[tuple[int, int | None]]:
    """The releases that take ``before`` to ``after``: ``(new, replaced or None)``.

    In publication order (date, then row); a new vintage replaces the figure of the same
    key it supersedes.
    """
    gone = [k for k in before if k not in after]
    out = []
    for k in sorted((k for k in after if k not in before),
                    key=lambda k: (releases[k].known, releases[k].figure.row)):
        old = next((j for j in gone if releases[j].figure.key == releases[k].figure.key),
                   None)
        if old is not None:
            gone.remove(old)
        out.append((k, old))
    return out


def _apply(state: tuple[int, ...], new: int, old: int | None) -> tuple[int, ...]:
    return tuple(sorted({*(k for k in state if k != old), new}))


