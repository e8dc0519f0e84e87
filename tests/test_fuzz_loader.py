"""Property-based fuzzing of the scenario loader.

Whatever a hand-written scenario file contains, :func:`lgsim.load_scenario` either returns
a :class:`lgsim.Scenario` or raises :class:`lgsim.ScenarioError` with a one-line message
naming the file. Nothing else may escape (no KeyError, TypeError, plain ValueError,
ZeroDivisionError, OverflowError, RecursionError...): the CLI would turn it into an
"internal error" instead of telling the analyst what is wrong with the file.

(a) arbitrary TOML documents (keys biased towards the schema's), and plausible documents
with arbitrary values here and there, which get past the first missing table to projects,
plans, shocks and actuals; (b) mutations of the shipped scenarios (delete a key, retype a
value, duplicate an array entry, set a number to 0 / negative / huge / nan / inf, swap in
another value of the file).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import math
import os
import shutil
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lgsim
from lgsim.scenario.actuals import ACTUALS_KEYS
from lgsim.scenario.errors import ScenarioWarning
from lgsim.scenario.investment import ECONOMY_KEYS, IO_KEYS
from lgsim.scenario.targets import TARGET_KEYS

#: The schema's key lists (``lgsim.scenario.build`` the module, not the function).
schema = importlib.import_module("lgsim.scenario.build")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("scenarios/*.toml"), *ROOT.glob("scenarios/examples/*.toml")])

#: ``LGSIM_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz_loader.py`` hunts deeper, locally.
FUZZ = settings(
    max_examples=int(os.environ.get("LGSIM_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Every key the schema knows, plus distribution parameters and a few near misses.
SCHEMA_KEYS = sorted(
    {
        *schema.SCENARIO_KEYS, *TARGET_KEYS, *ECONOMY_KEYS, *IO_KEYS,
        *schema.ACCOUNTING_KEYS, *schema.SECTOR_KEYS, *schema.CORRELATION_KEYS,
        *schema.STREET_KEYS, *schema.BATCH_KEYS, *schema.PIPELINE_KEYS, *schema.LAND_KEYS,
        *schema.SHOCK_KEYS, *ACTUALS_KEYS, "dist", "mean", "sd", "median", "sigma", "low",
        "mode", "high", "values", "min", "max", "a", "b", "extends", "remove", "industry",
        "construction", "all", "yangmeigang", "shares", "Share",
    }
)
IDS = ["all", "industry", "construction", "bantian", "p1", "p1", "Bad Id", "", "x" * 41]


def _load(path: Path) -> lgsim.Scenario | None:
    """Load ``path``; return None on a proper ScenarioError, let anything else escape."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            return lgsim.load_scenario(path)
    except lgsim.ScenarioError as exc:
        message = exc.message
        assert type(exc) is lgsim.ScenarioError
        assert str(exc) == message
        assert message.splitlines() == [message], repr(message)
        file = message.split(": ", 1)[0]  # the file itself, or a parent it extends
        assert file == str(path) or Path(file).parent == path.parent, message
        assert "Traceback" not in message
        return None


# ---------------------------------------------------------------- TOML values

dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
near_dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))
datetimes = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9998, 12, 31),
    timezones=st.none() | st.just(dt.UTC),
)
numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-3, max_value=3000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2.0, max_value=2.0),
    st.sampled_from([0, 0.0, -0.0, 1e-300, 1e-160, 1e300, 2**63 - 1, -(2**63)]),
)
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["s-curve", "linear", "normal", "beta", "pert", "lognormal", "uniform", "triangular",
         "empirical", "2022-06-07", "2022/06/07", "June 7", "2022-02-30", "2022-06-07\n",
         "base.toml", "minimal.toml", "../base.toml", "project[p1]", "sector[industry]",
         "source: x", "assumption: y", *IDS]
    ),
)
scalars = st.one_of(
    numbers, texts, st.booleans(), dates, near_dates, datetimes, st.times()
)


