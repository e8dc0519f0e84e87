"""Self-contained HTML reports of a run (``report.html``) and of a comparison.

One file, opened by double-click with no network: charts embedded as base64 PNG, CSS
inline, no scripts, and the page's own font: the bundled Noto Sans SC cut down to the
characters the page uses (:func:`lgsim.fonts.subset_font`), embedded as a base64
``@font-face`` first in the font stack, so the Chinese text renders on a machine with no
Chinese font. Every string that comes from a scenario file
(titles, names, sources, rules) is HTML-escaped.

Build a run's report from its directory (``Results.load`` plus ``summary.json``)::

    from lgsim.outputs.report import write_report
    write_report("runs/base")            # → runs/base/report.html
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._format import num, pct, target_pct, to_pct
from ..analysis import weighted_mean
from ..fileio import write_text
from ..fonts import subset_font
from ..i18n import _, translations
from ..results import Results
from ..scenario.bridge import release_label
from ..scenario.sources import source_kind
from .plots import figure_bytes, rule_zh, run_figures
from .rundir import load_run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..studies.compare import Comparison
    from ..studies.track import Track

__all__ = [
    "REPORT_FILE",
    "comparison_html",
    "headline_sentences",
    "run_html",
    "split_sources",
    "track_html",
    "track_section",
    "write_report",
]

#: File name of a run's report inside its run directory.
REPORT_FILE = "report.html"

#: Resolution of the embedded PNG charts, dots per inch.
REPORT_DPI = 110

CAPTIONS = {
    "fan": "累计增速扇形图：深浅阴影分别为90%和50%的模拟结果所在区间，实线为中位数，"
           "红色虚线为目标。 Fan chart of year-to-date growth (P5–P95, P25–P75, median) "
           "against the target.",
    "growth_distribution": "全年增速分布：红色部分为未达到目标的模拟结果。"
                           " Distribution of target-year growth; red = target missed.",
    "contributions_sector": "分行业拉动（百分点）。 Contributions by sector (pp).",
    "track": "逐月达标概率：每月以当月月底前公布的全部数据为条件，阴影为模拟精度95%区间，"
             "标注为当月公布的新数据。 P(target met) at the end of each month given every "
             "figure published by then; band = 95% simulation precision; labels = releases.",
    "news": "一个月的新数据如何改变达标概率（百分点），各项之和等于当月变化。 How one "
            "month's releases moved P(target met), in pp; the parts add up to the change.",
    "contributions_component": "分来源拉动：自然增长、各项目批次与冲击（百分点）。"
                               " Contributions by component (pp).",
    "investment": "累计完成投资与年度计划（亿元）。 Cumulative investment against the plan.",
    "start_dates": "项目实际开工时间。 When projects actually start.",
    "fai": "固定资产投资与工业投资的累计增速（现价）：阴影为10%–90%分位区间，红色虚线为完成投资"
           "目标所需的全年增速。 Year-to-date growth of district FAI and industrial "
           "investment (nominal) against the growth their targets need.",
    "sector_growth": "各行业增速与行业目标。 Sector growth against sector targets.",
    "street_growth": "各街道增速与街道目标。 Street growth against street targets.",
    "compare_fan": "各情景累计增速（中位数与25%–75%区间）。 Year-to-date growth by scenario.",
    "compare_distribution": "各情景全年增速分布。 Target-year growth by scenario.",
    "compare_growth_difference": "同一随机数下逐次模拟的增速之差（百分点）。"
                                 " Paired growth differences (pp).",
}

PRECISION_NOTE = (
    "<p>说明：括号中的区间是<strong>模拟精度</strong>，即因模拟次数有限而产生的误差范围；"
    "它<strong>不是</strong>预测的不确定性，不包括情景假设本身（增长率、项目进度、冲击概率等）"
    "可能有误的风险。</p>"
    "<p lang=\"en\">Note: the interval is <strong>simulation precision</strong> (how far more "
    "replications could move the estimate). It is <strong>not</strong> forecast uncertainty: "
    "it does not include the risk that the scenario's assumptions are wrong.</p>"
)

#: Family name of the embedded font (its own name, so no system font can stand in for it).
EMBEDDED_FAMILY = "lgsim Noto Sans SC"

CSS = """
body{font-family:"lgsim Noto Sans SC","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",
"Source Han Sans SC","Hiragino Sans GB",sans-serif;color:#222;margin:0;background:#f4f5f7;
line-height:1.55}
main{max-width:1000px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .1em}h2{font-size:1.25em;border-bottom:2px solid #1f5fa8;
padding-bottom:.2em;margin-top:1.8em}h3{font-size:1.05em;margin-top:1.2em}
.meta{color:#5f6368;font-size:.9em}
.headline{background:#eef4fb;border-left:5px solid #1f5fa8;padding:12px 18px;margin:18px 0}
.headline .zh{font-size:1.3em;margin:.2em 0}.headline .en{color:#333;margin:.2em 0}
.note{background:#fff8e6;border-left:5px solid #e0a100;padding:6px 18px;font-size:.92em}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em;width:100%}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}tr.total td{font-weight:600;border-top:1px solid #999}
figure{margin:18px 0 28px}figure img{width:100%;max-width:900px;height:auto;
border:1px solid #eee}
figcaption{color:#5f6368;font-size:.88em}code{font-size:.92em;background:#f3f5f8;padding:0 3px}
.src td:first-child{white-space:nowrap;font-family:monospace;font-size:.95em}
@media print{body{background:#fff}main{padding:0}figure{break-inside:avoid}}
"""


# ---------------------------------------------------------------------- text pieces
def _pct(x: float | None, digits: int = 1) -> str:
    return pct(x, digits, typeset=True)


def _pc(x: float | None, digits: int = 1) -> str:
    """A percent number (a ``_pct`` field of summary.json) as typeset percent text."""
    return _pct(None if x is None else x / 100.0, digits)


def _num(x: float | None, spec: str = ".2f") -> str:
    return num(x, spec, typeset=True)


def _round_pct(p: float) -> str:
    """A probability for a sentence: whole percent; one decimal below 1% and above 99%.

    A probability under 1% (or over 99%) keeps one decimal, so that 0.3% and its interval
    0.3%–0.4% do not all read "<1%"; below 0.05% (above 99.95%) it reads "<0.1%"
    (">99.9%"). Exactly 0 and 1 read "0%" and "100%".
    """
    if 0 < p < 0.0005:
        return "<0.1%"
    if 0.9995 < p < 1:
        return ">99.9%"
    return pct(p, 1 if 0 < p < 0.01 or 0.99 < p < 1 else 0)


def headline_sentences(summary: dict[str, Any]) -> tuple[str, str]:
    """The headline in one sentence, in Chinese and in English, from ``summary.json`` data.

    Parameters
    ----------
    summary : dict
        :meth:`lgsim.results.Results.summary` (``target_growth_pct``,
        ``p_target_met_pct``, ``p_target_met_ci_pct``: percent).

    Returns
    -------
    (str, str)
        Plain text (not escaped), e.g. ``按当前假设，2022年GDP增长达到6%目标的概率约为25%
        （模拟精度95%区间 23%–27%）``.
    """
    year = summary["target_year"]
    target = target_pct(summary["target_growth_pct"] / 100.0)
    p = summary["p_target_met_pct"] / 100.0
    lo, hi = (x / 100.0 for x in summary["p_target_met_ci_pct"])
    zh = (
        f"按当前假设，{year}年GDP增长达到{target}目标的概率约为{_round_pct(p)}"
        f"（模拟精度95%区间 {_round_pct(lo)}–{_round_pct(hi)}）"
    )
    en = (
        f"Under the current assumptions, the probability that {year} GDP growth meets the "
        f"{target} target is about {_round_pct(p)} (95% simulation precision "
        f"{_round_pct(lo)}–{_round_pct(hi)})."
    )
    return zh, en


def split_sources(sources: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Split ``[sources]`` by prefix into ``source``, ``assumption`` and ``other``.

    The prefix is English or Chinese (``source:``/``来源：``, ``assumption:``/``假设：``,
    either colon; :func:`lgsim.scenario.sources.source_kind`).

    Returns
    -------
    dict
        ``{"source": [(key path, text without the prefix)], "assumption": [...],
        "other": [...]}`` in file order.
    """
    out: dict[str, list[tuple[str, str]]] = {"source": [], "assumption": [], "other": []}
    for key, text in sources.items():
        text = str(text).strip()
        parsed = source_kind(text)
        if parsed is not None:
            out[parsed[0]].append((key, parsed[1]))
        else:
            out["other"].append((key, text))
    return out


# ---------------------------------------------------------------------- HTML pieces
def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = (),
    *, css: str = "", total_last: bool = False,
) -> str:
    """An HTML table; every cell is escaped (cells are plain text)."""
    rows = list(rows)
    cls = f' class="{css}"' if css else ""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{escape(str(c))}</td>' if j in numeric
            else f"<td>{escape(str(c))}</td>"
            for j, c in enumerate(row)
        )
        tr = ' class="total"' if total_last and i == len(rows) - 1 else ""
        body.append(f"<tr{tr}>{cells}</tr>")
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(stem: str, fig: Figure) -> str:
    data = base64.b64encode(figure_bytes(fig, "png", dpi=REPORT_DPI)).decode("ascii")
    caption = CAPTIONS.get(stem, stem)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def font_face(text: str) -> str:
    """The ``@font-face`` rule embedding the bundled font, subset to ``text``'s characters."""
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (f'@font-face{{font-family:"{EMBEDDED_FAMILY}";src:url(data:font/woff;base64,'
            f'{data}) format("woff");font-weight:normal;font-style:normal}}')


def _page(title: str, body: str) -> str:
    """The HTML document; its font is cut to the characters of the title and body text."""
    shown = html_text(f"{title}{body}")
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{font_face(shown)}\n{CSS}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def html_text(markup: str) -> str:
    """The characters a page shows: its markup without ``data:`` URLs, entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"data:[^\"')]*", "", markup))


def _sources_html(sources: dict[str, str]) -> str:
    parts = split_sources(sources)
    html = [
        "<h2>数据来源与假设 Sources and assumptions</h2>",
        f"<p>情景文件 <code>[sources]</code> 中共 {len(sources)} 条说明："
        f"有出处 {len(parts['source'])} 条，假设 {len(parts['assumption'])} 条。"
        "未列出的数字没有说明。 Every number's origin as stated in the scenario file.</p>",
    ]
    for kind, title in (("source", "有出处的数据 Sourced"), ("assumption", "假设 Assumptions"),
                        ("other", "其他说明 Other notes")):
        if parts[kind]:
            html.append(f"<h3>{title}（{len(parts[kind])}）</h3>")
            html.append(_table(["键 key", "说明 text"], parts[kind], css="src"))
    if not sources:
        html.append("<p>本情景没有 <code>[sources]</code>：所有数字的来源均未说明。"
                    " The scenario has no [sources] table.</p>")
    return "\n".join(html)


def run_html(
    results: Results, summary: dict[str, Any] | None = None,
    figures: dict[str, Figure] | None = None,
) -> str:
    """The HTML report of a run, as text.

    Parameters
    ----------
    results : Results
        The run (e.g. ``Results.load(run_dir)``).
    summary : dict, optional
        The run's ``summary.json`` (default: ``results.summary()``).
    figures : dict, optional
        Charts to embed (default: :func:`lgsim.outputs.plots.run_figures`).

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    s = summary if summary is not None else results.summary()
    sc = results.scenario
    figures = figures if figures is not None else run_figures(results)
    zh, en = headline_sentences(s)
    year = s["target_year"]
    q = s["growth_quantiles_pct"]
    lo, hi = s["p_target_met_ci_pct"]
    es = s.get("expected_shortfall_pp")

    key_rows = [
        ("目标 Target", f"{year}年GDP增长 {_pc(s['target_growth_pct'], 2)}"),
        ("判定规则 Rule", f"{rule_zh(sc.target)} — {s['target_rule']}"),
        ("达标概率 P(target met)", f"{_pc(s['p_target_met_pct'])}（模拟精度95%区间 "
                                   f"{_pc(lo)}–{_pc(hi)}）"),
        ("增速 P10 / P50 / P90 Growth", f"{_pc(q['p10'])} / {_pc(q['p50'])} / "
                                        f"{_pc(q['p90'])}"),
        ("平均增速 Mean growth", _pc(s["growth_mean_pct"], 2)),
        ("未达标时平均缺口 Expected shortfall",
         "—" if es is None else f"{_num(es)} 个百分点 pp"),
    ]
    listed = (s.get("investment_vs_plan_yi_yuan") or {}).get("listed")
    if listed:
        key_rows.append((
            "有年度计划项目的投资 Listed investment",
            f"中位数 {_num(listed['p50'], '.1f')}亿元（P10–P90 {_num(listed['p10'], '.1f')}–"
            f"{_num(listed['p90'], '.1f')}），计划 {_num(listed['plan'], '.1f')}亿元",
        ))
    target = results.target_of(year)
    goals = {(q if k == "level" else f"{q}_growth"): v for q, k, v in target.investment_goals()}
    key_rows += _target_rows(s, {key: target.investment_rule(key, v, _)
                                 for key, v in goals.items()})

    body = [
        f"<h1>{escape(sc.title)}</h1>",
        f'<p class="meta">情景 scenario <code>{escape(sc.name)}</code> · 目标年份 {year} · '
        f"模拟 {s['replications']:,} 次 · 种子 seed {s['seed']} · "
        f"lgsim {escape(str(s.get('lgsim_version', '')))}</p>",
        '<section class="headline">',
        f'<p class="zh">{escape(zh)}</p>',
        f'<p class="en" lang="en">{escape(en)}</p>',
        "</section>",
        f'<section class="note">{PRECISION_NOTE}</section>',
        "<h2>主要结果 Key figures</h2>",
        _table(["项目 item", "数值 value"], key_rows),
        "<h2>图表 Charts</h2>",
        *(_figure_html(stem, fig) for stem, fig in figures.items()),
        _contributions_html(results),
        _investment_html(results),
        _fai_html(results, s),
        _subtargets_html(results, s),
        _conditioning_html(s),
        _sources_html(sc.sources),
        _run_info_html(results, s),
    ]
    return _page(f"{sc.title} — lgsim", "\n".join(body))


def _contributions_html(results: Results) -> str:
    year = results.target_year
    html = [f"<h2>{year}年增长的拉动 Contributions to growth (百分点 pp)</h2>",
            "<p>各项均值相加等于平均增速；中位数不可相加。自然增长与所列项目无法从历史数据中完全"
            "区分，项目按增量系数（additionality）计入。 Means add up to mean growth; medians "
            "do not.</p>"]
    for by, title in (("sector", "分行业 By sector"), ("component", "分来源 By component")):
        table = results.contributions(by)
        rows = [
            (row["name"], ident, _num(row["mean"]), _num(row["p10"]), _num(row["p50"]),
             _num(row["p90"]))
            for ident, row in table.iterrows()
        ]
        rows.append(("合计 total", "", _num(float(table["mean"].sum())), "", "", ""))
        html.append(f"<h3>{title}</h3>")
        html.append(_table(["名称 name", "id", "均值 mean", "P10", "P50", "P90"], rows,
                           numeric=(2, 3, 4, 5), total_last=True))
    return "\n".join(html)


def _investment_html(results: Results) -> str:

    inv = results.investment_vs_plan()
    if inv.empty:
        return ""
    year = results.target_year
    ds = results.ds
    totals = ds["investment"].sel(year=year).values
    groups = ds["project_group"].values
    rows = []
    for gid, row in inv.iterrows():
        plan = row["plan"]
        if gid == "listed":
            share = "—"
        elif not math.isnan(plan):
            values = totals[:, groups == gid].sum(axis=1)
            share = _pct(float(weighted_mean(values >= plan - 1e-9, results.weights)), 0)
        else:
            share = "—"
        rows.append((row["name"], gid if gid != "listed" else "",
                     "—" if math.isnan(plan) else _num(plan, ".1f"),
                     _num(row["mean"], ".1f"), _num(row["p10"], ".1f"), _num(row["p50"], ".1f"),
                     _num(row["p90"], ".1f"), share))
    return "\n".join([
        f"<h2>{year}年投资与年度计划 Investment vs plan (亿元, 现价 nominal)</h2>",
        _table(["名称 name", "id", "计划 plan", "均值 mean", "P10", "P50", "P90",
                "完成计划的概率 P(≥ plan)"], rows, numeric=(2, 3, 4, 5, 6, 7),
               total_last="listed" in inv.index),
    ])


_INVESTMENT_NAMES = {"fai": "固定资产投资 FAI", "industrial_fai": "工业投资 Industrial investment",
                     "fai_growth": "固定资产投资增速 FAI growth",
                     "industrial_fai_growth": "工业投资增速 Industrial investment growth"}


def _target_rows(s: dict[str, Any], rules: dict[str, str] | None = None
                 ) -> list[tuple[str, str]]:
    """Key rows: P(met) of the investment targets, of later years' targets, of all years.

    ``rules``: the investment targets' rules as shown (default: as ``summary.json`` has them).
    """
    rows = []
    for key, item in (s.get("investment_targets") or {}).items():
        lo, hi = item["ci_pct"]
        rule = (rules or {}).get(key, item["rule"])
        rows.append((f"{_INVESTMENT_NAMES.get(key, key)} 达标概率",
                     f"{_pc(item['p_met_pct'])}（{rule}；模拟精度95%区间 "
                     f"{_pc(lo)}–{_pc(hi)}）"))
    by_year = s.get("targets_by_year") or {}
    if by_year:
        rows.append(("各年GDP目标达标概率 P(met) by year",
                     "；".join(f"{y}年 {_pc(v['p_met_pct'])}" for y, v in by_year.items())))
        every = s["all_years_met"]
        rows.append(("各年目标全部达标 P(every year met)", _pc(every["p_met_pct"])))
    return rows


def _fai_html(results: Results, summary: dict[str, Any]) -> str:
    """District FAI: level, growth, listed share, year-to-date growth; spending's value added."""
    fai = summary.get("fai")
    html = []
    if fai:
        year = summary["target_year"]
        names = {"fai": "固定资产投资 FAI", "industrial_fai": "工业投资 Industrial investment"}
        rows = []
        for quantity, block in fai.items():
            lv, g = block["level_yi_yuan"], block["growth_pct"]
            rows.append((names[quantity], _num(lv["p50"], ",.1f"),
                         f"{_num(lv['p10'], ',.1f')}–{_num(lv['p90'], ',.1f')}",
                         _pc(g["p50"]), _pc(block["listed_share_pct"])))
        months = [(names[q], b["ytd_growth_pct"]) for q, b in fai.items()]
        ytd_rows = [(name, *(_pc(v) for v in ytd["p50"])) for name, ytd in months]
        html += [
            f"<h2>{year}年固定资产投资 District FAI (亿元, 现价 nominal)</h2>",
            "<p>区级固定资产投资 = 未列出项目的自然增长部分 + 所列项目的实际支出"
            "（每个项目只计一次）。 District FAI is organic FAI plus the listed projects' "
            "spending, each counted once.</p>",
            _table(["指标 quantity", "P50", "P10–P90", "增速 P50 growth",
                    "所列项目占比 listed share"], rows, numeric=(1, 2, 3, 4)),
            "<h3>累计增速中位数 Year-to-date growth, median</h3>",
            _table(["指标 quantity", "1月", *(f"1-{m}月" for m in range(2, 13))], ytd_rows,
                   numeric=tuple(range(1, 13))),
        ]
    sp = summary.get("spending_value_added")
    if sp:
        html += [
            "<h3>项目支出的增加值 Value added per 亿元 of project spending</h3>",
            f"<p>投入产出表 {escape(sp['table'])}：每亿元实际新增支出带来直接增加值 "
            f"{sp['direct_per_yuan']:.3f}亿元、间接（本区供应链）"
            f"{sp['indirect_per_yuan']:.3f}亿元（P10–P90 {sp['indirect_p10_per_yuan']:.3f}–"
            f"{sp['indirect_p90_per_yuan']:.3f}），其余 {sp['leakage_per_yuan']:.3f}亿元流出本区"
            f"（进口与区外采购）。 Per 亿元 of real additional spending: direct "
            f"{sp['direct_per_yuan']:.3f}, indirect {sp['indirect_per_yuan']:.3f}, leakage "
            f"{sp['leakage_per_yuan']:.3f}.</p>",
        ]
    return "\n".join(html)


def _subtargets_html(results: Results, summary: dict[str, Any]) -> str:
    sc = results.scenario
    names = {s.id: s.name for s in sc.sectors} | {s.id: s.name for s in sc.streets}
    rows = []
    for kind, label in (("sectors", "行业 sector"), ("streets", "街道 street")):
        targets = getattr(sc.target, kind)
        for ident, item in summary.get("subtargets", {}).get(kind, {}).items():
            lo, hi = item["ci_pct"]
            rows.append((label, names.get(ident, ident), ident, _pct(targets.get(ident), 1),
                         _pc(item["p_met_pct"]), f"{_pc(lo)}–{_pc(hi)}"))
    if not rows:
        return ("<h2>分项目标 Sub-targets</h2><p>本情景未设定行业或街道目标。"
                " No sector or street targets in this scenario.</p>")
    return "\n".join([
        "<h2>分项目标 Sub-targets</h2>",
        _table(["类别 kind", "名称 name", "id", "目标 target", "达标概率 P(met)",
                "模拟精度95%区间"], rows, numeric=(3, 4, 5)),
    ])


def _conditioning_html(summary: dict[str, Any]) -> str:
    """The published figures the run is conditioned on, and what they did."""
    cond = summary.get("conditioning")
    if not cond:
        return ""
    rows = [
        (f["label"], f["path"], _pc(f["value_pct"]),
         "—" if f["sd_pp"] is None else f"{_num(f['sd_pp'])} pp",
         f"{_pc(f['model_mean_pct'])}（{_pc(f['model_p10_pct'])}–{_pc(f['model_p90_pct'])}）",
         f["note"])
        for f in cond["figures"]
    ]
    prior = cond.get("prior_p_target_met_pct")
    return "\n".join([
        "<h2>已公布数据 Published figures conditioned on</h2>",
        f"<p>按已公布数据条件化（每个数据视为模型累计增速的观测值，误差为其标准差）："
        f"达标概率由先验的 {_pc(prior)} 变为 {_pc(summary['p_target_met_pct'])}；有效样本量 "
        f"{cond['ess']:,.0f}（共 {cond['replications']:,} 次模拟）。 Conditioned on the "
        "figures (each an observation of the model's year-to-date growth with its sd): "
        f"P(target met) {_pc(prior)} under the prior, {_pc(summary['p_target_met_pct'])} given "
        f"the figures; effective sample size {cond['ess']:,.0f} of "
        f"{cond['replications']:,}.</p>",
        _table(["数据 figure", "键 key", "公布值 published", "标准差 sd",
                "模型（条件化后）均值与P10–P90 model given the figures", "说明 note"], rows,
               numeric=(2, 3)),
    ])


def _run_info_html(results: Results, summary: dict[str, Any]) -> str:
    sc = results.scenario
    rows = [
        ("情景 scenario", f"{sc.title} ({sc.name})"),
        ("种子 seed", str(summary["seed"])),
        ("模拟次数 replications", f"{summary['replications']:,}"),
        ("分块 chunk size", str(summary.get("chunk_size", ""))),
        ("lgsim 版本 version", str(summary.get("lgsim_version", ""))),
        ("判定规则 target rule", sc.target.rule(_)),
        ("重现 reproduce", f"python -m lgsim run scenario.resolved.toml -n "
                           f"{summary['replications']} --seed {summary['seed']}"
                           "（scenario.resolved.toml 在运行目录中 in the run directory）"),
    ]
    return "\n".join([
        "<h2>运行信息 Run</h2>",
        _table(["项目 item", "数值 value"], rows),
        "<p class=\"meta\">同一情景、种子、模拟次数与 lgsim 版本得到完全相同的结果。"
        " Same scenario, seed, replications and lgsim version give identical results.</p>",
    ])


def write_report(
    run_dir: str | Path, results: Results | None = None,
    figures: dict[str, Figure] | None = None, summary: dict[str, Any] | None = None,
) -> Path:
    """Write ``report.html`` into a run directory (atomically) and return its path.

    Parameters
    ----------
    run_dir : str or Path
        A directory written by ``lgsim run`` (holding ``results.nc`` and
        ``summary.json``).
    results : Results, optional
        The run already in memory (default: read from the directory with
        :func:`lgsim.outputs.rundir.load_run`, which refuses files of different runs).
    figures : dict, optional
        Charts already drawn for this run (default: :func:`lgsim.outputs.plots.run_figures`).
    summary : dict, optional
        The run's summary (default: ``results.summary()`` for a run in memory).

    Raises
    ------
    RunDirectoryError
        If the directory holds no ``results.nc`` or no ``summary.json``, one of them
        cannot be read, or they belong to different runs (message in one line).
    """
    run_dir = Path(run_dir)
    if results is None:
        results, summary = load_run(run_dir)
    elif summary is None:
        summary = results.summary()
    path = run_dir / REPORT_FILE
    write_text(path, run_html(results, summary, figures))
    return path


# ---------------------------------------------------------------------- comparison
def comparison_html(comparison: Comparison, figures: dict[str, Figure] | None = None) -> str:
    """The HTML report of a comparison (``comparison.html``), as text.

    Parameters
    ----------
    comparison : Comparison
        From :func:`lgsim.studies.compare.compare`.
    figures : dict, optional
        Charts to embed (default: :func:`lgsim.outputs.plots.compare.comparison_figures`).
    """
    c = comparison
    if figures is None:
        from .plots.compare import comparison_figures

        figures = comparison_figures(c)
    data = c.to_dict()
    rows = c.scenario_rows()
    body = [
        "<h1>情景比较 Scenario comparison</h1>",
        f'<p class="meta">{len(rows)} 个情景 · 目标年份 {c.target_year} · '
        f"每个情景模拟 {c.n:,} 次 · 共同种子 seed {c.seed} · "
        f"lgsim {escape(data['lgsim_version'])}</p>",
        _comparison_headlines(rows, c.target_year),
        f'<section class="note">{PRECISION_NOTE}{PAIRED_NOTE}</section>',
        "<h2>各情景结果 Results by scenario</h2>",
        _comparison_results_table(rows),
        "<h2>与 A 的差异 Differences to A（百分点 pp）</h2>",
        _comparison_differences_table(rows, c.differences),
        "<h2>图表 Charts</h2>",
        *(_figure_html(stem, fig) for stem, fig in figures.items()),
        "<h2>情景设定的差异 What differs from A</h2>",
        _comparison_changes(rows, data["changes"]),
        "<h2>运行信息 Run</h2>",
        _table(["", "情景 scenario", "文件 file", "判定规则 rule"],
               [(r["letter"], r["title"], r["file"], res.scenario.target.rule(_))
                for r, res in zip(rows, c.results, strict=True)]),
    ]
    return _page("情景比较 — lgsim", "\n".join(body))


#: What "paired" means, under the precision note of a comparison.
PAIRED_NOTE = (
    "<p>成对比较：所有情景使用同一种子和相同的模拟次数，第 i 次模拟中各情景共有的项目、行业和"
    "冲击抽到相同的随机数，因此差异只来自情景设定本身，其精度远高于把两个独立估计相减"
    "（“不成对”区间，仅作对照）。</p><p lang=\"en\">Paired: every scenario uses the same "
    "seed and replications, so replication i draws the same numbers for every shared "
    "entity and the difference comes from the scenario settings alone. The unpaired "
    "interval (two independent estimates) is shown for contrast.</p>"
)


def _comparison_headlines(rows: list[dict[str, Any]], year: int) -> str:
    html = ['<section class="headline">']
    for row in rows:
        summary = {"target_year": year, "target_growth_pct": to_pct(row["target_growth"]),
                   "p_target_met_pct": to_pct(row["p_target_met"]),
                   "p_target_met_ci_pct": [to_pct(x) for x in row["p_target_met_ci"]]}
        zh, en = headline_sentences(summary)
        html.append(f'<p class="zh">{escape(row["letter"])}　{escape(row["title"])}：'
                    f"{escape(zh)}</p>")
        html.append(f'<p class="en" lang="en">{escape(en)}</p>')
    html.append("</section>")
    return "\n".join(html)


def _comparison_results_table(rows: list[dict[str, Any]]) -> str:
    return _table(
        ["", "情景 scenario", "达标概率 P(met)", "模拟精度95%区间", "增速 P10", "P50",
         "P90", "有计划项目投资 P50 / 计划（亿元）"],
        [
            (r["letter"], f"{r['title']} ({r['label']})", _pct(r["p_target_met"]),
             f"{_pct(r['p_target_met_ci'][0])}–{_pct(r['p_target_met_ci'][1])}",
             _pct(r["growth_quantiles"]["p10"]), _pct(r["growth_quantiles"]["p50"]),
             _pct(r["growth_quantiles"]["p90"]),
             (f"{_num(r['listed_investment']['p50'], '.1f')} / "
              f"{_num(r['listed_investment']['plan'], '.1f')}")
             if r["listed_investment"] else "—")
            for r in rows
        ],
        numeric=(2, 3, 4, 5, 6, 7),
    )


def _range_pp(low: float, high: float, spec: str) -> str:
    return f"{_num(100 * low, spec)} ~ {_num(100 * high, spec)}"


def _comparison_differences_table(rows: list[dict[str, Any]], differences: Sequence[Any]) -> str:
    return _table(
        ["", "情景 scenario", "达标概率之差 ΔP(met)", "成对95%区间 paired",
         "不成对95%区间 unpaired (Newcombe)", "平均增速之差 Δgrowth", "成对95%区间 paired",
         "不成对95%区间 unpaired", "逐次增速之差 P10 / P50 / P90"],
        [
            (r["letter"], f"{r['title']} ({r['label']})",
             _num(100 * d.p_met_paired.estimate, "+.2f"),
             _range_pp(d.p_met_paired.low, d.p_met_paired.high, "+.2f"),
             _range_pp(d.p_met_unpaired.low, d.p_met_unpaired.high, "+.2f"),
             _num(100 * d.growth_paired.estimate, "+.3f"),
             _range_pp(d.growth_paired.low, d.growth_paired.high, "+.3f"),
             _range_pp(d.growth_unpaired.low, d.growth_unpaired.high, "+.3f"),
             " / ".join(_num(100 * d.growth_quantiles[k], "+.3f")
                        for k in ("p10", "p50", "p90")))
            for r, d in zip(rows[1:], differences, strict=True)
        ],
        numeric=(2, 3, 4, 5, 6, 7, 8),
    )


def _comparison_changes(rows: list[dict[str, Any]], changes: dict[str, Any]) -> str:
    html = []
    for r in rows[1:]:
        items = changes.get(r["label"], [])
        html.append(f"<h3>{escape(r['letter'])} {escape(r['title'])}</h3>")
        if items:
            html.append(_table(["键 key", "A", r["letter"]],
                               [(x["path"], x["reference"] or "（无 absent）",
                                 x["value"] or "（无 absent）") for x in items], css="src"))
        else:
            html.append("<p>与 A 的设定相同（不计名称）。 Same settings as A.</p>")
    return "\n".join(html)


# ---------------------------------------------------------------------- monthly track
def _release_zh(news: dict[str, Any]) -> str:
    """A release's label with its area's Chinese name (``track.json`` keeps the id).

    ``2022年1–2月 Longgang 固定资产投资`` reads ``2022年1–2月 龙岗区 固定资产投资`` on the
    page, as the rest of the page is Chinese first.
    """
    if "name" not in news:  # a track written before releases carried their parts
        return str(news["release"])
    return release_label(news["window"], news["area"], news["name"],
                         translations("zh").gettext)


def track_section(data: dict[str, Any], figures: dict[str, Figure] | None = None) -> str:
    """The report's section on a monthly track (``data``: :meth:`Track.to_dict`)."""
    months = [data["opening"], *data["months"]]
    heads = ["月份 month", "截至 as of", "达标概率 P(met)", "模拟精度 95%", "有效样本 ESS",
             "增速 P10 / P50 / P90", "说明 note"]
    rows = [(m["month"], m["as_of"], _pc(m["p_target_met_pct"]),
             f"{_pc(m['p_target_met_ci_pct'][0])}–{_pc(m['p_target_met_ci_pct'][1])}",
             f"{m['ess']:,.0f}",
             " / ".join(_pc(m["growth_quantiles_pct"][k]) for k in ("p10", "p50", "p90")),
             m["note"] or ("期初 before the first month" if k == 0 else ""))
            for k, m in enumerate(months)]
    target_rows = [(m["month"], t["name"], t["rule"],
                    "未建模 not modelled: " + t["reason"] if not t["modelled"]
                    else _pc(t["p_met_pct"])) for m in months for t in m["targets"]]
    news_rows = [(m["month"], n["order"], _release_zh(n), _pc(n["published_value_pct"]),
                  f"{n['d_p_met_pp']:+.2f}", f"{n['d_growth_mean_pp']:+.2f}")
                 for m in data["months"] for n in m["news"]]
    html = [
        "<h2>月度跟踪 Monthly tracker</h2>",
        f"<p>{escape(data['from'])} 至 {escape(data['to'])}：每月以当月月底前公布的全部数据为"
        f"条件重新估计达标概率，所有月份使用同一组模拟（{data['replications']:,} 次，种子 "
        f"{data['seed']}），相邻月份之差按数据逐项分解（{escape(data['news_order_note'])}）。"
        f" Every month uses the same replications; each month's change is split by release."
        "</p>",
        _table(heads, rows, numeric=(2, 3, 4)),
        *(_figure_html(stem, fig) for stem, fig in (figures or {}).items()),
        "<h3>新数据的影响 News (百分点 pp)</h3>",
        _table(["月份 month", "次序 order", "数据 release", "公布值 published",
                "ΔP(met)", "Δ平均增速 Δmean growth"], news_rows, numeric=(1, 3, 4, 5))
        if news_rows else "<p>期间没有新数据。 No release in the period.</p>",
        "<h3>分项目标 Targets by month</h3>",
        _table(["月份 month", "目标 target", "规则 rule", "达标概率 P(met)"], target_rows,
               numeric=(3,)),
        f"<p class=\"meta\">未使用的公布数据 {len(data['ignored'])} 条（原因见 track.json），"
        f"更早年份 {data['ignored_rows_of_earlier_years']} 条。 Published rows not used: "
        f"{len(data['ignored'])} of the simulated years, "
        f"{data['ignored_rows_of_earlier_years']} of earlier years.</p>",
    ]
    return "\n".join(html)


def track_html(track: Track, data: dict[str, Any] | None = None,
               figures: dict[str, Figure] | None = None) -> str:
    """A self-contained page with the tracker section and the scenario's sources."""
    data = data if data is not None else track.to_dict()
    sc = track.scenario
    body = [
        f"<h1>{escape(sc.title)}</h1>",
        f'<p class="meta">情景 scenario <code>{escape(sc.name)}</code> · 数据 data '
        f"<code>{escape(data['data'])}</code> · lgsim {escape(data['lgsim_version'])}</p>",
        f'<section class="note">{PRECISION_NOTE}</section>',
        track_section(data, figures),
        _sources_html(sc.sources),
    ]
    return _page(f"{sc.title} — 月度跟踪 — lgsim", "\n".join(body))
