"""Validation of a merged scenario document into the frozen parts of :mod:`.model`.

Every check names the file, the key path, what was expected and what was found
(:class:`ScenarioError`). Checks never use ``assert`` (asserts vanish under ``-O``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..i18n import _
from .actuals import ACTUALS_KEYS, parse_actuals
from .checks import NAME_RE, Checker, shares
from .checks import seasonality as season_weights
from .entities import (
    BATCH_KEYS,
    LAND_KEYS,
    MAX_BATCH_COUNT,
    PIPELINE_KEYS,
    PROJECT_KEYS,
    SHOCK_KEYS,
    Context,
    build_batches,
    build_lands,
    build_pipelines,
    build_projects,
    build_shocks,
)
from .errors import describe, suggest
from .indicators import INDICATOR_KEYS, parse_indicators
from .investment import ECONOMY_KEYS, IO_KEYS, parse_economy, parse_io
from .model import Accounting, Sector, Street, Target
from .paths import entry_path, parse_path
from .sources import source_prefix
from .targets import TARGET_KEYS, parse_targets

__all__ = [
    "BATCH_KEYS", "LAND_KEYS", "MAX_BATCH_COUNT", "MAX_REPLICATIONS", "PIPELINE_KEYS",
    "PROJECT_KEYS", "SHOCK_KEYS", "validate",
]

#: Limits that refuse absurd inputs before any work starts.
MAX_REPLICATIONS = 10_000_000
MAX_YEARS = 50
MAX_NAME = 100
#: Most entries of each array of tables (checked before any entry is read).
MAX_ENTRIES = {"sector": 200, "street": 200, "project": 10_000, "batch": 1_000,
               "pipeline": 1_000, "land": 1_000, "shock": 1_000}
#: Most project slots in all: projects, batch members and pipeline entries.
MAX_SLOTS = 20_000

TOP_KEYS = (
    "scenario", "target", "economy", "accounting", "sector", "correlation", "street",
    "project", "batch", "land", "shock", "pipeline", "sources", "actuals", "io", "indicator",
)
SCENARIO_KEYS = ("name", "title", "base_year", "target_year", "end_year", "seed", "replications")
ACCOUNTING_KEYS = (
    "construction_share", "construction_va_ratio", "local_share", "investment_deflator",
)
SECTOR_KEYS = (
    "id", "name", "share", "growth", "persistence", "monthly_sd", "monthly_persistence",
    "seasonality", "va_ratio", "output_per_investment",
)
CORRELATION_KEYS = ("default", "sectors", "matrix")
STREET_KEYS = ("id", "name", "share", "sector_shares")


def validate(doc: dict[str, Any], file: str) -> dict[str, Any]:
    """Validate a merged document into the fields of a :class:`~lgsim.scenario.Scenario`.

    Parameters
    ----------
    doc : dict
        The merged document (see :func:`lgsim.scenario.merge.resolve_file`).
    file : str
        The file name used in messages.

    Returns
    -------
    dict
        Keyword arguments of :class:`~lgsim.scenario.core.Scenario` (every part
        validated; ``document`` is ``doc`` itself).

    Raises
    ------
    ScenarioError
        The first problem found, naming the file and the key path.
    """
    ck = Checker(file)
    ck.keys(doc, TOP_KEYS, "", required=("scenario", "target", "economy", "sector"))
    for kind, most in MAX_ENTRIES.items():
        entries = doc.get(kind)
        if isinstance(entries, list) and len(entries) > most:
            raise ck.fail(kind, _("at most {most:,} [[{kind}]] entries")
                                .format(most=most, kind=kind), f"{len(entries):,}")
    # the order of the checks is the order of the messages a file with several problems
    # gets: the first one found is reported
    fields = _scenario_table(ck, doc["scenario"], file)
    base_year, end_year = fields["base_year"], fields["end_year"]
    sectors = _sectors(ck, doc["sector"])
    sector_ids = [s.id for s in sectors]
    correlation = _correlation(ck, doc.get("correlation"), sector_ids)
    streets = _streets(ck, doc.get("street", []), sectors)
    street_ids = [s.id for s in streets]
    economy = parse_economy(ck, doc["economy"], sector_ids)
    targets = parse_targets(ck, doc["target"], (sector_ids, street_ids),
                            (base_year, fields["target_year"], end_year), economy)
    if any(t.streets for t in targets.values()) and not any(s.sector_shares for s in streets):
        ck.warn("target.streets", _("street targets are not judged without street data "
                                    "([[street]] sector_shares): street value added is allocated "
                                    "by share"))
    io = parse_io(ck, doc["io"], sector_ids, file) if "io" in doc else None
    accounting = _accounting(ck, doc, sector_ids)
    ctx = Context(ck, sector_ids, street_ids, base_year, fields["target_year"], end_year)
    projects = build_projects(ctx, doc)
    batches = build_batches(ctx, doc)
    pipelines = build_pipelines(ctx, doc)
    lands = build_lands(ctx, doc)
    shocks = build_shocks(ctx, doc)
    _check_va_ratios(ck, sectors, projects, batches, pipelines)
    slots = len(projects) + sum(b.count for b in batches) + len(pipelines)
    if slots > MAX_SLOTS:
        raise ck.fail("batch" if batches else "project",
                      _("at most {MAX_SLOTS:,} projects, batch members and pipeline entries in all")
                      .format(MAX_SLOTS=MAX_SLOTS), f"{slots:,}")
    for year, target in targets.items():
        _check_subtarget_shares(ck, target, sectors, streets,
                                "target" if year == fields["target_year"] else f"target.{year}")
    sources = _sources(ck, doc.get("sources", {}), doc)
    actuals = (
        parse_actuals(ck, doc["actuals"], sector_ids, base_year, end_year, economy)
        if "actuals" in doc else ()
    )
    indicators = (parse_indicators(ck, doc["indicator"], sector_ids, economy)
                  if "indicator" in doc else ())
    return {
        **fields,
        "target": targets[fields["target_year"]], "targets": targets, "economy": economy,
        "io": io, "accounting": accounting, "sectors": sectors,
        "correlation": correlation, "streets": streets, "projects": projects,
        "batches": batches, "lands": lands, "shocks": shocks, "pipelines": pipelines,
        "sources": sources, "actuals": actuals, "indicators": indicators, "file": file,
        "document": doc,
        "warnings": tuple(ck.warnings),
    }


def _scenario_table(ck: Checker, raw: Any, file: str) -> dict[str, Any]:
    """``[scenario]``: name, title, years, seed and run size."""
    sc = ck.keys(raw, SCENARIO_KEYS, "scenario", required=("base_year",))
    name = ck.string(sc, "name", "scenario", Path(file).stem, line=False)
    if not NAME_RE.fullmatch(name) or ".." in name or len(name) > MAX_NAME:
        raise ck.fail(
            "scenario.name",
            _("a plain name of at most {MAX_NAME} letters, digits, '-', '_', '.' (it names the "
              "run directory)").format(MAX_NAME=MAX_NAME),
            repr(name) if len(name) <= 40 else repr(name[:37] + "..."),
        )
    title = ck.string(sc, "title", "scenario", name)
    base_year = ck.number(sc, "base_year", "scenario", integer=True, lo=1900, hi=2200)
    target_year = ck.number(
        sc, "target_year", "scenario", base_year + 1, integer=True, lo=base_year + 1
    )
    end_year = ck.number(sc, "end_year", "scenario", target_year, integer=True, lo=target_year)
    if end_year - base_year > MAX_YEARS:
        raise ck.fail(
            "scenario.end_year", _("at most {MAX_YEARS} years after base_year")
                                 .format(MAX_YEARS=MAX_YEARS), str(end_year)
        )
    return {
        "name": name,
        "title": title,
        "base_year": base_year,
        "target_year": target_year,
        "end_year": end_year,
        "seed": ck.number(sc, "seed", "scenario", None, integer=True, lo=0, hi=2**63 - 1),
        "replications": ck.number(
            sc, "replications", "scenario", 2000, integer=True, lo=1, hi=MAX_REPLICATIONS
        ),
    }


def _sector(ck: Checker, t: dict[str, Any], sid: str, path: str) -> dict[str, Any]:
    """One ``[[sector]]`` table's fields (share not yet normalised)."""
    seasonality = season_weights(ck, t.get("seasonality"), f"{path}.seasonality")
    return dict(
        id=sid,
        name=ck.string(t, "name", path, sid),
        share=float(ck.number(t, "share", path, lo=0.0)),
        growth=ck.dist(t, "growth", path, fraction=True),
        persistence=float(ck.number(t, "persistence", path, 0.0, lo=-0.99, hi=0.99)),
        monthly_sd=float(ck.number(t, "monthly_sd", path, 0.0, lo=0.0, fraction=True)),
        monthly_persistence=float(
            ck.number(t, "monthly_persistence", path, 0.0, lo=0.0, hi=0.99)
        ),
        seasonality=seasonality,
        va_ratio=(
            float(ck.number(t, "va_ratio", path, lo=0.0, hi=1.0)) if "va_ratio" in t else None
        ),
        output_per_investment=float(ck.number(t, "output_per_investment", path, 0.0, lo=0.0)),
    )


