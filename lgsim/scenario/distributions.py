"""The distribution mini-language of scenario files, with vectorised inverse CDFs.

A plain number is fixed; otherwise a table ``{ dist = "...", ... }`` with optional
``min`` / ``max`` truncation. Every draw is ``ppf(u)`` of one uniform ``u`` (docs/model.md,
rule 1), so a draw moves smoothly with its parameters and common random numbers pair
scenarios. Inverse CDFs use :mod:`scipy.special` on whole arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ..i18n import _
from .errors import describe, suggest

#: Parameters each distribution takes (beyond the optional ``min`` / ``max``).
PARAMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "normal": (("mean", "sd"),),
    "lognormal": (("median", "sigma"),),
    "uniform": (("low", "high"),),
    "triangular": (("low", "mode", "high"),),
    "pert": (("low", "mode", "high"),),
    "beta": (("mean", "sd"), ("a", "b")),
    "empirical": (("values",),),
}

#: PERT shape parameter lambda.
PERT_LAMBDA = 4.0

#: Largest magnitude of a number in a distribution (amounts in 亿元, months, hectares,
#: fractions); far beyond any real input, small enough that no arithmetic overflows.
MAX_MAGNITUDE = 1e15

#: A beta ``{mean, sd}`` whose a + b would exceed this is a point at its mean (sd below
#: about 1e-7): inverse CDFs lose all precision for larger shapes.
MAX_BETA_CONCENTRATION = 1e14

Fail = Callable[[str, str, str], Exception]


@dataclass(frozen=True, slots=True)
class Dist:
    """One univariate distribution, optionally truncated to ``[lo, hi]``.

    Parameters
    ----------
    kind : str
        ``fixed``, ``normal``, ``lognormal``, ``uniform``, ``triangular``, ``pert``,
        ``beta`` or ``empirical``.
    params : tuple of float
        Canonical parameters: fixed (value,), normal (mean, sd), lognormal (median,
        sigma), uniform (low, high), triangular / pert (low, mode, high), beta (a, b),
        empirical: the sorted values.
    lo, hi : float
        Truncation bounds (``-inf`` / ``inf`` when absent).
    spec : object
        The value as written in the scenario (number or table), for the resolved file.
    """

    kind: str
    params: tuple[float, ...]
    lo: float = -math.inf
    hi: float = math.inf
    spec: Any = None

    # ------------------------------------------------------------------ basics
    @property
    def is_fixed(self) -> bool:
        """True when every draw gives the same value."""
        return self.kind == "fixed"

    def cdf(self, x: float) -> float:
        """Untruncated cumulative distribution function at ``x`` (scalar)."""
        k, p = self.kind, self.params
        if k == "fixed":
            return 1.0 if x >= p[0] else 0.0
        if k == "normal":
            return float(special.ndtr((x - p[0]) / p[1]))
        if k == "lognormal":
            return 0.0 if x <= 0 else float(special.ndtr(math.log(x / p[0]) / p[1]))
        if k == "uniform":
            return min(1.0, max(0.0, (x - p[0]) / (p[1] - p[0])))
        if k == "triangular":
            lo, mode, hi = p
            if x <= lo:
                return 0.0
            if x >= hi:
                return 1.0
            if x <= mode:
                return (x - lo) ** 2 / ((hi - lo) * (mode - lo))
            return 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - mode))
        if k == "pert":
            lo, _mode, hi = p
            a, b = _pert_shape(p)
            return float(special.betainc(a, b, min(1.0, max(0.0, (x - lo) / (hi - lo)))))
        if k == "beta":
            return float(special.betainc(p[0], p[1], min(1.0, max(0.0, x))))
        if k == "empirical":
            return float(np.searchsorted(p, x, side="right")) / len(p)
        raise AssertionError(k)  # pragma: no cover - kinds are closed

    def _raw_ppf(self, u: np.ndarray) -> np.ndarray:
        k, p = self.kind, self.params
        if k == "fixed":
            return np.full(np.shape(u), p[0], dtype=float)
        if k == "normal":
            return p[0] + p[1] * special.ndtri(u)
        if k == "lognormal":
            return p[0] * np.exp(p[1] * special.ndtri(u))
        if k == "uniform":
            return p[0] + u * (p[1] - p[0])
        if k == "triangular":
            lo, mode, hi = p
            fc = (mode - lo) / (hi - lo)
            left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
            right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode))
            return np.where(u < fc, left, right)
        if k == "pert":
            lo, _mode, hi = p
            a, b = _pert_shape(p)
            return lo + (hi - lo) * special.betaincinv(a, b, u)
        if k == "beta":
            return special.betaincinv(p[0], p[1], u)
        if k == "empirical":
            values = np.asarray(p)
            idx = np.clip(np.ceil(u * len(values)).astype(np.int64) - 1, 0, len(values) - 1)
            return values[idx]
        raise AssertionError(k)  # pragma: no cover

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Inverse CDF applied to uniforms ``u`` in (0, 1), with truncation.

        Truncation maps ``u`` to ``F(lo) + u (F(hi) - F(lo))`` (docs/model.md, rule 1).
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "fixed":
            return np.full(u.shape, self.params[0])
        if self.lo > -math.inf or self.hi < math.inf:
            f_lo = self.cdf(self.lo) if self.lo > -math.inf else 0.0
            f_hi = self.cdf(self.hi) if self.hi < math.inf else 1.0
            u = f_lo + u * (f_hi - f_lo)
            return np.clip(self._raw_ppf(u), self.lo, self.hi)
        return self._raw_ppf(u)

    def median(self) -> float:
        """The distribution's median (after truncation)."""
        return float(self.ppf(np.array(0.5)))

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (after truncation)."""
        k, p = self.kind, self.params
        if k == "fixed":
            lo = hi = p[0]
        elif k == "normal":
            lo, hi = -math.inf, math.inf
        elif k == "lognormal":
            lo, hi = 0.0, math.inf
        elif k in ("uniform",):
            lo, hi = p[0], p[1]
        elif k in ("triangular", "pert"):
            lo, hi = p[0], p[2]
        elif k == "beta":
            lo, hi = 0.0, 1.0
        else:
            lo, hi = p[0], p[-1]
        return max(lo, self.lo), min(hi, self.hi)

    def mean_hint(self) -> float:
        """A central value used in plain-language summaries (the median)."""
        return self.median()


def fixed(value: float) -> Dist:
    """A distribution that always gives ``value``."""
    return Dist("fixed", (float(value),), spec=value)


def _pert_shape(p: tuple[float, ...]) -> tuple[float, float]:
    lo, mode, hi = p
    a = 1.0 + PERT_LAMBDA * (mode - lo) / (hi - lo)
    b = 1.0 + PERT_LAMBDA * (hi - mode) / (hi - lo)
    return a, b


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


class _Reader:
    """Reads the numbers of one distribution table, failing with its key path."""

    def __init__(self, path: str, fail: Fail, fraction: bool) -> None:
        self.path = path
        self.fail = fail
        self.fraction = fraction

    def number(self, x: Any, where: str) -> float:
        """A finite number of plausible size."""
        if not _is_number(x):
            raise self.fail(where, _("a number"), describe(x))
        if not math.isfinite(x):
            raise self.fail(where, _("a finite number"), repr(x))
        if abs(x) > MAX_MAGNITUDE:
            raise self.fail(where, _("a number of plausible size (at most {MAX_MAGNITUDE:g})")
                                   .format(MAX_MAGNITUDE=MAX_MAGNITUDE),
                            f"{x:g}")
        return float(x)

    def check_fraction(self, x: float, where: str) -> None:
        """A growth rate or impact above 1 in magnitude was written as percent."""
        if self.fraction and abs(x) > 1:
            raise self.fail(
                where, _("a fraction"), _("{x:g} (looks like percent: write {value:g} for {x:g}%)")
                                     .format(x=x, value=x / 100)
            )

    def form(self, value: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
        """The distribution's name and which of its parameter forms the table uses."""
        kind = value["dist"]
        if not isinstance(kind, str) or kind not in PARAMS:
            hint = suggest(str(kind), PARAMS)
            raise self.fail(
                f"{self.path}.dist", _("one of {names}").format(names=", ".join(PARAMS)),
                describe(kind) + (f"; {hint}" if hint else ""),
            )
        keys = set(value) - {"dist", "min", "max"}
        forms = PARAMS[kind]
        form = next((f for f in forms if set(f) == keys), None)
        if form is None:
            wanted = " or ".join("{" + ", ".join(f) + "}" for f in forms)
            extra = sorted(keys - {k for f in forms for k in f})
            hint = suggest(extra[0], [k for f in forms for k in f]) if extra else ""
            found = "keys {" + ", ".join(sorted(keys)) + "}"
            if hint:
                found += f"; {hint}"
            raise self.fail(self.path, _("{kind} parameters {wanted} (plus optional min, max)")
                                       .format(kind=kind, wanted=wanted),
                            found)
        return kind, form

    def bounds(self, value: Mapping[str, Any]) -> tuple[float, float]:
        """The truncation ``min`` / ``max`` (infinite when absent)."""
        lo = self.number(value["min"], f"{self.path}.min") if "min" in value else -math.inf
        hi = self.number(value["max"], f"{self.path}.max") if "max" in value else math.inf
        for bound, where in ((lo, "min"), (hi, "max")):
            if math.isfinite(bound):
                self.check_fraction(bound, f"{self.path}.{where}")
        if lo > hi:
            raise self.fail(f"{self.path}.min", _("min <= max ({hi:g})").format(hi=hi), f"{lo:g}")
        return lo, hi


