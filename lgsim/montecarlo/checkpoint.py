"""Chunk files of a run in progress, so a killed run can resume where it stopped.

Layout inside a run directory::

    chunks/manifest.json       what the chunks belong to (scenario hash, seed, chunk size...)
    chunks/chunk-00012.npz     the arrays of chunk 12 (replications [12·C, 13·C))

Each chunk file is written atomically (:mod:`lgsim.fileio`: temporary file, fsync,
rename) as soon as the chunk is finished, so after any interruption — SIGKILL included —
every ``chunk-*.npz`` present is complete. A resumed run reads the manifest, refuses if
it belongs to another scenario, seed, chunk size, ``keep`` or lgsim version, loads the
chunks present and computes only the missing ones; the assembled results are identical
to an uninterrupted run because a chunk's numbers depend only on (scenario, seed,
chunk index, chunk size). A chunk file that cannot be read is computed again.
After a finished run the chunk files are deleted (:func:`lgsim.outputs.rundir.finish_chunks`)
unless the caller keeps them; only lgsim's own names are ever deleted
(:func:`remove_chunk_files`), never a folder lgsim did not write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..fileio import write_text, write_with
from ..scenario.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario

#: Sub-directory of the run directory holding the chunk files.
CHUNK_DIR = "chunks"
#: Version of the chunk-file layout.
FORMAT = 1
#: The only names lgsim writes into the chunk directory (and their temporary files):
#: nothing else is ever deleted from it, so a ``chunks/`` folder of the user's survives.
OWN_NAMES = re.compile(
    r"^\.?(manifest\.json|chunk-\d{5,}\.npz)(\.[A-Za-z0-9_]+\.tmp)?$"
)


def remove_chunk_files(directory: str | Path) -> list[str]:
    """Delete lgsim's files from a chunk directory, and the directory once it is empty.

    Only the manifest and files named like chunk files (and their temporary files) are
    deleted; anything else stays, with the directory holding it.

    Returns
    -------
    list of str
        Names of the files kept because lgsim did not write them.
    """
    directory = Path(directory)
    if directory.is_symlink() or not directory.is_dir():
        return []
    kept = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if OWN_NAMES.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            else:
                kept.append(entry.name)
    if not kept:
        with contextlib.suppress(OSError):
            directory.rmdir()
    return sorted(kept)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (every key, without seed and replications)."""
    from ..scenario.resolve import resolved_toml

    text = resolved_toml(scenario, seed=0, replications=1)
    body = text.split("\n", 1)[1]  # drop the "# resolved by lgsim <version>" line
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What a directory of chunk files belongs to.

    ``replications`` is informational: chunks of the same size are valid for any total.
    """

    scenario: str
    scenario_sha256: str
    seed: int
    chunk_size: int
    replications: int
    keep: tuple[str, ...]
    lgsim_version: str
    numpy_version: str
    format: int = FORMAT

    def mismatch(self, other: Manifest) -> str | None:
        """Describe the first difference that makes ``other``'s chunks unusable here."""
        for key in ("format", "scenario_sha256", "seed", "chunk_size", "keep",
                    "lgsim_version", "numpy_version"):
            if getattr(self, key) != getattr(other, key):
                return f"{key} {getattr(other, key)!r} (this run: {getattr(self, key)!r})"
        return None

    def to_json(self) -> str:
        """The manifest as JSON text."""
        doc = asdict(self)
        doc["keep"] = list(self.keep)
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse :meth:`to_json` output (raises ``ValueError`` / ``KeyError`` if invalid)."""
        doc = json.loads(text)
        doc["keep"] = tuple(doc.get("keep", ()))
        return cls(**doc)


class Checkpoint:
    """The chunk files of one run.

    Parameters
    ----------
    directory : Path
        The ``chunks`` directory.
    manifest : Manifest
        What this run's chunks are.
    """

    def __init__(self, directory: Path, manifest: Manifest) -> None:
        self.directory = Path(directory)
        self.manifest = manifest

    @property
    def manifest_path(self) -> Path:
        """``manifest.json`` of the directory."""
        return self.directory / "manifest.json"

    def path(self, index: int) -> Path:
        """File of chunk ``index``."""
        return self.directory / f"chunk-{index:05d}.npz"

    @classmethod
    def read_manifest(cls, directory: str | Path) -> Manifest | None:
        """The manifest stored in ``directory``, or None if absent or unreadable."""
        try:
            return Manifest.from_json((Path(directory) / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def check(self, *, resume: bool) -> None:
        """Refuse (:class:`ScenarioError`, one line) to resume chunks of another run."""
        if not resume or not self.directory.exists():
            return
        old = self.read_manifest(self.directory)
        if old is None and any(self.directory.glob("chunk-*.npz")):
            raise ScenarioError(
                str(self.manifest_path), "resume", "the manifest of the chunk files",
                "no readable manifest (start again without resuming)",
            )
        if old is not None:
            diff = self.manifest.mismatch(old)
            if diff is not None:
                raise ScenarioError(
                    str(self.manifest_path), "resume",
                    "chunks of the same scenario, seed, chunk size, keep and lgsim version "
                    "(start again without resuming)",
                    diff,
                )

    def prepare(self, *, resume: bool) -> None:
        """Make the directory ready: keep (resume) or remove previous chunks; write the manifest.

        Call :meth:`check` first.
        """
        if not resume:
            self.remove()
        self.directory.mkdir(parents=True, exist_ok=True)
        write_text(self.manifest_path, self.manifest.to_json())

    def present(self) -> set[int]:
        """Indices of the chunk files present."""
        out = set()
        for p in self.directory.glob("chunk-*.npz"):
            with contextlib.suppress(ValueError):
                out.add(int(p.stem.split("-", 1)[1]))
        return out

    def save(self, index: int, arrays: dict[str, np.ndarray]) -> None:
        """Write chunk ``index`` atomically (uncompressed ``.npz``)."""

        def writer(tmp: Path) -> None:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)

        write_with(self.path(index), writer)

    def load(self, index: int, size: int, keys: set[str]) -> dict[str, np.ndarray] | None:
        """Chunk ``index`` if its file holds ``keys`` (all if empty) for ``size`` rows."""
        try:
            with np.load(self.path(index), allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None
        keys = keys or set(arrays)
        if not keys <= set(arrays) or any(arrays[k].shape[:1] != (size,) for k in keys):
            return None
        return {k: v for k, v in arrays.items() if k in keys}  # in the order saved

    def remove(self) -> None:
        """Delete the chunk files and the manifest (:func:`remove_chunk_files`)."""
        remove_chunk_files(self.directory)
