"""Generate the analysts' notebooks (outputs stripped) from this script.

生成分析用的 Jupyter 笔记本（不含输出）。修改笔记本请改本脚本后重新运行：
Edit this script, not the notebooks, then run:

    python notebooks/build_notebooks.py

The notebooks read their replication count from ``LGSIM_REPLICATIONS`` when it is set
(the test suite uses 200), else use the full count.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
# 环境设置 / Setup
# 找到仓库根目录（笔记本可从 notebooks/ 或根目录运行），未安装 lgsim 时也能导入。
# Find the repository root (run from notebooks/ or the root); import lgsim without installing.
%matplotlib inline
import sys
from pathlib import Path

ROOT = Path.cwd()
while not (ROOT / "scenarios" / "base.toml").exists() and ROOT != ROOT.parent:
    ROOT = ROOT.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lgsim  # noqa: E402  (after the path set-up above)
from lgsim.outputs import plots  # noqa: E402
from lgsim.studies import whatif  # noqa: E402

# 模拟次数：设置了环境变量 LGSIM_REPLICATIONS 时用它（测试用 200），否则用 2000。
# Replications: $LGSIM_REPLICATIONS when set (the tests use 200), else 2000.
N = whatif.replications_from_env(2000)
BASE = ROOT / "scenarios" / "base.toml"
print(f"lgsim {lgsim.__version__}: {N:,} replications per run; scenario {BASE.name}")'''


def md(text: str) -> nbformat.NotebookNode:
    """A markdown cell."""
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    """A code cell (no outputs)."""
    return new_code_cell(text.strip("\n"))


# ---------------------------------------------------------------------- 01
def base_case() -> list[nbformat.NotebookNode]:
    """01: run the base case; headline, fan chart, distribution, contributions."""
    return [
        md("""
# 01 基准情景 · Base case

**问题 / Question:** 按当前假设，今年完成GDP增长目标的概率有多大？增长从哪里来？
How likely is this year's GDP growth target under the base assumptions, and where does
the growth come from?

步骤 / Steps: 读入情景文件 → 运行蒙特卡洛模拟 → 看概率、扇形图、增长分布、各行业拉动。
Load the scenario file → run the Monte Carlo → probability, fan chart, distribution,
contributions by sector.
"""),
        code(SETUP),
        md("""
## 读入情景 · Load the scenario

情景文件（TOML）里每个数字都注明了来源或假设（`[sources]`）。
Every number in the scenario file has a source or a stated assumption (`[sources]`).
"""),
        code('''
s = lgsim.load_scenario(BASE)
print(s.title)
print(f"目标 target: {100 * s.target.gdp_growth:.1f}% — {s.target.rule()}")
print(f"{len(s.sectors)} sectors, {len(s.batches)} batches, {len(s.pipelines)} pipeline, "
      f"{len(s.shocks)} shocks")
'''),
        md("""
## 运行 · Run

`lgsim.run` 返回结果对象；在笔记本里直接显示摘要：达标概率及其95%模拟精度区间、增长分位数、
判定规则、随机种子。区间只反映模拟次数带来的精度，不包括假设本身的不确定性。
`lgsim.run` returns a `Results` object; a notebook shows its summary: P(target met) with
its 95% simulation-precision interval, growth quantiles, the rule and the seed. The
interval is simulation precision only, not uncertainty in the assumptions.
"""),
        code("r = lgsim.run(s, replications=N)\nr"),
        md("""
## 扇形图与增长分布 · Fan chart and growth distribution

累计增速（1–M月）的分布随月份展开；红线为目标。
Year-to-date growth fans out over the months; the red line is the target.
"""),
        code("plots.fan_chart(r)"),
        code("plots.growth_distribution(r)"),
        md("""
## 各行业拉动 · Contributions by sector

拉动（百分点）之和等于GDP增速。表中 mean / P10 / P50 / P90 为各次模拟的统计量。
Contributions (percentage points) add up to GDP growth; mean / P10 / P50 / P90 over
replications.
"""),
        code('r.contributions("sector").round(2)'),
        code('plots.contributions_chart(r, by="sector")'),
        md("""
## 项目与冲击 · Projects and shocks

按组成部分分解：各行业自然增长、各批项目、待落地项目、各冲击。
By component: organic growth of each sector, each batch, pipeline entries, each shock.
"""),
        code('r.contributions("component").round(3)'),
        code("r.investment_vs_plan().round(1)"),
    ]


# ---------------------------------------------------------------------- 02
def what_if() -> list[nbformat.NotebookNode]:
    """02: what-ifs side by side on common random numbers."""
    return [
        md("""
