"""The one error type for bad scenario input, and how it is worded."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..i18n import _, error_line


class ScenarioError(ValueError):
    """A scenario file (or a change to a scenario) is not acceptable.

    The message is one line: ``<file>: <key path>: expected <what>, found <what>``; in
    Chinese the same fixed structure, ``<file>：<key path>：应为 <what>，实为 <what>`` (the
    words in the current language, :mod:`lgsim.i18n`; file, key path and values as they are).

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
        return error_line(self.file, self.path, self.expected, self.found, self.hint)


class ScenarioWarning(UserWarning):
    """A scenario is valid but probably not what its author meant."""


def suggest(word: str, options: Iterable[str]) -> str:
    """Return ``"did you mean 'x'?"`` for the closest option, or an empty string."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return _("did you mean '{option}'?").format(option=match[0]) if match else ""


def describe(value: object) -> str:
    """Short, one-line description of a found value for messages."""
    if isinstance(value, bool):
        return _("boolean {value}").format(value=str(value).lower())
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("an array")
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("string {text!r}").format(text=shown)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
