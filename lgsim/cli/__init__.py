"""Command line: ``python -m lgsim <command> ...`` (a thin layer over the public API).

Each subcommand lives in a module of this package exposing ``register(subparsers)``.
Exit codes: 0 ok; 2 bad input (one line naming the file, the key path, what was expected
and what was found); 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from .._version import __version__
from ..montecarlo.executors import WorkerDied
from ..scenario.errors import ScenarioError, ScenarioWarning

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

#: Modules of this package that register subcommands, in help order.
COMMAND_MODULES = ("run", "compare", "report", "forecast", "whatif", "excel", "scale")


#: Library parameters that a command-line flag sets: an error about one names the flag.
FLAGS = {"resume": "--resume", "precision": "--precision", "params": "--params",
         "out": "--out", "bounds": "--bounds", "seed": "--seed", "workers": "--workers"}


def scenario_message(exc: ScenarioError) -> str:
    """The one-line message of a scenario error, naming the flag where a flag set it."""
    if exc.path in FLAGS:
        exc = ScenarioError(exc.file, FLAGS[exc.path], exc.expected, exc.found, exc.hint)
    return exc.message


class InputError(Exception):
    """Bad command-line input (not a scenario file problem); exits with code 2."""


def positive_int(text: str) -> int:
    """Parse a whole number >= 1 (argparse type) (``10_000`` and ``10,000`` accepted)."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, found {text}")
    return value


def seed_value(text: str) -> int:
    """Parse a seed, 0 <= seed < 2**63 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, found {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected 0 <= seed < 2**63, found {text}")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options shared by commands that run replications (-n, --seed, --workers, --out)."""
    p.add_argument("-n", "--replications", type=positive_int, help="replications")
    p.add_argument("--seed", type=seed_value, help="seed (default: the scenario's, else random)")
    p.add_argument("--workers", type=positive_int, help="worker processes (default: all cores)")
    p.add_argument("--out", type=Path, help="output directory (default: runs/<scenario-name>/)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="lgsim",
        description="Probability of meeting a district's GDP growth target, and what moves it.",
    )
    parser.add_argument("--version", action="version", version=f"lgsim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m lgsim`` and the ``lgsim`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            return int(args.func(args) or EXIT_OK)
    except ScenarioError as exc:
        print(scenario_message(exc), file=sys.stderr)
        return EXIT_INPUT
    except InputError as exc:
        print(f"lgsim: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except WorkerDied as exc:
        print(
            f"lgsim: {exc}. Chunks finished so far are saved in the run directory's chunks/ "
            "folder: rerun the same command with --resume to compute only the rest.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    except OSError as exc:  # disk full, permission denied, read-only file system...
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"lgsim: cannot write{where}: {exc.strerror or exc} (nothing that looks finished "
            "was left: summary.json is written last)",
            file=sys.stderr,
        )
        return EXIT_INPUT if isinstance(exc, PermissionError) else EXIT_INTERNAL
    except KeyboardInterrupt:
        print("lgsim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place that turns bugs into exit code 1
        if args.debug:
            raise
        print(
            f"lgsim: internal error: {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback; please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
