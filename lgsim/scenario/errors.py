"""The one error type for bad scenario input, and how it is worded."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScenarioError(ValueError):
    """A scenario file (or a change to a scenario) is not acceptable.

    The message is one line: ``<file>: <key path>: expected <what>, found <what>``.

    Parameters
    ----------
    file : str
        The scenario file (or ``"<changes>"`` for in-memory edits).
    path : str
        Key path in the syntax ``kind[id].field.sub`` (empty for the whole file).
    expected : str
        What was expected.
    found : str
        What was found.
    hint : str, optional
        An extra clause, e.g. ``did you mean 'share'?``.
    """

    def __init__(self, file: str, path: str, expected: str, found: str, hint: str = "") -> None:
        self.file = str(file)
        self.path = path
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self.message)

    def __reduce__(self) -> tuple:
        # picklable, so an error raised in a worker process reaches the caller intact
        return (type(self), (self.file, self.path, self.expected, self.found, self.hint))

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        where = f"{self.file}: {self.path}" if self.path else self.file
        text = f"{where}: expected {self.expected}, found {self.found}"
        if self.hint:
            text += f" ({self.hint})"
        return " ".join(text.splitlines())


class ScenarioWarning(UserWarning):
    """A scenario is valid but probably not what its author meant."""


def suggest(word: str, options: Iterable[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest option, or an empty string."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def describe(value: object) -> str:
    """Short, one-line description of a found value for messages."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
