"""Scenario files: schema, loading (with ``extends``), validation and distributions.

``core``
    :class:`Scenario` and :func:`load_scenario`.
``model``
    The frozen parts (target, economy, sectors, projects, batches, shocks...).
``build`` / ``checks`` / ``entities`` / ``actuals``
    Validation of a document, naming the file and key path of every problem.
``merge`` / ``paths`` / ``resolve``
    Documents: ``extends``, ``remove``, key-path changes, the resolved file.
``distributions``
    The distribution mini-language and its inverse CDFs.
``calendar`` / ``drawdown`` / ``plan_shape``
    Dates as model months; drawdown curves; the s-curve solved once for a plan.
"""

from .core import Scenario, load_scenario
from .distributions import Dist, parse_dist
from .errors import ScenarioError, ScenarioWarning
from .model import (
    Accounting,
    Batch,
    Drawdown,
    Economy,
    IOSpec,
    LandTask,
    Pipeline,
    ProjectSpec,
    Sector,
    Shock,
    Street,
    Target,
)
from .paths import KeyPath, parse_path

__all__ = [
    "Accounting", "Batch", "Dist", "Drawdown", "Economy", "IOSpec", "KeyPath", "LandTask",
    "Pipeline", "ProjectSpec", "Scenario", "ScenarioError", "ScenarioWarning", "Sector",
    "Shock", "Street", "Target", "load_scenario", "parse_dist", "parse_path",
]
