"""Target-seeking: the value of one lever that lifts P(target met) to a requested level.

A *lever* is a number at a key path, as in :meth:`Scenario.with_changes`
(``sector[industry].growth.mean``, ``batch[sz-2022-batch3].start_delay_months``,
``target.gdp_growth``...). Every evaluation uses the same seed and replication numbers
(common random numbers), so the estimated probability ``P̂(x)`` is a step function of the
lever ``x`` that moves only when a replication crosses the target: smooth enough to
bisect, and exactly monotone when the model is monotone replication by replication.

Method
------
1. Evaluate a grid of ``grid`` values over the bounds; a decrease of ``P̂`` against the
   overall direction is reported as a monotonicity violation.
2. If the requested probability ``p`` is not between ``P̂`` at the two ends, the answer
   is "not reachable within bounds" (or "already reached at the near bound").
3. Bisect, from the first grid interval where it happens (walking from low to high
   ``P̂``), for three crossings: where ``P̂(x)`` reaches ``p`` (the answer) and where the
   upper and lower bounds of its 95% Wilson interval reach ``p``. The latter two bound
   the answer: the lever values whose interval still contains ``p`` — the test
   inversion of the Wilson interval. This is *simulation precision* (more replications
   narrow it); it does not include uncertainty in the scenario's assumptions.

Calibrated s-curves are pinned at the scenario's shape
(:func:`lgsim.scenario.plan_shape.with_pinned_shapes`) unless the lever is the plan itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .._format import pct, to_pct
from ..analysis import Probability
from ..engine import compile_plan
from ..engine.smoothing import SmoothingPlan
from ..i18n import _
from ..montecarlo.outcomes import evaluate_changes
from ..montecarlo.runner import resolve_seed
from ..scenario import Scenario
from ..scenario.errors import ScenarioError, describe
from ..scenario.paths import locate, parse_path
from ..scenario.plan_shape import with_pinned_shapes

__all__ = ["Solution", "default_bounds", "lever_replaces", "lever_value", "solve"]

#: Fields whose value is a probability or share in [0, 1].
_UNIT_FIELDS = ("probability", "p_stall", "execution", "delivered", "additionality",
                "delay_correlation", "local_share", "construction_share",
                "construction_va_ratio", "share")
#: Fields that never hold a number (cannot be levers).
_NOT_NUMBERS = ("id", "name", "title", "sector", "street", "planned_start", "plan_start",
                "signed", "by", "start", "window", "drawdown", "sector_mix", "street_mix",
                "seasonality", "dist", "values", "extends", "remove", "pauses_projects")
#: Fields that hold whole numbers: such a lever is searched over integers.
_INTEGER_FIELDS = ("count", "decimals")
#: Fields holding growth rates or impacts (fractions that may be negative).
#: Default replications per evaluation when P(met) has the conditional estimator.
SOLVE_REPLICATIONS = 1000
_RATE_FIELDS = ("gdp_growth", "mean", "median", "mode", "low", "high", "tolerance")


@dataclass(frozen=True)
class Solution:
    """The answer of :func:`solve`.

    Attributes
    ----------
    lever : str
        Key path of the lever.
    probability : float
        Requested P(target met), fraction.
    status : {"solved", "not reachable", "already reached"}
        ``not reachable``: the requested probability is beyond ``P̂`` at the far bound;
        ``already reached``: ``P̂`` at the near bound is already at or above it.
    value : float or None
        Lever value where ``P̂`` first reaches the requested probability (walking from
        low to high ``P̂``), in the lever's own units.
    low, high : float or None
        95% simulation-precision range of ``value`` (Wilson test inversion); ``None``
        when it extends beyond the bounds (see ``low_censored`` / ``high_censored``).
    low_censored, high_censored : bool
        The range reaches past the lower / upper bound.
    bounds : tuple of float
        The bracket searched.
    current : float or None
        The lever's value in the scenario (``None`` if it is not written there; the
        median when the lever replaces a distribution).
    replaces : str or None
        The distribution the lever replaces by a fixed value, as written (else ``None``).
    direction : int
        +1 if P(target met) rises with the lever, −1 if it falls, 0 if flat.
    grid : list of (float, Probability)
        The grid evaluations, in lever order.
    violations : list of (float, float, float, float)
        Adjacent grid points ``(x1, x2, p1, p2)`` where ``P̂`` moves against ``direction``.
    at_value : Probability or None
        P(target met) at ``value``.
    evaluations : int
        Number of lever values evaluated.
    replications : int
        Replications per evaluation.
    seed : int
        The seed of every evaluation.
    scenario, title : str
        Scenario name and title.
    """

    lever: str
    probability: float
    status: str
    value: float | None
    low: float | None
    high: float | None
    low_censored: bool
    high_censored: bool
    bounds: tuple[float, float]
    current: float | None
    replaces: str | None
    direction: int
    grid: list[tuple[float, Probability]] = field(repr=False)
    violations: list[tuple[float, float, float, float]]
    at_value: Probability | None
    evaluations: int
    replications: int
    seed: int
    scenario: str
    title: str

    @property
    def reachable(self) -> bool:
        """True when a value inside the bounds was found."""
        return self.status == "solved"

    def to_text(self) -> str:
        """Plain-text report for the terminal."""
        return _text(self)

    def __str__(self) -> str:
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``solve.json``).

        Probabilities in percent (``_pct``); the lever's values (``value``, ``bounds``,
        ``grid[].value``...) in the lever's own units, as written in the scenario.
        """
        return {
            "scenario": self.scenario,
            "lever": self.lever,
            "lever_units": "as written in the scenario at the lever's key path",
            "probability_pct": to_pct(self.probability),
            "status": self.status,
            "value": self.value,
            "precision_95": [self.low, self.high],
            "precision_censored": [self.low_censored, self.high_censored],
            "precision_note": "95% simulation precision (Wilson test inversion); not "
                              "uncertainty in the scenario's assumptions",
            "bounds": list(self.bounds),
            "current": self.current,
            "replaces_distribution": self.replaces,
            "direction": self.direction,
            "grid": [{"value": x, "p_met_pct": to_pct(p.estimate),
                      "ci_pct": [to_pct(p.low), to_pct(p.high)]} for x, p in self.grid],
            "monotonicity_violations": [list(v) for v in self.violations],
            "p_met_at_value_pct": (None if self.at_value is None else
                                   {"estimate": to_pct(self.at_value.estimate),
                                    "ci": [to_pct(self.at_value.low),
                                           to_pct(self.at_value.high)]}),
            "evaluations": self.evaluations,
            "replications": self.replications,
            "seed": self.seed,
        }

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.to_text()) + "</pre>"


