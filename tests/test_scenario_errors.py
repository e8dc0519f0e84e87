"""Focused tests of scenario error messages, and regression tests of loader fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lgsim
from lgsim import ScenarioError, load_scenario

TINY = Path(__file__).resolve().parent / "corpus" / "valid" / "tiny.toml"


def write(tmp: Path, text: str, name: str = "case.toml") -> Path:
    """A scenario file extending the tiny valid scenario (``extends`` is absolute)."""
    file = tmp / name
    file.write_text(f'extends = "{TINY}"\n{text}', encoding="utf-8")
    return file


def error_of(file: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert type(info.value) is ScenarioError
    assert len(info.value.message.splitlines()) == 1
    return info.value


def test_misspelt_key_suggests_the_closest_valid_key(tmp_path: Path) -> None:
    file = write(tmp_path, '[[sector]]\nid = "industry"\nshares = 0.6\n')
    exc = error_of(file)
    assert exc.path == "sector[industry].shares"
    assert exc.hint == "did you mean 'share'?"
    assert exc.message == (
        f"{file}: sector[industry].shares: expected a known key, found unknown key 'shares' "
        "(did you mean 'share'?)"
    )


def test_no_suggestion_for_a_key_like_nothing_known(tmp_path: Path) -> None:
    exc = error_of(write(tmp_path, "[economy]\nxyzzy = 1\n"))
    assert exc.path == "economy.xyzzy"
    assert exc.hint == ""
    assert "did you mean" not in exc.message


@pytest.mark.parametrize(
    ("text", "path", "advice"),
    [
        ("[target]\ngdp_growth = 6\n", "target.gdp_growth", "write 0.06 for 6%"),
        ('[[sector]]\nid = "industry"\ngrowth = { dist = "normal", mean = 5, sd = 0.02 }\n',
         "sector[industry].growth.mean", "write 0.05 for 5%"),
        ('[[shock]]\nid = "lockdown"\nimpact = { industry = -30 }\n',
         "shock[lockdown].impact.industry", "write -0.3 for -30%"),
        ("[target]\nsectors = { industry = 4.5 }\n",
         "target.sectors.industry", "write 0.045 for 4.5%"),
    ],
)
def test_percent_where_a_fraction_belongs(
    tmp_path: Path, text: str, path: str, advice: str
) -> None:
    exc = error_of(write(tmp_path, text))
    assert exc.path == path
    assert f"(looks like percent: {advice})" in exc.message


def test_key_path_syntax_in_the_message(tmp_path: Path) -> None:
    file = write(tmp_path, '[[project]]\nid = "yangmeigang"\ntotal_investment = -12.0\n')
    exc = error_of(file)
    assert exc.message == (
        f"{file}: project[yangmeigang].total_investment: expected values >= 0, found -12"
    )


def test_key_path_syntax_in_with_changes() -> None:
    scenario = load_scenario(TINY)
    with pytest.raises(ScenarioError) as info:
        scenario.with_changes({"sector[industry].growth.mean": 5})
    assert info.value.path == "sector[industry].growth.mean"
    assert "looks like percent: write 0.05 for 5%" in info.value.message


def test_extends_cycle_names_the_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    exc = error_of(tmp_path / "a.toml")
    assert exc.path == "extends"
    assert exc.message.endswith("found a.toml -> b.toml -> a.toml")


def test_syntax_error_carries_the_line_number(tmp_path: Path) -> None:
    file = tmp_path / "s.toml"
    file.write_text("[scenario]\nbase_year = 2021\n\n[target]\ngdp_growth = 0.06 0.07\n")
    exc = error_of(file)
    assert exc.path == ""
    assert "(at line 5, column" in exc.message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / "latin1.toml"
    file.write_bytes(b"# ok\n# ok\n# caf\xe9\n")
    assert "not UTF-8 at line 3 (offset 15)" in error_of(file).message


# ---------------------------------------------------------------- the run directory's name


@pytest.mark.parametrize(
    "name",
    ["../evil", "../../etc/passwd", "runs/base", "/tmp/base", "..", "a..b", ".hidden", "",
     "base\n", "C:\\runs\\base", "two words", "-rf"],
)
def test_scenario_name_that_is_not_a_plain_directory_name_is_rejected(
    tmp_path: Path, name: str
) -> None:
    exc = error_of(write(tmp_path, f"[scenario]\nname = {json.dumps(name)}\n"))
    assert exc.path == "scenario.name"
    assert "it names the run directory" in exc.message


@pytest.mark.parametrize("name", ["base", "delay-6m", "龙岗_2022.v2", "q2"])
def test_plain_scenario_names_are_accepted(tmp_path: Path, name: str) -> None:
    assert load_scenario(write(tmp_path, f'[scenario]\nname = "{name}"\n')).name == name


def test_file_stem_is_the_default_name_and_is_checked_too(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, "", "my-case.toml")).name == "my-case"
    exc = error_of(write(tmp_path, "", "two words.toml"))
    assert exc.path == "scenario.name"


# ---------------------------------------------------------------- regressions (loader fixes)


def test_duplicate_id_within_one_file_is_an_error_not_a_silent_merge(tmp_path: Path) -> None:
    entry = '[[street]]\nid = "pinghu"\nshare = 0.0\n'
    exc = error_of(write(tmp_path, entry + entry))
    assert exc.path == "street[pinghu].id"
    assert "a unique street id, found 'pinghu' twice" in exc.message


def test_a_child_may_still_override_an_inherited_entry(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, '[[street]]\nid = "buji"\nname = "布吉"\n'))
    assert [st.name for st in s.streets] == ["bantian", "布吉"]


@pytest.mark.parametrize("ident", ["[1, 2]", "{ a = 1 }", "3", "true"])
def test_id_that_is_not_a_string_is_reported(tmp_path: Path, ident: str) -> None:
    text = (
        f'[[project]]\nid = {ident}\nsector = "industry"\ntotal_investment = 3.0\n'
        "planned_start = 2022-09-01\nduration_months = 12\n"
    )
    exc = error_of(write(tmp_path, text))
    assert exc.path == "project[#2].id"


def test_ids_and_dates_must_match_whole_strings(tmp_path: Path) -> None:
    exc = error_of(write(tmp_path, '[[street]]\nid = "buji\\n"\nshare = 0.0\n'))
    assert exc.path == "street[buji\n].id"
    assert len(exc.message.splitlines()) == 1
    exc = error_of(write(tmp_path, '[[land]]\nid = "consolidation"\nby = "2022-12-31\\n"\n'))
    assert exc.path == "land[consolidation].by"
    assert "expected a date like 2022-06-07, found string '2022-12-31\\n'" in exc.message
    exc = error_of(write(tmp_path, '[actuals]\nytd = { "2022-06\\n" = 0.03 }\n'))
    assert exc.path == 'actuals.ytd."2022-06\n"'
    assert "expected a period YYYY-MM, YYYY-Qn or YYYY-H1/H2" in exc.message


def test_line_breaks_in_keys_do_not_break_the_line(tmp_path: Path) -> None:
    exc = error_of(write(tmp_path, '[economy]\n"a\\rb\\u2028c" = 1\n'))
    # refused for its control characters (before it is an unknown key), shown escaped
    assert "found key 'a\\rb\\u2028c'" in exc.message
    assert exc.message.splitlines() == [exc.message]


def test_dist_name_that_is_not_a_string(tmp_path: Path) -> None:
    text = '[[sector]]\nid = "industry"\ngrowth = { dist = ["normal"], mean = 0.05, sd = 0.02 }\n'
    exc = error_of(write(tmp_path, text))
    assert exc.path == "sector[industry].growth.dist"
    assert "found an array" in exc.message


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("[economy]\ngdp = 100000000000000000000000000000\n", "economy.gdp"),
        ('[[sector]]\nid = "industry"\nseasonality = [' + "1" + "0" * 400 + "]\n",
         "sector[industry].seasonality[0]"),
        ("[correlation]\nmatrix = [[1, 0], [0, -" + "9" * 30 + "]]\n", "correlation.matrix[1][1]"),
    ],
)
def test_integers_beyond_64_bits_are_refused(tmp_path: Path, text: str, path: str) -> None:
    exc = error_of(write(tmp_path, text))
    assert exc.path == path
    assert "an integer of at most 64 bits" in exc.message


def test_integers_beyond_64_bits_in_with_changes_are_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY).with_changes({"economy.gdp": 10**400})
    assert info.value.path == "economy.gdp"


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    exc = error_of(write(tmp_path, "x = " + "[" * 30 + "]" * 30 + "\n"))
    assert exc.path == "x" + "[0]" * 15
    assert "tables and arrays nested at most 16 deep" in exc.message
    exc = error_of(write(tmp_path, "x = " + "[" * 5000 + "]" * 5000 + "\n"))
    assert exc.path == ""
    assert "nested too deeply to read" in exc.message


def test_absurd_distribution_numbers_are_refused(tmp_path: Path) -> None:
    text = (
        '[[project]]\nid = "yangmeigang"\n'
        'duration_months = { dist = "triangular", low = -1e200, mode = 0, high = 1e200, min = 0 }\n'
    )
    exc = error_of(write(tmp_path, text))
    assert exc.path == "project[yangmeigang].duration_months.low"
    assert "a number of plausible size" in exc.message


def test_beta_with_a_vanishing_sd_is_a_point(tmp_path: Path) -> None:
    text = (
        '[[project]]\nid = "yangmeigang"\n'
        'execution = { dist = "beta", mean = 0.9, sd = 1e-200 }\n'
    )
    execution = load_scenario(write(tmp_path, text)).projects[0].execution
    assert execution.is_fixed and execution.median() == 0.9


def test_empty_correlation_block_loads(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "[correlation]\nsectors = []\nmatrix = []\n"))
    assert s.correlation == ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def test_zero_plan_of_a_zero_project_loads(tmp_path: Path) -> None:
    text = '[[project]]\nid = "yangmeigang"\ntotal_investment = 0\nfirst_year_plan = 0\n'
    assert load_scenario(write(tmp_path, text)).projects[0].total_investment.median() == 0


def test_extends_a_name_too_long_for_the_file_system(tmp_path: Path) -> None:
    file = tmp_path / "long.toml"
    file.write_text(f'extends = "{"x" * 5000}.toml"\n', encoding="utf-8")
    exc = error_of(file)
    assert exc.path == "extends"
    assert "(no such file)" in exc.message


def test_land_start_default_is_named_when_it_falls_after_by(tmp_path: Path) -> None:
    text = '[scenario]\ntarget_year = 2023\n[[land]]\nid = "consolidation"\nby = 2022-12-31\n'
    exc = error_of(write(tmp_path, text))
    assert exc.path == "land[consolidation].start"
    assert exc.message.endswith("found 2023-01-01 (the default)")


def test_scenario_error_is_the_one_error_type() -> None:
    assert issubclass(ScenarioError, ValueError)
    assert lgsim.ScenarioError is ScenarioError


def test_overlong_scenario_name_is_refused(tmp_path):
    import pytest

    import lgsim

    path = tmp_path / "s.toml"
    path.write_text(
        f'[scenario]\nname = "{"x" * 300}"\nbase_year = 2021\n[target]\ngdp_growth = 0.05\n'
        '[economy]\ngdp = 1.0\n[[sector]]\nid = "a"\nshare = 1.0\ngrowth = 0.05\n',
        encoding="utf-8",
    )
    with pytest.raises(lgsim.ScenarioError, match="at most 100"):
        lgsim.load_scenario(path)