def _sectors(ck: Checker, raw: Any) -> tuple[Sector, ...]:
    """``[[sector]]``: at least one, unique ids, shares summing to 1 (normalised)."""
    if not isinstance(raw, list) or not raw:
        raise ck.fail("sector", _("at least one [[sector]] table"), describe(raw))
    partial: list[dict[str, Any]] = []
    for i, entry in enumerate(raw):
        path = entry_path("sector", entry, i)
        t = ck.keys(entry, SECTOR_KEYS, path, required=("id", "share", "growth"))
        sid = ck.ident(t, path)
        if sid in [p["id"] for p in partial]:
            raise ck.fail(f"{path}.id", _("a unique sector id"), _("'{sid}' twice").format(sid=sid))
        partial.append(_sector(ck, t, sid, path))
    weights = shares(ck, [(p["id"], p["share"]) for p in partial], "sector",
                     _("sector shares"))
    return tuple(Sector(**{**p, "share": w}) for p, w in zip(partial, weights, strict=True))


def _streets(ck: Checker, raw: Any, sectors: tuple[Sector, ...]) -> tuple[Street, ...]:
    """``[[street]]``: unique ids, shares summing to 1; none means one street ``all`` (全区).

    With street data (``sector_shares`` on every street) each street's ``share`` is its
    share of base-year value added, computed from the data.
    """
    if not isinstance(raw, list):
        raise ck.fail("street", _("an array of tables [[street]]"), describe(raw))
    if not raw:
        return (Street("all", "全区", 1.0),)
    items: list[tuple[str, str, float | None, dict[str, float] | None]] = []
    with_data = any(isinstance(e, Mapping) and "sector_shares" in e for e in raw)
    for i, entry in enumerate(raw):
        path = entry_path("street", entry, i)
        t = ck.keys(entry, STREET_KEYS, path,
                    required=("id", "sector_shares") if with_data else ("id", "share"))
        stid = ck.ident(t, path)
        if stid in [s[0] for s in items]:
            raise ck.fail(f"{path}.id", _("a unique street id"), _("'{stid}' twice")
                .format(stid=stid))
        if with_data and "share" in t:
            raise ck.fail(f"{path}.share", _("no share once streets give sector_shares (the share "
                                             "is computed from them)"), f"{t['share']!r}")
        items.append((stid, ck.string(t, "name", path, stid),
                      None if with_data else float(ck.number(t, "share", path, lo=0.0)),
                      _street_data(ck, t, path, sectors) if with_data else None))
    if with_data:
        return _streets_from_data(ck, items, sectors)
    weights = shares(ck, [(s[0], float(s[2] or 0.0)) for s in items], "street",
                     _("street shares"))
    return tuple(Street(s[0], s[1], w) for s, w in zip(items, weights, strict=True))


