"""The report carries its own font: Chinese renders with no system font (headless Chromium).

``report.html`` embeds the bundled Noto Sans SC cut down to the page's characters. The
browser test asks Chromium, through the DevTools protocol, which font it drew the Chinese
headline with (``CSS.getPlatformFontsForNode``): it must be the embedded web font. On a
machine with no CJK system font (``fc-list :lang=zh`` empty, as on CI) the same page
without the embedded font falls back to a font that is not a web font, so the check is
meaningful. Set ``LGSIM_SCREENSHOT=path.png`` to keep the screenshot.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import lgsim
from lgsim.outputs.report import EMBEDDED_FAMILY, html_text, run_html, write_report
from lgsim.outputs.rundir import write_run

from browser import Chromium, find_chromium

_FACE = re.compile(r'@font-face\{font-family:"([^"]+)";src:url\(data:font/woff;base64,'
                   r'([A-Za-z0-9+/=]+)\)')


@pytest.fixture(scope="module")
def report(tmp_path_factory, small_results):
    out = tmp_path_factory.mktemp("report")
    write_run(small_results, out)
    return write_report(out, small_results, figures={})


@pytest.fixture(scope="module")
def small_results():
    base = lgsim.load_scenario(Path(__file__).resolve().parents[1] / "scenarios/base.toml")
    return lgsim.run(base, replications=200, workers=1)


def _cjk(text: str) -> set[str]:
    return {c for c in text if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"}


def test_the_page_embeds_a_font_with_every_chinese_character_it_shows(small_results):
    from fontTools.ttLib import TTFont

    page = run_html(small_results, figures={})
    match = _FACE.search(page)
    assert match and match.group(1) == EMBEDDED_FAMILY
    font = TTFont(io.BytesIO(base64.b64decode(match.group(2))))
    cmap = set(map(chr, font.getBestCmap()))
    shown = _cjk(html_text(page))
    assert len(shown) > 100
    assert shown <= cmap
    # subset to the page: far smaller than the 1.9 MB bundled font
    assert len(match.group(2)) < 400_000
    assert re.search(r'body\{font-family:"lgsim Noto Sans SC",', page)


def _system_cjk_fonts() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.slow
def test_chromium_draws_the_chinese_text_with_the_embedded_font(report, tmp_path):
    binary = find_chromium()
    if binary is None:
        pytest.skip("no Chromium installed (Debian: apt-get install -y chromium)")
    plain = tmp_path / "no-font.html"
    plain.write_text(_FACE.sub("@font-face{font-family:\"none\";src:url(data:,x)",
                               report.read_text(encoding="utf-8")), encoding="utf-8")
    with Chromium(binary) as browser:
        browser.open(report)
        for selector in (".headline .zh", "h1", "table td"):
            fonts = browser.fonts_of(selector)
            assert fonts and all(f["isCustomFont"] for f in fonts), (selector, fonts)
            assert sum(f["glyphCount"] for f in fonts) > 5
        shot = browser.screenshot(tmp_path / "report.png")
        if os.environ.get("LGSIM_SCREENSHOT"):
            shutil.copy(shot, os.environ["LGSIM_SCREENSHOT"])
    assert shot.stat().st_size > 10_000
    if _system_cjk_fonts():
        return  # a CJK system font exists: the control below would not show anything
    with Chromium(binary) as browser:
        browser.open(plain)
        fonts = browser.fonts_of(".headline .zh")
        assert not any(f["isCustomFont"] for f in fonts), fonts