def _lever_entry(scenario: Scenario, lever: str) -> tuple[bool, Any]:
    """``(written, value)`` at the lever's path; ScenarioError for unknown paths."""
    try:
        path = parse_path(lever)
        table, key = locate(scenario.document, path)
    except (ValueError, KeyError) as exc:
        raise ScenarioError(scenario.file, lever,
                            _("a lever: the key path of a number in this scenario"),
                            str(exc).strip("'\"")) from None
    return (key in table, table.get(key))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def lever_value(scenario: Scenario, lever: str) -> float | None:
    """The lever's current value in the scenario.

    A number is returned as is. A lever may also name a field that holds a
    distribution (``batch[sz-2022-batch3].start_delay_months``): target-seeking then
    replaces the distribution by a fixed value ("the batch starts N months late"), and
    the distribution's median is returned here. ``None`` when the field is not written
    (its default applies).

    Raises
    ------
    ScenarioError
        If the path is not a key path of the scenario, or holds something that is not
        a number (a name, a date, a mix table...).
    """
    from ..scenario.distributions import parse_dist

    written, value = _lever_entry(scenario, lever)
    if not written:
        field_name = lever.rsplit(".", 1)[-1]
        if field_name in _NOT_NUMBERS:
            raise ScenarioError(scenario.file, lever, _("a number (a lever)"),
                                _("'{field_name}', which is not a number")
                                .format(field_name=field_name))
        return None
    if _is_number(value):
        return float(value)
    if isinstance(value, dict) and "dist" in value:

        def fail(path: str, expected: str, found: str) -> ScenarioError:
            return ScenarioError(scenario.file, path, expected, found)

        return parse_dist(value, lever, fail).median()
    hint = ""
    if isinstance(value, dict):
        hint = _("a lever is one number: name one key of the table, e.g. {keys}").format(
            keys=", ".join(f"{lever}.{k}" for k in list(value)[:3]))
    raise ScenarioError(scenario.file, lever, _("a number (a lever)"), describe(value), hint)


