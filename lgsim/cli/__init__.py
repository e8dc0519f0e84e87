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
import re
import signal
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from .. import i18n
from .._format import display_width, printable
from .._version import __version__
from ..fileio import DirectoryBusy, WriteError
from ..i18n import _
from ..montecarlo.executors import SchedulerUnreachable, WorkerDied
from ..outputs.rundir import RunDirectoryError
from ..scenario.errors import ScenarioError, ScenarioWarning

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: Errors of the user's setup rather than of lgsim or the machine: exit code 2.
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)

#: Modules of this package that register subcommands, in help order.
COMMAND_MODULES = ("run", "compare", "report", "forecast", "whatif", "excel", "scale",
                   "track")


#: Library parameters that a command-line flag sets: an error about one names the flag.
FLAGS = {"resume": "--resume", "precision": "--precision", "params": "--params",
         "out": "--out", "bounds": "--bounds", "seed": "--seed", "workers": "--workers",
         "replications": "-n"}

#: The library's way out of a run too large for memory (its hint starts with the tag, then
#: the first way), and the same ways in flags.
MEMORY_TAG = i18n.N_("memory: ")
MEMORY_HINT = (i18n.N_("use fewer replications"), i18n.N_("keep fewer outputs"),
               i18n.N_("stop early at a precision"))
MEMORY_FLAGS = (i18n.N_("use -n N"), i18n.N_("drop --keep paths"),
                i18n.N_("stop early with --precision H"))