# 02 情景假设分析 · What if …

分析员最常问的问题：第三批项目晚三个月开工会怎样？下半年不再封控呢？土地整备提前完成呢？
再落地一个10亿元项目呢？投资自然增长更快、本地配套更多、项目全部为新增呢？
The analysts' daily questions: the batch starts three months late; no further lockdown;
land comes early; one more 10亿 project lands; organic investment grows faster; more of
the supply chain is local; every yuan of the batches is additional.

每个情景给出两个目标的变化：GDP增长目标（约6%）和固定资产投资目标（超1400亿元）。
Each what-if is judged against both targets: GDP growth (about 6%) and district FAI
(over 1,400亿).

所有情景用**同一随机种子**（共同随机数）：每次模拟中各情景共享的部分“运气”相同，
差异是逐次配对比较的，比两个独立估计精确得多。
All scenarios run on the **same seed** (common random numbers): every replication gives
each scenario the same luck for what they share, so differences are paired and far more
precise than two independent estimates.
"""),
        code(SETUP),
        code("s = lgsim.load_scenario(BASE)"),
        md("""
## 定义情景 · Define the what-ifs

用键路径修改情景（与情景文件、报错信息同一语法），结果与读文件一样经过校验。
Change a scenario by key path (the same syntax as files and messages); the result is
validated like a file.
"""),
        code('''
# 第三批项目全部推迟3个月开工 / the whole batch starts 3 months late
late = whatif.variant(s, "batch3-late-3m",
                      {"batch[sz-2022-batch3].start_delay_months": 3.0},
                      title="第三批项目推迟3个月开工")

# 下半年不再封控 / no further lockdown this year
calm = whatif.variant(whatif.remove(s, "shock[lockdown-risk]"), "no-lockdown",
                      title="下半年不再封控")

# 土地整备9月底前全部完成 / the land task is delivered in full by the end of September
land = whatif.variant(s, "land-early",
                      {"land[consolidation-2022].by": "2022-09-30",
                       "land[consolidation-2022].delivered": 1.0},
                      title="土地整备提前完成")

# 再落地一个10亿元工业项目 / one more 10亿 industrial project
NEW_PROJECT = {
    "id": "new-10yi",
    "name": "新增10亿元工业项目",
    "sector": "industry",
    "total_investment": 10.0,            # 亿元
    "planned_start": "2022-07-01",
    "start_delay_months": {"dist": "lognormal", "median": 1.0, "sigma": 0.5},
    "duration_months": {"dist": "pert", "low": 12, "mode": 18, "high": 24},
}
more = whatif.variant(
    whatif.add_project(s, NEW_PROJECT, source="assumption: what-if — one more 10亿 project"),
    "plus-10yi", title="新增一个10亿元项目")

# 投资自然增长率均值提高3个百分点 / organic FAI growth 3 pp faster on average
fai_up = whatif.variant(s, "fai-growth-up", {"economy.fai_growth.mean": 0.08},
                        title="投资自然增长率提高3个百分点")

# 本地配套：一半的中间投入在区内采购 / half of each supply-chain round bought locally
local = whatif.variant(s, "local-half", {"io.local_share": 0.5}, title="本地采购比例50%")

# 两批项目的支出全部为新增 / every yuan the two batches spend is additional
additional = whatif.variant(s, "all-additional",
                            {"batch[sz-2022-batch3].additionality": 1.0,
                             "batch[q2-2022-starts].additionality": 1.0},
                            title="项目支出全部为新增")

scenarios = [s, late, calm, land, more, fai_up, local, additional]
[(x.name, x.title) for x in scenarios]
'''),
        md("""
## 并排比较 · Side by side

第一个情景为参照；差值为配对估计（同一次模拟内相减）及其95%模拟精度区间。
The first scenario is the reference; differences are paired (within each replication)
with 95% simulation-precision intervals.
"""),
        code('''
c = lgsim.compare(scenarios, replications=N)
print(c.to_text())
'''),
        code('''
# 列名带单位：_pct 为百分数，_pp 为百分点 / names carry their unit: _pct percent, _pp points
cols = ["scenario", "title", "p_met_pct", "d_p_met_pp", "d_p_met_paired_low_pp",
        "d_p_met_paired_high_pp", "d_growth_mean_pp", "d_p_fai_met_pp",
        "d_p_fai_met_paired_low_pp", "d_p_fai_met_paired_high_pp", "d_fai_mean_yi_yuan"]
c.table()[cols].round(3)
'''),
        code('figures = plots.comparison_figures(c)\nfigures["compare_distribution"]'),
        code('figures["compare_growth_difference"]'),
        md("""