def lever_replaces(scenario: Scenario, lever: str) -> str | None:
    """The distribution a lever replaces by a fixed value, as written (else ``None``)."""
    written, value = _lever_entry(scenario, lever)
    if written and isinstance(value, dict) and "dist" in value:
        params = ", ".join(f"{k} {v}" for k, v in value.items() if k != "dist")
        return f"{value['dist']}({params})"
    return None


def default_bounds(lever: str, current: float | None) -> tuple[float, float]:
    """A search bracket when none is given, from the field's name and current value.

    Probabilities and shares: [0, 1]; months (``*_months``): [0, max(2x, x + 12)];
    growth rates and distribution parameters: x ± 0.10 (fractions, i.e. ± 10 pp) when
    ``|x| < 1``; other positive numbers: [0, 2x].

    Raises
    ------
    ValueError
        If no bracket can be inferred (the lever is not written in the scenario, or is 0
        with no recognisable unit): pass ``bounds``.
    """
    name = lever.rsplit(".", 1)[-1]
    if name in _UNIT_FIELDS:
        return (0.0, 1.0)
    if current is None:
        raise ValueError(_("{lever}: not written in the scenario; give bounds (LO HI)").format(
            lever=lever))
    if name.endswith("_months") or ".start_delay_months." in lever or "_months." in lever:
        return (0.0, max(2.0 * current, current + 12.0))
    if name in _RATE_FIELDS and abs(current) < 1.0:
        return (current - 0.10, current + 0.10)
    if current > 0:
        return (0.0, 2.0 * current)
    raise ValueError(_("{lever}: cannot infer a search range from {value:g}; give bounds")
                     .format(lever=lever, value=current))


class _Bracket(NamedTuple):
    """Where a predicate of P(met) turns true on the grid, walking from low to high P.

    ``censor`` is −1 when it is already true at the near end, +1 when never true within
    the bounds, 0 when ``left`` (false) and ``right`` (true) bracket the crossing.
    """

    left: float | None
    right: float | None
    censor: int


class _Lever:
    """P(target met) at lever values, each evaluated once on common random numbers."""

    def __init__(self, scenario: Scenario, lever: str, replications: int | None, seed: int,
                 workers: int | None, progress: Any = None) -> None:
        self.scenario = scenario
        self.lever = lever
        self.replications = replications
        self.seed = seed
        self.workers = workers
        self.progress = progress
        self.cache: dict[float, Probability] = {}
        self.n = 0
        written, value = _lever_entry(scenario, lever)
        self.integer = (lever.rsplit(".", 1)[-1] in _INTEGER_FIELDS
                        and (not written or isinstance(value, int)))

    def snap(self, x: float) -> float:
        """``x`` as a value of the lever: rounded for a whole-number lever (a batch count)."""
        return float(round(x)) if self.integer else x

    def changes(self, x: float) -> dict[str, Any]:
        """The scenario's changes for lever value ``x`` (plan shapes pinned, rule 3)."""
        value: float | int = round(x) if self.integer else x
        return with_pinned_shapes(self.scenario, {self.lever: value})

    def accepts(self, x: float) -> bool:
        """True if the scenario accepts the lever at ``x`` (validated like a file)."""
        try:
            self.scenario.with_changes(self.changes(x))
        except ScenarioError:
            return False
        return True

    def narrow(self, bound: float, current: float | None) -> float:
        """The accepted value nearest ``bound`` towards ``current`` (default bounds only).

        A default bracket ignores a field's ties to others (``total_investment`` must
        stay at or above ``first_year_plan``); it is narrowed to values the scenario
        accepts, by bisection between the bound and the current value.
        """
        if current is None or self.accepts(bound) or not self.accepts(current):
            return bound
        bad, good = bound, current
        for _step in range(40):
            mid = self.snap(0.5 * (bad + good))
            if mid in (bad, good):
                break
            if self.accepts(mid):
                good = mid
            else:
                bad = mid
        return good

    def evaluate(self, xs: Sequence[float]) -> None:
        """Evaluate the values not yet known, in one batch of runs."""
        todo = [x for x in dict.fromkeys(xs) if x not in self.cache]
        if not todo:
            return
        outs = evaluate_changes(self.scenario, [self.changes(x) for x in todo],
                                self.replications, self.seed, self.workers,
                                progress=self.progress)
        for x, o in zip(todo, outs, strict=True):
            self.cache[x] = o.p_met
            self.n = o.n


