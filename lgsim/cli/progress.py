"""Progress bars of the long commands: tqdm on stderr, only when stderr is a terminal.

A :class:`ProgressBar` is the ``progress`` callback the library takes (called with the
units just finished); studies that run in rounds call its ``expect(n)`` first, so the
bar's total grows as the work becomes known (:func:`lgsim.montecarlo.outcomes.announce`).
Output redirected to a file or a pipe gets no bar, so logs stay clean.
"""

from __future__ import annotations

import sys
from typing import Any

from ..i18n import N_, _

#: The units a bar counts, as shown.
UNITS = {"rep": N_("rep"), "model": N_("model"), "year": N_("year")}


class ProgressBar:
    """A tqdm bar on stderr (or nothing when stderr is not a terminal).

    Parameters
    ----------
    unit : str
        What is counted (``"rep"``, ``"model"``).
    total : int
        Units known at the start (0: learnt from ``expect``).
    desc : str
        A short label shown before the bar.
    """

    def __init__(self, unit: str = "rep", total: int = 0, desc: str = "") -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self.bar = tqdm(total=total or None, unit=_(UNITS.get(unit, unit)),
                            unit_scale=unit == "rep",
                            # under lgsim's escaping stream, the terminal itself: the bar's
                            # own control codes (\r) must reach it unescaped
                            file=getattr(sys.stderr, "raw", sys.stderr), leave=False,
                            desc=desc or None,
                            dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        """``n`` more units are done."""
        if self.bar is not None:
            self.bar.update(n)

    def expect(self, n: int) -> None:
        """``n`` more units are coming."""
        if self.bar is not None:
            self.bar.total = (self.bar.total or 0) + n
            self.bar.refresh()

    def close(self) -> None:
        """Remove the bar from the terminal."""
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