## 一个项目为什么几乎不改变GDP达标概率 · Why one project barely moves P(met)

一个项目先改变的是增速本身；达标概率只在增速恰好落在目标线附近的那些模拟中才会变化。
所以预期的概率变化约等于“增速变化 × 目标线附近的增速密度”。下面用本次模拟的数字说明。
A project first moves growth itself; P(met) changes only in replications whose growth
sits right at the target line, so the expected change is about Δgrowth × the density of
growth at the line. The numbers of this run:
"""),
        code('''
d = c.differences[scenarios.index(more) - 1]
half = 100 * (d.p_met_paired.high - d.p_met_paired.low) / 2
print("新增10亿元项目 / one more 10亿 project:")
print(f"  平均增速变化 Δgrowth {100 * d.growth_paired.estimate:+.4f} pp "
      f"(配对95% {100 * d.growth_paired.low:+.4f} 至 {100 * d.growth_paired.high:+.4f})")
print(f"  目标线附近的增速密度 density at the threshold {d.density_per_pp:.3f} /pp")
print(f"  预期 ΔP(met) ≈ {d.expected_dp_pp():+.5f} pp；配对估计 "
      f"{100 * d.p_met_paired.estimate:+.5f} pp，模拟精度 ±{half:.5f} pp："
      + ("低于模拟精度，无法与零区分" if d.below_precision() else "可以检测到"))
fai = d.investment_paired["fai"]
print(f"  固定资产投资达标概率 ΔP(FAI ≥ 1,400亿) {100 * fai.estimate:+.2f} pp "
      f"(配对95% {100 * fai.low:+.2f} 至 {100 * fai.high:+.2f})；"
      f"全年投资 {d.fai_paired.estimate:+.1f}亿元")
'''),
        md("""
**读法 / Reading.** 一个10亿元项目当年只形成少量投资，其增加值（直接＋本地供应链）相对全区
GDP很小，而且在已公布数据下达标概率本身很低、目标线附近的模拟很少，所以GDP达标概率只变化
约“增速变化 × 密度”那么多：条件蒙特卡洛（见 docs/performance.md）使这样小的配对差值也能测出，
但它在决策上可以忽略；这个项目直接计入固定资产投资，对投资目标的影响大得多。封控风险和工业增速
才是GDP目标的关键（见 03 敏感性分析）。
One 10亿 project spends little this year, its value added (direct plus the local supply
chain) is small against district GDP, and given the published figures few replications
sit near the GDP target line, so P(met) moves by about Δgrowth × density: conditional
Monte Carlo makes even so small a paired difference measurable, but it does not matter
for a decision; the project counts in full towards district FAI, where its effect is far
larger. Lockdown risk and industry growth decide the GDP target (see 03).
"""),
    ]


# ---------------------------------------------------------------------- 03
def sensitivity() -> list[nbformat.NotebookNode]:
    """03: tornado, the check by removing uncertainty, Morris and Sobol."""
    return [
        md("""
# 03 敏感性分析 · Which of our levers matters most?

**不确定输入**：情景中所有非固定的分布（按键路径），以及概率在0和1之间的事件
（冲击是否发生、待落地项目是否落地）。
**Uncertain inputs:** every non-fixed distribution of the scenario (by key path) and
every event whose probability is strictly between 0 and 1.

* **龙卷风图 / Tornado:** 每个输入依次固定在其P10和P90，其余照常随机，所有运行用同一种子。
  Each input fixed at its P10, then its P90, the rest random, all on one seed.
* **全局指数 / Global indices (SALib):** Morris（筛选）和 Sobol（方差分解）。每个样本点把所有
  输入固定在某个分位数，模型自身的随机性用一小组固定的模拟次数平均（共同随机数）。
  Morris (screening) and Sobol (variance decomposition); each sample point fixes every
  input at a quantile and averages the simulator's own randomness over a small fixed set
  of replications on common random numbers.
"""),
        code(SETUP),
        code('''
import pandas as pd

from lgsim.studies import sensitivity

s = lgsim.load_scenario(BASE)
inputs = sensitivity.uncertain_inputs(s)
pd.DataFrame([{"path": i.path, "label": i.label, "kind": i.kind, "unit": i.unit,
               "distribution": i.describe(), "P10": i.value_at(0.1), "P90": i.value_at(0.9)}
              for i in inputs])
'''),
        md("""
## 龙卷风图 · Tornado