def parse_dist(value: Any, path: str, fail: Fail, *, fraction: bool = False) -> Dist:
    """Parse a scenario value into a :class:`Dist`.

    Parameters
    ----------
    value : number or mapping
        As written in the TOML file.
    path : str
        Key path for messages, e.g. ``sector[industry].growth``.
    fail : callable
        ``fail(path, expected, found)`` returns the exception to raise.
    fraction : bool
        If true, the value is a growth rate or impact: numbers with magnitude above 1
        are rejected as percent written where a fraction belongs.

    Returns
    -------
    Dist
    """
    r = _Reader(path, fail, fraction)
    if _is_number(value):
        v = r.number(value, path)
        r.check_fraction(v, path)
        return Dist("fixed", (v,), spec=value)
    if not isinstance(value, Mapping):
        raise fail(path, _("a number or a distribution table { dist = ... }"), describe(value))
    if "dist" not in value:
        raise fail(
            path,
            _("a number or a table with 'dist' (normal, lognormal, uniform, triangular, pert, "
              "beta, empirical)"),
            _("a table without 'dist'"),
        )
    kind, form = r.form(value)
    lo, hi = r.bounds(value)
    if kind == "empirical":
        return _check_mass(_empirical(r, value, lo, hi), path, fail)
    p = {k: r.number(value[k], f"{path}.{k}") for k in form}
    if kind != "beta":
        for k in ("mean", "median", "low", "mode", "high", "sd"):
            if k in p:
                r.check_fraction(p[k], f"{path}.{k}")
    d = _BUILDERS[kind](r, p, lo, hi, value)
    return d if d.is_fixed else _check_mass(d, path, fail)


