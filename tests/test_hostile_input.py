"""Hostile files, terminals and failures named for what they are (issue 14, 10, 11, 12, 15).

Special files, deep chains and control characters are also classes of the broken-file
corpus (``tests/test_corpus.py``); these tests cover what the corpus cannot: the terminal,
the CLI's other commands and the subprocess view.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import lgsim
from lgsim._format import printable
from lgsim.cli import TerminalText, main
from lgsim.scenario import merge

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "corpus" / "valid" / "tiny.toml"
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.toml"


def _lgsim(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "lgsim", *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=300, check=False, env={**os.environ, **(env or {})})


# ---------------------------------------------------------------- 10: validate == run
@pytest.mark.parametrize("field", ['[scenario]\ntitle = "a\\u0000b"',
                                   '[[sector]]\nid = "industry"\nname = "in\\u0000dustry"'])
def test_nul_in_a_title_or_name_fails_in_validate_and_run_alike(tmp_path, capsys, field):
    # before the fix validate said ok and run failed at write time with exit code 1
    path = tmp_path / "nul.toml"
    path.write_text(f'extends = "{TINY}"\n{field}\n', encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    v = capsys.readouterr().err.strip()
    assert main(["run", str(path), "-n", "20", "--out", str(tmp_path / "r")]) == 2
    r = capsys.readouterr().err.strip()
    assert v == r and len(v.splitlines()) == 1 and "control character" in v


# ---------------------------------------------------------------- 11: files
def test_a_file_above_the_size_cap_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(merge, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.toml"
    path.write_text(f'extends = "{TINY}"\n' + "# padding\n" * 200, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "at most 1.0 kB, found a larger file" in capsys.readouterr().err


@pytest.mark.slow
def test_validate_dev_zero_in_a_subprocess_is_one_line():
    # before the fix: read until memory ran out (MemoryError, exit code 1)
    done = _lgsim("validate", "/dev/zero")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "character device" in done.stderr


# ---------------------------------------------------------------- 12: terminals
def test_printable_escapes_control_characters():
    assert printable("a\x1b[2Jb\x07\x00\x9b\u2028c\td\ne") == \
        "a\\x1b[2Jb\\x07\\x00\\x9b\\u2028c\td\ne"
    assert printable("龙岗区 2022 基准情景") == "龙岗区 2022 基准情景"


def test_terminal_text_escapes_and_never_fails_on_encoding():
    import io

    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    out = TerminalText(raw)
    out.write("龙岗 \x1b]0;pwned\x07 ok\n")
    raw.flush()
    text = raw.buffer.getvalue().decode("ascii")
    assert "\x1b" not in text and "\\x1b]0;pwned\\x07" in text and "\\u9f99" in text


def test_a_key_with_an_escape_sequence_is_shown_escaped(tmp_path, capsys):
    path = tmp_path / "esc.toml"
    path.write_text(f'extends = "{TINY}"\n[scenario]\n"\\u001b[2Jkey" = 1\n', encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2Jkey" in err


@pytest.mark.slow
def test_a_non_utf8_terminal_does_not_turn_a_finished_run_into_exit_1(tmp_path):
    # before the fix: UnicodeEncodeError printing the Chinese headline, exit code 1
    done = _lgsim("run", str(ROOT / "scenarios" / "base.toml"), "-n", "200", "--out",
                  str(tmp_path / "r"), env={"PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "summary.json").exists()
    assert "\\u9f99" in done.stdout  # 龙 as an escape


# ---------------------------------------------------------------- 15: named failures
def test_calibrate_does_not_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    out.write_text("# my notes\n", encoding="utf-8")
    args = ["calibrate", str(ROOT / "scenarios" / "base.toml"), "--out", str(out),
            "--n-sims", "200"]
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# my notes\n"
    assert main([*args, "--force"]) == 0
    assert out.read_text(encoding="utf-8") != "# my notes\n"


def test_sobol_with_too_few_samples_warns(tmp_path, capsys):
    assert main(["sensitivity", str(TINY), "--method", "sobol", "--samples", "3", "-n", "2",
                 "--workers", "1", "--out", str(tmp_path / "s"), "--no-plot",
                 "--params", "sector[industry].growth", "sector[services].growth"]) == 0
    out = capsys.readouterr().out
    assert "warning: 3 base samples are too few for Sobol indices" in out


def test_solve_on_an_integer_lever(tmp_path, capsys):
    # before the fix: "batch[batch3].count: expected an integer, found 2.5"
    assert main(["solve", str(TINY), "--lever", "batch[batch3].count", "--probability",
                 "0.5", "-n", "50", "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "bounds [1.000, 10.000]" in out


def test_solve_on_total_investment_with_its_default_bounds(tmp_path, capsys):
    # before the fix: 0 (the default lower bound) is below first_year_plan: refused
    s = lgsim.load_scenario(TINY)
    from lgsim.studies.solve import solve

    sol = solve(s, "project[yangmeigang].total_investment", 0.5, replications=50, workers=1)
    assert sol.bounds[0] == pytest.approx(1.8, abs=0.01) and sol.bounds[1] == 24.0
    assert main(["solve", str(TINY), "--lever", "project[yangmeigang].total_investment",
                 "--probability", "0.5", "-n", "50", "--workers", "1",
                 "--out", str(tmp_path / "s")]) == 0


@pytest.mark.slow
def test_an_unreachable_scheduler_is_named(tmp_path, capsys, monkeypatch):
    from lgsim.montecarlo import executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", 2.0)
    code = main(["run", str(MINIMAL), "-n", "20", "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert "no dask scheduler answers at 'tcp://127.0.0.1:9'" in err
    assert "cannot write" not in err
