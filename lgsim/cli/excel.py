"""``excel export`` / ``excel import``: a scenario as an Excel workbook and back.

``python -m lgsim run FILE.xlsx`` runs a workbook directly; these two commands convert.
The workbook layout is :mod:`lgsim.scenario.workbook`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import _
from . import EXIT_OK, InputError


def _target(args: argparse.Namespace, suffix: str) -> Path:
    out = args.out if args.out is not None else Path(Path(args.file).stem + suffix)
    if out.suffix.lower() != suffix:
        raise InputError(_("--out: expected a {suffix} file, found {out}").format(
            suffix=suffix, out=out))
    if out.exists() and not args.force:
        raise InputError(_("--out: {out} exists (use --force to overwrite it)").format(out=out))
    if out.resolve() == Path(args.file).resolve():
        raise InputError(_("--out: {out} is the file being converted; choose a new file")
                         .format(out=out))
    return out


def cmd_export(args: argparse.Namespace) -> int:
    """``excel export``: write the scenario (resolved: no extends) as a workbook."""
    from ..scenario import load_scenario
    from ..scenario.resolve import resolved_document
    from ..scenario.workbook import SHEETS, write_workbook

    scenario = load_scenario(args.file)
    out = _target(args, ".xlsx")
    write_workbook(resolved_document(scenario), out)
    print(_("Wrote {out}: {count} sheets ({names}) and a guide").format(
        out=out, count=len(SHEETS), names=", ".join(k for k, _label in SHEETS)))
    print(_("Run it with: python -m lgsim run {out}").format(out=out))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """``excel import``: validate a workbook and write it as a TOML scenario."""
    import tomli_w

    from .._version import __version__
    from ..fileio import write_text
    from ..scenario import load_scenario
    from ..scenario.resolve import resolved_document

    scenario = load_scenario(args.file)  # the workbook is validated before anything is written
    out = _target(args, ".toml")
    text = (f"# imported from {Path(args.file).name} by lgsim {__version__}\n"
            + tomli_w.dumps(resolved_document(scenario)))
    write_text(out, text)
    print(_("Wrote {out} ({name}: {sectors} sectors, {batches} batches, {sources} sources)")
          .format(out=out, name=scenario.name, sectors=len(scenario.sectors),
                  batches=len(scenario.batches), sources=len(scenario.sources)))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``excel export`` and ``excel import``."""
    p = sub.add_parser("excel", help=_("convert a scenario to an Excel workbook and back"),
                       description=_("A scenario as a workbook: one sheet per section, "
                                     "Chinese headers with the key names, drop-down lists for "
                                     "distributions, the [sources] text next to the numbers. "
                                     "`run` and `validate` also read .xlsx files directly."))
    sub2 = p.add_subparsers(dest="excel_command", required=True, metavar="ACTION")
    e = sub2.add_parser("export", help=_("write SCENARIO as a workbook (extends resolved)"))
    e.add_argument("file", type=Path, metavar="SCENARIO",
                   help=_("a .toml (or .xlsx) scenario"))
    e.add_argument("--out", type=Path, help=_("the workbook (default: ./<name>.xlsx)"))
    e.add_argument("--force", action="store_true", help=_("overwrite --out if it exists"))
    e.set_defaults(func=cmd_export)
    i = sub2.add_parser("import", help=_("write a workbook as a TOML scenario"))
    i.add_argument("file", type=Path, metavar="WORKBOOK",
                   help=_("a .xlsx scenario workbook"))
    i.add_argument("--out", type=Path, help=_("the TOML file (default: ./<name>.toml)"))
    i.add_argument("--force", action="store_true", help=_("overwrite --out if it exists"))
    i.set_defaults(func=cmd_import)
