"""Tests for the bundled CJK font (:mod:`lgsim.fonts`)."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from fontTools.ttLib import TTFont
from matplotlib import font_manager

if importlib.util.find_spec("lgsim") is None:  # pragma: no cover
    # Only needed while the package is not installed; harmless afterwards.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lgsim.fonts import FONT_FILENAME, cjk_font_path, register_cjk_font

#: Words the charts of the project use.
CHART_WORDS = (
    "龙岗区 地区生产总值增长 工业 批发和零售业 住宿和餐饮业 营利性服务业 "
    "非营利性服务业 农林牧渔业 交通运输仓储和邮政业 金融业 房地产业 建筑业 "
    "坂田 宝龙 平湖 园山 龙岗 坪地 布吉 南湾 横岗 龙城 吉华 目标 达成概率 "
    "亿元 百分点 中位数 累计投资 计划 开工 月 年 情景 基准 比较 分解 拉动"
)
SUB_DISTRICTS = "坂田 宝龙 平湖 园山 龙岗 坪地 布吉 南湾 横岗 龙城 吉华".split()
INDUSTRIES = (
    "工业 批发和零售业 住宿和餐饮业 营利性服务业 非营利性服务业 农林牧渔业 "
    "交通运输仓储和邮政业 金融业 房地产业 建筑业"
).split()
SYMBOLS = "0123456789 %‰±×÷–—−…·≤≥≈°¥ αβγδεσμΔΣΩ ，。：；（）【】、“”《》"


def _required_chars() -> set[str]:
    return {c for c in CHART_WORDS + SYMBOLS if not c.isspace()}


@pytest.fixture
def cjk_rc():
    """Register the font inside an rc context so other tests are unaffected."""
    with matplotlib.rc_context():
        family = register_cjk_font()
        yield family
    plt.close("all")


def test_font_file_is_shipped_and_small() -> None:
    path = cjk_font_path()
    assert path.name == FONT_FILENAME
    assert path.is_file()
    assert path.stat().st_size <= 3 * 1024 * 1024
    with path.open("rb") as fh:
        assert fh.read(4) in (b"OTTO", b"\x00\x01\x00\x00")  # not a .ttc
    assert (path.parent / "OFL.txt").is_file()


def test_font_cmap_covers_chart_text() -> None:
    font = TTFont(str(cjk_font_path()))
    name = font["name"]
    family = str(name.getDebugName(16) or name.getDebugName(1))
    assert "SC" in family.split()
    cmap = font.getBestCmap()
    missing = sorted(c for c in _required_chars() if ord(c) not in cmap)
    assert not missing, f"characters missing from the subset: {''.join(missing)}"
    # GB 2312 level-1 hanzi (rows 16-55) are all present.
    level1 = []
    for row in range(16, 56):
        for cell in range(1, 95):
            try:
                level1.append(bytes((0xA0 + row, 0xA0 + cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(level1) == 3755
    assert all(ord(c) in cmap for c in level1)


def test_register_is_idempotent(cjk_rc: str) -> None:
    family = cjk_rc
    assert "SC" in family.split()
    sans = list(matplotlib.rcParams["font.sans-serif"])
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert sans[:2] == [family, "DejaVu Sans"]
    n_entries = sum(Path(e.fname) == cjk_font_path() for e in font_manager.fontManager.ttflist)
    assert n_entries == 1

    assert register_cjk_font() == family
    assert list(matplotlib.rcParams["font.sans-serif"]) == sans
    assert (
        sum(Path(e.fname) == cjk_font_path() for e in font_manager.fontManager.ttflist) == n_entries
    )
    # The font has U+2212, so the Unicode minus stays enabled.
    assert matplotlib.rcParams["axes.unicode_minus"] is True

    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert font_manager.get_font(found).family_name == family


def _draw_chart(family: str) -> plt.Figure:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    x = range(len(SUB_DISTRICTS))
    ax1.bar(x, [5.1, -1.2, 6.3, 4.4, 7.0, 3.2, -0.5, 5.5, 4.1, 6.0, 2.2])
    ax1.set_xticks(list(x), SUB_DISTRICTS, rotation=45)
    ax1.set_title("龙岗区 地区生产总值增长 目标达成概率 72.5%")
    ax1.set_xlabel("街道（情景：基准）")
    ax1.set_ylabel("增长 / 百分点")
    y = range(len(INDUSTRIES))
    ax2.barh(y, [1.8, 0.6, 0.1, 0.9, 0.4, 0.05, 0.3, 0.7, -0.2, 0.25])
    ax2.set_yticks(list(y), INDUSTRIES)
    ax2.set_title("分解：拉动 百分点 比较 中位数")
    ax2.set_xlabel("累计投资 计划 开工 12月 2025年 亿元 ‰ ± × ÷ ≤ ≥ ≈ ° ¥ …")
    fig.suptitle(CHART_WORDS[:40] + " αβΔΣ – — −1.5")
    fig.supxlabel(SYMBOLS, fontsize=9)
    return fig


def test_chart_renders_without_missing_glyphs(cjk_rc: str, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = _draw_chart(cjk_rc)
        for ext in ("png", "svg", "pdf"):
            out = tmp_path / f"chart.{ext}"
            fig.savefig(out)
            assert out.stat().st_size > 1000
        plt.close(fig)


def test_missing_glyph_would_be_caught(cjk_rc: str, tmp_path: Path) -> None:
    """Sanity check of the test itself: a glyph absent from every font warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.set_title("\U0001f600 \u0e01")  # emoji and Thai: in neither font
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "missing.png")
        plt.close(fig)
