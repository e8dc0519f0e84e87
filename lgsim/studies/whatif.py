"""What-if helpers for notebooks: new projects, removed entries, named variants.

A what-if is a :class:`~lgsim.scenario.Scenario` changed by key paths (one path syntax
everywhere, ``kind[id].field.sub``)::

    s = lgsim.load_scenario("scenarios/base.toml")
    late = s.with_changes({"batch[sz-2022-batch3].start_delay_months": 3.0})
    calm = whatif.remove(s, "shock[lockdown-risk]")
    more = whatif.add_project(s, {"id": "new-10yi", "sector": "industry",
                                  "total_investment": 10.0, "planned_start": "2022-07-01",
                                  "duration_months": 18})

Every result is validated like a file. For quick evaluations on common random numbers
this module re-exports :func:`outcomes` and :func:`evaluate_changes`
(:mod:`lgsim.montecarlo.outcomes`: only the target year's growth per replication); for
what-ifs that change a total or a duration, :func:`pinned_drawdowns` /
:func:`with_pinned_shapes` keep each first-year plan's s-curve as solved
(:mod:`lgsim.scenario.plan_shape`). :func:`lgsim.run` gives the full
:class:`~lgsim.results.Results`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

from ..i18n import _
from ..montecarlo.outcomes import Outcome, evaluate_changes, outcomes
from ..scenario import Scenario, ScenarioError
from ..scenario.paths import ARRAY_KINDS, parse_path
from ..scenario.plan_shape import pinned_drawdowns, with_pinned_shapes

__all__ = [
    "ENTRY_KINDS",
    "REPLICATIONS_ENV",
    "Outcome",
    "add_project",
    "evaluate_changes",
    "outcomes",
    "pinned_drawdowns",
    "remove",
    "replications_from_env",
    "variant",
    "with_pinned_shapes",
]

#: Kinds of entries :func:`add_project` can add (the project-like arrays of tables).
ENTRY_KINDS = ("project", "batch", "pipeline")

#: Environment variable that overrides the replication count of notebooks and examples.
REPLICATIONS_ENV = "LGSIM_REPLICATIONS"


# ---------------------------------------------------------------------- changing scenarios
def add_project(
    scenario: Scenario,
    entry: Mapping[str, Any],
    *,
    kind: str = "project",
    source: str | None = None,
) -> Scenario:
    """Return ``scenario`` with one more project, batch or pipeline entry.

    The entry is written exactly as a ``[[project]]`` (``[[batch]]``, ``[[pipeline]]``)
    table of a scenario file and validated like one: required keys, known sector and
    street ids, an id unique across projects, batches and pipeline entries. Because
    random draws are keyed by entity id, the other entities keep their draws: a run of
    the result on the same seed differs from the original only by the new entry.

    Parameters
    ----------
    scenario : Scenario
        The scenario to extend.
    entry : mapping
        The table, e.g. ``{"id": "new-10yi", "name": "新增10亿元项目", "sector":
        "industry", "total_investment": 10.0, "planned_start": "2022-07-01",
        "duration_months": {"dist": "pert", "low": 12, "mode": 18, "high": 24}}``.
        Money in 亿元, times in months, dates as ISO strings or ``datetime.date``.
    kind : {"project", "batch", "pipeline"}
        The array of tables to append to.
    source : str, optional
        ``"来源：<title>, <address>"`` or ``"假设：<why>"`` (or in English
        ``"source: ..."``, ``"assumption: ..."``), recorded in ``[sources]`` under
        ``kind[id]``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the entry is not a valid table of that kind for this scenario.
    """
    file = f"{scenario.file} (add_project)"
    if kind not in ENTRY_KINDS:
        raise ScenarioError(file, kind, _("one of {names}").format(names=", ".join(ENTRY_KINDS)),
                            repr(kind))
    if not isinstance(entry, Mapping):
        raise ScenarioError(file, kind, _("a table for a new [[{kind}]]").format(kind=kind),
                            type(entry).__name__)
    doc = copy.deepcopy(scenario.document)
    entries = doc.setdefault(kind, [])
    entries.append(copy.deepcopy(dict(entry)))
    if source is not None:
        ident = entry.get("id", f"#{len(entries)}")
        doc.setdefault("sources", {})[f"{kind}[{ident}]"] = source
    return Scenario.from_document(doc, file)


def variant(
    scenario: Scenario,
    name: str,
    changes: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
) -> Scenario:
    """A named what-if: ``scenario.with_changes(changes)`` under a new name and title.

    Names label the scenario in comparisons, tables and run directories.

    Parameters
    ----------
    scenario : Scenario
    name : str
        Plain name (letters, digits, ``-``, ``_``, ``.``), e.g. ``"batch3-late-3m"``.
    changes : mapping, optional
        Key path -> new value (see :meth:`Scenario.with_changes`).
    title : str, optional
        Human-readable title (default: the name).

    Returns
    -------
    Scenario
    """
    merged = {"scenario.name": name, "scenario.title": title if title is not None else name}
    merged.update(dict(changes or {}))
    return scenario.with_changes(merged)


def remove(scenario: Scenario, *paths: str) -> Scenario:
    """Return ``scenario`` without the named entries (as a file's ``remove = [...]``).

    Parameters
    ----------
    scenario : Scenario
    *paths : str
        Entries as ``kind[id]``, e.g. ``"shock[lockdown-risk]"`` or
        ``"pipeline[huawei-building-park]"``. Their ``[sources]`` lines go with them.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If a path is not ``kind[id]`` or names no entry of the scenario.

    Notes
    -----
    For a shock, ``with_changes({"shock[id].probability": 0.0})`` gives the same growth
    on the same seed (both leave every other draw unchanged); a removed entry also
    disappears from contributions and tables.
    """
    file = f"{scenario.file} (remove)"
    doc = copy.deepcopy(scenario.document)
    for text in paths:
        try:
            path = parse_path(text)
        except ValueError as exc:
            raise ScenarioError(file, text, _("an entry as kind[id]"), str(exc)) from None
        if path.kind not in ARRAY_KINDS or path.id is None or path.fields:
            raise ScenarioError(file, text, _("an entry as kind[id], e.g. shock[lockdown-risk]"),
                                repr(text))
        entries = doc.get(path.kind, [])
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("id") == path.id)]
        if len(kept) == len(entries):
            known = [e.get("id") for e in entries if isinstance(e, dict)]
            raise ScenarioError(
                file, text, _("an existing {kind} id ({known})")
                            .format(kind=path.kind, known=", ".join(map(str, known)) or "none"),
                repr(path.id),
            )
        doc[path.kind] = kept
        head = f"{path.kind}[{path.id}]"
        sources = doc.get("sources")
        if isinstance(sources, dict):
            for key in [k for k in sources if k == head or k.startswith(head + ".")]:
                del sources[key]
    return Scenario.from_document(doc, file)


def replications_from_env(default: int) -> int:
    """Replications to use: ``$LGSIM_REPLICATIONS`` when set, else ``default``.

    Notebooks call this so the test suite can execute them quickly
    (``LGSIM_REPLICATIONS=200``) while analysts get the full count.

    Raises
    ------
    ValueError
        If the variable is set to something other than a whole number >= 1.
    """
    text = os.environ.get(REPLICATIONS_ENV, "").strip()
    if not text:
        return int(default)
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValueError(_("{variable}: expected a whole number, found {text!r}").format(
            variable=REPLICATIONS_ENV, text=text)) from None
    if value < 1:
        raise ValueError(_("{variable}: expected a number >= 1, found {value}").format(
            variable=REPLICATIONS_ENV, value=value))
    return value
