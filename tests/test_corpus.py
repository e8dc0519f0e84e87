"""A corpus of broken scenario files, each with the one line it must produce.

Every ``tests/corpus/*.toml`` is broken in one way; its first line says how the message
must read: ``# expect: <key path> | <fragment>`` (``-`` for a whole-file problem such as
a TOML syntax error). ``python -m lgsim validate FILE`` must exit with code 2 and print
exactly one line on stderr, ``<file>: <key path>: expected ..., found ...``, containing
the fragment; nothing on stdout, no traceback. ``tests/corpus/valid/`` holds the tiny
valid scenario most broken files extend, and files that must load.

The CLI runs in-process for every file (fast); a few checks run ``python -m lgsim`` in a
real subprocess to prove the exit code and the absence of a traceback end to end.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lgsim.cli import main
from lgsim.scenario.merge import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
BROKEN = sorted(CORPUS.glob("*.toml"))
VALID = sorted((CORPUS / "valid").glob("*.toml"))
EXPECT = re.compile(r"^# expect: (?P<path>.+?) \| (?P<fragment>.+)$")

#: Expectations of files that cannot carry an ``# expect:`` comment.
TABLE = {
    "empty_file.toml": (
        "-", "expected a TOML scenario with a [scenario] table, found an empty file"
    ),
}


def expectation(file: Path) -> tuple[str, str]:
    """The (key path, message fragment) a corpus file must produce."""
    if file.name in TABLE:
        return TABLE[file.name]
    first = file.read_text(encoding="utf-8").partition("\n")[0]
    m = EXPECT.match(first)
    if m is None:
        raise AssertionError(f"{file.name}: first line must be '# expect: <path> | <fragment>'")
    return m["path"], m["fragment"]


def check_report(file: str, path: str, fragment: str, code: int, out: str, err: str) -> None:
    """Exit code 2, nothing on stdout, one line on stderr naming file, key path and problem."""
    assert code == 2, (code, out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    head = f"{file}: expected " if path == "-" else f"{file}: {path}: expected "
    assert lines[0].startswith(head), f"{lines[0]!r} does not start with {head!r}"
    assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def validate(file: Path | str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", str(file)])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- files of the corpus


def test_corpus_is_large_and_every_file_has_an_expectation() -> None:
    assert len(BROKEN) >= 45 + 60  # the first corpus, and the second (issue 14)
    for file in BROKEN:
        expectation(file)


@pytest.mark.parametrize("file", BROKEN, ids=lambda f: f.stem)
def test_broken_file_gets_one_clear_line(
    file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, fragment = expectation(file)
    check_report(str(file), path, fragment, *validate(file, capsys))


@pytest.mark.parametrize("file", VALID, ids=lambda f: f.stem)
def test_valid_corpus_file_loads(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(file, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"ok {file}: ")


# ---------------------------------------------------------------- files written by the test


def _not_utf8(tmp: Path) -> Path:
    file = tmp / "latin1.toml"
    file.write_bytes(
        b'extends = "' + str(CORPUS / "valid" / "tiny.toml").encode() + b'"\n'
        b"[scenario]\n"
        b'title = "Caf\xe9 district"\n'
    )
    return file


def _directory(tmp: Path) -> Path:
    file = tmp / "scenario.toml"
    file.mkdir()
    return file


def _missing(tmp: Path) -> Path:
    return tmp / "no-such-scenario.toml"


def _bom(tmp: Path) -> Path:
    """A UTF-8 byte-order mark (Excel, Notepad) is fine; the error is the percent."""
    file = tmp / "bom.toml"
    tiny = CORPUS / "valid" / "tiny.toml"
    file.write_text(f'\ufeffextends = "{tiny}"\n[target]\ngdp_growth = 6.5\n', encoding="utf-8")
    return file


# special files: a FIFO used to hang validate, /dev/zero to read until memory ran out


def _fifo(tmp: Path) -> Path:
    file = tmp / "fifo.toml"
    os.mkfifo(file)
    return file


def _dev_zero(tmp: Path) -> Path:
    file = tmp / "zero.toml"
    file.symlink_to("/dev/zero")
    return file


def _socket(tmp: Path) -> Path:
    file = tmp / "s.toml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(file))
    sock.close()
    return file


def _too_large(tmp: Path) -> Path:
    file = tmp / "large.toml"
    tiny = CORPUS / "valid" / "tiny.toml"
    pad = ("# " + "x" * 98 + "\n") * (MAX_FILE_BYTES // 100 + 1)
    file.write_text(f'extends = "{tiny}"\n{pad}', encoding="utf-8")
    return file


def _extends_fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "parent.toml")
    file = tmp / "child.toml"
    file.write_text('extends = "parent.toml"\n', encoding="utf-8")
    return file


def _symlink_loop(tmp: Path) -> Path:
    (tmp / "a.toml").symlink_to(tmp / "b.toml")
    (tmp / "b.toml").symlink_to(tmp / "a.toml")
    return tmp / "a.toml"


# deep chains: 1,200 files deep raised RecursionError (exit code 1)


def chain(tmp: Path, files: int) -> Path:
    """``c0000.toml`` extends ``c0001.toml`` ... extends ``valid/tiny.toml``: ``files`` files."""
    tiny = CORPUS / "valid" / "tiny.toml"
    (tmp / f"c{files - 2:04d}.toml").write_text(f'extends = "{tiny}"\n', encoding="utf-8")
    for i in range(files - 2):
        (tmp / f"c{i:04d}.toml").write_text(f'extends = "c{i + 1:04d}.toml"\n',
                                            encoding="utf-8")
    return tmp / "c0000.toml"


GENERATED: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "not_utf8": (_not_utf8, "-", "a UTF-8 text file, found a byte that is not UTF-8 at line 3"),
    "directory": (_directory, "-", "expected a scenario file, found a directory"),
    "missing_file": (_missing, "-", "expected an existing scenario file, found no such file"),
    "utf8_bom": (_bom, "target.gdp_growth", "looks like percent: write 0.065 for 6.5%"),
    "special_fifo": (_fifo, "-", "a regular file), found a FIFO"),
    "special_dev_zero": (_dev_zero, "-", "a regular file), found a character device"),
    "special_socket": (_socket, "-", "a regular file), found"),
    "special_too_large": (_too_large, "-", "a scenario file of at most 10.0 MB, found a larger"),
    "special_extends_fifo": (_extends_fifo, "extends", "found 'parent.toml', a FIFO"),
    "special_symlink_loop": (_symlink_loop, "-", "expected"),
    "deep_chain_33": (lambda tmp: chain(tmp, 33), "extends", "a chain of at most 32 files"),
    "deep_chain_1200": (lambda tmp: chain(tmp, 1200), "extends", "a chain of at most 32 files"),
}


def test_a_chain_of_32_files_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = chain(tmp_path, 32)
    code, _, err = validate(file, capsys)
    assert (code, err) == (0, ""), err


@pytest.mark.parametrize("case", GENERATED)
def test_generated_bad_file_gets_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, path, fragment = GENERATED[case]
    file = make(tmp_path)
    check_report(str(file), path, fragment, *validate(file, capsys))


def test_several_files_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    files = [CORPUS / "valid" / "tiny.toml", CORPUS / "zero_gdp.toml", CORPUS / "missing_id.toml"]
    code = main(["validate", *map(str, files)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out.startswith(f"ok {files[0]}: ") and len(out.splitlines()) == 1
    assert [line.split(": ")[0] for line in err.splitlines()] == [str(f) for f in files[1:]]


# ---------------------------------------------------------------- end to end


def _lgsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lgsim", *args],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
    )


@pytest.mark.parametrize(
    "name",
    ["syntax_missing_equals.toml", "unknown_key_misspelt.toml", "huge_replications.toml"],
)
def test_subprocess_exit_code_2_without_traceback(name: str) -> None:
    file = CORPUS / name
    path, fragment = expectation(file)
    result = _lgsim("validate", str(file))
    check_report(str(file), path, fragment, result.returncode, result.stdout, result.stderr)


def test_subprocess_whole_corpus_one_line_per_file(tmp_path: Path) -> None:
    files = list(BROKEN)
    for name, (make, _, _) in GENERATED.items():
        (tmp_path / name).mkdir()
        files.append(make(tmp_path / name))
    result = _lgsim("validate", *map(str, files))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(files)
    for file, line in zip(files, lines, strict=True):
        assert line.startswith(f"{file}: "), line
