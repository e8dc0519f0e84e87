"""Scenario files: schema, loading (with ``extends``), validation and distributions."""

from .build import apply_changes, build, load_scenario
from .distributions import Dist, parse_dist
from .errors import ScenarioError, ScenarioWarning
from .model import (
    Accounting,
    Batch,
    Drawdown,
    Economy,
    LandTask,
    Pipeline,
    ProjectSpec,
    Scenario,
    Sector,
    Shock,
    Street,
    Target,
)
from .paths import KeyPath, parse_path

__all__ = [
    "Accounting", "Batch", "Dist", "Drawdown", "Economy", "KeyPath", "LandTask", "Pipeline",
    "ProjectSpec", "Scenario", "ScenarioError", "ScenarioWarning", "Sector", "Shock", "Street",
    "Target", "apply_changes", "build", "load_scenario", "parse_dist", "parse_path",
]