#: Predicates of the three crossings: the answer and the two ends of its precision range.
_PREDICATES = {
    "value": lambda pr, p: pr.estimate >= p,
    "low": lambda pr, p: pr.high >= p,   # upper Wilson bound reaches p
    "high": lambda pr, p: pr.low >= p,   # lower Wilson bound reaches p
}


def _crossing(lever: _Lever, order: list[float], key: str, probability: float) -> _Bracket:
    flags = [_PREDICATES[key](lever.cache[x], probability) for x in order]
    if flags[0]:
        return _Bracket(None, order[0], -1)
    for k in range(1, len(order)):
        if flags[k]:
            return _Bracket(order[k - 1], order[k], 0)
    return _Bracket(order[-1], None, +1)


def _bisect(lever: _Lever, brackets: dict[str, _Bracket], probability: float, tol: float,
            max_rounds: int) -> dict[str, list[float]]:
    """Narrow every bracketed crossing to ``tol``, the three at once in each round.

    Returns each crossing's final bracket ``[before, after]`` in walking order (from the
    low-probability end): the predicate is false at ``before`` and true at ``after``.
    """
    active = {k: [b.left, b.right] for k, b in brackets.items() if b.censor == 0}
    for _round in range(max_rounds):
        open_ = {k: v for k, v in active.items() if abs(v[1] - v[0]) > tol}
        if not open_:
            break
        mids = {k: lever.snap(0.5 * (v[0] + v[1])) for k, v in open_.items()}
        lever.evaluate(list(mids.values()))
        for k, m in mids.items():
            active[k][1 if _PREDICATES[k](lever.cache[m], probability) else 0] = m
    return active


def _check_solve_arguments(probability: float, bounds: tuple[float, float], grid: int) -> None:
    if not 0.0 < probability < 1.0:
        raise ValueError(_("probability must be a fraction in (0, 1), found {value}").format(
            value=probability))
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(_("bounds must be finite with LO < HI, found {low}, {high}").format(
            low=lo, high=hi))
    if grid < 3:
        raise ValueError(_("grid must be >= 3, found {grid}").format(grid=grid))