按达标概率的摆幅排序（百分点）；同时给出增长率中位数的摆幅。
Ranked by the swing of P(target met) (pp); the swing of median growth alongside.
"""),
        code('''
tornado = sensitivity.tornado(s, replications=N)
print(tornado.to_text(top=10))
'''),
        code("plots.sensitivity_chart(tornado)"),
        code('plots.sensitivity_chart(tornado, output="growth_p50")'),
        md("""
## 检验排序 · Check the ranking

把排名第一和第二的输入的不确定性去掉（固定在中位数），看哪一个让结果变化更大：
排名第一的应当使增长分布收窄最多、达标概率变化最大。
Remove the uncertainty of the first- and second-ranked inputs (fix them at their
median): the top one should narrow the growth distribution most and move P(met) most.
"""),
        code('''
import numpy as np

top, second = tornado.table["path"].iloc[0], tornado.table["path"].iloc[1]
checks = [s, sensitivity.fixed_at(s, top), sensitivity.fixed_at(s, second)]
rows = []
for name, o in zip(["base", f"fix {top}", f"fix {second}"],
                   whatif.outcomes(checks, replications=N, seed=tornado.seed), strict=True):
    q = (lgsim.analysis.weighted_quantile(o.growth, np.array([0.1, 0.9]), o.weights)
         if o.weights is not None else np.quantile(o.growth, [0.1, 0.9]))
    q10, q90 = q
    rows.append({"variant": name, "P(met)": o.p_met.estimate,
                 "growth P10–P90 (pp)": 100 * (q90 - q10)})
pd.DataFrame(rows).round(4)
'''),
        md("""
## 全局敏感性 · Global indices

成本 / Cost: Morris `r(K+1)` 个样本点，Sobol `N(K+2)` 个样本点，每点 `R` 次模拟。
K 为输入个数。快速模式（测试）下用较少的点。
Morris evaluates `r(K+1)` points, Sobol `N(K+2)`, each with `R` replications; K inputs.
Quick mode (tests) uses fewer points.
"""),
        code('''
QUICK = N < 1000                     # 测试时的快速模式 / quick mode under test
R = 10 if QUICK else 20              # 每个样本点的模拟次数 / replications per point
morris = sensitivity.morris(s, replications=R, trajectories=4 if QUICK else 10)
print(morris.to_text(top=10))
'''),
        code("plots.sensitivity_chart(morris)"),
        code('''
# Sobol：只对龙卷风图前6个输入 / only the tornado's top six inputs
params = list(tornado.table["path"].iloc[:6])
sobol = sensitivity.sobol(s, params=params, replications=R, samples=16 if QUICK else 64)
print(sobol.to_text())
'''),
        code("plots.sensitivity_chart(sobol)"),
        md("""
**注意 / Caveats.** 全局方法把各输入当作相互独立（情景中的行业增速相关性未体现）；
指数描述的是“给定输入时的达标概率”在输入范围内的方差，模型剩余随机性的份额不在其中。
The global methods treat inputs as independent (the sectors' growth correlation is not
represented); the indices decompose the variance of P(met | inputs) over the inputs'
ranges, not the share of the residual randomness.
"""),
    ]


# ---------------------------------------------------------------------- 04
def target_seeking() -> list[nbformat.NotebookNode]:
    """04: what would it take to reach an 80% chance?"""
    return [
        md("""
# 04 目标倒推 · What would it take to get to an 80% chance?

选一个“杠杆”（情景中的一个数，按键路径），求使达标概率达到要求水平的取值。
Pick one lever (a number in the scenario, by key path) and find the value at which
P(target met) reaches the requested level.

方法 / Method: 每次评估用同一种子（共同随机数），达标概率用条件蒙特卡洛估计，随杠杆平滑变化；
先在网格上检查单调性，再二分求解；取值的不确定性由概率的95%区间反推（上、下界与要求概率相交处），
并计入二分的最后区间。
Common random numbers at every evaluation and P(met) by conditional Monte Carlo, so the
probability moves smoothly with the lever; a grid checks monotonicity; bisection finds the
value; its uncertainty inverts the probability's 95% interval (where the upper / lower
bounds cross the requested probability) and takes in bisection's last bracket.
"""),
        code(SETUP),
        code("from lgsim.studies.solve import solve\n\n"
             "s = lgsim.load_scenario(BASE)\n"
             "prior = lgsim.load_scenario(ROOT / 'scenarios' / 'base-unconditioned.toml')"),
        md("""
## 已公布数据下，多高的目标有80%把握？ · Which target is 80% sure, given the figures?

