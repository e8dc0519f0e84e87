"""The published-indicators loader: rows, vintages, release lags, as_of, bad data.

``as_of(date)`` must never return a figure published after the date: a property test
over random dates (and random files) checks it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgsim.data.published import (
    DataError,
    load_published,
    parse_kind,
    parse_period_text,
    qualifier,
    release_date,
)

HEADER = "area,indicator,period,value,unit,kind,source_title,published,reliability,note\n"
SHIPPED = load_published()


def _write(tmp_path: Path, rows: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_the_shipped_file_loads_with_its_2022_releases():
    assert len(SHIPPED.figures) == 319
    by = {(f.area, f.indicator, f.period, f.measure): f for f in SHIPPED.as_of(
        dt.date(2022, 6, 30)) if f.year == 2022}
    industry = by[("Longgang", "industrial_va_above_scale", "2022-02", "growth")]
    assert industry.value == -0.07 and industry.window == "2022年1–2月"
    assert industry.published is None and industry.known_on() == dt.date(2022, 3, 31)
    assert industry.price == "real"
    assert by[("Longgang", "retail_sales", "2022-02", "growth")].price == "nominal"
    q1 = by[("Shenzhen", "gdp", "2022-03", "growth")]
    assert q1.value == 0.02 and q1.reliability == "A"  # two sources agree: the better one
    # levels are converted to 亿元
    assert by[("Shenzhen", "gdp", "2022-03", "level")].value == pytest.approx(7064.61)


def test_release_lag_of_undated_rows():
    assert release_date(2022, 2, 1) == dt.date(2022, 3, 31)
    assert release_date(2022, 12, 1) == dt.date(2023, 1, 31)
    services = next(f for f in SHIPPED.figures
                    if f.indicator == "services_above_scale_revenue" and f.measure == "growth"
                    and f.vintage == "final" and f.period == "2021-04")
    assert services.known_on() == dt.date(2021, 6, 30)  # published a month behind (错月)
    assert services.known_on({"services_above_scale_revenue": 1}) == dt.date(2021, 5, 31)


def test_periods_kinds_and_qualifiers():
    assert parse_period_text("2022-02") == (2022, 2)
    assert parse_period_text("2022-Q1") == (2022, 3)
    assert parse_period_text("2022-H1") == (2022, 6)
    assert parse_period_text("2022") == (2022, 12)
    assert parse_period_text("2022年1-5月") == (2022, 5)
    assert parse_period_text("2022年1–2月") == (2022, 2)
    assert parse_period_text("2022年前三季度") == (2022, 9)
    assert parse_period_text(dt.date(2022, 2, 1)) == (2022, 2)  # Excel turns 2022-02 into a date
    for bad in ("2022-13", "Feb 2022", "2022-Q5", "", "22-02"):
        assert parse_period_text(bad) is None
    assert parse_kind("ytd_growth_pct") == ("final", "ytd", "growth")
    assert parse_kind("month_growth_pct") == ("final", "month", "growth")
    assert parse_kind("prelim_level_yi") == ("prelim", "ytd", "level")
    assert parse_kind("ytd_2yr_avg_growth_pct") == ("final", "ytd", "two_year_average")
    assert parse_kind("当月增速") == ("final", "month", "growth")
    assert parse_kind("level_pct") is None and parse_kind("quarterly_growth") is None
    assert qualifier("左右 (about)") == "about"
    assert qualifier("超过 (more than)") == "more_than"
    assert qualifier("以上 (at least)") == "at_least"
    assert qualifier("规模以上工业") == ""  # 规模以上 is "above-size", not a bound


def test_january_and_february_come_together(tmp_path):
    t = load_published(_write(tmp_path, (
        "Longgang,industrial_va_above_scale,2022-02,-7.0,%,month_growth_pct,t,2022-03-20,A,\n"
        "Longgang,industrial_va_above_scale,2022-05,3.0,%,month_growth_pct,t,2022-06-20,A,\n"
        "Longgang,gdp,2022-06,4.0,%,month_growth_pct,t,2022-07-20,A,\n"
        "Longgang,gdp,2022-06,3.0,%,ytd_growth_pct,t,2022-07-20,A,\n")))
    feb, may, q2, h1 = t.figures
    assert (feb.first_month, feb.window) == (1, "2022年1–2月")  # 1–2月 combined
    assert (may.first_month, may.window) == (5, "2022年5月")
    assert q2.first_month == 4  # a quarterly indicator's single period is the quarter
    assert h1.first_month == 1 and h1.key != q2.key  # 累计 and 当季 are different figures


def test_vintages_replace_each_other_in_order(tmp_path):
    t = load_published(_write(tmp_path, (
        "Longgang,gdp,2021-12,6.5,%,prelim_growth_pct,report,2022-01-20,A,\n"
        "Longgang,gdp,2021-12,6.2,%,ytd_growth_pct,bureau,2022-03-01,A,\n"
        "Longgang,gdp,2021-12,6.3,%,ytd_growth_pct,bureau,2022-05-01,A,\n"
        "Longgang,gdp,2021-12,6.4,%,revised_growth_pct,census,2023-01-01,A,\n")))

    def value(day):
        (f,) = t.as_of(day)
        return f.value

    assert t.as_of(dt.date(2022, 1, 19)) == ()
    assert value(dt.date(2022, 1, 20)) == 0.065
    assert value(dt.date(2022, 3, 1)) == 0.062  # the final figure replaces the preliminary
    assert value(dt.date(2022, 6, 1)) == 0.063  # a later publication of the same vintage
    assert value(dt.date(2023, 6, 1)) == 0.064  # a revision replaces the final figure


def test_a_final_figure_is_not_replaced_by_a_later_preliminary_one(tmp_path):
    t = load_published(_write(tmp_path, (
        "Longgang,gdp,2021-12,6.2,%,ytd_growth_pct,bureau,2022-01-10,A,\n"
        "Longgang,gdp,2021-12,6.5,%,prelim_growth_pct,report,2022-01-20,A,\n")))
    (f,) = t.as_of(dt.date(2022, 2, 1))
    assert f.value == 0.062


def test_sources_that_agree_to_their_last_digit_are_one_figure(tmp_path):
    t = load_published(_write(tmp_path, (
        "Shenzhen,gdp_secondary,2022-03,237.4,billion yuan,level_yi,mirror,,A-,\n"
        "Shenzhen,gdp_secondary,2022-03,237.457,billion yuan,level_yi,official,,A,\n")))
    (f,) = t.as_of(dt.date(2022, 12, 31))
    assert f.value == pytest.approx(2374.57) and f.reliability == "A"


def test_two_values_of_one_vintage_on_one_date_are_refused(tmp_path):
    path = _write(tmp_path, (
        "Longgang,gdp,2022-03,2.0,%,ytd_growth_pct,a,2022-04-20,A,\n"
        "Longgang,gdp,2022-03,2.6,%,ytd_growth_pct,b,2022-04-20,B,\n"))
    with pytest.raises(DataError, match="two different values for one indicator, period and "
                                        "vintage") as exc:
        load_published(path)
    assert exc.value.where == "row 3, column value"


def test_excel_files_read_and_errors_name_the_sheet_and_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "published"
    ws.append(HEADER.strip().split(","))
    ws.append(["Longgang", "gdp", dt.datetime(2022, 3, 1), 2.0, "%", "ytd_growth_pct", "t",
               dt.datetime(2022, 4, 20), "A", ""])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    (f,) = load_published(good).figures
    assert (f.period, f.value, f.published) == ("2022-03", 0.02, dt.date(2022, 4, 20))
    ws.append(["Longgang", "fai", "2022-03", 4.9, "亿元", "ytd_growth_pct", "t", None, "A", ""])
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(DataError) as exc:
        load_published(bad)
    assert str(exc.value).startswith(f"{bad}, sheet published: row 3, column unit: expected ")


# ---------------------------------------------------------------------- as_of, property
DATES = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2024, 12, 31))


@settings(max_examples=150, deadline=None)
@given(day=DATES, lag=st.integers(0, 4))
def test_as_of_never_returns_a_figure_published_after_the_date(day, lag):
    lags = {"gdp": lag, "fai": lag}
    known = SHIPPED.as_of(day, lags)
    assert all(f.known_on(lags) <= day for f in known)
    assert all(f.vintage != "target" for f in known)
    # and it returns one figure per key known by then, the best vintage of them
    keys = {f.key for f in SHIPPED.known_by(day, lags)}
    assert {f.key for f in known} == keys


ROWS = st.lists(
    st.tuples(st.sampled_from(["gdp", "fai", "retail_sales"]), st.integers(1, 12),
              st.integers(-50, 150), st.sampled_from(["ytd_growth_pct", "prelim_growth_pct",
                                                      "revised_growth_pct"]),
              st.one_of(st.none(), DATES)),
    min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, day=DATES)
def test_as_of_on_random_files(tmp_path_factory, rows, day):
    lines = "".join(
        f"Longgang,{ind},2021-{m:02d},{v / 10:.1f},%,{kind},t,"
        f"{'' if pub is None else pub.isoformat()},A,\n"
        for k, (ind, m, v, kind, pub) in enumerate(rows))
    path = tmp_path_factory.mktemp("as_of") / "rows.csv"
    path.write_text(HEADER + lines, encoding="utf-8")
    try:
        table = load_published(path)
    except DataError as exc:  # random rows may repeat a figure with another value
        assert "two different values" in str(exc) or "below 1 in size" in str(exc)
        return
    known = table.as_of(day)
    assert all(f.known_on() <= day for f in known)
    for f in known:  # nothing known by then beats the figure returned
        rivals = [g for g in table.known_by(day) if g.key == f.key]
        rank = ("prelim", "final", "revised")
        assert all(rank.index(g.vintage) <= rank.index(f.vintage) for g in rivals)
