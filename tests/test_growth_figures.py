"""lgsim.data.growth_figures: the figures an evidence record reads, from both file shapes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lgsim.data.growth_figures import GrowthFigure, read_growth_figures

TIDY_HEAD = ("area,indicator,period,value,unit,kind,source_url,source_title,published,"
             "source_id,reliability,value_yi,note\n")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped():
    return read_growth_figures()


def test_shipped_areas_years_and_flags(shipped) -> None:
    assert shipped.areas() == ("Longgang", "Shenzhen")
    lg = shipped.annual("Longgang")
    assert sorted(lg) == [2005, 2010, *range(2012, 2021)]
    assert lg[2020].value == pytest.approx(0.011)
    assert lg[2016].lower_bound and not lg[2016].estimate  # "9.6%以上"
    assert lg[2019].estimate and not lg[2019].lower_bound  # "7.7%左右"
    sz = shipped.annual("Shenzhen")
    assert sorted(sz) == [2016, 2017, 2018, 2019, 2021]  # no 2020 figure in the file
    assert sz[2018].value == pytest.approx(0.075)  # the later of 7.6 (02-27) and 7.5 (02-28)
    assert sz[2019].value == pytest.approx(0.067)  # the bureau's figure over the preliminary 7.0


def test_shipped_year_to_date_targets_and_levels(shipped) -> None:
    ytd = {f.period: f.value for f in shipped.year_to_date("Longgang", 2020)}
    assert ytd == pytest.approx({"2020-06": 0.045, "2020-09": 0.052})
    assert shipped.targets[("Shenzhen", 2020)] == pytest.approx(0.065)
    assert shipped.levels[("Longgang", 2020)] == pytest.approx(4744.49)
    assert ("Longgang", 2019) not in shipped.targets


def test_a_figure_is_out_one_month_after_its_window() -> None:
    f = GrowthFigure("X", 2019, 6, 0.05)
    assert not f.available(2019, 6) and f.available(2019, 7) and f.available(2020, 1)
    year = GrowthFigure("X", 2018, 12, 0.05)
    assert year.available(2019, 1) and not year.available(2018, 12)


def test_annual_file_with_and_without_an_area_column(tmp_path) -> None:
    rows = "year,indicator,value,unit,status,source,url\n" + "".join(
        f"{y},gdp_real_growth,{v},%,final,s,u\n" for y, v in ((2018, 7.0), (2019, 6.0)))
    figs = read_growth_figures(_write(tmp_path, "futian.csv", rows))
    assert figs.areas() == ("futian",)
    assert figs.annual("futian")[2019].value == pytest.approx(0.06)
    with_area = ("area,year,indicator,value,unit,status,source,url\n"
                 "A,2019,gdp_real_growth,0.06,fraction,final,s,u\n"
                 "A,2019,gdp_real_growth_target,6.5,%,final,s,u\n"
                 "B,2019,gdp_real_growth,5,%,final,s,u\n")
    figs = read_growth_figures(_write(tmp_path, "two.csv", with_area))
    assert figs.areas() == ("A", "B")
    assert figs.annual("A")[2019].value == pytest.approx(0.06)
    assert figs.targets[("A", 2019)] == pytest.approx(0.065)


@pytest.mark.parametrize(("text", "expect"), [
    ("year,indicator,value,unit,status,source,url\n2019,gdp_real_growth,6,%,f,s,u\n"
     "2019,gdp_real_growth,7,%,f,s,u\n", "year 2019 indicator 'gdp_real_growth' appears more "
     "than once"),
    ("year,indicator,value,unit,status,source,url\n2019,gdp_real_growth,6.1,fraction,f,s,u\n",
     "expected a fraction (0.098 for 9.8%) as the unit 'fraction' says, found 6.1 — looks "
     "like percent"),
    (TIDY_HEAD + "X,gdp,2019-12,6.1,%,ytd_growth_pct,u,t,2020-01-01,S1,A,,\n"
     "X,gdp,2019-12,6.3,%,ytd_growth_pct,u,t,2020-01-01,S2,A,,\n",
     "expected one figure per period, kind and publication date, found 6.1"),
    (TIDY_HEAD + "X,gdp,2019-13,6.1,%,ytd_growth_pct,u,t,,S1,A,,\n", "expected a month 01–12"),
    ("a,b\n1,2\n", "expected the annual columns"),
    ("year,indicator,value,unit,status,source,url\n2019,gdp,100,亿元,f,s,u\n",
     "expected full-year growth figures of 'gdp', found none"),
])
def test_bad_files_get_one_line_naming_file_and_row(tmp_path, text, expect) -> None:
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(ValueError, match=r"bad\.csv") as info:
        read_growth_figures(path)
    message = str(info.value)
    assert expect in message and "\n" not in message


def test_tidy_vintages_and_a_second_file(tmp_path) -> None:
    tidy = _write(tmp_path, "t.csv", TIDY_HEAD
                  + "X,gdp,2019-12,6.0,%,prelim_growth_pct,u,t,2020-01-05,S1,A,,\n"
                  + "X,gdp,2019-12,6.2,%,ytd_growth_pct,u,t,2020-02-01,S2,B,,\n"
                  + "X,gdp,2019-12,6.3,%,ytd_growth_pct,u,t,2020-03-01,S3,B,,\n"
                  + "X,gdp,2019-12,6.3,%,ytd_growth_pct,u,t2,2020-03-01,S4,B,,\n"
                  + "X,gdp,2019-06,5.0,%,ytd_growth_pct,u,t,,S5,D,,\n"
                  + "X,gdp,2019-12,9000,亿元,level_yi,u,t,,S6,A,9000,\n")
    other = _write(tmp_path, "o.csv", TIDY_HEAD
                   + "X,gdp,2019-12,7.0,%,ytd_growth_pct,u,t,2020-04-01,S7,A,,\n")
    figs = read_growth_figures([tidy, other])
    assert figs.annual("X")[2019].value == pytest.approx(0.063)  # latest bureau vintage
    assert figs.year_to_date("X", 2019)[0].reliability == "D"
    assert figs.levels[("X", 2019)] == pytest.approx(9000)
    assert len(figs.notes) == 1 and "o.csv" in figs.notes[0] and "not used" in figs.notes[0]
    with pytest.raises(ValueError, match="areas: expected one of X, found 'Y'"):
        figs.only(["Y"])
