"""Which uncertain inputs move P(target met) and median growth: tornado, Sobol, Morris.

**Uncertain inputs** (:mod:`~lgsim.studies.sensitivity.inputs`): every distribution of the
scenario that is not fixed and every event probability strictly between 0 and 1, by key
path (``sector[industry].growth``, ``shock[id].probability``); :func:`fixed_at` replaces
inputs by a quantile, removing their uncertainty.

**Tornado** (:mod:`~lgsim.studies.sensitivity.one_at_a_time`): each input at its P10 and
P90, the rest random, on common random numbers.

**Global indices** (:mod:`~lgsim.studies.sensitivity.salib`): Sobol and Morris with SALib over
the inputs' quantiles, the simulator's own randomness averaged at each sample point on
common random numbers.

Each method returns a :class:`SensitivityResult` (:mod:`~lgsim.studies.sensitivity.result`):
the ranked table as text, CSV, HTML and a chart (:mod:`~lgsim.outputs.plots.sensitivity`).
Everything is importable from ``lgsim.studies.sensitivity``; the charts and files are in
:mod:`lgsim.outputs` (``plots.sensitivity_chart``, ``study_files.write_sensitivity``).
"""

from __future__ import annotations

from typing import Any

from ...i18n import _
from ...scenario import Scenario
from .inputs import QUANTILE_BOUNDS, UncertainInput, fixed_at, select_inputs, uncertain_inputs
from .one_at_a_time import (
    tornado,  # not .tornado: lgsim.studies.sensitivity.tornado is the function
)
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
        raise ValueError(_("method: expected one of {names}, found {value!r}").format(
            names=", ".join(METHODS), value=method))
    return funcs[method](scenario, **options)
