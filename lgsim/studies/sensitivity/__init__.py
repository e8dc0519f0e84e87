"""Which uncertain inputs move P(target met) and median growth: tornado, Sobol, Morris.

**Uncertain inputs** (:mod:`~lgsim.sensitivity.inputs`): every distribution of the
scenario that is not fixed and every event probability strictly between 0 and 1, by key
path (``sector[industry].growth``, ``shock[id].probability``); :func:`fixed_at` replaces
inputs by a quantile, removing their uncertainty.

**Tornado** (:mod:`~lgsim.sensitivity.one_at_a_time`): each input at its P10 and P90, the rest
random, on common random numbers.

**Global indices** (:mod:`~lgsim.sensitivity.salib`): Sobol and Morris with SALib over
the inputs' quantiles, the simulator's own randomness averaged at each sample point on
common random numbers.

Each method returns a :class:`SensitivityResult` (:mod:`~lgsim.sensitivity.result`):
the ranked table as text, CSV, HTML and a chart (:mod:`~lgsim.sensitivity.charts`).
Everything is importable from ``lgsim.sensitivity``.
"""

from __future__ import annotations

from typing import Any

from ...outputs.plots.sensitivity import tornado_plot
from ...scenario import Scenario
from .inputs import QUANTILE_BOUNDS, UncertainInput, fixed_at, select_inputs, uncertain_inputs
from .one_at_a_time import tornado  # not .tornado: lgsim.sensitivity.tornado is the function
from .result import SensitivityResult
from .salib import morris, sobol

__all__ = [
    "METHODS",
    "QUANTILE_BOUNDS",
    "SensitivityResult",
    "UncertainInput",
    "fixed_at",
    "morris",
    "select_inputs",
    "sensitivity",
    "sobol",
    "tornado",
    "tornado_plot",
    "uncertain_inputs",
]

#: Methods of :func:`sensitivity`.
METHODS = ("tornado", "sobol", "morris")


def sensitivity(scenario: Scenario, method: str = "tornado", **options: Any) -> SensitivityResult:
    """Run one of :data:`METHODS` (``tornado``, ``sobol``, ``morris``) with ``options``."""
    funcs = {"tornado": tornado, "sobol": sobol, "morris": morris}
    if method not in funcs:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, found {method!r}")
    return funcs[method](scenario, **options)