def _street_data(ck: Checker, t: dict[str, Any], path: str,
                 sectors: tuple[Sector, ...]) -> dict[str, float]:
    """One street's ``sector_shares``: known sector ids to fractions in [0, 1]."""
    where = f"{path}.sector_shares"
    table = t["sector_shares"]
    ids = [s.id for s in sectors]
    if not isinstance(table, Mapping):
        raise ck.fail(where, _("a table of sector ids to the street's share of them"),
                      describe(table))
    out = {}
    for key in table:
        if key not in ids:
            raise ck.fail(f"{where}.{key}", _("a known sector id"), repr(key), suggest(key, ids))
        out[key] = float(ck.number(table, key, where, lo=0.0, hi=1.0))
    return out


def _streets_from_data(ck: Checker, items: list[Any],
                       sectors: tuple[Sector, ...]) -> tuple[Street, ...]:
    """Streets with data: each sector's shares sum to 1 over streets (then normalised)."""
    totals = {s.id: sum(item[3].get(s.id, 0.0) for item in items) for s in sectors}
    for sid, total in totals.items():
        if abs(total - 1.0) > 0.001:
            raise ck.fail(
                "street", _("each sector's sector_shares summing to 1 over the streets (within "
                            "0.001)"), _("a sum of {total:.6g} for sector {sid}")
                                  .format(total=total, sid=sid))
    out = []
    for stid, name, _share, data in items:
        norm = tuple((s.id, data.get(s.id, 0.0) / totals[s.id]) for s in sectors)
        out.append(Street(stid, name, sum(w * s.share for (_sid, w), s in zip(norm, sectors,
                                                                             strict=True)),
                          norm))
    return tuple(out)