def solve(
    scenario: Scenario,
    lever: str,
    probability: float = 0.8,
    bounds: Sequence[float] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    *,
    grid: int = 9,
    xtol: float | None = None,
    max_rounds: int = 14,
    progress: Any = None,
) -> Solution:
    """Find the lever value at which P(target met) reaches ``probability``.

    Parameters
    ----------
    scenario : Scenario
    lever : str
        Key path of a number, e.g. ``sector[industry].growth.mean`` (a fraction) or
        ``batch[sz-2022-batch3].start_delay_months`` (months).
    probability : float
        Requested P(target met), a fraction in (0, 1) (0.8 = 80%).
    bounds : (float, float), optional
        Search bracket in the lever's units (default: :func:`default_bounds`).
    replications : int, optional
        Replications per evaluation (default: the scenario's, at most
        :data:`SOLVE_REPLICATIONS` when P(met) is estimated by conditional Monte Carlo).
    seed : int, optional
        The one seed of every evaluation (default: the scenario's, else random).
    workers : int, optional
        Processes (default: all cores); results do not depend on it.
    grid : int
        Grid points for the monotonicity check and the first bracket (>= 3).
    xtol : float, optional
        Stop bisecting when the bracket is narrower (default: bounds width / 2000).
    max_rounds : int
        Maximum bisection rounds (each evaluates up to three values at once).
    progress : callable, optional
        Called with finished replications (see :func:`lgsim.montecarlo.outcomes.announce`).

    Returns
    -------
    Solution

    Raises
    ------
    ScenarioError
        Unknown path, a lever that is not a number, or a lever value the scenario does
        not accept (e.g. a growth mean written as percent).
    ValueError
        A probability outside (0, 1), bad bounds or grid.
    """
    current = lever_value(scenario, lever)
    if replications is None and isinstance(compile_plan(scenario).smoothing, SmoothingPlan):
        # P(met) by conditional Monte Carlo: each evaluation is precise at this size
        replications = min(scenario.replications, SOLVE_REPLICATIONS)
    ev = _Lever(scenario, lever, replications, resolve_seed(seed, scenario), workers, progress)
    if bounds is None:
        lo, hi = default_bounds(lever, current)
        lo, hi = ev.narrow(lo, current), ev.narrow(hi, current)
    else:
        lo, hi = map(float, bounds)
    if ev.integer:
        lo, hi = float(math.ceil(lo)), float(math.floor(hi))
        grid = max(3, min(grid, int(hi - lo) + 1)) if hi - lo >= 2 else grid
    _check_solve_arguments(probability, (lo, hi), grid)
    for x in (lo, hi):  # fail here, in this process, on values the scenario refuses
        scenario.with_changes(ev.changes(x))
    xs = list(dict.fromkeys(ev.snap(lo + (hi - lo) * k / (grid - 1)) for k in range(grid)))
    grid = len(xs)
    ev.evaluate(xs)
    ps = [ev.cache[x].estimate for x in xs]
    direction = (ps[-1] > ps[0]) - (ps[-1] < ps[0])
    violations = [(xs[k], xs[k + 1], ps[k], ps[k + 1]) for k in range(grid - 1)
                  if direction and (ps[k + 1] - ps[k]) * direction < 0]
    order = xs if direction >= 0 else xs[::-1]  # from the low-probability end to the high
    brackets = {k: _crossing(ev, order, k, probability) for k in _PREDICATES}
    status = "solved"
    if brackets["value"].censor == -1:
        status = "already reached"
    elif direction == 0 or brackets["value"].censor == +1:
        status = "not reachable"
    tol = (hi - lo) / 2000.0 if xtol is None else float(xtol)
    if ev.integer:
        tol = max(tol, 1.0)
    found = _bisect(ev, brackets, probability, tol, max_rounds) if status == "solved" else {}
    # in lever order the Wilson-upper crossing ("low") comes first when P rises with the
    # lever and last when it falls
    first, last = ("low", "high") if direction >= 0 else ("high", "low")
    solved = status == "solved"
    low_censored = solved and brackets[first].censor == (-1 if direction >= 0 else +1)
    high_censored = solved and brackets[last].censor == (+1 if direction >= 0 else -1)
    value = found["value"][1] if "value" in found else None
    # the precision range takes in the bisection's last bracket (a precise estimator, such
    # as the conditional one, would otherwise claim more than the bisection resolved)
    low = min(found[first]) if first in found else None
    high = max(found[last]) if last in found else None
    return Solution(
        lever=lever, probability=float(probability), status=status, value=value,
        low=None if low_censored else low,
        high=None if high_censored else high,
        low_censored=low_censored, high_censored=high_censored, bounds=(lo, hi),
        current=current, replaces=lever_replaces(scenario, lever), direction=direction,
        grid=[(x, ev.cache[x]) for x in xs], violations=violations,
        at_value=None if value is None else ev.cache[value], evaluations=len(ev.cache),
        replications=ev.n, seed=ev.seed, scenario=scenario.name, title=scenario.title,
    )


