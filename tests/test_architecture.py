"""The file tree is the architecture: layers, no cycles, small functions, nothing outside.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked
here, so a change that imports upwards or makes a cycle (an import placed inside a
function counts) fails the test suite.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lgsim

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lgsim"

#: Longest function body allowed, in lines (the docstring does not count).
MAX_FUNCTION_LINES = 80
#: Most modules directly in lgsim/ (the rest lives in packages named after the data flow).
MAX_TOP_LEVEL_MODULES = 8


def test_import_contracts_are_kept():
    # in a child process: the import graph is built with threads that would otherwise
    # stay in this process (and change how later tests start worker processes)
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def _function_lengths():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                        and isinstance(first.value.value, str):
                    lines -= first.end_lineno - first.lineno + 1
                yield path.relative_to(ROOT), node.name, lines


def test_functions_fit_on_a_screen():
    long = [f"{p}:{name} ({n} lines)" for p, name, n in _function_lengths()
            if n > MAX_FUNCTION_LINES]
    assert not long, long


def test_the_package_is_rooms_not_a_hallway():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert {"scenario", "engine", "montecarlo", "studies", "forecasting", "outputs",
            "cli"} <= packages


_OUTSIDE = re.compile(r"\.\./shared|/work/shared|DESIGN\.md")


@pytest.mark.parametrize("folder", ["lgsim", "scenarios", "docs"])
def test_nothing_refers_to_files_outside_the_project(folder):
    hits = []
    for dirpath, _, files in os.walk(ROOT / folder):
        for name in files:
            if name.endswith((".py", ".toml", ".md", ".csv", ".txt")):
                path = Path(dirpath) / name
                if _OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace")):
                    hits.append(str(path.relative_to(ROOT)))
    assert not hits, hits


_PROJECT_PATH = re.compile(r"(?<![\w.])(docs|tests|tools|scenarios|notebooks|benchmarks)/|\.\./")


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def test_what_the_package_says_names_no_file_outside_it():
    """Messages, reports and files written by lgsim never point at files an installed
    package does not have (docs/, tests/, ...); docstrings may cite the project's docs."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        hits += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and id(node) not in docs and _PROJECT_PATH.search(node.value)]
    for path in sorted((PACKAGE / "data").glob("*.csv")):
        if re.search(r"\.\./|/work/|\.csv\b.*\.csv", path.read_text(encoding="utf-8")):
            hits.append(str(path.relative_to(ROOT)))
    assert not hits, hits


def test_scenario_sources_cite_publications_not_repository_files():
    hits = []
    for path in sorted((ROOT / "scenarios").rglob("*.toml")):
        for key, text in (lgsim.load_scenario(path).sources or {}).items():
            if re.search(r"\.(csv|toml|py|md)\b|github|lgsim/", text, re.I):
                hits.append(f"{path.name}: {key}")
    assert not hits, hits


def test_library_errors_never_name_a_command_line_flag():
    flag = re.compile(r"""(ScenarioError|ValueError|InputError)\([^)]*["']--[a-z]""", re.S)
    hits = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
            if "cli" not in p.parts and flag.search(p.read_text(encoding="utf-8"))]
    assert not hits, hits