def _accounting(ck: Checker, doc: dict[str, Any], sector_ids: list[str]) -> Accounting:
    """``[accounting]``: the works formula (and a ``construction`` sector) once projects exist.

    With ``[io]`` the table turns spending into value added and the works formula is the
    lower bound a scenario without ``[io]`` uses (docs/investment.md).
    """
    has_projects = any(doc.get(k) for k in ("project", "batch", "pipeline"))
    works_formula = has_projects and "io" not in doc  # [io] replaces the works formula
    ac = ck.keys(
        doc.get("accounting", {}), ACCOUNTING_KEYS, "accounting",
        required=ACCOUNTING_KEYS[:3] if works_formula else (),
    )

    def fraction(key: str) -> float:
        return float(ck.number(ac, key, "accounting", 0.0, lo=0.0, hi=1.0))

    accounting = Accounting(
        construction_share=fraction("construction_share"),
        construction_va_ratio=fraction("construction_va_ratio"),
        local_share=fraction("local_share"),
        investment_deflator=float(
            ck.number(ac, "investment_deflator", "accounting", 1.0, lo=0.0, lo_open=True)
        ),
    )
    if works_formula and "construction" not in sector_ids:
        raise ck.fail(
            "sector",
            _("a sector with id 'construction' (works value added goes there)"),
            _("sectors {ids}").format(ids=", ".join(sector_ids)),
        )
    return accounting


def _correlation(ck: Checker, raw: Any, sector_ids: list[str]) -> tuple[tuple[float, ...], ...]:
    n = len(sector_ids)
    m = np.eye(n)
    if raw is None:
        return tuple(map(tuple, m.tolist()))
    t = ck.keys(raw, CORRELATION_KEYS, "correlation")
    if "default" in t:
        rho = ck.number(t, "default", "correlation", lo=-1.0, hi=1.0)
        m[:] = rho
        np.fill_diagonal(m, 1.0)
    if "matrix" in t or "sectors" in t:
        if "matrix" not in t or "sectors" not in t:
            raise ck.fail("correlation", _("both 'sectors' and 'matrix'"), _("only one of them"))
        ids = t["sectors"]
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise ck.fail("correlation.sectors", _("an array of sector ids"), describe(ids))
        for x in ids:
            if x not in sector_ids:
                raise ck.fail(
                    "correlation.sectors", _("known sector ids"), repr(x), suggest(x, sector_ids)
                )
        if len(set(ids)) != len(ids):
            raise ck.fail("correlation.sectors", _("distinct sector ids"), str(ids))
        mat = t["matrix"]
        k = len(ids)
        if (
            not isinstance(mat, list)
            or len(mat) != k
            or any(not isinstance(row, list) or len(row) != k for row in mat)
        ):
            raise ck.fail("correlation.matrix", _("a {k}×{k} array of arrays").format(k=k),
                          describe(mat))
        sub = np.empty((k, k))
        for i, row in enumerate(mat):
            for j, x in enumerate(row):
                if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                    raise ck.fail(f"correlation.matrix[{i}][{j}]", _("a finite number"),
                                  describe(x))
                sub[i, j] = x
        if not np.allclose(sub, sub.T, atol=1e-12, rtol=0):
            i, j = np.argwhere(np.abs(sub - sub.T) > 1e-12)[0]
            raise ck.fail(
                "correlation.matrix", _("a symmetric matrix"),
                _("[{i}][{j}] = {sub:g} but [{j}][{i}] = {sub2:g}")
                .format(i=i, j=j, sub=sub[i, j], sub2=sub[j, i]),
            )
        if not np.allclose(np.diag(sub), 1.0) or np.any(np.abs(sub) > 1):
            raise ck.fail(
                "correlation.matrix", _("ones on the diagonal, entries in [-1, 1]"), str(mat)
            )
        idx = [sector_ids.index(x) for x in ids]
        m[np.ix_(idx, idx)] = sub
    eig = np.linalg.eigvalsh(m)
    if eig.min() < -1e-10:
        raise ck.fail(
            "correlation",
            _("a positive semi-definite correlation matrix"),
            _("smallest eigenvalue {min:.4g}").format(min=eig.min()),
        )
    return tuple(map(tuple, m.tolist()))


