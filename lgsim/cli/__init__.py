"""Command line: ``python -m lgsim <command> ...`` (a thin layer over the public API).

Each subcommand lives in a module of this package exposing ``register(subparsers)``.
Exit codes: 0 ok; 2 bad input (one line naming the file, the key path, what was expected
and what was found); 1 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._format import printable
from .._version import __version__
from ..fileio import DirectoryBusy, WriteError
from ..montecarlo.executors import SchedulerUnreachable, WorkerDied
from ..outputs.rundir import RunDirectoryError
from ..scenario.errors import ScenarioError, ScenarioWarning

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: Errors of the user's setup rather than of lgsim or the machine: exit code 2.
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)

#: Modules of this package that register subcommands, in help order.
COMMAND_MODULES = ("run", "compare", "report", "forecast", "whatif", "excel", "scale")


#: Library parameters that a command-line flag sets: an error about one names the flag.
FLAGS = {"resume": "--resume", "precision": "--precision", "params": "--params",
         "out": "--out", "bounds": "--bounds", "seed": "--seed", "workers": "--workers",
         "replications": "-n"}

#: The library's way out of a run too large for memory, in flags.
MEMORY_HINT = ("memory: use fewer replications", "keep fewer outputs",
               "stop early at a precision")


def scenario_message(exc: ScenarioError) -> str:
    """The one-line message of a scenario error, naming the flag where a flag set it."""
    if exc.path in FLAGS:
        hint = exc.hint
        if hint.startswith(MEMORY_HINT[0]):
            hint = (hint.removeprefix("memory: ").replace("use fewer replications", "use -n N")
                    .replace("keep fewer outputs", "drop --keep paths")
                    .replace("stop early at a precision", "stop early with --precision H"))
        exc = ScenarioError(exc.file, FLAGS[exc.path], exc.expected, exc.found, hint)
    return exc.message


class InputError(Exception):
    """Bad command-line input (not a scenario file problem); exits with code 2."""


class Stopped(KeyboardInterrupt):
    """A stop asked for by a signal (SIGINT, SIGTERM, SIGHUP): the same clean stop as Ctrl-C.

    ``resume`` is what the user can do next (set by ``run``: rerun with ``--resume``).
    """

    def __init__(self, signum: int = signal.SIGINT, resume: str = "") -> None:
        super().__init__(signum)
        self.signum = int(signum)
        self.resume = resume

    @property
    def name(self) -> str:
        """The signal's name (``SIGTERM``)."""
        try:
            return signal.Signals(self.signum).name
        except ValueError:  # pragma: no cover
            return f"signal {self.signum}"


def _raise_stopped(signum: int, frame: Any) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def clean_stops() -> Iterator[None]:
    """SIGTERM and SIGHUP stop like Ctrl-C (:class:`Stopped`), in the main thread."""
    sigs = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    try:
        old = {sig: signal.signal(sig, _raise_stopped) for sig in sigs}
    except ValueError:  # not the main thread: leave the handlers alone
        old = {}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class TerminalText:
    """A text stream that escapes control characters (:func:`lgsim._format.printable`).

    Whatever a scenario file holds (an ESC in a title, a key or a name), nothing printed
    to the terminal can move the cursor, clear the screen or retitle the window; text
    the stream cannot encode (a Latin-1 or ASCII terminal) is shown as backslash
    escapes instead of failing a finished run.
    """

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters escaped."""
        safe = printable(text)
        encoding = getattr(self.raw, "encoding", None) or "utf-8"
        try:
            safe.encode(encoding)
        except UnicodeEncodeError:
            safe = safe.encode(encoding, "backslashreplace").decode(encoding)
        except LookupError:  # pragma: no cover - an unknown codec name
            pass
        self.raw.write(safe)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@contextlib.contextmanager
def terminal_streams() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`TerminalText` meanwhile."""
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(sys.stdout), TerminalText(sys.stderr)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        sys.stdout, sys.stderr = old


def raw_stream(stream: Any) -> Any:
    """The stream under a :class:`TerminalText` (for a progress bar's own control codes)."""
    return getattr(stream, "raw", stream)


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


def out_dir(text: str) -> Path:
    """Parse an output directory (argparse type): not empty, not the file-system root."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a directory name, found an empty string")
    path = Path(text)
    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError):
        resolved = path.absolute()
    if resolved == Path(resolved.anchor):
        raise argparse.ArgumentTypeError(
            f"expected a directory of its own, found the file-system root {text!r}"
        )
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a directory, found a file {text!r}")
    return path


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options shared by commands that run replications (-n, --seed, --workers, --out)."""
    p.add_argument("-n", "--replications", type=positive_int, help="replications")
    p.add_argument("--seed", type=seed_value, help="seed (default: the scenario's, else random)")
    p.add_argument("--workers", type=positive_int,
                   help="worker processes (default: all cores; never more than the cores)")
    p.add_argument("--out", type=out_dir,
                   help="output directory (default: runs/<scenario-name>/)")


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
    with terminal_streams():
        parser = build_parser()
        args = parser.parse_args(argv)
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings(), clean_stops():
            warnings.simplefilter("ignore", ScenarioWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # non-finite results are refused
            return int(args.func(args) or EXIT_OK)
    except ScenarioError as exc:
        print(scenario_message(exc), file=sys.stderr)
        return EXIT_INPUT
    except (InputError, RunDirectoryError, SchedulerUnreachable) as exc:
        print(f"lgsim: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except DirectoryBusy as exc:
        print(f"lgsim: {exc.filename}: {exc.strerror}; wait for it to finish or choose "
              "another --out", file=sys.stderr)
        return EXIT_INPUT
    except WorkerDied as exc:
        print(
            f"lgsim: {exc}. Chunks finished so far are saved in the run directory's chunks/ "
            "folder: rerun the same command with --resume to compute only the rest.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    except WriteError as exc:  # disk full, permission denied, read-only file system...
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"lgsim: cannot write{where}: {exc.strerror or exc} (nothing that looks finished "
            "was left: summary.json is written last)",
            file=sys.stderr,
        )
        return EXIT_INPUT if exc.errno in _DENIED else EXIT_INTERNAL
    except BrokenPipeError:  # the reader of the output went away (| head): nothing to say
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w", encoding="utf-8")
        return EXIT_OK
    except OSError as exc:  # not one of lgsim's writes: a read, a connection...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"lgsim: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT if exc.errno in _DENIED else EXIT_INTERNAL
    except KeyboardInterrupt as exc:
        stop = exc if isinstance(exc, Stopped) else Stopped()
        then = f"; {stop.resume}" if stop.resume else ""
        print(f"lgsim: interrupted ({stop.name}){then}", file=sys.stderr)
        return 128 + stop.signum
    except Exception as exc:  # the one place that turns bugs into exit code 1
        if args.debug:
            raise
        print(
            f"lgsim: internal error: {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback; please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
