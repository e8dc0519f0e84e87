"""Chinese by default, English on request: the catalogue, the language choice, both outputs.

The rest of the suite runs in English (``tests/conftest.py`` sets ``LGSIM_LANG=en``);
these tests ask for Chinese (``--lang zh``, ``LGSIM_LANG=zh`` or no setting at all) and
check the catalogue: the committed ``.mo`` is the compiled ``.po``, the ``.po`` holds every
string the code marks and translates each one, keeping its placeholders.
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from lgsim import i18n
from lgsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "lgsim" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "lgsim.po"
MO = PO.with_suffix(".mo")
CORPUS = ROOT / "tests" / "corpus"


def lgsim_cli(*args: str, lang: str | None = None, cwd: Path = ROOT,
              timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m lgsim ARGS`` in a child process, with ``LGSIM_LANG=lang`` (None: unset)."""
    env = {k: v for k, v in os.environ.items() if k != "LGSIM_LANG"}
    if lang is not None:
        env["LGSIM_LANG"] = lang
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "lgsim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


# ---------------------------------------------------------------- the catalogue


def _po():
    pofile = pytest.importorskip("babel.messages.pofile", reason="Babel is in the [dev] extra")
    with PO.open("rb") as fh:
        return pofile.read_po(fh)


def _ids(message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strs(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def test_committed_mo_is_the_compiled_po():
    mofile = pytest.importorskip("babel.messages.mofile")
    buf = io.BytesIO()
    mofile.write_mo(buf, _po())
    buf.seek(0)
    fresh = gettext.GNUTranslations(buf)
    with MO.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    assert committed._catalog == fresh._catalog, "run tools/i18n.sh compile"  # type: ignore[attr-defined]


def _extracted() -> set[str]:
    """Every msgid the code marks, extracted by Babel with babel.cfg (what tools/i18n.sh does)."""
    extract = pytest.importorskip("babel.messages.extract")
    frontend = pytest.importorskip("babel.messages.frontend")
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse(fh)
    ids = set()
    for _file, _line, message, _comments, _context in extract.extract_from_dir(
            str(ROOT / "lgsim"), method_map, options_map):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_catalogue_holds_exactly_the_strings_of_the_code():
    in_po = {_ids(m)[0] for m in _po() if m.id}
    in_code = _extracted()
    assert not in_code - in_po, ("strings not in the catalogue: run tools/i18n.sh update and "
                                 f"translate them: {sorted(in_code - in_po)[:10]}")
    assert not in_po - in_code, f"stale catalogue entries: {sorted(in_po - in_code)[:10]}"


def test_every_string_is_translated():
    bad = [_ids(m)[0] for m in _po() if m.id and (m.fuzzy or not all(_strs(m)))]
    assert not bad, bad[:10]


def _fields(text: str) -> list[tuple[str, str, str]]:
    brace = sorted((name, conv or "", spec or "")
                   for _lit, name, spec, conv in string.Formatter().parse(text)
                   if name is not None)
    percent = sorted(("%", m, "") for m in re.findall(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[a-z%]",
                                                      text))
    return brace + percent


def test_translations_keep_every_placeholder():
    bad = []
    for m in _po():
        if not m.id:
            continue
        flags = m.flags
        for msgid, msgstr in zip(_ids(m) * 2, _strs(m), strict=False):
            if "python-brace-format" in flags or "python-format" in flags:
                if _fields(msgid) != _fields(msgstr):
                    bad.append((msgid, msgstr))
    assert not bad, bad[:5]


def test_the_catalogue_ships_as_package_data():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*"' in text
    assert MO.is_file() and MO.stat().st_size > 1000
    assert i18n.translations("zh").gettext("options") == "选项"


def test_no_function_hides_the_translation_function():
    """A module that imports ``_`` must not assign ``_`` (``for _ in``) in a function."""
    hits = []
    for path in sorted((ROOT / "lgsim").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.ImportFrom) and any(a.name == "_" for a in n.names)
                   for n in tree.body):
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Name) and node.id == "_" and \
                        isinstance(node.ctx, ast.Store):
                    hits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hits, hits


# ---------------------------------------------------------------- the language


@pytest.mark.parametrize(("text", "lang"), [
    ("zh", "zh"), ("zh_CN", "zh"), ("zh-CN.UTF-8", "zh"), ("en", "en"), ("EN_us", "en"),
    ("fr", None), ("", None), (None, None),
])
def test_language_names(text, lang):
    assert i18n.normalise(text) == lang