def _check_va_ratios(ck, sectors, projects, batches, pipelines) -> None:
    by_id = {s.id: s for s in sectors}
    users: list[tuple[str, str, bool]] = []
    for p in projects:
        users.append((p.sector, f"project[{p.id}]", p.annual_output is not None))
    for pl in pipelines:
        p = pl.project
        users.append((p.sector, f"pipeline[{p.id}]", p.annual_output is not None))
    for b in batches:
        for sid, w in b.sector_mix:
            if w > 0:
                users.append((sid, f"batch[{b.id}]", b.template.annual_output is not None))
    for sid, who, explicit in users:
        s = by_id[sid]
        if s.va_ratio is None and (explicit or s.output_per_investment > 0):
            raise ck.fail(
                f"sector[{sid}].va_ratio",
                _("a value-added ratio (needed: {who} has operating output in this sector)")
                .format(who=who),
                _("nothing"),
            )


def _check_subtarget_shares(ck: Checker, target: Target, sectors: tuple[Sector, ...],
                            streets: tuple[Street, ...], where: str) -> None:
    """A sub-target needs value added to grow from: its sector or street has a share > 0."""
    for kind, parts, targets in (("sectors", sectors, target.sectors),
                                 ("streets", streets, target.streets)):
        for part in parts:
            if part.id in targets and part.share <= 0:
                raise ck.fail(f"{where}.{kind}.{part.id}",
                              _("a sub-target of a {kind} with a share > 0 (growth of nothing is "
                                "undefined)").format(kind=kind[:-1]), _("share {share:g}")
                                                       .format(share=part.share))


#: Keys a ``[sources]`` path may name in each table or array of tables.
_SOURCE_FIELDS = {
    "scenario": SCENARIO_KEYS, "target": TARGET_KEYS, "economy": ECONOMY_KEYS, "io": IO_KEYS,
    "accounting": ACCOUNTING_KEYS, "correlation": CORRELATION_KEYS, "actuals": ACTUALS_KEYS,
    "sector": SECTOR_KEYS, "street": STREET_KEYS, "project": PROJECT_KEYS,
    "batch": BATCH_KEYS, "pipeline": PIPELINE_KEYS, "land": LAND_KEYS, "shock": SHOCK_KEYS,
    "indicator": INDICATOR_KEYS,
}


def _sources(ck: Checker, raw: Any, doc: Mapping[str, Any]) -> dict[str, str]:
    """``[sources]``: key paths of real fields to "source: ..." or "assumption: ..." texts.

    The prefix may be Chinese too: "来源：..." or "假设：..." (either colon; ``.sources``).
    """
    if not isinstance(raw, Mapping):
        raise ck.fail("sources", _("a table of key paths to sources"), describe(raw))
    out = {}
    for key, value in raw.items():
        _source_key(ck, key, doc)
        text = value.strip() if isinstance(value, str) else ""
        prefix = source_prefix(text)
        if prefix is None:
            raise ck.fail(
                f'sources."{key}"',
                _("\"source: <title>, <address>\" or \"assumption: <why>\" (or in "
                  "Chinese \"来源：<title>, <address>\" / \"假设：<why>\")"),
                describe(value),
            )
        if not text.removeprefix(prefix).strip():
            raise ck.fail(f'sources."{key}"', _("text after \"{prefix}\" (where the number comes "
                                                "from, or why it is assumed)")
                                              .format(prefix=prefix), _("an empty {prefix}")
                                                               .format(prefix=prefix[:-1]))
        out[key] = text
    return out


def _source_key(ck: Checker, key: str, doc: Mapping[str, Any]) -> None:
    """A ``[sources]`` key must name a real field (or entry) of this scenario."""
    try:
        path = parse_path(key)
    except ValueError as exc:
        raise ck.fail(f"sources.{key}", _("a key path like project[id].field"), str(exc)) from None
    where = f'sources."{key}"'
    fields = _SOURCE_FIELDS.get(path.kind)
    if fields is None:
        raise ck.fail(where, _("a key path into the scenario's tables"),
                      _("unknown table {kind!r}").format(kind=path.kind), suggest(path.kind,
                                                                                  list(_SOURCE_FIELDS)))
    if path.id is not None:
        ids = [e.get("id") for e in doc.get(path.kind, []) if isinstance(e, Mapping)]
        if path.id not in ids:
            raise ck.fail(where, _("a {kind} of this scenario").format(kind=path.kind),
                          _("no {kind} with id {id!r}").format(kind=path.kind, id=path.id),
                          suggest(path.id, [i for i in ids if isinstance(i, str)]))
    names = path.fields
    if path.kind == "target" and names and names[0].isdigit():  # a later year's target
        names = names[1:]
    if names and names[0] not in fields:
        raise ck.fail(where, _("a field of {kind}").format(kind=path.kind),
                      _("unknown field {names!r}")
                                                        .format(names=names[0]),
                      suggest(names[0], fields))
