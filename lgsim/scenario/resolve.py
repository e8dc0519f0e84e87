"""The resolved scenario: the merged document with seed and run size filled in."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .core import Scenario

#: Order of top-level tables in a resolved file (arrays of tables after plain tables).
_ORDER = (
    "scenario", "target", "economy", "accounting", "correlation", "sector", "street",
    "project", "batch", "pipeline", "land", "shock", "io", "actuals", "sources",
)


def resolved_document(
    scenario: Scenario, *, seed: int | None = None, replications: int | None = None
) -> dict[str, Any]:
    """The merged document with ``[scenario]`` completed (name, title, years, seed, n).

    Running the resolved document reproduces the run: ``plan_start`` values are already
    explicit (see :mod:`lgsim.scenario.merge`) and every default is deterministic.
    """
    doc = copy.deepcopy(scenario.document)
    sc = doc.setdefault("scenario", {})
    sc["name"] = scenario.name
    sc["title"] = scenario.title
    sc["base_year"] = scenario.base_year
    sc["target_year"] = scenario.target_year
    sc["end_year"] = scenario.end_year
    final_seed = seed if seed is not None else scenario.seed
    if final_seed is not None:
        sc["seed"] = int(final_seed)
    sc["replications"] = int(replications if replications is not None else scenario.replications)
    ordered = {k: doc[k] for k in _ORDER if k in doc}
    ordered.update({k: v for k, v in doc.items() if k not in ordered})
    return ordered


def resolved_toml(
    scenario: Scenario, *, seed: int | None = None, replications: int | None = None
) -> str:
    """The resolved document as TOML text (written with tomli-w)."""
    import tomli_w

    body = tomli_w.dumps(resolved_document(scenario, seed=seed, replications=replications))
    return f"# resolved by lgsim {__version__}; schema keys only\n{body}"