def _tables(children: st.SearchStrategy) -> st.SearchStrategy:
    keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(min_size=1, max_size=8))
    return st.dictionaries(keys, children, max_size=4)


toml_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), _tables(children)),
    max_leaves=8,
)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    """An array-of-tables entry: usually with an id, schema keys, any values."""
    entry = draw(_tables(toml_values))
    if draw(st.booleans()):
        entry["id"] = draw(st.sampled_from(IDS))
    return entry


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A TOML document whose top level uses the schema's table names most of the time."""
    doc: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(schema.TOP_KEYS), unique=True, max_size=8)):
        if key in ("sector", "street", "project", "batch", "land", "shock", "pipeline"):
            doc[key] = draw(st.lists(entries(), max_size=2))
        else:
            doc[key] = draw(_tables(toml_values))
    doc.update(draw(_tables(toml_values)) if draw(st.booleans()) else {})
    return doc


# ---------------------------------------------------------------- plausible documents
# Purely arbitrary documents stop at the first missing table; these start from a plausible
# skeleton (shares that add up, known ids, dates near the horizon) where each value is
# sometimes arbitrary, so that generation reaches projects, plans, shocks and actuals.

SECTORS = ["industry", "construction", "services"]
STREETS = ["bantian", "buji"]


def mostly(usual: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` nine times in ten, else ``rare``."""
    return st.integers(0, 9).flatmap(lambda i: rare if i == 7 else usual)


edge = st.sampled_from([0, 0.0, -1, 1e-200, 6, 1e15, 1e16])
fractions = mostly(st.floats(min_value=-0.3, max_value=0.3), edge)
unit = mostly(st.floats(min_value=0.0, max_value=1.0), edge)
positive = mostly(
    st.floats(min_value=0.1, max_value=60.0) | st.integers(min_value=1, max_value=60), edge
)
plausible_dates = st.one_of(
    near_dates, near_dates.map(str), st.sampled_from(["2022/06/07", "June 7", "2022-02-30"])
)
_DIST_PARAMS = {
    "normal": ("mean", "sd"), "lognormal": ("median", "sigma"), "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
    "beta": ("mean", "sd"), "empirical": ("values",),
}


@st.composite
def _ordered_dist(draw: st.DrawFn, numbers: st.SearchStrategy) -> dict[str, Any]:
    low, mode, high = sorted(draw(st.lists(numbers, min_size=3, max_size=3)))
    kind = draw(st.sampled_from(sorted(_DIST_PARAMS)))
    params = {
        "normal": {"mean": mode, "sd": (high - low) / 4},
        "lognormal": {"median": abs(mode) or 1.0, "sigma": draw(st.floats(0, 1))},
        "uniform": {"low": low, "high": high},
        "triangular": {"low": low, "mode": mode, "high": high},
        "pert": {"low": low, "mode": mode, "high": high},
        "beta": {"mean": draw(st.floats(0.01, 0.99)), "sd": draw(st.floats(0, 0.3))},
        "empirical": {"values": [low, mode, high]},
    }[kind]
    bounds = draw(st.sampled_from([{}, {}, {"min": low}, {"max": high}, {"min": mode}]))
    return {"dist": kind, **params, **bounds}


def dists(numbers: st.SearchStrategy) -> st.SearchStrategy:
    """Distribution tables: usually well formed around ``numbers``, else any parameters."""
    anything = st.sampled_from(sorted(_DIST_PARAMS)).flatmap(
        lambda kind: st.fixed_dictionaries(
            {"dist": st.just(kind),
             **{k: st.lists(numbers, min_size=1, max_size=4) if k == "values" else numbers
                for k in _DIST_PARAMS[kind]}},
            optional={"min": numbers, "max": numbers},
        )
    )
    return mostly(_ordered_dist(numbers), anything)


def weights(ids: list[str]) -> st.SearchStrategy:
    """Id -> weight tables that usually sum to 1."""
    even = st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True).map(
        lambda keys: {k: 1 / len(keys) for k in keys}
    )
    return st.one_of(even, even, st.dictionaries(st.sampled_from([*ids, "x"]), unit, max_size=3))


_UNIT_KEYS = (
    "probability", "p_stall", "delay_correlation", "va_ratio", "persistence",
    "monthly_persistence", "construction_share", "local_share", "construction_va_ratio",
    "default",
)
_POSITIVE_KEYS = (
    "gdp", "fai", "land_stock_ha", "first_year_plan", "size_concentration",
    "output_per_investment", "investment_deflator",
)
_SPECIAL: dict[str, st.SearchStrategy] = {
    **dict.fromkeys(("planned_start", "plan_start", "signed", "by", "start"), plausible_dates),
    **dict.fromkeys(("gdp_growth", "tolerance", "monthly_sd"), fractions),
    **dict.fromkeys(_UNIT_KEYS, unit),
    **dict.fromkeys(_POSITIVE_KEYS, positive),
    "growth": fractions | dists(fractions),
    **dict.fromkeys(("execution", "delivered", "additionality"), unit | dists(unit)),
    "window": st.lists(plausible_dates, min_size=1, max_size=3),
    "id": st.sampled_from([*IDS, *SECTORS]),
    "sector": st.sampled_from([*SECTORS, "x"]),
    "street": st.sampled_from([*STREETS, "x"]),
    "sector_mix": weights(SECTORS), "street_mix": weights(STREETS),
    "impact": st.dictionaries(st.sampled_from([*SECTORS, "x"]), fractions, max_size=3),
    "sectors": st.dictionaries(st.sampled_from([*SECTORS, "x"]), fractions, max_size=2),
    "streets": st.dictionaries(st.sampled_from([*STREETS, "x"]), fractions, max_size=2),
    "seasonality": mostly(st.just([1 / 12] * 12), st.lists(unit, min_size=11, max_size=13)),
    "drawdown": st.one_of(st.sampled_from(["s-curve", "linear"]),
                          st.fixed_dictionaries({"a": positive, "b": positive})),
    "pauses_projects": st.booleans(),
    "name": mostly(st.sampled_from(["base", "v2.1", "龙岗"]), st.sampled_from(["../up", "a/b"])),
    "title": texts,
    "target_year": mostly(st.just(2022), st.just(2021)),
    "end_year": mostly(st.sampled_from([2022, 2023]), st.just(2080)),
    "seed": st.integers(min_value=-1, max_value=2**63),
    "replications": mostly(st.integers(1, 100), st.sampled_from([0, 10**12])),
    "decimals": st.integers(min_value=-1, max_value=7),
    "count": st.integers(min_value=-1, max_value=20),
}


def field(key: str) -> st.SearchStrategy:
    """A plausible value for ``key``; one time in ten an arbitrary TOML value."""
    special = _SPECIAL.get(key, st.one_of(positive, dists(positive)))
    return mostly(special, toml_values)


def table(keys: tuple[str, ...], required: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A table with the required keys (plausible values) and some optional ones."""
    return st.fixed_dictionaries(
        {k: field(k) for k in required},
        optional={k: field(k) for k in keys if k not in required},
    )


@st.composite
def schema_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible scenario document with arbitrary values here and there."""
    n = draw(st.integers(1, 3))
    sectors = [
        {"id": sid, "share": 1 / n, "growth": draw(field("growth")),
         **draw(table(("va_ratio", "output_per_investment", "seasonality", "persistence")))}
        for sid in draw(st.permutations(SECTORS))[:n]
    ]
    doc: dict[str, Any] = {
        "scenario": {"base_year": 2021, "end_year": draw(st.sampled_from([2022, 2023])),
                     **draw(table(tuple(k for k in schema.SCENARIO_KEYS if k != "base_year")))},
        "target": draw(table(schema.TARGET_KEYS, ("gdp_growth",))),
        "economy": draw(table(schema.ECONOMY_KEYS, ("gdp",))),
        "accounting": {"construction_share": 0.6, "construction_va_ratio": 0.25,
                       "local_share": 0.8},
        "sector": sectors,
    }
    kinds = {
        "project": (schema.PROJECT_KEYS, ("id", "sector", "total_investment", "planned_start",
                                          "duration_months")),
        "batch": (schema.BATCH_KEYS, ("id", "count", "total_investment", "planned_start",
                                      "sector_mix", "duration_months")),
        "pipeline": (schema.PIPELINE_KEYS, ("id", "probability", "signed", "sector",
                                            "total_investment", "duration_months")),
        "land": (schema.LAND_KEYS, ("id", "hectares", "by")),
        "shock": (schema.SHOCK_KEYS, ("id", "window", "duration_months", "impact")),
        "street": (schema.STREET_KEYS, ("id", "share")),
    }
    for kind in draw(st.lists(st.sampled_from(sorted(kinds)), unique=True, max_size=4)):
        keys, required = kinds[kind]
        doc[kind] = draw(st.lists(table(keys, required), min_size=1, max_size=2))
    if draw(st.booleans()):
        doc["correlation"] = draw(
            table(("default", "sectors", "matrix"))
            | st.fixed_dictionaries({
                "sectors": st.lists(st.sampled_from([*SECTORS, "x"]), max_size=3),
                "matrix": st.lists(st.lists(st.floats(-1, 1), max_size=3), max_size=3),
            })
        )
    if draw(st.booleans()):
        periods = st.sampled_from(["2022-06", "2022-Q1", "2022-H1", "2023-13", "2021-12",
                                   "2022-6", "2022-Q5"])
        ytd = st.dictionaries(periods, fractions, max_size=3)
        doc["actuals"] = draw(st.fixed_dictionaries(
            {}, optional={"ytd": ytd, "sectors": st.dictionaries(
                st.sampled_from([*SECTORS, "x"]), ytd | toml_values, max_size=2)},
        ))
    return doc


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding copies of the shipped scenarios (so ``extends`` resolves)."""
    d = tmp_path_factory.mktemp("fuzz")
    for f in SHIPPED:
        shutil.copy(f, d / f.name)
    return d


@FUZZ
@given(doc=documents())
@pytest.mark.slow
def test_arbitrary_documents_load_or_raise_scenario_error(fuzz_dir: Path, doc: dict) -> None:
    path = fuzz_dir / "arbitrary.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    _load(path)


@FUZZ
@given(doc=schema_documents())
@pytest.mark.slow
def test_plausible_documents_load_or_raise_scenario_error(fuzz_dir: Path, doc: dict) -> None:
    path = fuzz_dir / "plausible.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    _load(path)


# ---------------------------------------------------------------- mutations


def _slots(value: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) below ``value``, depth first."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in list(items):
        out.append((value, k))
        if isinstance(v, dict | list):
            _slots(v, out)
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dt.date | dt.time):
        return "date"
    return type(value).__name__


@st.composite
def mutation(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """Apply one random mutation to ``doc`` in place."""
    slots = _slots(doc, [])
    if not slots:
        return
    container, key = draw(st.sampled_from(slots))
    old = container[key]
    op = draw(st.sampled_from(["delete", "retype", "duplicate", "number", "number", "swap"]))
    if op == "delete":
        del container[key]
    elif op == "retype":
        new = draw(toml_values.filter(lambda v: _kind(v) != _kind(old)))
        container[key] = new
    elif op == "duplicate":
        lists = [(c, k) for c, k in slots if isinstance(c[k], list) and c[k]]
        if lists:
            c, k = draw(st.sampled_from(lists))
            c[k].insert(draw(st.integers(0, len(c[k]))), draw(st.sampled_from(c[k])))
    elif op == "number":
        nums = [(c, k) for c, k in slots if _kind(c[k]) == "number"]
        if nums:
            c, k = draw(st.sampled_from(nums))
            x = c[k]
            other_type = float(x) if isinstance(x, int) else int(x) if math.isfinite(x) else 0
            c[k] = draw(
                st.sampled_from(
                    [0, 0.0, -1, -x, x * 100, 2**63 - 1, 1e300, -1e300, 1e-300, math.nan,
                     math.inf, -math.inf, other_type]
                )
            )
    else:  # swap with another value of the document
        container[key] = copy.deepcopy(draw(st.sampled_from([c[k] for c, k in slots])))


@FUZZ
@given(data=st.data())
@pytest.mark.slow
def test_mutated_shipped_scenarios_load_or_raise_scenario_error(
    fuzz_dir: Path, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(SHIPPED), label="file")
    doc = tomllib.loads(source.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        data.draw(mutation(doc))
    target = fuzz_dir / source.name
    target.write_text(tomli_w.dumps(doc), encoding="utf-8")
    try:
        load = target
        if source.name == "base.toml":  # a broken parent must be reported through a child
            load = fuzz_dir / data.draw(
                st.sampled_from(["base.toml", "delay-6m.toml", "no-further-lockdown.toml"])
            )
        _load(load)
    finally:
        shutil.copy(source, target)


# ---------------------------------------------------------------- run what validate accepts
# Any scenario that ``validate`` accepts either runs with finite results or fails with one
# line and exit code 2 — never exit code 1 (issue 14: count = 1 batches, NaN results and
# NUL characters in names all passed validate and failed run).

RUN_FUZZ = settings(
    max_examples=int(os.environ.get("LGSIM_FUZZ_RUNS", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


def _run_if_valid(path: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from lgsim.cli import main

    if main(["validate", str(path)]) != 0:
        capsys.readouterr()
        return
    capsys.readouterr()
    out = tmp / "run"
    code = main(["run", str(path), "-n", "3", "--chunk-size", "2", "--workers", "1",
                 "--out", str(out), "--force"])
    _, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        return
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"),
                         parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))
    assert all(math.isfinite(v) for v in summary["growth_quantiles_pct"].values())
    assert 0.0 <= summary["p_target_met_pct"] <= 100.0


@RUN_FUZZ
@given(doc=schema_documents())
@pytest.mark.slow
def test_plausible_documents_that_validate_also_run(
    fuzz_dir: Path, tmp_path_factory: pytest.TempPathFactory, capsys, doc: dict
) -> None:
    path = fuzz_dir / "runnable.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    _run_if_valid(path, tmp_path_factory.mktemp("run"), capsys)


@RUN_FUZZ
@given(data=st.data())
@pytest.mark.slow
def test_mutated_shipped_scenarios_that_validate_also_run(
    fuzz_dir: Path, tmp_path_factory: pytest.TempPathFactory, capsys, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(SHIPPED), label="file")
    doc = tomllib.loads(source.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        data.draw(mutation(doc))
    target = fuzz_dir / f"mutant-{source.name}"
    doc.pop("extends", None) if source.name != "base.toml" else None
    if "extends" in doc:
        doc["extends"] = str(fuzz_dir / "base.toml")
    target.write_text(tomli_w.dumps(doc), encoding="utf-8")
    _run_if_valid(target, tmp_path_factory.mktemp("run"), capsys)


@pytest.mark.parametrize("extra", [
    '[[batch]]\nid = "batch3"\ncount = 1\n',
    '[[batch]]\nid = "batch3"\nsize_concentration = 1e-300\n',
    '[[pipeline]]\nid = "park"\nsigned = 2021-01-01\nland_delay_months = '
    '{ dist = "uniform", low = 0, high = 14 }\n',
    '[scenario]\nend_year = 2022\n',
])
def test_edge_cases_that_validate_also_run(tmp_path: Path, capsys, extra: str) -> None:
    tiny = ROOT / "tests" / "corpus" / "valid" / "tiny.toml"
    path = tmp_path / "edge.toml"
    path.write_text(f'extends = "{tiny}"\n{extra}', encoding="utf-8")
    _run_if_valid(path, tmp_path, capsys)
