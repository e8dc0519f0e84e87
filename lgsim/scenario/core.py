"""The Scenario: the validated parts of a scenario file and the document they came from.

:func:`load_scenario` reads a file (with its ``extends`` chain), validates it and returns
a frozen :class:`Scenario`; :meth:`Scenario.with_changes` changes values at key paths and
validates the result like a file. The parts are in :mod:`.model`, the checks in
:mod:`.build`, the document operations (``extends``, ``remove``, changes) in
:mod:`.merge`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actuals import Observation
from .build import validate
from .errors import ScenarioError
from .merge import apply_changes, check_values, resolve_file
from .model import (
    Accounting,
    Batch,
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
from .resolve import resolved_document, resolved_toml
from .workbook import read_workbook

#: File suffixes read as scenario workbooks (the rest as TOML).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario: the specification a run is made from.

    Build with :func:`load_scenario`; change with :meth:`with_changes`. Units: money in
    亿元 (base-year prices unless ``investment_deflator`` is set); growth, shares, targets
    and impacts as fractions; times in model months (:mod:`lgsim.scenario.calendar`).
    """

    name: str
    title: str
    base_year: int
    target_year: int
    end_year: int
    seed: int | None
    replications: int
    target: Target
    economy: Economy
    accounting: Accounting
    sectors: tuple[Sector, ...]
    correlation: tuple[tuple[float, ...], ...]
    streets: tuple[Street, ...]
    projects: tuple[ProjectSpec, ...]
    batches: tuple[Batch, ...]
    lands: tuple[LandTask, ...]
    shocks: tuple[Shock, ...]
    pipelines: tuple[Pipeline, ...]
    sources: dict[str, str]
    file: str
    document: dict[str, Any] = field(repr=False, compare=False)
    actuals: tuple[Observation, ...] = ()
    warnings: tuple[str, ...] = ()
    #: every year's targets (the target year's is :attr:`target`), by year
    targets: dict[int, Target] = field(default_factory=dict)
    #: ``[io]``: project spending through an input–output table (None: the works formula)
    io: IOSpec | None = None

    @classmethod
    def from_document(cls, document: dict[str, Any], file: str) -> Scenario:
        """Validate a merged scenario document (as read from TOML) into a Scenario.

        Raises
        ------
        ScenarioError
            The first problem found, naming ``file`` and the key path.
        """
        return cls(**validate(document, file))

    @property
    def horizon_months(self) -> int:
        """Number of simulated months (1 Jan base_year+1 .. 31 Dec end_year)."""
        return 12 * (self.end_year - self.base_year)

    @property
    def years(self) -> list[int]:
        """Accounting years, from the base year to the end year."""
        return list(range(self.base_year, self.end_year + 1))

    @property
    def street_data(self) -> bool:
        """True when the streets give data (``sector_shares``), not only allocation shares."""
        return any(s.sector_shares is not None for s in self.streets)

    def sector_index(self, sector_id: str) -> int:
        """Position of a sector id."""
        return [s.id for s in self.sectors].index(sector_id)

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """Return a new scenario with values at key paths replaced, validated like a file.

        Parameters
        ----------
        changes : mapping
            Key path -> new value, e.g.
            ``{"batch[sz-2022-batch3].start_delay_months": 3.0}``.

        Returns
        -------
        Scenario
        """
        file = f"{self.file} (with_changes)"
        return Scenario.from_document(apply_changes(self.document, changes, file), file)

    def resolved(self, seed: int | None = None, replications: int | None = None) -> Scenario:
        """The scenario with its seed and run size written in (as a run records it).

        The parts are unchanged; ``seed``, ``replications`` and the document's
        ``[scenario]`` table are filled in (:func:`lgsim.scenario.resolve.resolved_document`).
        """
        seed = self.seed if seed is None else int(seed)
        n = self.replications if replications is None else int(replications)
        doc = resolved_document(self, seed=seed, replications=n)
        return dataclasses.replace(self, seed=seed, replications=n, document=doc)

    def to_toml(self) -> str:
        """The resolved scenario as TOML text (schema keys only, seed included)."""
        return resolved_toml(self)


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge (``extends``) and validate a scenario file or workbook.

    Parameters
    ----------
    path : str or Path
        The TOML file, or an Excel workbook (``.xlsx``, :mod:`lgsim.scenario.workbook`),
        whose errors name the sheet, row and column of the bad cell.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file or anything it extends is not a valid scenario.
    """
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        return _load_workbook(Path(path))
    return Scenario.from_document(resolve_file(path), str(path))


def _load_workbook(path: Path) -> Scenario:
    """A workbook's document, validated; errors name the cell they come from."""
    file = str(path)
    doc, where = read_workbook(path)
    check_values(doc, file)
    doc.setdefault("scenario", {}).setdefault("name", path.stem)
    try:
        return Scenario.from_document(doc, file)
    except ScenarioError as exc:
        raise where.locate(exc) from None
