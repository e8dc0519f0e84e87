"""Oracle: one chunk computed the straightforward way, sharing nothing it checks.

``lgsim.engine.chunk.simulate_chunk`` is arranged for speed (curves only where a project
is under way, operating output only for finished projects, sums in a particular order,
fast Beta inverses, the land queue alone in simpy and pause algebra for the rest). This
module computes the same outputs from the model's equations in the plainest way: dense
``(replication, project, month)`` arrays, loops over replications and months where that
is clearest, scipy's ``betainc`` / ``betaincinv`` (through ``Dist.ppf`` and
``scenario.drawdown.curve``), and the whole lifecycle in simpy (:mod:`.lifecycle`).

It shares with the engine only its inputs: the draws (``draw_chunk`` with the scenario's
own inverse CDFs, the tilt of a conditioned run applied there) and the compiled plan.
``tests/test_chunk_fastpath.py`` checks the two agree to 1e-12 on every output.
"""

from __future__ import annotations

import numpy as np

from lgsim.engine.draws import draw_chunk, exact_ppf
from lgsim.scenario.drawdown import curve

from .lifecycle import reference_timeline


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _worked(t: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """Working time elapsed by ``t``: ``t`` less the paused time in ``[0, t)``."""
    out = np.array(t, dtype=float)
    for a, b in spans:
        out -= np.clip(np.minimum(t, b) - a, 0.0, None)
    return out


def _ramp_integral(s: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """∫ from completion to completion + s of clip(u / ramp, 0, 1) du."""
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.where(ramp > 0, s * s / (2 * np.where(ramp > 0, ramp, 1.0)), s)
    out = np.where(s <= 0, 0.0, np.where(s < ramp, inside, s - ramp / 2))
    return np.nan_to_num(out, nan=0.0)


def _annual(monthly: np.ndarray) -> np.ndarray:
    """(R, K, 12 Y) -> (R, Y, K)."""
    r, k, m = monthly.shape
    return monthly.reshape(r, k, m // 12, 12).sum(axis=3).transpose(0, 2, 1)


def _with_base(base: np.ndarray, annual: np.ndarray) -> np.ndarray:
    n = annual.shape[0]
    return np.concatenate([np.broadcast_to(base, (n, annual.shape[2]))[:, None, :], annual],
                          axis=1)


def _contributions(parts: np.ndarray, gdp: np.ndarray) -> np.ndarray:
    out = np.full(parts.shape, np.nan)
    for y in range(1, parts.shape[1]):
        out[:, y, :] = 100.0 * (parts[:, y, :] - parts[:, y - 1, :]) / gdp[:, y - 1, None]
    return out


def simulate_chunk_reference(plan, seed: int, start: int, n: int,
                             tilt=None) -> dict[str, np.ndarray]:
    """Simulate replications ``[start, start + n)`` the straightforward way.

    Returns the same arrays, names and shapes as ``lgsim.engine.chunk.simulate_chunk``.
    """
    sc = plan.scenario
    ids = plan.project_ids
    d = draw_chunk(plan, seed, start, n, ppf=exact_ppf, tilt=tilt)
    tl = reference_timeline(d, sc, ids)
    n_years = sc.end_year - sc.base_year
    n_months = 12 * n_years
    n_sec, n_slots = len(sc.sectors), len(ids)
    shares = np.array([s.share for s in sc.sectors])
    base_va = sc.economy.gdp * shares / shares.sum()
    seasonal = np.array([s.seasonality for s in sc.sectors])
    month_of_year = np.arange(n_months) % 12

    # organic value added: B_s w_s,m Π(1 + g) (1 + e)
    level = np.ones((n, n_sec, n_years))
    for y in range(n_years):
        level[:, :, y] = (level[:, :, y - 1] if y else 1.0) * (1.0 + d.growth[:, :, y])
    trend = (base_va[None, :, None] * seasonal[None, :, month_of_year]
             * np.repeat(level, 12, axis=2))
    v0 = trend * (1.0 + d.deviation)

    # investment on each replication's working clock
    inv = np.zeros((n, n_slots, n_months))
    edges = np.arange(n_months + 1, dtype=float)
    pausing = [k for k, sh in enumerate(sc.shocks) if sh.pauses_projects]
    for r in range(n):
        spans = _merged([(d.shock_start[r, k], d.shock_start[r, k] + d.shock_duration[r, k])
                         for k in pausing if d.shock_occurs[r, k]])
        worked_edges = _worked(edges, spans)
        for p in range(n_slots):
            if np.isnan(tl.start[r, p]):
                continue
            s0 = _worked(np.array(tl.start[r, p]), spans)
            dur = d.duration[r, p]
            if dur > 0:
                x = np.clip((worked_edges - s0) / dur, 0.0, 1.0)
            else:
                x = np.where(worked_edges - s0 > 0, 1.0, 0.0)
            cum = curve(x, d.curve_a[p], d.curve_b[p])
            inv[r, p] = d.total[r, p] * d.execution[r, p] * np.diff(cum)

    ac = sc.accounting
    spend = inv / ac.investment_deflator * d.additionality[:, :, None]  # real, additional
    direct_by_sector, indirect_unit = _spending_per_yuan(sc, d.local_share)
    works = spend * direct_by_sector.sum()  # each slot's direct value added
    va_ratio = np.array([0.0 if s.va_ratio is None else s.va_ratio for s in sc.sectors])
    t0 = np.arange(n_months, dtype=float)
    finish = tl.finish[:, :, None]
    ramp = d.ramp[:, :, None]
    ramp_avg = _ramp_integral(t0 + 1.0 - finish, ramp) - _ramp_integral(t0 - finish, ramp)
    sector = d.sector.astype(np.int64)
    operating = (d.annual_output[:, :, None] * seasonal[sector][:, :, month_of_year]
                 * ramp_avg * (va_ratio[sector] * d.additionality)[:, :, None])
    op_sec = np.zeros((n, n_sec, n_months))
    for p in range(n_slots):
        for r in range(n):
            op_sec[r, sector[r, p]] += operating[r, p]

    # shocks: multiplier max(0, 1 + Σ impact × cover), each shock's share of the loss
    cover = np.zeros((n, len(sc.shocks), n_months))
    for h in range(len(sc.shocks)):
        a = d.shock_start[:, h, None]
        b = a + d.shock_duration[:, h, None]
        c = np.clip(np.minimum(b, t0 + 1.0) - np.maximum(a, t0), 0.0, 1.0)
        cover[:, h] = np.where(d.shock_occurs[:, h, None], c, 0.0)
    each = d.shock_impact[:, :, :, None] * cover[:, :, None, :]  # (R,H,S,M)
    raw = 1.0 + each.sum(axis=1)
    mult = np.maximum(raw, 0.0)
    with np.errstate(divide="ignore"):
        scale = np.where(raw < 0, 1.0 / (1.0 - raw), 1.0)
    loss_share = -each * scale[:, None]

    spend_total = spend.sum(axis=1)
    other = op_sec * mult
    if n_slots:
        other += (direct_by_sector[None, :, None] + indirect_unit[:, :, None]) \
            * spend_total[:, None, :]
    base_monthly = base_va[:, None] * seasonal
    sector_monthly = v0 * mult + other

    # streets: organic after shocks by street shares; project value added by its street
    street_shares = np.array([s.share for s in sc.streets])
    indirect_total = indirect_unit.sum(axis=1)[:, None] * spend_total
    if sc.street_data:  # each street's share of each sector's value added
        by_sector = np.array([[w for _, w in s.sector_shares] for s in sc.streets])
        street_monthly = np.zeros((n, len(sc.streets), n_months))
        for k in range(len(sc.streets)):
            for s_ in range(len(sc.sectors)):
                street_monthly[:, k] += by_sector[k, s_] * (v0 * mult)[:, s_]
            street_monthly[:, k] += street_shares[k] * indirect_total
        street_base = np.broadcast_to(by_sector @ base_va, (n, len(sc.streets)))
    else:
        street_monthly = ((v0 * mult).sum(axis=1) + indirect_total)[:, None, :] \
            * street_shares[None, :, None]
        street_base = None
    for r in range(n):
        for p in range(n_slots):
            post = works[r, p] + operating[r, p] * mult[r, sector[r, p]]
            if d.street[r, p] < 0:
                street_monthly[r] += street_shares[:, None] * post[None, :]
            else:
                street_monthly[r, d.street[r, p]] += post

    # components: organic (before shocks), project groups, shocks (negative)
    n_groups = len(plan.groups)
    group_monthly = np.zeros((n, n_groups, n_months))
    inv_group = np.zeros((n, n_groups, n_months))
    indirect_group = np.zeros((n, n_groups, n_months))
    for p, slot in enumerate(plan.slots):
        group_monthly[:, slot.group] += works[:, p] + operating[:, p]
        indirect_group[:, slot.group] += indirect_unit.sum(axis=1)[:, None] * spend[:, p]
        inv_group[:, slot.group] += inv[:, p]
    if sc.io is not None:
        group_monthly = np.concatenate([group_monthly, indirect_group], axis=1)
    exposed = v0 + op_sec
    shock_monthly = -(loss_share * exposed[:, None]).sum(axis=2)

    va = _with_base(base_va, _annual(sector_monthly))
    gdp = va.sum(axis=2)
    gdp_monthly = sector_monthly.sum(axis=1)
    gdp_by_year = np.concatenate([np.broadcast_to(base_monthly.sum(axis=0), (n, 12))[:, None],
                                  gdp_monthly.reshape(n, n_years, 12)], axis=1)
    cum = np.cumsum(gdp_by_year, axis=2)
    ytd = np.full(cum.shape, np.nan)
    ytd[:, 1:] = cum[:, 1:] / cum[:, :-1] - 1.0
    growth = np.full(gdp.shape, np.nan)
    growth[:, 1:] = gdp[:, 1:] / gdp[:, :-1] - 1.0
    if street_base is None:
        street_base = gdp[:, :1] * street_shares[None, :]
    street_va = np.concatenate([street_base[:, None, :], _annual(street_monthly)], axis=1)
    comp_base = np.concatenate([base_va, np.zeros(group_monthly.shape[1] + len(sc.shocks))])
    components = _with_base(comp_base, _annual(np.concatenate(
        [v0, group_monthly, shock_monthly], axis=1)))
    out = {
        "gdp": gdp,
        "gdp_monthly": gdp_monthly,
        "growth": growth,
        "ytd_growth": ytd,
        "va": va,
        "street_va": street_va,
        "investment": _with_base(np.zeros(n_slots), _annual(inv)),
        "investment_monthly": inv_group.transpose(0, 2, 1),
        "start_month": tl.start_month,
        "finish_month": tl.finish_month,
        "land_granted_month": np.where(tl.granted < sc.horizon_months, tl.granted, np.nan),
        "project_sector": d.sector.astype(np.int16),
        "project_street": d.street.astype(np.int16),
        "sector_pp": _contributions(va, gdp),
        "street_pp": _contributions(street_va, gdp),
        "component_pp": _contributions(components, gdp),
        "organic_growth": np.concatenate([np.full((n, n_sec, 1), np.nan), d.growth],
                                         axis=2).transpose(0, 2, 1),
        "shock_occurred": d.shock_occurs,
        "shock_start": np.where(d.shock_occurs, d.shock_start, np.nan),
        "shock_duration": np.where(d.shock_occurs, d.shock_duration, np.nan),
        "pipeline_landing": d.landing,
        "land_delivered": d.land_hectares,
    }
    if sc.io is not None:
        out["io_local_share"] = d.local_share
        out["io_indirect_ratio"] = indirect_unit.sum(axis=1)
    if sc.economy.models_fai:
        out.update(_fai(sc, d, inv))
    if sc.actuals:
        out.update(_figures(sc, sector_monthly, base_monthly, d.log_prior_ratio, out))
    return out


def _spending_per_yuan(sc, local_share):
    """Direct value added by sector ``(S,)`` and indirect ``(R, S)`` per unit of spending."""
    n_sec = len(sc.sectors)
    if sc.io is None:
        ac = sc.accounting
        direct = np.zeros(n_sec)
        if "construction" in [s.id for s in sc.sectors]:
            direct[sc.sector_index("construction")] = (
                ac.construction_share * ac.construction_va_ratio * ac.local_share)
        return direct, np.zeros((len(local_share), n_sec))
    io = sc.io
    y = io.final_demand * io.gfcf_share * io.direct_local_share
    indirect = np.zeros((len(local_share), n_sec))
    for r, lam in enumerate(local_share):
        leontief = np.linalg.inv(np.eye(n_sec) - lam * io.a)
        indirect[r] = io.v * (leontief @ y - y)
    return io.v * y, indirect


def _fai(sc, d, inv) -> dict[str, np.ndarray]:
    """District FAI: organic parts month by month plus every slot's spending."""
    ec = sc.economy
    n, n_slots, n_months = inv.shape
    parts = [ec.fai] if ec.industrial_fai is None else [ec.fai - ec.industrial_fai,
                                                          ec.industrial_fai]
    season = np.array(ec.fai_seasonality)
    organic = np.zeros((n, len(parts), n_months))
    for q, base in enumerate(parts):
        level = np.full(n, base)
        for m in range(n_months):
            if m % 12 == 0:
                level = level * (1.0 + d.fai_growth[:, q, m // 12])
            organic[:, q, m] = level * season[m % 12]
    total = organic.sum(axis=1) + inv.sum(axis=1)
    out = {"fai": _yearly(total, ec.fai), "fai_listed": _yearly(inv.sum(axis=1), 0.0),
           "fai_monthly": total,
           "fai_ytd_growth": _ytd(total, ec.fai * season)}
    if ec.industrial_fai is not None:
        ind_ids = [sc.sector_index(s) for s in ec.industrial_sectors]
        listed = np.zeros((n, n_months))
        for r in range(n):
            for p in range(n_slots):
                if d.sector[r, p] in ind_ids:
                    listed[r] += inv[r, p]
        out["industrial_fai"] = _yearly(organic[:, 1] + listed, ec.industrial_fai)
        out["industrial_fai_listed"] = _yearly(listed, 0.0)
        out["industrial_fai_monthly"] = organic[:, 1] + listed
        out["industrial_fai_ytd_growth"] = _ytd(organic[:, 1] + listed,
                                                ec.industrial_fai * season)
    return out


def _yearly(monthly, base):
    n = monthly.shape[0]
    return np.concatenate([np.full((n, 1), base),
                           monthly.reshape(n, -1, 12).sum(axis=2)], axis=1)


def _ytd(monthly, base_monthly):
    n = monthly.shape[0]
    by_year = np.concatenate([np.broadcast_to(base_monthly, (n, 12))[:, None, :],
                              monthly.reshape(n, -1, 12)], axis=1)
    cum = np.cumsum(by_year, axis=2)
    out = np.full(cum.shape, np.nan)
    out[:, 1:] = cum[:, 1:] / cum[:, :-1] - 1.0
    return out


def _figures(sc, sector_monthly, base_monthly, log_prior_ratio, out) -> dict[str, np.ndarray]:
    """The model's value of each published figure and the log importance weight."""
    n = sector_monthly.shape[0]
    model = np.empty((n, len(sc.actuals)))
    log_weight = log_prior_ratio.copy()
    for k, o in enumerate(sc.actuals):
        if o.quantity != "va":
            model[:, k] = out[f"{o.quantity}_ytd_growth"][:, o.year - sc.base_year, o.month - 1]
            if np.isfinite(o.sd):
                log_weight = log_weight - 0.5 * ((o.value - model[:, k]) / o.sd) ** 2
            continue
        rows = ([sc.sector_index(o.sector)] if o.sector is not None
                else list(range(len(sc.sectors))))
        y = o.year - sc.base_year - 1
        now = sector_monthly[:, rows, 12 * y:12 * y + o.month].sum(axis=(1, 2))
        before = (np.full(n, base_monthly[rows, :o.month].sum()) if y == 0 else
                  sector_monthly[:, rows, 12 * (y - 1):12 * (y - 1) + o.month].sum(axis=(1, 2)))
        model[:, k] = now / before - 1.0
        if np.isfinite(o.sd):
            log_weight = log_weight - 0.5 * ((o.value - model[:, k]) / o.sd) ** 2
    return {"figure_model": model, "log_weight": log_weight}