def _empirical(r: _Reader, value: Mapping[str, Any], lo: float, hi: float) -> Dist:
    raw = value["values"]
    if not isinstance(raw, list) or not raw:
        raise r.fail(f"{r.path}.values", _("a non-empty array of numbers"),
                     _("an empty or non-array value"))
    vals = sorted(r.number(x, f"{r.path}.values[{i}]") for i, x in enumerate(raw))
    for v in vals:
        r.check_fraction(v, f"{r.path}.values")
    return Dist("empirical", tuple(vals), lo, hi, value)


def _normal(r: _Reader, p: dict[str, float], lo: float, hi: float, value: Any) -> Dist:
    if p["sd"] < 0:
        raise r.fail(f"{r.path}.sd", _("sd >= 0"), f"{p['sd']:g}")
    if p["sd"] == 0:
        return Dist("fixed", (p["mean"],), spec=value)
    return Dist("normal", (p["mean"], p["sd"]), lo, hi, value)


def _lognormal(r: _Reader, p: dict[str, float], lo: float, hi: float, value: Any) -> Dist:
    if p["median"] <= 0:
        raise r.fail(f"{r.path}.median", _("median > 0"), f"{p['median']:g}")
    if p["sigma"] < 0:
        raise r.fail(f"{r.path}.sigma", _("sigma >= 0"), f"{p['sigma']:g}")
    if p["sigma"] == 0:
        return Dist("fixed", (p["median"],), spec=value)
    return Dist("lognormal", (p["median"], p["sigma"]), lo, hi, value)


