"""``[[indicator]]``: how a published indicator observes the model, and indicator targets.

```toml
[[indicator]]
id = "lg-industry"
area = "Longgang"                         # the area column of the published data
indicator = "industrial_va_above_scale"   # 规模以上工业增加值 (a name lgsim knows)
quantity = "value_added"                  # gdp | value_added | fai | industrial_fai
sectors = ["industry"]                    # value_added: the sectors it observes
sd = 0.05                                 # noise sd of the growth figure, fraction
coverage = 0.587                          # share of the sectors' value added it covers
# deflator = 0.02                         # a nominal figure of a real quantity: price growth
# release_lag_months = 2                  # rows without a date: known this many months on

[target]
area = "Longgang"                         # whose indicators the indicator targets are
indicators = { industrial_va_above_scale = { growth = 0.045, rule = "超" },
               fai = { level = 1400.0, rule = "超" } }
```

A published growth figure ``y`` of a mapped indicator becomes an observation (see
``docs/conditioning.md``) of the model's year-to-date growth of ``quantity`` over the same
window: ``(1 + y) / (1 + deflator) − 1 = ŷ + e``, ``e ~ N(0, sd²)``. ``deflator`` turns a
nominal indicator (retail sales, services revenue) into the real growth of value added;
it is required exactly when the indicator is nominal and the quantity real. ``coverage``
is recorded and shown (规上 covers part of a sector); the gap it leaves is in ``sd``. An
indicator that no entry maps is reported as ignored; it never fails a run.

An indicator target is judged on the model's quantity of the ``[[indicator]]`` entry that
maps the same indicator of ``[target] area``: growth of the target year (turned nominal
with the entry's ``deflator``), or — for FAI and industrial investment — the year's level
(亿元). ``rule = "超"`` (or ``"at_least"``) is met when the quantity reaches the value;
``"左右"`` (``"about"``) when it reaches the value less ``tolerance`` (default: half a unit
of the published digit, 0.0005 for growth = 0.05 pp, 0.5亿元 for levels). A target with no
mapping, or a level of a real quantity, is listed as not modelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..data.areas import area_name
from ..data.published import indicators as known_indicators
from ..i18n import N_, Composed, Message, _
from .errors import describe, suggest
from .paths import entry_path

INDICATOR_KEYS = ("id", "name", "area", "indicator", "quantity", "sectors", "sd", "deflator",
                  "coverage", "release_lag_months", "note")
QUANTITIES = ("gdp", "value_added", "fai", "industrial_fai")
#: What each quantity is called in labels.
QUANTITY_NAMES = {"gdp": "地区生产总值", "value_added": "增加值", "fai": "固定资产投资",
                  "industrial_fai": "工业投资"}
TARGET_INDICATOR_KEYS = ("growth", "level", "rule", "tolerance", "name")
#: Accepted spellings of the rules.
RULES = {"超": "at_least", "at_least": "at_least", "more_than": "at_least",
         "左右": "about", "about": "about"}
#: Default tolerance of an "about" target: half a unit of the digit published.
ABOUT_TOLERANCE = {"growth": 0.0005, "level": 0.5}
MAX_INDICATORS = 500


@dataclass(frozen=True, slots=True)
class IndicatorMap:
    """One ``[[indicator]]`` entry: a published indicator as an observation of the model.

    Attributes
    ----------
    id : str
    area, indicator : str
        The published series (area and indicator columns of the data).
    quantity : str
        ``"gdp"``, ``"value_added"``, ``"fai"`` or ``"industrial_fai"``.
    sectors : tuple of str
        The sectors of a ``value_added`` quantity (empty otherwise).
    sd : float
        Noise sd of a growth figure as an observation of the quantity, fraction.
    deflator : float
        Price growth that turns the nominal figure into real growth, fraction (0: none).
    coverage : float or None
        Share of the quantity the indicator covers (recorded, shown).
    release_lag_months : int or None
        Release lag of rows without a date (None: the data's default).
    name, note : str
    """

    id: str
    area: str
    indicator: str
    quantity: str
    sectors: tuple[str, ...]
    sd: float
    deflator: float = 0.0
    coverage: float | None = None
    release_lag_months: int | None = None
    name: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """``龙岗 规模以上工业增加值 → 工业`` style label."""
        return f"{self.area} {self.name or self.indicator}"

    def real(self, growth: float) -> float:
        """A published growth figure as real growth of the quantity (deflated)."""
        return (1.0 + growth) / (1.0 + self.deflator) - 1.0

    def nominal(self, growth: np.ndarray) -> np.ndarray:
        """The model's growth as the indicator would publish it (inflated)."""
        return (1.0 + np.asarray(growth)) * (1.0 + self.deflator) - 1.0


@dataclass(frozen=True, slots=True)
class IndicatorTarget:
    """A target on a published indicator (``[target] indicators``).

    ``measure`` is ``"growth"`` (fraction) or ``"level"`` (亿元); ``rule`` is
    ``"at_least"`` (超) or ``"about"`` (左右, lowered by ``tolerance``).
    """

    indicator: str
    measure: str
    value: float
    rule: str = "at_least"
    tolerance: float = 0.0
    name: str = ""

    @property
    def bar(self) -> float:
        """The value the quantity must reach."""
        return self.value - (self.tolerance if self.rule == "about" else 0.0)

    def met(self, x: np.ndarray) -> np.ndarray:
        """Per replication, the target met (``x`` growth as a fraction or a level, 亿元)."""
        eps = 1e-12 if self.measure == "growth" else 1e-9
        return np.asarray(x) >= self.bar - eps

    def describe(self, tr: Callable[[str], str] = str) -> str:
        """Plain-language rule, e.g. ``growth >= 4.5% (超 4.5%)``.

        English with the identity ``tr`` (files); ``tr`` (:func:`lgsim.i18n._`) translates.
        """
        word = "超" if self.rule == "at_least" else "左右"
        if self.measure == "growth":
            text = tr(N_("growth >= {bar} ({word} {value})")).format(
                bar=f"{100 * self.bar:.4g}%", word=word, value=self._value_text())
        else:
            text = tr(N_("level >= {bar} ({word} {value})")).format(
                bar=f"{self.bar:,.2f}亿元", word=word, value=self._value_text())
        return text

    def _value_text(self) -> str:
        return f"{100 * self.value:.4g}%" if self.measure == "growth" else \
            f"{self.value:,.6g}亿元"


def parse_indicators(ck: Any, raw: Any, sector_ids: list[str], economy: Any
                     ) -> tuple[IndicatorMap, ...]:
    """Validate ``[[indicator]]`` entries (one line naming the key path on a problem)."""
    if not isinstance(raw, list):
        raise ck.fail("indicator", _("an array of tables [[indicator]]"), describe(raw))
    if len(raw) > MAX_INDICATORS:
        raise ck.fail("indicator", _("at most {most} [[indicator]] entries").format(
            most=MAX_INDICATORS), f"{len(raw):,}")
    out: list[IndicatorMap] = []
    for i, entry in enumerate(raw):
        path = entry_path("indicator", entry, i)
        t = ck.keys(entry, INDICATOR_KEYS, path,
                    required=("id", "area", "indicator", "quantity", "sd"))
        ident = ck.ident(t, path)
        if ident in [m.id for m in out]:
            raise ck.fail(f"{path}.id", _("a unique indicator id"),
                          _("'{ident}' twice").format(ident=ident))
        m = _entry(ck, t, path, ident, sector_ids, economy)
        twin = next((o for o in out if (o.area, o.indicator) == (m.area, m.indicator)), None)
        if twin is not None:
            raise ck.fail(f"{path}.indicator", _(
                "one entry per published series ({area} {indicator} is mapped by "
                "indicator[{other}] already)").format(area=m.area, indicator=m.indicator,
                                                      other=twin.id), _("a second one"))
        out.append(m)
    return tuple(out)


def _entry(ck: Any, t: Mapping[str, Any], path: str, ident: str, sector_ids: list[str],
           economy: Any) -> IndicatorMap:
    """One entry's fields, checked against the indicators lgsim knows and the scenario."""
    area = ck.string(t, "area", path)
    name = ck.string(t, "indicator", path)
    vocabulary = known_indicators()
    if name not in vocabulary:
        raise ck.fail(f"{path}.indicator", _("an indicator of the published data lgsim "
                                             "knows"), repr(name), suggest(name, vocabulary))
    quantity = ck.string(t, "quantity", path)
    if quantity not in QUANTITIES:
        raise ck.fail(f"{path}.quantity", _("one of {options}").format(
            options=", ".join(QUANTITIES)), repr(quantity), suggest(quantity, QUANTITIES))
    sectors = _sectors(ck, t, path, quantity, sector_ids)
    _check_investment(ck, path, quantity, economy)
    known = vocabulary[name]
    real_quantity = quantity in ("gdp", "value_added")
    if known.price == "real" and not real_quantity:
        raise ck.fail(f"{path}.quantity", _("a real quantity (gdp or value_added): {name} "
                                            "is real, FAI is nominal").format(name=name),
                      repr(quantity))
    nominal_to_real = known.price == "nominal" and real_quantity
    if nominal_to_real and "deflator" not in t:
        raise ck.fail(f"{path}.deflator", _(
            "the price growth that deflates {name} (nominal) onto real {quantity} (a "
            "fraction; 0 if none)").format(name=name, quantity=quantity), _("nothing"))
    if "deflator" in t and not nominal_to_real:
        raise ck.fail(f"{path}.deflator", _(
            "no deflator: {name} ({price}) and {quantity} are at the same prices").format(
                name=name, price=known.price, quantity=quantity), repr(t["deflator"]))
    lag = ck.number(t, "release_lag_months", path, None, integer=True, lo=0, hi=24)
    coverage = ck.number(t, "coverage", path, None, lo=0.0, lo_open=True, hi=1.0)
    return IndicatorMap(
        id=ident, area=area, indicator=name, quantity=quantity, sectors=sectors,
        sd=float(ck.number(t, "sd", path, lo=0.0, lo_open=True, fraction=True)),
        deflator=float(ck.number(t, "deflator", path, 0.0, lo=-0.5, hi=0.5, fraction=True)),
        coverage=None if coverage is None else float(coverage),
        release_lag_months=lag, name=ck.string(t, "name", path, known.name_zh),
        note=ck.string(t, "note", path, ""),
    )


def _sectors(ck: Any, t: Mapping[str, Any], path: str, quantity: str,
             sector_ids: list[str]) -> tuple[str, ...]:
    where = f"{path}.sectors"
    if quantity != "value_added":
        if "sectors" in t:
            raise ck.fail(where, _("no sectors for quantity {quantity} (only value_added "
                                   "names sectors)").format(quantity=repr(quantity)),
                          describe(t["sectors"]))
        return ()
    raw = t.get("sectors")
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        raise ck.fail(where, _("an array of sector ids (the value added observed)"),
                      _("nothing") if raw is None else describe(raw))
    for sid in raw:
        if sid not in sector_ids:
            raise ck.fail(where, _("known sector ids"), repr(sid), suggest(sid, sector_ids))
    if len(set(raw)) != len(raw):
        raise ck.fail(where, _("distinct sector ids"), describe(raw))
    return tuple(raw)


def _check_investment(ck: Any, path: str, quantity: str, economy: Any) -> None:
    needs = {"fai": "models_fai", "industrial_fai": "models_industrial_fai"}.get(quantity)
    if needs is not None and not getattr(economy, needs):
        raise ck.fail(f"{path}.quantity", _("a {quantity} model in [economy] for this "
                                            "indicator").format(quantity=quantity),
                      _("no model of that quantity"))


def parse_indicator_targets(ck: Any, raw: Any, path: str) -> tuple[IndicatorTarget, ...]:
    """``[target] indicators``: indicator name → ``{growth | level, rule, tolerance}``."""
    if not isinstance(raw, Mapping):
        raise ck.fail(path, _("a table of indicator names to targets"), describe(raw))
    out = []
    vocabulary = known_indicators()
    for name, spec in raw.items():
        where = f"{path}.{name}"
        if name not in vocabulary:
            raise ck.fail(where, _("an indicator lgsim knows"), repr(name),
                          suggest(name, vocabulary))
        t = ck.keys(spec, TARGET_INDICATOR_KEYS, where)
        kinds = [k for k in ("growth", "level") if k in t]
        if len(kinds) != 1:
            raise ck.fail(where, _("one of growth (a fraction) or level (亿元)"),
                          _("both") if kinds else _("neither"))
        measure = kinds[0]
        value = float(ck.number(t, "growth", where, lo=-1.0, lo_open=True, fraction=True)
                      if measure == "growth" else ck.number(t, "level", where, lo=0.0,
                                                            lo_open=True))
        rule_text = ck.string(t, "rule", where, "超")
        if rule_text not in RULES:
            raise ck.fail(f"{where}.rule", _('"超" (at least the value) or "左右" (about '
                                             'it)'), repr(rule_text))
        rule = RULES[rule_text]
        tolerance = float(ck.number(t, "tolerance", where, ABOUT_TOLERANCE[measure],
                                    lo=0.0, fraction=measure == "growth"))
        out.append(IndicatorTarget(name, measure, value, rule, tolerance,
                                   ck.string(t, "name", where, vocabulary[name].name_zh)))
    return tuple(out)


def mapping_for(maps: tuple[IndicatorMap, ...], area: str | None, indicator: str
                ) -> IndicatorMap | None:
    """The entry that maps ``indicator`` of ``area``, or None."""
    return next((m for m in maps if m.area == area and m.indicator == indicator), None)


def not_modelled_reason(target: IndicatorTarget, mapping: IndicatorMap | None,
                        area: str | None) -> str | None:
    """Why an indicator target cannot be judged on the model, or None when it can."""
    if mapping is None:
        return Message(N_("no [[indicator]] maps {indicator} of {area}"),
                       indicator=target.indicator,
                       area=area_name(area) if area else Message(N_("the district")))
    if target.measure == "level" and mapping.quantity not in ("fai", "industrial_fai"):
        return Message(N_("a level of {quantity}: the model's value added is real (base-year "
                          "prices), the target nominal"), quantity=mapping.quantity)
    return None



@dataclass(frozen=True)
class TargetFlags:
    """One target of a year judged in every replication.

    ``key`` names it (``gdp``, ``sector:industry``, ``street:bantian``, ``fai``,
    ``fai_growth``, ``indicator:retail_sales``); ``flags`` is None for a target the model
    does not cover (``reason`` says why).
    """

    key: str
    label: str
    rule: str
    flags: np.ndarray | None
    reason: str = ""
    short: str = ""  # a column head: ``工业 ≥4.5%``, ``固定资产投资 ≥1,400亿``


def target_flags(scenario: Any, year: int, q: Mapping[str, np.ndarray]) -> list[TargetFlags]:
    """Every target of ``year`` judged on the model's quantities of each replication.

    Parameters
    ----------
    scenario : Scenario
    year : int
        A year with targets.
    q : mapping of numpy.ndarray
        ``growth`` (R, Y + 1) GDP growth; ``va`` (R, Y + 1, S) value added, 亿元;
        optional ``street_va`` (R, Y + 1, K), ``fai`` and ``industrial_fai`` (R, Y + 1)
        levels, 亿元 nominal. Years index from the base year.
    """
    targets = scenario.targets or {scenario.target_year: scenario.target}
    t = targets[year]
    y = year - scenario.base_year
    out = [TargetFlags("gdp", "地区生产总值", t.rule(), t.met(q["growth"][:, y]))]
    out += _growth_flags("sector", scenario.sectors, t.sectors, q["va"], y, t)
    if scenario.street_data and "street_va" in q:
        out += _growth_flags("street", scenario.streets, t.streets, q["street_va"], y, t)
    levels = {k: (q[k][:, y - 1], q[k][:, y]) for k in ("fai", "industrial_fai") if k in q}
    values = {(qq if kind == "level" else f"{qq}_growth"): v
              for qq, kind, v in t.investment_goals()}
    for key, flags in t.investment_met(levels).items():
        name = QUANTITY_NAMES[key.removesuffix("_growth")]
        v = values[key]
        short = f"{name} ≥{100 * v:.4g}%" if key.endswith("_growth") else f"{name} ≥{v:,.6g}亿"
        out.append(TargetFlags(key, name, t.investment_rule(key, values[key]), flags,
                               short=short))
    sector_ids = [s.id for s in scenario.sectors]
    out += [_indicator_flags(scenario, t, it, y, q, sector_ids) for it in t.indicators]
    return out


def _indicator_flags(scenario: Any, t: Any, it: IndicatorTarget, y: int,
                     q: Mapping[str, np.ndarray], sector_ids: list[str]) -> TargetFlags:
    """One indicator target judged through its mapping (or listed as not modelled)."""
    m = mapping_for(scenario.indicators, t.area, it.indicator)
    reason = not_modelled_reason(it, m, t.area)
    key = f"indicator:{it.indicator}"
    short = f"{it.name} " + (f"≥{100 * it.value:.4g}%" if it.measure == "growth" else
                             f"≥{it.value:,.6g}亿")
    if reason is not None or m is None:
        return TargetFlags(key, it.name, Composed(partial(it.describe)), None, reason or "",
                           short)
    if m.quantity in ("fai", "industrial_fai"):
        before, now = q[m.quantity][:, y - 1], q[m.quantity][:, y]
        x = now if it.measure == "level" else now / before - 1.0
    elif m.quantity == "gdp":
        x = m.nominal(q["growth"][:, y])
    else:
        rows = [sector_ids.index(s) for s in m.sectors]
        x = m.nominal(q["va"][:, y, rows].sum(axis=1) / q["va"][:, y - 1, rows].sum(axis=1)
                      - 1.0)
    return TargetFlags(key, it.name, Composed(partial(it.describe)), it.met(x), short=short)


def _growth_flags(kind: str, entities: Sequence[Any], bars: Mapping[str, float],
                  va: np.ndarray, y: int, target: Any) -> list[TargetFlags]:
    """Flags of the growth sub-targets of sectors or streets (``kind``) in year index ``y``.

    ``va`` is (R, Y + 1, K) value added, 亿元, in the order of ``entities``; ``bars`` maps
    an entity id to its growth target (fraction), judged by ``target``'s rule.
    """
    ids = [e.id for e in entities]
    out = []
    for eid, bar in bars.items():
        k = ids.index(eid)
        g = va[:, y, k] / va[:, y - 1, k] - 1.0
        name = entities[k].name
        out.append(TargetFlags(f"{kind}:{eid}", name, f"growth >= {100 * bar:.4g}%",
                               target.met(g, bar), short=f"{name} ≥{100 * bar:.4g}%"))
    return out
