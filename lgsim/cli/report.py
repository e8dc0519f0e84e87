"""``report``: write the self-contained ``report.html`` of a run directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import _
from . import EXIT_OK, InputError


def cmd_report(args: argparse.Namespace) -> int:
    """``report``: build ``report.html`` from ``results.nc`` and ``summary.json``."""
    from ..outputs.report import write_report

    run_dir: Path = args.run_dir
    if not run_dir.is_dir():
        raise InputError(_("{folder}: no such run directory").format(folder=run_dir))
    try:
        path = write_report(run_dir)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    print(_("Wrote {path}").format(path=path))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report``."""
    p = sub.add_parser(
        "report", help=_("write report.html (charts, tables, sources) for a run directory"),
        description=_("Write one self-contained report.html (no network needed to open it) "
                      "into RUN_DIR, from its results.nc and summary.json."),
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                   help=_("a run directory written by lgsim run"))
    p.set_defaults(func=cmd_report)
