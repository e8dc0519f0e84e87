"""Chinese names and units of scenario keys, for the headers of a scenario workbook.

Each key keeps its name next to the Chinese label (a column maps back to a key); the
label only helps the reader. Units: 亿元 (100 million yuan), 公顷 (hectares), 月
(months); 比例 means a fraction (0.06 = 6%).
"""

from __future__ import annotations

import re

#: Unit words used in labels.
FRACTION = "比例，0.06 = 6%"
YI = "亿元"

#: Key -> (Chinese label, unit or ""), by table kind ("" for keys common to all kinds).
KEY_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "": {
        "id": ("编号", ""),
        "name": ("名称", ""),
    },
    "scenario": {
        "name": ("情景名称（运行目录名）", ""),
        "title": ("情景标题", ""),
        "base_year": ("基年", "年"),
        "target_year": ("目标年份", "年"),
        "end_year": ("模拟结束年份", "年"),
        "seed": ("随机种子", ""),
        "replications": ("模拟次数", "次"),
    },
    "target": {
        "gdp_growth": ("地区生产总值增长目标", FRACTION),
        "decimals": ("按公布口径保留的小数位数", "位"),
        "tolerance": ("容差（“左右”放宽的幅度）", FRACTION),
        "fai": ("固定资产投资目标（超过即达标）", YI),
        "fai_growth": ("固定资产投资增速目标", FRACTION),
        "industrial_fai": ("工业投资目标（超过即达标）", YI),
        "industrial_fai_growth": ("工业投资增速目标", FRACTION),
        "sectors": ("行业增长目标", FRACTION),
        "streets": ("街道增长目标", FRACTION),
    },
    "economy": {
        "gdp": ("基年地区生产总值", YI),
        "fai": ("基年固定资产投资", YI),
        "land_stock_ha": ("现有可供项目使用的土地", "公顷"),
        "fai_growth": ("固定资产投资自然增长率（不含所列项目，现价）", FRACTION),
        "fai_persistence": ("投资增速的持续性", ""),
        "fai_seasonality": ("固定资产投资各月权重", ""),
        "industrial_fai": ("基年工业投资（固定资产投资的一部分）", YI),
        "industrial_fai_growth": ("工业投资自然增长率（不含所列项目，现价）", FRACTION),
        "industrial_sectors": ("计入工业投资的行业", ""),
    },
    "io": {
        "table": ("投入产出表（nbs-2017 等或文件路径）", ""),
        "local_share": ("各轮中间投入在本区采购的比例", FRACTION),
        "direct_local_share": ("直接采购在本区的比例", FRACTION),
        "gfcf_share": ("投资中形成固定资本的比例（不含土地购置）", FRACTION),
    },
    "accounting": {
        "construction_share": ("建安工程占投资的比例", FRACTION),
        "construction_va_ratio": ("建筑业增加值率", FRACTION),
        "local_share": ("计入本区的增加值比例", FRACTION),
        "investment_deflator": ("投资价格指数（基年 = 1）", ""),
    },
    "correlation": {
        "default": ("行业增长之间的相关系数", ""),
        "sectors": ("相关矩阵的行业", ""),
        "matrix": ("相关矩阵", ""),
    },
    "actuals": {
        "ytd": ("已公布的累计增速", FRACTION),
        "sectors": ("已公布的行业累计增速", FRACTION),
        "fai": ("已公布的固定资产投资累计增速（现价）", FRACTION),
        "industrial_fai": ("已公布的工业投资累计增速（现价）", FRACTION),
        "revision_sd": ("已公布数据的默认标准差", FRACTION),
    },
    "sector": {
        "share": ("基年增加值占比", FRACTION),
        "growth": ("自然增长率", FRACTION),
        "persistence": ("年度增速的持续性", ""),
        "monthly_sd": ("月度波动（标准差）", FRACTION),
        "monthly_persistence": ("月度波动的持续性", ""),
        "seasonality": ("各月权重", ""),
        "va_ratio": ("增加值率", FRACTION),
        "output_per_investment": ("每亿元投资达产后的年产出", YI),
    },
    "street": {
        "share": ("份额（无街道数据时用于分摊）", FRACTION),
        "sector_shares": ("本街道占全区各行业增加值的比例", FRACTION),
    },
    "project": {
        "sector": ("所属行业", ""),
        "street": ("所在街道", ""),
        "total_investment": ("总投资", YI),
        "planned_start": ("计划开工日期", ""),
        "duration_months": ("建设工期", "月"),
        "first_year_plan": ("首年计划投资", YI),
        "plan_start": ("编制计划时的开工日期", ""),
        "plan_duration_months": ("编制计划时的工期", "月"),
        "start_delay_months": ("开工延迟", "月"),
        "drawdown": ("投资进度曲线", ""),
        "execution": ("投资执行率", FRACTION),
        "land_ha": ("用地", "公顷"),
        "annual_output": ("达产后年产出", YI),
        "ramp_months": ("达产爬坡期", "月"),
        "p_stall": ("停工概率", FRACTION),
        "additionality": ("增量系数", FRACTION),
    },
    "batch": {
        "count": ("项目个数", "个"),
        "sector_mix": ("行业构成（权重）", ""),
        "street_mix": ("街道构成（权重）", ""),
        "size_concentration": ("规模集中度参数", ""),
        "delay_correlation": ("延迟的相关性", ""),
    },
    "pipeline": {
        "probability": ("落地概率", FRACTION),
        "signed": ("签约日期", ""),
        "land_delay_months": ("签约到落地", "月"),
    },
    "land": {
        "hectares": ("整备面积", "公顷"),
        "by": ("完成期限", ""),
        "start": ("开始日期", ""),
        "delivered": ("按期完成的比例", FRACTION),
    },
    "shock": {
        "window": ("可能发生的时间窗口", ""),
        "duration_months": ("持续时间", "月"),
        "impact": ("对行业产出的影响", FRACTION),
        "probability": ("发生概率", FRACTION),
        "pauses_projects": ("是否暂停施工", ""),
    },
}