def test_set_language_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LGSIM_LANG", "zh")
    assert i18n.language() == "zh"
    assert i18n._("options") == "选项"
    i18n.set_language("en")
    assert i18n._("options") == "options"
    with i18n.using("zh"):
        assert i18n.language() == "zh"
    assert i18n.language() == "en"
    i18n.set_language(None)
    monkeypatch.delenv("LGSIM_LANG")
    assert i18n.language() == "zh"  # the default
    with pytest.raises(ValueError, match="fr"):
        i18n.set_language("fr")


def test_chinese_by_default_with_no_setting():
    done = lgsim_cli("--help", lang=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("用法：lgsim")
    assert "选项：" in done.stdout and "显示本帮助信息并退出" in done.stdout
    assert "模拟一个情景并写出运行目录" in done.stdout


def test_help_of_a_command_in_both_languages(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "zh", "run", "--help"])
    assert stop.value.code == 0
    zh = capsys.readouterr().out
    assert zh.startswith("用法：lgsim run")
    assert "位置参数：" in zh and "随机种子（默认：情景中设定的，否则随机）" in zh
    with pytest.raises(SystemExit):
        main(["run", "--help"])  # LGSIM_LANG=en (conftest)
    en = capsys.readouterr().out
    assert en.startswith("usage: lgsim run")
    assert "seed (default: the scenario's, else random)" in en
    assert i18n.language() == "en" and os.environ["LGSIM_LANG"] == "en"  # nothing left behind


def test_lang_flag_wins_over_the_environment():
    done = lgsim_cli("--lang", "en", "validate", "tests/corpus/valid/tiny.toml", lang="zh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok tests/corpus/valid/tiny.toml: tiny — 3 sectors")
    done = lgsim_cli("validate", "tests/corpus/valid/tiny.toml", "--lang", "zh", lang="en")
    assert done.stdout.startswith("通过 tests/corpus/valid/tiny.toml：tiny — 3 个行业")


def test_usage_errors_in_chinese(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "zh", "run"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "lgsim run：错误：缺少以下必需参数：SCENARIO"
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "run", "s.toml", "-n", "many"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "lgsim run：错误：参数 -n/--replications：应为整数，实为 'many'")


def test_an_unknown_language_is_one_line_and_exit_code_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "fr", "--help"])
    assert stop.value.code == 2
    assert "--lang: invalid choice: 'fr' (choose from 'zh', 'en')" in capsys.readouterr().err
    done = lgsim_cli("validate", "tests/corpus/valid/tiny.toml", lang="fr")
    assert done.returncode == 2
    assert done.stderr == "lgsim：LGSIM_LANG：应为 zh 或 en，实为 'fr'\n"
    assert done.stdout == ""


def test_babel_finds_no_problem_in_the_catalogue():
    """Babel's own checks (what ``pybabel compile`` runs): placeholders, plural forms."""
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _po().check()]
    assert not problems, problems[:5]


def test_the_rule_of_a_target_in_both_languages(base_scenario):
    target = base_scenario.target
    english = "growth rounded half-up to 1 decimal(s) of a percent >= 6.0%"
    assert target.rule() == english  # files record English, whatever the language
    with i18n.using("zh"):
        assert target.rule() == english
        assert target.rule(i18n._) == "增速四舍五入保留 1 位小数后 >= 6.0%"
    assert target.rule(i18n._) == english


def test_help_wraps_chinese_by_terminal_columns():
    from lgsim._format import display_width
    from lgsim.cli import wrap_columns

    text = "输出语言：zh（中文，默认）或 en（英文）；优先于环境变量 LGSIM_LANG"
    lines = wrap_columns(text, 20)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 20 or (display_width(line) <= 22 and line[-1] in "，）；")
               for line in lines)  # closing punctuation hangs rather than start a line
    assert not any(line[0] in "，。、；：？！）" for line in lines)
    assert wrap_columns("aaaa bbbb  cccc", 11) == ["aaaa bbbb", "cccc"]


# ---------------------------------------------------------------- the run, in Chinese