def fmt_lever(x: float | None, ref: Sequence[float]) -> str:
    """A lever value with as many decimals as the range ``ref`` needs."""
    if x is None:
        return "n/a"
    span = abs(ref[1] - ref[0]) or 1.0
    digits = max(0, 3 - math.floor(math.log10(span)))
    return f"{x:.{digits}f}"


def _text(s: Solution) -> str:
    now = fmt_lever(s.current, s.bounds) if s.current is not None else _("a default")
    if s.replaces is not None:
        now = _("{distribution}, median {now}; replaced by a fixed value").format(
            distribution=s.replaces, now=now)
    lines = [
        _("Target-seeking — {title}  [{scenario}]").format(title=s.title, scenario=s.scenario),
        _("Lever {lever} (now {now}), bounds [{low}, {high}]; requested P(target met) = {p}")
        .format(lever=s.lever, now=now, low=fmt_lever(s.bounds[0], s.bounds),
                high=fmt_lever(s.bounds[1], s.bounds), p=pct(s.probability)),
        _("{count} lever values × {n:,} replications, all on seed {seed} (common random "
          "numbers)").format(count=s.evaluations, n=s.replications, seed=s.seed),
        "",
        _("  lever value     P(met)   {p95} simulation precision").format(p95="95%"),
    ]
    for x, p in s.grid:
        lines.append(f"  {fmt_lever(x, s.bounds):>12}   {pct(p.estimate):>7}   "
                     f"[{pct(p.low)}, {pct(p.high)}]")
    word = {1: _("rises"), -1: _("falls"), 0: _("does not change")}[s.direction]
    if s.violations:
        lines.append(_("Monotonicity: P(met) {word} with the lever overall, but NOT monotone "
                       "over the grid:").format(word=word))
        for x1, x2, p1, p2 in s.violations:
            lines.append(f"  {fmt_lever(x1, s.bounds)} → {fmt_lever(x2, s.bounds)}: "
                         f"{pct(p1)} → {pct(p2)}")
    else:
        lines.append(_("Monotonicity: P(met) {word} with the lever; monotone over the grid.")
                     .format(word=word))
    lines.append("")
    return "\n".join(lines + _answer_lines(s))


def _answer_lines(s: Solution) -> list[str]:
    """The answer of a target-seeking: the value and its precision, or why there is none."""
    if s.status == "not reachable":
        far = s.grid[-1][1] if s.direction >= 0 else s.grid[0][1]
        best = max(p.estimate for _x, p in s.grid)
        return [
            _("Not reachable within bounds: P(met) reaches at most {best} over [{low}, {high}] "
              "(at the far end {far}); widen the bounds or choose another lever.").format(
                best=pct(best), low=fmt_lever(s.bounds[0], s.bounds),
                high=fmt_lever(s.bounds[1], s.bounds), far=pct(far.estimate))
        ]
    if s.status == "already reached":
        near_x, near_p = s.grid[0] if s.direction >= 0 else s.grid[-1]
        return [
            _("Already reached: P(met) = {p} >= {asked} even at {lever} = {value}, the bound "
              "where it is lowest; widen the bounds to locate the crossing.").format(
                p=pct(near_p.estimate), asked=pct(s.probability), lever=s.lever,
                value=fmt_lever(near_x, s.bounds))
        ]
    low = (f"< {fmt_lever(s.bounds[0], s.bounds)}" if s.low_censored
           else fmt_lever(s.low, s.bounds))
    high = (f"> {fmt_lever(s.bounds[1], s.bounds)}" if s.high_censored
            else fmt_lever(s.high, s.bounds))
    lines = [_("Answer: {lever} = {value}   ({p95} simulation precision {low} … {high})").format(
        p95="95%", lever=s.lever, value=fmt_lever(s.value, s.bounds), low=low, high=high)]
    if s.at_value is not None:
        p = s.at_value
        lines.append(_("  at that value P(target met) = {p} [{low}, {high}]").format(
            p=pct(p.estimate), low=pct(p.low), high=pct(p.high)))
    lines.append(_("  (the range is simulation precision — more replications narrow it — not "
                   "uncertainty in the scenario's assumptions)"))
    return lines