杠杆：增长目标本身（小数，0.06 = 6%），按同一判定规则（保留一位小数）。已公布的一季度、
1–2月数据之后，这是决策者最直接的问题。
Lever: the growth target itself (a fraction), judged by the same rule (one decimal).
After the published Q1 and Jan–Feb figures this is the decision maker's first question.
"""),
        code('''
# 搜索范围：目标 0%–6% / search the target over 0%–6%
sol_target = solve(s, "target.gdp_growth", probability=0.8, bounds=(0.0, 0.06),
                   replications=N)
sol_target
'''),
        code("plots.solution_chart(sol_target)"),
        md("""
## 数据公布之前：工业增速要多高？ · Before the figures: how fast must industry grow?

杠杆：工业增长率分布的均值（小数，0.05 = 5%），在不含已公布数据的情景中（2022年初的视角）。
Lever: the mean of industry's growth distribution (a fraction, 0.05 = 5%), in the
scenario without the published figures (the view from the start of 2022).
"""),
        code('''
# 搜索范围：均值 0%–25% / search the mean over 0%–25%
sol = solve(prior, "sector[industry].growth.mean", probability=0.8, bounds=(0.0, 0.25),
            replications=N)
print(sol.to_text())
'''),
        md("""
## 若下半年不再封控 · If there is no further lockdown

同一问题，在“不再封控”的情景下。
The same question in the no-further-lockdown what-if.
"""),
        code('''
calm = whatif.variant(whatif.remove(prior, "shock[lockdown-risk]"), "no-lockdown",
                      title="下半年不再封控")
sol_calm = solve(calm, "sector[industry].growth.mean", probability=0.8, bounds=(0.0, 0.25),
                 replications=N)
print(sol_calm.to_text())
'''),
        md("""
## 达不到时如实报告 · Honest "not reachable"

第三批项目提前或推迟开工（杠杆替换其延迟分布为固定值，0–12个月）能否把概率推到50%？
Can the batch's start (the lever replaces its delay distribution by a fixed value, 0–12
months) move the probability to 50%?
"""),
        code('''
sol_delay = solve(s, "batch[sz-2022-batch3].start_delay_months", probability=0.5,
                  bounds=(0.0, 12.0), replications=N, grid=5)
print(sol_delay.to_text())
'''),
        md("""
## 结论 · The answer

四个问题的答案，一句话各一条（区间是模拟精度，不是假设的不确定性）。
The four answers, one sentence each (ranges are simulation precision, not uncertainty in
the assumptions).
"""),
        code('''
def answer(sol, what, unit):
    """One sentence in Chinese and English from a target-seeking result."""
    goal = f"{sol.probability:.0%}"
    if sol.status == "solved":
        lo = "—" if sol.low is None else unit(sol.low)
        hi = "—" if sol.high is None else unit(sol.high)
        return (f"要使达标概率达到{goal}，{what}需约 {unit(sol.value)}"
                f"（模拟精度范围 {lo} 至 {hi}）。"
                f"\\n  To reach {goal}: {sol.lever} = {unit(sol.value)} (precision {lo} to {hi}).")
    if sol.status == "already reached":
        return (f"{what}取搜索范围内任何值，达标概率都已达到{goal}。"
                f"\\n  Already reached: every value of {sol.lever} in range gives {goal}.")
    lo, hi = sol.bounds
    return (f"{what}在 {unit(lo)} 至 {unit(hi)} 之间变化，达标概率都达不到{goal}。"
            f"\\n  Not reachable: {sol.lever} within {unit(lo)} to {unit(hi)} never gives {goal}.")


def percent(x):
    return f"{100 * x:.2f}%"


def months(x):
    return f"{x:.1f} 个月 (months)"


print(answer(sol_target, "已公布数据下，增长目标", percent))
print(answer(sol, "数据公布之前，工业自然增长率的均值", percent))
print(answer(sol_calm, "若下半年不再封控，工业自然增长率的均值", percent))
print(answer(sol_delay, "第三批项目的开工延迟", months))
'''),
    ]


NOTEBOOKS = {
    "01_base_case.ipynb": base_case,
    "02_what_if.ipynb": what_if,
    "03_sensitivity.ipynb": sensitivity,
    "04_target_seeking.ipynb": target_seeking,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` (outputs stripped)."""
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{k:02d}"  # stable ids: reproducible files
    nbformat.validate(nb)
    return nb


def main(out: Path = HERE) -> list[Path]:
    """Write every notebook into ``out``; return the paths."""
    paths = []
    for name in NOTEBOOKS:
        path = out / name
        nbformat.write(build(name), str(path))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in main():
        print(f"wrote {p}")