def scenario_message(exc: ScenarioError) -> str:
    """The one-line message of a scenario error, naming the flag where a flag set it."""
    if exc.path in FLAGS:
        hint = exc.hint
        if hint.startswith(_(MEMORY_TAG) + _(MEMORY_HINT[0])):
            hint = hint.removeprefix(_(MEMORY_TAG))
            for words, flag in zip(MEMORY_HINT, MEMORY_FLAGS, strict=True):
                hint = hint.replace(_(words), _(flag))
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
        raise argparse.ArgumentTypeError(
            _("expected a whole number, found {text!r}").format(text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            _("expected a number >= 1, found {text}").format(text=text))
    return value


def seed_value(text: str) -> int:
    """Parse a seed, 0 <= seed < 2**63 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected an integer seed, found {text!r}").format(text=text)) from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(
            _("expected 0 <= seed < 2**63, found {text}").format(text=text))
    return value


def out_dir(text: str) -> Path:
    """Parse an output directory (argparse type): not empty, not the file-system root."""
    if not text.strip():
        raise argparse.ArgumentTypeError(_("expected a directory name, found an empty string"))
    path = Path(text)
    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError):
        resolved = path.absolute()
    if resolved == Path(resolved.anchor):
        raise argparse.ArgumentTypeError(
            _("expected a directory of its own, found the file-system root {text!r}")
            .format(text=text)
        )
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            _("expected a directory, found a file {text!r}").format(text=text))
    return path


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options shared by commands that run replications (-n, --seed, --workers, --out)."""
    p.add_argument("-n", "--replications", type=positive_int, help=_("replications"))
    p.add_argument("--seed", type=seed_value,
                   help=_("seed (default: the scenario's, else random)"))
    p.add_argument("--workers", type=positive_int,
                   help=_("worker processes (default: all cores; never more than the cores)"))
    p.add_argument("--out", type=out_dir,
                   help=_("output directory (default: runs/<scenario-name>/)"))


#: argparse's own words (usage heading, group titles, its errors), marked for the catalogue
#: so that help and usage errors follow the language (:func:`argparse_translated`).
ARGPARSE_WORDS = (
    i18n.N_("usage: "), i18n.N_("positional arguments"), i18n.N_("options"),
    i18n.N_("show this help message and exit"),
    i18n.N_("%(prog)s: error: %(message)s\n"),
    i18n.N_("argument %(argument_name)s: %(message)s"),
    i18n.N_("the following arguments are required: %s"),
    i18n.N_("unrecognized arguments: %s"),
    i18n.N_("invalid choice: %(value)r (choose from %(choices)s)"),
    i18n.N_("invalid %(type)s value: %(value)r"),
    i18n.N_("expected one argument"), i18n.N_("expected at most one argument"),
    i18n.N_("expected at least one argument"),
    i18n.N_("ambiguous option: %(option)s could match %(matches)s"),
    i18n.N_("not allowed with argument %s"), i18n.N_("ignored explicit argument %r"),
    i18n.N_("one of the arguments %s is required"),
    i18n.N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    i18n.N_("can't open '%(filename)s': %(error)s"),
)


@contextlib.contextmanager
def argparse_translated() -> Iterator[None]:
    """Argparse's own words from lgsim's catalogue meanwhile (argparse marks them for gettext)."""
    old = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = i18n._, i18n.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = old  # type: ignore[attr-defined]


def wrap_columns(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` terminal columns; Chinese may break between characters."""
    width = max(width, 11)
    lines: list[str] = []
    line, used, space = "", 0, False
    for token in _TOKENS.findall(text):
        if token.isspace():
            space = bool(line)
            continue
        w = display_width(token)
        gap = 1 if space else 0
        if line and used + gap + w > width and token not in _CLOSING:
            lines.append(line)
            line, used, gap = "", 0, 0
        line += " " * gap + token
        used += gap + w
        space = False
    return [*lines, line] if line else lines


#: Punctuation a line must not start with (it hangs at the end of the line before).
_CLOSING = frozenset("，。、；：？！）》」』】〉…")
#: Words, single wide characters (each a break point) and runs of spaces.
_TOKENS = re.compile(r"\s+|[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|"
                     r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, wrapping by display width (a CJK character takes two columns)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = wrap_columns(self._whitespace_matcher.sub(" ", text).strip(),
                             width - len(indent))
        return "\n".join(indent + line for line in lines)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any) -> str:
        # argparse indents continuation lines by characters; a Chinese prefix is wider
        text = super()._format_usage(usage, actions, groups, prefix)
        head = _("usage: ") if prefix is None else prefix
        extra = " " * (display_width(head) - len(head))
        return "\n".join(line if i == 0 or not line else extra + line
                         for i, line in enumerate(text.split("\n")))

    def start_section(self, heading: str | None) -> None:
        """Start a section; a Chinese heading ends with a full-width colon, not argparse's."""
        if heading and i18n.is_chinese():
            heading = f"{heading}\N{FULLWIDTH COLON}\b"
        super().start_section(heading)

    def format_help(self) -> str:
        """The help text (headings' colons as :meth:`start_section` marked them)."""
        return super().format_help().replace("\N{FULLWIDTH COLON}\b:", "\N{FULLWIDTH COLON}")


class Parser(argparse.ArgumentParser):
    """An argument parser whose help wraps Chinese by display width (subparsers too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def _lang_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    parser.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=None if top else argparse.SUPPRESS,
        help=_("language of the output: zh (Chinese, the default) or en (English); "
               "over the environment variable LGSIM_LANG"),
    )


def _every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The subcommands' parsers under ``parser`` (depth first)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield child
                yield from _every_parser(child)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(
        prog="lgsim",
        description=_("Probability of meeting a district's GDP growth target, and what "
                      "moves it."),
    )
    parser.add_argument("--version", action="version", version=f"lgsim {__version__}",
                        help=_("show the version and exit"))
    parser.add_argument("--debug", action="store_true",
                        help=_("show tracebacks of internal errors"))
    _lang_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    for child in _every_parser(parser):  # --lang after the command works as well
        _lang_option(child)
    return parser


def _lang_argument(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` in ``argv`` (before a lone ``--``), if any."""
    value = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
    return value


@contextlib.contextmanager
def command_language(argv: Sequence[str]) -> Iterator[str]:
    """The language of this command meanwhile; yields a one-line problem with LGSIM_LANG.

    ``--lang`` wins over ``LGSIM_LANG``, which wins over the default, Chinese. The choice
    is passed on to child processes through ``LGSIM_LANG``. A ``--lang`` value that is
    not a language is left to the parser (which names the choices).
    """
    flag = i18n.normalise(_lang_argument(argv))
    env, raw = i18n.env_language()
    old = os.environ.get(i18n.ENV)
    with i18n.using(flag or env or i18n.DEFAULT):
        os.environ[i18n.ENV] = i18n.language()
        try:
            yield ("" if flag or env or not raw.strip() else
                   _("lgsim: {variable}: expected zh or en, found {found!r}")
                   .format(variable=i18n.ENV, found=raw))
        finally:
            if old is None:
                os.environ.pop(i18n.ENV, None)
            else:
                os.environ[i18n.ENV] = old


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m lgsim`` and the ``lgsim`` script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with terminal_streams(), command_language(argv) as problem:
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_INPUT
        with argparse_translated():
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
        print(_("lgsim: {message}").format(message=exc), file=sys.stderr)
        return EXIT_INPUT
    except DirectoryBusy as exc:
        print(_("lgsim: {file}: {reason}; wait for it to finish or choose another --out")
              .format(file=exc.filename, reason=exc.strerror), file=sys.stderr)
        return EXIT_INPUT
    except WorkerDied as exc:
        print(
            _("lgsim: {error}. Chunks finished so far are saved in the run directory's "
              "chunks/ folder: rerun the same command with --resume to compute only the "
              "rest.").format(error=exc),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    except WriteError as exc:  # disk full, permission denied, read-only file system...
        where = f" {exc.filename}" if exc.filename else ""
        print(
            _("lgsim: cannot write{where}: {reason} (nothing that looks finished was left: "
              "summary.json is written last)").format(where=where,
                                                      reason=exc.strerror or exc),
            file=sys.stderr,
        )
        return EXIT_INPUT if exc.errno in _DENIED else EXIT_INTERNAL
    except BrokenPipeError:  # the reader of the output went away (| head): nothing to say
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w", encoding="utf-8")
        return EXIT_OK
    except OSError as exc:  # not one of lgsim's writes: a read, a connection...
        where = _("{file}: ").format(file=exc.filename) if exc.filename else ""
        print(_("lgsim: {message}").format(message=f"{where}{exc.strerror or exc}"),
              file=sys.stderr)
        return EXIT_INPUT if exc.errno in _DENIED else EXIT_INTERNAL
    except KeyboardInterrupt as exc:
        stop = exc if isinstance(exc, Stopped) else Stopped()
        then = _("; {what_next}").format(what_next=stop.resume) if stop.resume else ""
        print(_("lgsim: interrupted ({signal}){then}").format(signal=stop.name, then=then),
              file=sys.stderr)
        return 128 + stop.signum
    except Exception as exc:  # the one place that turns bugs into exit code 1
        if args.debug:
            raise
        print(
            _("lgsim: internal error: {kind}: {error} (run with --debug for the traceback; "
              "please report it)").format(kind=type(exc).__name__, error=exc),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