def _uniform(r: _Reader, p: dict[str, float], lo: float, hi: float, value: Any) -> Dist:
    if p["low"] > p["high"]:
        raise r.fail(f"{r.path}.low", _("low <= high ({high:g})").format(high=p['high']),
                     f"{p['low']:g}")
    if p["low"] == p["high"]:
        return Dist("fixed", (p["low"],), spec=value)
    return Dist("uniform", (p["low"], p["high"]), lo, hi, value)


def _three_point(kind: str) -> Callable[..., Dist]:
    def build(r: _Reader, p: dict[str, float], lo: float, hi: float, value: Any) -> Dist:
        a, m, b = p["low"], p["mode"], p["high"]
        if a > b:
            raise r.fail(f"{r.path}.low", _("low <= high ({b:g})").format(b=b), f"{a:g}")
        if not a <= m <= b:
            raise r.fail(f"{r.path}.mode",
                         _("low <= mode <= high ({a:g}..{b:g})").format(a=a, b=b), f"{m:g}")
        if a == b:
            return Dist("fixed", (a,), spec=value)
        return Dist(kind, (a, m, b), lo, hi, value)

    return build


def _beta(r: _Reader, p: dict[str, float], lo: float, hi: float, value: Any) -> Dist:
    if "a" in p:
        if p["a"] <= 0 or p["b"] <= 0:
            bad = "a" if p["a"] <= 0 else "b"
            raise r.fail(f"{r.path}.{bad}", _("a > 0 and b > 0"), f"{p[bad]:g}")
        return Dist("beta", (p["a"], p["b"]), lo, hi, value)
    mean, sd = p["mean"], p["sd"]
    if not 0 < mean < 1:
        raise r.fail(f"{r.path}.mean", _("a beta mean in (0, 1)"), f"{mean:g}")
    if sd < 0:
        raise r.fail(f"{r.path}.sd", _("sd >= 0"), f"{sd:g}")
    if sd == 0:
        return Dist("fixed", (mean,), spec=value)
    if sd * sd >= mean * (1 - mean):
        raise r.fail(f"{r.path}.sd", _("sd² < mean(1 − mean) = {value:.4g} for a beta")
                                     .format(value=mean * (1 - mean)),
                     _("sd = {sd:g}").format(sd=sd))
    nu = mean * (1 - mean) / sd / sd - 1
    if not nu <= MAX_BETA_CONCENTRATION:  # sd so small that the beta is a point
        return Dist("fixed", (mean,), spec=value)
    return Dist("beta", (mean * nu, (1 - mean) * nu), lo, hi, value)


#: How each distribution's parameters become a :class:`Dist` (checks included).
_BUILDERS: dict[str, Callable[..., Dist]] = {
    "normal": _normal, "lognormal": _lognormal, "uniform": _uniform,
    "triangular": _three_point("triangular"), "pert": _three_point("pert"), "beta": _beta,
}


def _check_mass(d: Dist, path: str, fail: Fail) -> Dist:
    if d.lo > -math.inf or d.hi < math.inf:
        f_lo = d.cdf(d.lo) if d.lo > -math.inf else 0.0
        f_hi = d.cdf(d.hi) if d.hi < math.inf else 1.0
        if not f_hi > f_lo:
            raise fail(f"{path}.min", _("min/max that keep some of the distribution"), _("no mass "
                                                                                      "left"))
    return d