def test_run_prints_its_headline_in_chinese_by_default(tmp_path):
    done = lgsim_cli("run", "scenarios/base.toml", "--out", str(tmp_path / "r"), lang=None)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "龙岗区 2022 基准情景（2022-06-07 视角）  [base]"
    assert lines[1] == "2,000 次模拟 · 随机种子 20220607 · lgsim 0.1.0"
    assert lines[3] == "2022 年目标：GDP 增长 6.00% — 判定规则：增速四舍五入保留 1 位小数后 >= 6.0%"
    assert re.fullmatch(r"达标概率 = \d+\.\d%   95% 模拟精度 \[\d+\.\d%, \d+\.\d%\]"
                        r"（n = 2,000；有效样本 [\d,]+）", lines[4]), lines[4]
    assert lines[5] == "  （该区间是模拟精度，不是情景假设的不确定性）"
    assert any(line.startswith("2022 年各行业对增长的拉动（百分点）") for line in lines)
    assert lines[-1] == f"已写入 {tmp_path / 'r'}/"
    assert not re.search(r"replications|Target|Growth|Wrote", done.stdout)


def test_lang_en_overrides_lgsim_lang_zh_for_the_run(tmp_path):
    done = lgsim_cli("--lang", "en", "run", "scenarios/base.toml", "--out", str(tmp_path / "r"),
                     lang="zh")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "2,000 replications · seed 20220607 · lgsim 0.1.0"
    assert lines[3].startswith("Target 2022: GDP growth 6.00% — rule: growth rounded half-up")
    assert lines[-1] == f"Wrote {tmp_path / 'r'}/"
    assert not re.search("[次模拟达标概率已写入]", "".join(lines[1:]).replace("龙岗区", ""))


# ---------------------------------------------------------------- errors, in Chinese


def _corpus_cases() -> list[tuple[Path, str]]:
    from test_corpus import BROKEN, expectation

    return [(file, expectation(file)[0]) for file in BROKEN]


@pytest.mark.parametrize(("file", "path"), _corpus_cases(), ids=lambda x: getattr(x, "stem", ""))
def test_every_broken_file_gets_the_same_structure_in_chinese(file, path, capsys):
    """``<file>：<key path>：应为 …，实为 …``: one line, exit code 2, file and path as they are."""
    code = main(["--lang", "zh", "validate", str(file)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    if " (" in path:  # io.table (<file>, row …, column …): the row and column words translated
        head = f"{file}：{path.split(', ')[0]}, "
        assert "：应为 " in lines[0] and " row " not in lines[0], lines[0]
    else:
        head = f"{file}：应为 " if path == "-" else f"{file}：{path}：应为 "
    assert lines[0].startswith(head), lines[0]
    assert "，实为 " in lines[0], lines[0]
    assert "expected" not in lines[0] and ", found" not in lines[0], lines[0]


def test_a_broken_file_in_chinese_end_to_end():
    """The issue's example: an unknown key, with the suggestion, in a child process."""
    file = "tests/corpus/unknown_key_misspelt.toml"
    done = lgsim_cli("validate", file, lang=None)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"{file}：sector[industry].shares：应为 已知的键，实为 未知的键 "
                           "'shares'（是否应为 'share'？）\n")
    en = lgsim_cli("--lang", "en", "validate", file, lang="zh")
    assert en.returncode == 2
    assert en.stderr == (f"{file}: sector[industry].shares: expected a known key, found unknown "
                         "key 'shares' (did you mean 'share'?)\n")


def test_the_report_text_follows_the_language(tiny):
    """The report is bilingual; its English-only parts (the rules) follow the language."""
    import lgsim
    from lgsim.outputs.report import run_html

    results = lgsim.run(tiny(), replications=200, workers=1)
    with i18n.using("zh"):
        zh = run_html(results, figures={})
    en = run_html(results, figures={})
    assert "判定规则 target rule</td><td>增速 &gt;= 5%" in zh
    assert "判定规则 target rule</td><td>growth &gt;= 5%" in en
    assert "主要结果 Key figures" in zh and "主要结果 Key figures" in en  # bilingual either way


COMMANDS = ([], ["run"], ["validate"], ["compare"], ["report"], ["forecast"], ["backtest"],
            ["calibrate"], ["sensitivity"], ["solve"], ["excel"], ["excel", "export"],
            ["excel", "import"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_fits_the_terminal_in_both_languages(lang, capsys, monkeypatch):
    from lgsim._format import display_width

    monkeypatch.setenv("COLUMNS", "80")
    for cmd in COMMANDS:
        with pytest.raises(SystemExit):
            main(["--lang", lang, *cmd, "--help"])
        text = capsys.readouterr().out
        assert text.startswith("用法：lgsim" if lang == "zh" else "usage: lgsim"), text[:40]
        for line in text.splitlines():
            assert display_width(line) <= 82, line  # a hanging full-width comma at most
            assert not line.lstrip()[:1] or line.lstrip()[0] not in "，。、；：？！）", line
        if lang == "zh":
            assert "选项：" in text and "options:" not in text