#: Parameters of the distribution tables.
DIST_LABELS: dict[str, str] = {
    "dist": "分布类型", "mean": "均值", "sd": "标准差", "median": "中位数",
    "sigma": "对数标准差", "low": "最小值", "mode": "最可能值", "high": "最大值",
    "a": "参数a", "b": "参数b", "values": "取值", "min": "截断下限", "max": "截断上限",
}

def key_label(kind: str, key: str, names: dict[str, str] | None = None, *,
              unit: bool = True) -> str:
    """Chinese label of a flattened key, e.g. ``growth.mean`` → ``自然增长率 · 均值（比例…）``.

    Parameters
    ----------
    kind : str
        The table kind (``sector``, ``batch``, ``scenario``...).
    key : str
        The key inside the table, flattened (``growth.mean``, ``window[0]``,
        ``sector_mix.industry``).
    names : dict, optional
        Sector and street ids to their names (``sector_mix.industry`` → ``· 工业``).
    unit : bool
        Append the unit in full-width brackets.
    """
    names = names or {}
    head = re.split(r"[.\[]", key, maxsplit=1)[0]
    table = {**KEY_LABELS[""], **KEY_LABELS.get("project", {})} if kind in (
        "batch", "pipeline") else KEY_LABELS[""]
    table = {**table, **KEY_LABELS.get(kind, {})}
    label, what = table.get(head, (head, ""))
    parts = [label]
    for piece in re.findall(r"\.([^.\[]+)|\[(\d+)\]", key[len(head):]):
        word, index = piece
        if index:
            k = int(index) + 1
            parts.append(f"{k}月" if head == "seasonality" else f"第{k}项")
        elif word in DIST_LABELS:
            parts.append(DIST_LABELS[word])
            if word in ("dist", "a", "b"):
                what = ""
        else:
            parts.append(names.get(word.strip('"'), word.strip('"')))
    text = " · ".join(parts)
    return f"{text}（{what}）" if what and unit else text
